"""The adversary: someone with the database file and sqlite3 (or plain Python) but not the
printed appendix. Each test tampers with a copy of one honest database and expects `patrol
verify`, or `patrol verify --against` the appendix printed before, to name what changed.

What verify alone cannot see (there is no secret key): a wipe of everything, a cut tail with its
head moved back, a chain recomputed after a change. Those are found against the printed anchor."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from patrol.cli import main
from patrol.hall.opening import open_hall
from storage.chain import CHAINED_TABLES, FIELDS, payload_hash_of, row_hash
from tests.conftest import fixed_clock, log_at

pytestmark = pytest.mark.tampers  # the copies fail verify on purpose


@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One honest database (roster, findings of 2022 and of November 2026 from two devices, a
    correction, a purge of 2022, record lookups), the appendix exported from it and the line
    `verify --digest` printed then."""
    folder = tmp_path_factory.mktemp("honest")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            patch.setenv(name, str(folder / name.lower()))
        patch.setenv("PATROL_INSPECTOR", "测试督查")
        from tests.conftest import ROSTER_CSV

        roster = folder / "名册.csv"
        roster.write_text(ROSTER_CSV + "6,人社窗口,区人社局,李强,A岗,C区\n", encoding="utf-8")
        path = folder / "patrol.db"
        url = f"sqlite:///{path}"
        assert main(["--db", url, "--hall", "测试大厅", "roster", "import", str(roster)]) == 0
        for device, rows in (
            (
                "laptop-a",
                (
                    ("1", "魏敏", "迟到", "2022-03-01 09:10", "魏敏说堵车"),
                    ("6", "李强", "玩手机", "2026-11-03 10:00", ""),
                ),
            ),
            (
                "laptop-b",
                (
                    ("4", "张梅", "迟到", "2026-11-02 09:05", ""),
                    ("4", "张梅", "表扬信", "2026-11-04 15:00", "群众来信"),
                ),
            ),
        ):
            service = open_hall(url, inspector="测试督查", device=device, clock=fixed_clock)
            ids = [log_at(service, *row) for row in rows]
            service.close()
        service = open_hall(url, inspector="测试督查", device="laptop-a", clock=fixed_clock)
        old = service.reader.rows("SELECT id FROM finding WHERE at < '2023-01-01'")[0][0]
        service.findings.correct(old, "经核实魏敏当天请假", void=True)
        service.close()
        assert main(["--db", url, "purge", "--before", "2023-01-01", "--yes"]) == 0
        assert main(["--db", url, "record", "张梅", "--period", "2026-11"]) == 0
        appendix = folder / "附表.xlsx"
        assert main(["--db", url, "export", "--period", "2026-11", "--out", str(appendix)]) == 0
        code = main(["--db", url, "verify", "--digest"])
    assert code == 0 and ids
    return {"path": path, "appendix": appendix, "folder": folder}


@pytest.fixture
def copy(honest: dict[str, object], tmp_path: Path) -> Path:
    """A copy of the honest database to tamper with."""
    target = tmp_path / "copy.db"
    with sqlite3.connect(honest["path"]) as source, sqlite3.connect(target) as into:  # type: ignore[arg-type]
        source.backup(into)
    return target


def tamper(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)


