"""`patrol rules show|set`: a hall's settings, read and changed from the command line, each change
from a date, refused in one line when wrong, and felt by the verdicts."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from patrol.cli import main
from patrol.errors import UserError
from patrol.rules.setting_words import BY_KEY, SETTINGS, change_from, find_setting, parse_value, since
from patrol.rules.settings import DEFAULT_SETTINGS, HallRules
from tests.conftest import run


def versions(url: str) -> list[tuple[str | None, dict]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        rows = conn.execute("SELECT starts, settings FROM hall_rules ORDER BY created_at, id").fetchall()
    return [(starts, json.loads(settings)) for starts, settings in rows]


def hall_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def line_of(out: str, label: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith(label))


def test_every_setting_has_a_chinese_label() -> None:
    assert {f.name for f in fields(HallRules)} == set(BY_KEY)
    assert len({s.label for s in SETTINGS}) == len(SETTINGS)


def test_show_lists_each_setting_with_its_value_and_since_when(hall_url: str, capsys) -> None:
    code, out, _ = run(capsys, "--db", hall_url, "rules", "show")
    assert code == 0
    assert out.startswith(f"测试大厅评定规则（{hall_today():%Y-%m-%d} 适用")
    assert line_of(out, "服务标兵人数（top_staff）").split()[1:] == ["8", "自始适用"]
    assert line_of(out, "同分排序（tie_break）").split()[1:] == ["无（同分并列）", "自始适用"]
    assert line_of(out, "优秀窗口最低分（excellent_min_score）").split()[1:] == ["100", "自始适用"]
    assert line_of(out, "满勤依据（attendance_basis）").split()[1:] == ["按打卡记录", "自始适用"]
    assert len([line for line in out.splitlines() if "（" in line and line.startswith("  ")]) == len(SETTINGS)


def test_set_by_chinese_label_or_english_key_applies_from_today(hall_url: str, capsys) -> None:
    today = hall_today()
    code, out, _ = run(capsys, "--db", hall_url, "rules", "set", "服务标兵人数", "10")
    assert code == 0 and f"已修改：服务标兵人数 8 → 10，自 {today:%Y-%m-%d} 起适用" in out
    code, out, _ = run(capsys, "--db", hall_url, "rules", "set", "tie_break", "扣分,项次")
    assert code == 0 and "扣分较少者在前、扣分项次较少者在前" in out
    code, out, _ = run(capsys, "--db", hall_url, "rules", "set", "满勤依据", "巡查", "--from", "2026-11-01")
    assert code == 0
    _, out, _ = run(capsys, "--db", hall_url, "rules", "show")
    assert line_of(out, "服务标兵人数").split()[1:] == ["10", "自", f"{today:%Y-%m-%d}", "起"]
    assert line_of(out, "同分排序").split()[1] == "扣分较少者在前、扣分项次较少者在前"
    assert line_of(out, "满勤依据").split()[1:] == ["按巡查记录（大厅无考勤机）", "自", "2026-11-01", "起"]
    # The rules that judged October are untouched, and say so.
    _, out, _ = run(capsys, "--db", hall_url, "rules", "show", "--period", "2026-10")
    assert line_of(out, "服务标兵人数").split()[1:] == ["8", "自始适用"]
    assert (
        "已登记、尚未生效的改动：" in out
        and "自 2026-11-01 起：满勤依据 按打卡记录 → 按巡查记录（大厅无考勤机）" in out
    )
    # Setting what is already in force writes nothing.
    before = versions(hall_url)
    code, out, _ = run(capsys, "--db", hall_url, "rules", "set", "top_staff", "10")
    assert code == 0 and "已是“10”，未做改动" in out and versions(hall_url) == before
    assert main(["--db", hall_url, "verify"]) == 0


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["服务人数", "8"], "没有名为“服务人数”的规则。可设置：服务标兵人数（top_staff）"),
        (["服务标兵人数", "-1"], "“服务标兵人数”应为 0 到 1000 的整数，现为“-1”。"),
        (["top_windows", "四"], "“优秀窗口个数”应为 0 到 1000 的整数，现为“四”。"),
        (["model_staff_clean", "也许"], "“服务标兵须无扣分”应为 是 或 否，现为“也许”。"),
        (["优秀窗口最低分", "99.7x"], "“优秀窗口最低分”应为分数"),
        (["优秀窗口最低分", "nan"], "“优秀窗口最低分”应为分数"),
        (["加分上限", "-2"], "“加分上限”不能为负数"),
        (["同分排序", "姓名"], "“同分排序”不认识“姓名”"),
        (["同分排序", "扣分,扣分"], "“同分排序”中“扣分”写了两次。"),
        (["满勤依据", "指纹"], "“满勤依据”应为 打卡、巡查 之一，现为“指纹”。"),
        (["服务标兵人数", "9", "--from", "2026-13-01"], "无法识别的日期“2026-13-01”"),
    ],
)
def test_bad_names_and_values_are_refused_in_one_line_and_nothing_is_written(
    hall_url: str, capsys, args: list[str], said: str
) -> None:
    before = versions(hall_url)
    code, out, err = run(capsys, "--db", hall_url, "rules", "set", *args)
    assert code == 1 and out == ""
    assert err.startswith("patrol: ") and said in err and err.count("\n") == 1
    assert versions(hall_url) == before


def test_a_change_reaches_versions_already_registered_for_later_unless_they_set_it(hall_url: str, capsys) -> None:
    assert run(capsys, "--db", hall_url, "rules", "set", "top_staff", "10", "--from", "2027-01-01")[0] == 0
    assert run(capsys, "--db", hall_url, "rules", "set", "末位人数", "2", "--from", "2027-03-01")[0] == 0
    # From December on, 5 末位: the March version (which set 末位人数 on purpose) keeps its 2, and
    # says so; the January version (which set only 服务标兵人数) gets the 5 too.
    code, out, _ = run(capsys, "--db", hall_url, "rules", "set", "bottom_count", "5", "--from", "2026-12-01")
    assert code == 0 and "注意：已登记自 2027-03-01 起末位人数为“2”，那天起仍按它评定。" in out
    for day, expected in (
        ("2026-11-30", (8, 3)),
        ("2026-12-01", (8, 5)),
        ("2027-01-15", (10, 5)),
        ("2027-03-01", (10, 2)),
    ):
        _, out, _ = run(capsys, "--db", hall_url, "rules", "show", "--on", day)
        shown = (int(line_of(out, "服务标兵人数").split()[1]), int(line_of(out, "末位人数").split()[1]))
        assert shown == expected, day
    # A change to an ended month says that it re-judges it.
    code, out, _ = run(capsys, "--db", hall_url, "rules", "set", "优秀窗口最低分", "无", "--from", "2026-01-01")
    assert code == 0 and "注意：2026年1月等已结束的统计周期也将按新规则重新评定" in out


def test_a_setting_changes_the_verdicts_and_the_change_is_logged(hall_url: str, capsys) -> None:
    for person, window, item, at in (
        ("魏敏", "1", "表扬信", "2026-11-02 10:00"),
        ("郑晓燕", "2", "上门服务", "2026-11-03 10:00"),
        ("张梅", "4", "预约服务", "2026-11-04 10:00"),
    ):
        assert main(["--db", hall_url, "log", "--window", window, "--staff", person, "--type", item, "--at", at]) == 0
    capsys.readouterr()

    def models() -> list[str]:
        _, out, _ = run(capsys, "--db", hall_url, "rank", "--period", "2026-11", "--format", "json")
        return [r["name"] for r in json.loads(out) if r["mark"] == "服务标兵"]

    assert models() == ["魏敏", "郑晓燕", "张梅"]
    assert (
        run(
            capsys,
            "--db",
            hall_url,
            "--inspector",
            "王督查",
            "rules",
            "set",
            "服务标兵人数",
            "2",
            "--from",
            "2026-11-01",
        )[0]
        == 0
    )
    assert models() == ["魏敏", "郑晓燕"]
    _, out, _ = run(capsys, "--db", hall_url, "access-log", "--since", "2026-01-01")
    assert "王督查  修改评定规则  服务标兵人数（top_staff）：8 → 2，自 2026-11-01 起" in out
    assert main(["--db", hall_url, "verify"]) == 0


def test_help_names_every_setting_in_chinese(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["rules", "set", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法：patrol rules set")
    for setting in SETTINGS:
        assert f"{setting.label}（{setting.key}）" in out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "patrol rules show" in capsys.readouterr().out


def test_words_for_values() -> None:
    assert find_setting("TOP-STAFF").key == "top_staff" and find_setting("扣完为止").key == "score_floor"
    assert parse_value(BY_KEY["tie_break"], "扣分较少者在前、deduction_items") == ("deductions", "deduction_items")
    assert parse_value(BY_KEY["tie_break"], "无") == ()
    assert parse_value(BY_KEY["window_score_mode"], "合计") == "sum"
    assert parse_value(BY_KEY["attendance_basis"], "按巡查记录（大厅无考勤机）") == "patrol"
    assert parse_value(BY_KEY["score_floor"], "0") == 0.0 and parse_value(BY_KEY["bonus_cap"], "不限") is None
    assert parse_value(BY_KEY["award_needs_bonus"], "否") is False
    with pytest.raises(UserError):
        parse_value(BY_KEY["excellent_min_score"], "99.755")


def test_since_and_change_from_are_pure() -> None:
    table = {None: DEFAULT_SETTINGS, date(2026, 12, 1): HallRules(top_staff=10)}

    def settings_on(day: date) -> HallRules:
        return table[date(2026, 12, 1)] if day >= date(2026, 12, 1) else table[None]

    starts = [None, date(2026, 12, 1)]
    assert since(settings_on, starts, date(2026, 12, 5), "top_staff") == date(2026, 12, 1)
    assert since(settings_on, starts, date(2026, 12, 5), "bottom_count") is None
    made = change_from(settings_on, starts, date(2026, 11, 1), "bottom_count", 2)
    assert [(d, s.top_staff, s.bottom_count) for d, s in made] == [
        (date(2026, 11, 1), 8, 2),
        (date(2026, 12, 1), 10, 2),
    ]
    kept = change_from(settings_on, starts, date(2026, 11, 1), "top_staff", 9)
    assert [(d, s.top_staff) for d, s in kept] == [(date(2026, 11, 1), 9)]  # December chose 10 itself
