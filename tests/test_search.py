"""Search by Chinese, full pinyin and initials; surnames read as surnames."""

from __future__ import annotations

import pytest

from patrol.hall.pinyin_keys import search_keys, sort_key
from patrol.hall.search import SearchIndex
from patrol.model import StaffInfo, WindowInfo


def index_of(names: list[str]) -> SearchIndex:
    window = WindowInfo(
        id="w",
        code="4",
        name="不动产登记窗口",
        unit="区自然资源局",
        search_keys=search_keys("不动产登记窗口"),
        unit_keys=search_keys("区自然资源局"),
    )
    staff = [StaffInfo(id=n, name=n, window_id="w", search_keys=search_keys(n, person=True)) for n in names]
    return SearchIndex([window], staff)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zm", "张梅"),
        ("zhangmei", "张梅"),
        ("张", "张梅"),
        ("zw", "曾伟"),
        ("cw", "曾伟"),
        ("zengwei", "曾伟"),
        ("sx", "单雄"),
        ("shanxiong", "单雄"),
        ("xxd", "解晓东"),
        ("qm", "仇明"),
        ("piaozhi", "朴志勇"),
    ],
)
def test_people_are_found_by_every_reading(query: str, expected: str) -> None:
    hits = index_of(["张梅", "曾伟", "单雄", "解晓东", "仇明", "朴志勇"]).search(query)
    assert expected in [h.title for h in hits]


def test_windows_and_units_by_initials_code_and_name() -> None:
    index = index_of(["张梅"])
    assert index.search("bdc")[0].title == "4 不动产登记窗口"
    assert index.search("4")[0].kind == "window"
    assert any(h.kind == "unit" for h in index.search("zrzy"))
    assert index.search("不动产")[0].kind == "window"
    assert index.search("") == []
    assert index.search("qqqq") == []


def test_surnames_sort_as_surnames() -> None:
    assert sort_key("曾伟", person=True).startswith("zeng")
    assert sort_key("单雄", person=True).startswith("shan")
    assert sort_key("解晓东", person=True).startswith("xie")
    assert sort_key("朴志勇", person=True).startswith("piao")
    assert sorted(["张三", "曾伟", "安娜"], key=lambda n: sort_key(n, person=True)) == ["安娜", "曾伟", "张三"]