def verify(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--db", f"sqlite:///{path}", "verify", *extra])
    out, err = capsys.readouterr()
    return code, out + err


def against(path: Path, honest: dict[str, object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    return verify(path, capsys, "--against", str(honest["appendix"]))


def digest_line(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, out = verify(path, capsys, "--digest")
    assert code == 0, out
    return out.strip()


# --- what verify finds on its own ------------------------------------------------------------

# 迟到 and 表扬信 swap names: 张梅's 迟到 would read as a 表扬信 worth −1.
RELABEL = [
    "UPDATE finding_type SET name = '临时' WHERE name = '迟到'",
    "UPDATE finding_type SET name = '迟到' WHERE name = '表扬信'",
    "UPDATE finding_type SET name = '表扬信' WHERE name = '临时'",
]

FOUND_BY_VERIFY: list[tuple[str, list[str], list[str]]] = [
    (
        "a finding's points changed",
        ["UPDATE finding SET points = 0 WHERE note = '群众来信'"],
        ["设备 laptop-b 的巡查记录", "内容与写入时不符"],
    ),
    (
        "two staff names swapped",
        [
            "UPDATE staff SET name = '临时' WHERE name = '张梅'",
            "UPDATE staff SET name = '张梅' WHERE name = '李强'",
            "UPDATE staff SET name = '李强' WHERE name = '临时'",
        ],
        ["人员“", "的姓名与 patrol 登记的不符", "在 patrol 之外被改动"],
    ),
    (
        "a finding type relabelled",
        RELABEL,
        ["巡查项“迟到”的名称与 patrol 登记的不符：登记为“迟到”，现为“表扬信”"],
    ),
    (
        "a finding type's points changed",
        ["UPDATE finding_type SET points = 5 WHERE name = '迟到'"],
        ["巡查项“迟到”的分值"],
    ),
    (
        "a window's code changed",
        ["UPDATE window SET code = '9' WHERE code = '4'"],
        ["窗口“4 不动产登记窗口”的编号", "现为“9”"],
    ),
    (
        "a window's name changed",
        ["UPDATE window SET name = '税务窗口' WHERE code = '4'"],
        ["窗口“4 不动产登记窗口”的名称"],
    ),
    (
        "the hall's time zone changed",
        ["UPDATE hall SET timezone = 'Asia/Tokyo'"],
        ["大厅“测试大厅”的时区", "现为“Asia/Tokyo”"],
    ),
    (
        "the hall's rules changed",
        ["UPDATE hall_rules SET settings = replace(settings, '\"top_staff\": 8', '\"top_staff\": 1')"],
        ["评定规则版本", "规则内容"],
    ),
    (
        "a posting moved to another window",
        [
            "UPDATE posting SET window_id = (SELECT id FROM window WHERE code = '2') WHERE staff_id = "
            "(SELECT id FROM staff WHERE name = '李强')"
        ],
        ["任职记录", "的窗口与 patrol 登记的不符"],
    ),
    (
        "a person inserted behind patrol's back",
        [
            "INSERT INTO staff (id, hall_id, window_id, name, role, active, position, search_keys, sort_key, "
            "created_at) SELECT 'ghost', hall_id, window_id, '冒名', 'A岗', 1, 99, '', '', created_at "
            "FROM staff LIMIT 1"
        ],
        ["人员“冒名”（ghost）没有经过 patrol 登记"],
    ),
    (
        "a staff id written back into a purged finding",
        ["UPDATE finding SET staff_id = (SELECT id FROM staff WHERE name = '魏敏') WHERE redaction_id IS NOT NULL"],
        ["已按保存期清除，但人员又有了内容"],
    ),
    (
        "a purged note rewritten",
        ["UPDATE finding SET note = '魏敏说堵车' WHERE redaction_id IS NOT NULL"],
        ["已按保存期清除，但备注又有了内容"],
    ),
    (
        "a purged correction's reason rewritten",
        ["UPDATE correction SET reason = '经核实魏敏当天请假' WHERE redaction_id IS NOT NULL"],
        ["更正记录", "已按保存期清除，但更正原因又有了内容"],
    ),
    (
        "a recent finding marked as purged to hide a change",
        [
            "UPDATE finding SET redaction_id = (SELECT id FROM redaction), note = '', staff_id = NULL "
            "WHERE note = '群众来信'"
        ],
        ["标为已清除的有"],
    ),
    (
        "a line of the access log deleted",
        ["DELETE FROM access_log WHERE action = '查看记录'"],
        ["查阅日志", "被删除"],
    ),
    (
        "who looked rewritten in the access log",
        ["UPDATE access_log SET who = '别人' WHERE action = '查看记录'"],
        ["查阅日志", "内容与写入时不符"],
    ),
    (
        "an unpurged access-log line emptied and marked as purged",
        [
            "UPDATE access_log SET who = '', subject = '', redaction_id = (SELECT id FROM redaction) "
            "WHERE action = '查看记录'"
        ],
        ["查阅日志", "不在清除记录", "所清除的时间内"],
    ),
    (
        "a finding deleted from the middle",
        ["DELETE FROM finding WHERE note = '群众来信' "],
        ["laptop-b", "被删除"],
    ),
    (
        # Python reads "2026-11-04T07:00" as the same instant, but SQL compares the text: a finding
        # written so leaves its month's ranking once it falls on the month's last UTC day.
        "a finding's time rewritten with a T",
        ["UPDATE finding SET at = replace(at, ' ', 'T') WHERE note = '群众来信'"],
        ["设备 laptop-b 的巡查记录", "内容与写入时不符"],
    ),
    (
        "a person's registration time rewritten with a T",
        ["UPDATE staff SET created_at = replace(created_at, ' ', 'T') WHERE name = '张梅'"],
        ["人员“张梅”", "的登记时间与 patrol 登记的不符"],
    ),
    (
        "the chain head moved back",
        ["UPDATE chain_head SET seq = seq - 1 WHERE device = 'laptop-b'"],
        ["设备 laptop-b 的链在第", "链尾的记录被删除或链头被改动"],
    ),
]


@pytest.mark.parametrize(
    ("statements", "named"), [(s, n) for _what, s, n in FOUND_BY_VERIFY], ids=[w for w, _s, _n in FOUND_BY_VERIFY]
)
def test_verify_names_what_changed(copy: Path, capsys, statements: list[str], named: list[str]) -> None:
    assert verify(copy, capsys)[0] == 0  # the copy is honest before
    tamper(copy, *statements)
    code, out = verify(copy, capsys)
    assert code == 1 and "校验未通过" in out, out
    for words in named:
        assert words in out, out
    assert "Traceback" not in out and out.count("\n") == 1


def test_a_swap_of_names_would_have_moved_the_findings(copy: Path, capsys) -> None:
    """What the swap does to what a user reads, and that verify is what stops it."""
    import csv

    def scores() -> dict[str, tuple[str, str]]:
        assert main(["--db", f"sqlite:///{copy}", "rank", "--period", "2026-11", "--format", "csv"]) == 0
        rows = csv.DictReader(capsys.readouterr().out.splitlines())
        return {r["name"]: (r["score"], r["findings"]) for r in rows if r["name"] in ("张梅", "李强")}

    capsys.readouterr()
    assert scores() == {"张梅": ("100.0", "2"), "李强": ("99.0", "1")}
    tamper(
        copy,
        "UPDATE staff SET name = '临时' WHERE name = '张梅'",
        "UPDATE staff SET name = '张梅' WHERE name = '李强'",
        "UPDATE staff SET name = '李强' WHERE name = '临时'",
    )
    # 张梅's 迟到 and 表扬信 now read as 李强's, and his 玩手机 as hers: the file lies to rank ...
    assert scores() == {"张梅": ("99.0", "1"), "李强": ("100.0", "2")}
    code, out = verify(copy, capsys)
    assert code == 1 and "姓名与 patrol 登记的不符" in out  # ... and verify says so


def test_a_time_written_another_way_cannot_move_a_finding_out_of_its_month(copy: Path, capsys) -> None:
    """31 October 09:00 in Shanghai is 01:00 UTC on the month's last UTC day: stored with a T in
    place of the space it sorts after the month's end in SQL and drops out of the ranking, while
    Python still reads the same instant. The chain's encoding must not read it as unchanged."""
    import csv

    def score(name: str) -> str:
        capsys.readouterr()
        assert main(["--db", f"sqlite:///{copy}", "rank", "--period", "2026-10", "--format", "csv"]) == 0
        return next(r["score"] for r in csv.DictReader(capsys.readouterr().out.splitlines()) if r["name"] == name)

    service = open_hall(f"sqlite:///{copy}", inspector="测试督查", device="laptop-b", clock=fixed_clock)
    log_at(service, "2", "郑晓燕", "迟到", "2026-10-31 09:00")
    service.close()
    assert score("郑晓燕") == "99.0" and verify(copy, capsys)[0] == 0
    tamper(copy, "UPDATE finding SET at = replace(at, ' ', 'T') WHERE at LIKE '2026-10-31 %'")
    assert score("郑晓燕") == "100.0"  # what the file now tells rank ...
    code, out = verify(copy, capsys)
    assert code == 1 and "设备 laptop-b 的巡查记录" in out and "内容与写入时不符" in out, out  # ... and verify sees


def test_a_posting_date_with_text_after_it_is_found(copy: Path, capsys) -> None:
    """A date column holds YYYY-MM-DD and nothing else: text appended to a posting's first day
    (which SQL compares as later than that day) is a change, not the same date."""
    url = f"sqlite:///{copy}"
    assert main(["--db", url, "staff", "move", "李强", "--window", "6", "--to", "2", "--on", "2026-11-20"]) == 0
    assert verify(copy, capsys)[0] == 0
    tamper(copy, "UPDATE posting SET starts = starts || ' 12:00' WHERE starts = '2026-11-20'")
    code, out = verify(copy, capsys)
    assert code == 1 and "任职记录" in out and "起始日期与 patrol 登记的不符" in out and "2026-11-20 12:00" in out, out


# --- what only the printed anchor finds -------------------------------------------------------


def _recompute(path: Path, device: str, change: Callable[[sqlite3.Connection], None]) -> None:
    """The forger's 25 lines: make a change, then hash the device's whole chain again from the
    start, as patrol would have, and move its head. No secret stops it."""
    with sqlite3.connect(path) as conn:
        change(conn)
        rows = []
        for kind, fields in FIELDS.items():
            table = CHAINED_TABLES[kind]
            for found in conn.execute(
                f"SELECT {', '.join(fields)}, chain_seq, salt, payload_hash FROM {table} WHERE device = ?", (device,)
            ):
                rows.append((found[len(fields)], kind, table, found[: len(fields)], found[-2], found[-1]))
        previous = "0" * 64
        for seq, kind, table, content, salt, payload in sorted(rows, key=lambda r: r[0]):
            if salt is not None:  # a purged row keeps its payload hash
                payload = payload_hash_of(kind, content, salt)
            link = row_hash(kind, device, seq, previous, payload)
            conn.execute(
                f"UPDATE {table} SET payload_hash = ?, prev_hash = ?, row_hash = ? WHERE id = ?",
                (payload, previous, link, content[0]),
            )
            previous = link
        conn.execute("UPDATE chain_head SET row_hash = ? WHERE device = ?", (previous, device))


def test_a_recomputed_chain_passes_verify_but_not_the_printed_appendix(copy: Path, honest, capsys) -> None:
    _recompute(copy, "laptop-b", lambda conn: conn.execute("UPDATE finding SET points = 0 WHERE note = '群众来信'"))
    assert verify(copy, capsys)[0] == 0  # nothing inside the file can tell
    code, out = against(copy, honest, capsys)
    assert code == 1 and "与附表 附表.xlsx核对未通过" in out and "设备 laptop-b 的第 1 至第" in out, out
    assert "重新计算了散列" in out


def test_a_wipe_passes_verify_but_not_the_printed_appendix(copy: Path, honest, capsys) -> None:
    tables = (
        "access_log",
        "correction",
        "redaction",
        "finding",
        "row_version",
        "chain_head",
        "posting",
        "staff",
        "window",
        "unit",
        "finding_type",
        "hall_rules",
        "finding_ref_counter",
        "inspector",
        "hall",
    )
    tamper(copy, *(f"DELETE FROM {table}" for table in tables))
    code, out = verify(copy, capsys)
    assert code == 0 and "0 台设备，0 条记录" in out
    code, out = against(copy, honest, capsys)
    assert code == 1 and "已没有这台设备的任何记录" in out, out


def test_a_cut_tail_with_its_head_moved_back_is_found_against_the_appendix(copy: Path, honest, capsys) -> None:
    with sqlite3.connect(copy) as conn:
        last = conn.execute("SELECT MAX(chain_seq) FROM finding WHERE device = 'laptop-b'").fetchone()[0]
        conn.execute("DELETE FROM finding WHERE device = 'laptop-b' AND chain_seq = ?", (last,))
        conn.execute(
            "UPDATE chain_head SET seq = ?, row_hash = (SELECT row_hash FROM finding WHERE device = 'laptop-b' "
            "AND chain_seq = ?) WHERE device = 'laptop-b'",
            (last - 1, last - 1),
        )
    assert verify(copy, capsys)[0] == 0
    code, out = against(copy, honest, capsys)
    assert code == 1 and f"设备 laptop-b 的链在数据库中只到第 {last - 1} 条" in out and f"自第 {last} 条起" in out, out


def test_a_grown_honest_database_passes_against_the_appendix_and_the_line(copy: Path, honest, capsys) -> None:
    line = digest_line(honest["path"], capsys)  # type: ignore[arg-type]
    service = open_hall(f"sqlite:///{copy}", inspector="测试督查", device="laptop-b", clock=fixed_clock)
    log_at(service, "1", "曾伟", "早退", "2026-11-05 17:00")
    service.close()
    code, out = against(copy, honest, capsys)
    assert code == 0 and "核对通过" in out, out
    code, out = verify(copy, capsys, "--against", line)
    assert code == 0 and "与所给链头核对通过" in out, out
    # The line copied by hand: hashes shortened to their first 16 characters.
    short = " ".join(part if ":" not in part else part[: part.rindex(":") + 17] for part in line.split()[1:])
    assert verify(copy, capsys, "--against", short)[0] == 0
    # ... with a Chinese input method, which types its colons full width.
    code, out = verify(copy, capsys, "--against", short.replace(":", "："))
    assert code == 0 and "与所给链头核对通过" in out, out


def test_the_written_down_line_finds_a_recomputed_chain(copy: Path, honest, capsys) -> None:
    line = digest_line(copy, capsys)
    _recompute(
        copy,
        "laptop-a",
        lambda conn: conn.execute("UPDATE finding SET points = 0 WHERE device = 'laptop-a' AND redaction_id IS NULL"),
    )
    code, out = verify(copy, capsys, "--against", line)
    assert code == 1 and "设备 laptop-a 的第 1 至第" in out, out


def test_the_appendix_footer_itself_altered_is_refused(copy: Path, honest, tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    book = load_workbook(honest["appendix"])  # type: ignore[arg-type]
    sheet = book["附表1 巡查明细"]
    for row in sheet.iter_rows(min_col=1, max_col=1):
        cell = row[0]
        if isinstance(cell.value, str) and cell.value.startswith("设备 laptop-b"):
            cell.value = cell.value.replace("：第 ", "：第 1")  # claims more rows than were printed
    forged = tmp_path / "改过的附表.xlsx"
    book.save(forged)
    code, out = verify(copy, capsys, "--against", str(forged))
    assert code == 1 and "链头摘要与其下所列各设备链头不符" in out, out


def test_export_refuses_a_tampered_database_and_marks_an_unverified_one(copy: Path, tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    tamper(copy, *RELABEL)
    out_file = tmp_path / "附表.xlsx"
    url = f"sqlite:///{copy}"
    capsys.readouterr()
    assert main(["--db", url, "export", "--period", "2026-11", "--out", str(out_file)]) == 1
    err = capsys.readouterr().err
    assert "未通过校验，未导出" in err and "巡查项“迟到”的名称" in err and err.count("\n") == 1
    assert list(tmp_path.glob("*.xlsx")) == []
    assert main(["--db", url, "export", "--period", "2026-11", "--out", str(out_file), "--allow-unverified"]) == 0
    book = load_workbook(out_file)
    for sheet in book.worksheets:
        assert "未通过校验" in sheet.oddHeader.center.text or "未通过校验" in str(sheet["A1"].value), sheet.title
    foot = [r[0] for r in book["附表1 巡查明细"].iter_rows(min_col=1, max_col=1, values_only=True) if r[0]]
    assert not any(str(v).startswith("链头摘要") for v in foot)  # no anchor from a failing database
    code, out = verify(copy, capsys, "--against", str(out_file))
    assert code == 1 and "没有找到链头摘要" in out


def _damaged(appendix: Path, target: Path) -> Path:
    """The appendix with its first sheet's XML cut in half, as a broken download leaves it."""
    import zipfile

    with zipfile.ZipFile(appendix) as source, zipfile.ZipFile(target, "w") as into:
        for name in source.namelist():
            data = source.read(name)
            into.writestr(name, data[: len(data) // 2] if name == "xl/worksheets/sheet1.xml" else data)
    return target


@pytest.mark.parametrize("kind", ["a csv file", "a text file named .xlsx", "a damaged appendix"])
def test_against_a_file_that_is_no_appendix_says_so_in_one_line(
    copy: Path, honest, tmp_path: Path, capsys, kind: str
) -> None:
    if kind == "a csv file":
        given = tmp_path / "名册.csv"
        given.write_text("窗口编号,姓名\n1,魏敏\n", encoding="utf-8")
    elif kind == "a text file named .xlsx":
        given = tmp_path / "附表.xlsx"
        given.write_text("not a workbook", encoding="utf-8")
    else:
        given = _damaged(honest["appendix"], tmp_path / "附表.xlsx")  # type: ignore[arg-type]
    code, out = verify(copy, capsys, "--against", str(given))
    assert code == 1 and out.count("\n") == 1 and "Traceback" not in out, out
    assert f"patrol: {given.name} 不是 .xlsx 工作簿" in out, out


def test_against_an_appendix_saved_under_another_extension_still_checks(
    copy: Path, honest, tmp_path: Path, capsys
) -> None:
    import shutil

    kept = tmp_path / "附表.xlsx.bak"
    shutil.copy(honest["appendix"], kept)  # type: ignore[arg-type]
    code, out = verify(copy, capsys, "--against", str(kept))
    assert code == 0 and "与附表 附表.xlsx.bak核对通过" in out, out


UNREADABLE = {
    "a head's seq as text": ("", "UPDATE chain_head SET seq = 'x' WHERE device = 'laptop-b'"),
    "a version's content that is no JSON, chain recomputed": (
        "SELECT device FROM row_version WHERE tbl = 'unit'",
        "UPDATE row_version SET content = 'not json' WHERE tbl = 'unit'",
    ),
    "a purge's count as text, chain recomputed": (
        "SELECT device FROM redaction",
        "UPDATE redaction SET findings = 'x'",
    ),
}


@pytest.mark.parametrize("what", list(UNREADABLE))
def test_values_patrol_never_writes_are_a_finding_not_a_traceback(copy: Path, capsys, what: str) -> None:
    writer, statement = UNREADABLE[what]
    if writer:
        with sqlite3.connect(copy) as conn:
            (device,) = conn.execute(writer).fetchone()
        _recompute(copy, device, lambda conn: conn.execute(statement))
    else:
        tamper(copy, statement)
    code, out = verify(copy, capsys)
    assert code == 1 and out.count("\n") == 1 and "Traceback" not in out, out
    assert "校验未通过：数据库中有 patrol 不会写出的值" in out, out


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE hall_rules SET settings = 'not json'", "评定规则版本"),
        ("UPDATE finding SET points = 'abc' WHERE note = '群众来信'", "设备 laptop-b 的巡查记录"),
    ],
    ids=["rules no JSON", "points as text"],
)
def test_printing_commands_on_values_patrol_never_writes_say_what_verify_finds(
    copy: Path, capsys, statement: str, named: str
) -> None:
    tamper(copy, statement)
    capsys.readouterr()
    assert main(["--db", f"sqlite:///{copy}", "report", "--period", "2026-11"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("patrol: 数据库中有 patrol 不会写出的内容，无法读取；校验未通过：") and named in err, err
