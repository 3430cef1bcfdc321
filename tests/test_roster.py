"""Postings with dates (DESIGN: 'Who counts in a period'): `patrol staff`, roster imports,
findings resolved at their time, and `patrol record` finding people as `/` does. Every test
that writes ends with `patrol verify` passing."""

from __future__ import annotations

from pathlib import Path

import pytest

from patrol.cli import main
from patrol.errors import UserError
from tests.conftest import count, run, verified

# --- findings import ------------------------------------------------------------------------


def test_an_import_as_a_devices_first_write_starts_its_chain(hall_url: str, tmp_path: Path, capsys) -> None:
    """A batch that is a device's first write used to leave its chain without a head."""
    path = tmp_path / "旧记录.csv"
    path.write_text("时间,窗口编号,姓名,巡查项\n2026-11-02 09:00,1,魏敏,迟到\n2026-11-03 09:00,1,曾伟,迟到\n")
    assert run(capsys, "--db", hall_url, "findings", "import", str(path))[0] == 0
    assert verified(hall_url), capsys.readouterr().err
    assert run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "迟到")[0] == 0
    assert verified(hall_url), capsys.readouterr().err


def rank(capsys, url: str, period: str, by: str = "staff") -> list[dict]:  # type: ignore[no-untyped-def]
    import json

    code, out, err = run(capsys, "--db", url, "rank", "--period", period, "--by", by, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def log(capsys, url: str, window: str, person: str, item: str, at: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    return run(capsys, "--db", url, "log", "--window", window, "--staff", person, "--type", item, "--at", at)


# --- a change takes effect from its date ------------------------------------------------------


def test_a_move_leaves_earlier_months_as_they_were(hall_url: str, capsys) -> None:
    """Moving 曾伟 from window 1 to 4 on 20 November changes nothing in October (the issue: a
    move dropped window 7 from 100.5 to 100.0 for a month the person was not there)."""
    assert log(capsys, hall_url, "4", "张梅", "上门服务", "2026-10-12 10:00")[0] == 0
    assert log(capsys, hall_url, "1", "曾伟", "迟到", "2026-10-13 09:00")[0] == 0
    assert log(capsys, hall_url, "1", "曾伟", "迟到", "2026-11-03 09:00")[0] == 0
    october_windows = rank(capsys, hall_url, "2026-10", "window")
    october_staff = rank(capsys, hall_url, "2026-10")
    assert next(w for w in october_windows if w["window"] == "4")["score"] == 100.5

    code, out, err = run(
        capsys, "--db", hall_url, "staff", "move", "曾伟", "--window", "1", "--to", "4", "--on", "2026-11-20"
    )
    assert code == 0, err
    assert out.strip() == (
        "已调岗：曾伟 自 2026-11-20 起从 1 号窗口（综合窗口）调到 4 号窗口（不动产登记窗口）。"
        "此前的记录和得分仍在 1 号窗口。"
    )
    assert rank(capsys, hall_url, "2026-10", "window") == october_windows
    assert rank(capsys, hall_url, "2026-10") == october_staff
    # November: his −1 stays with window 1, where it happened, and so is his row (the notice
    # names him with the window of his findings, not with the one he moved to later).
    november = {w["window"]: w for w in rank(capsys, hall_url, "2026-11", "window")}
    assert november["1"]["deductions"] == -1.0 and november["4"]["deductions"] == 0.0
    assert next(r for r in rank(capsys, hall_url, "2026-11") if r["name"] == "曾伟")["window"] == "1"
    # December: window 4 averages 张梅 and 曾伟; window 1 has 魏敏 alone.
    assert log(capsys, hall_url, "4", "曾伟", "迟到", "2026-12-01 09:00")[0] == 0
    december = {w["window"]: w for w in rank(capsys, hall_url, "2026-12", "window")}
    assert december["4"]["score"] == 99.5 and december["1"]["score"] == 100.0
    assert verified(hall_url)


def test_leaving_keeps_the_month_worked_and_its_verdicts(hall_url: str, capsys) -> None:
    """曾伟 leaves on 20 November: his −2 stays in November, 末位 stays his, December drops him."""
    assert log(capsys, hall_url, "1", "曾伟", "脱岗", "2026-11-05 10:00")[0] == 0
    assert log(capsys, hall_url, "2", "郑晓燕", "上门服务", "2026-11-06 10:00")[0] == 0
    before = rank(capsys, hall_url, "2026-11")
    assert [r["name"] for r in before if r["mark"] == "末位"] == ["曾伟"]
    code, out, err = run(capsys, "--db", hall_url, "staff", "leave", "曾伟", "--window", "1", "--on", "2026-11-20")
    assert code == 0, err
    assert "已登记离岗：曾伟 自 2026-11-20 起离开 1 号窗口（综合窗口）" in out
    assert rank(capsys, hall_url, "2026-11") == before
    assert "曾伟" not in [r["name"] for r in rank(capsys, hall_url, "2026-12")]
    # `patrol record` still finds him, says that he left and when, and shows the finding's reference.
    code, out, err = run(capsys, "--db", hall_url, "record", "曾伟", "--period", "2026-11")
    assert code == 0, err
    assert out.splitlines()[0] == "曾伟  1 综合窗口（2026-11-20 起离岗）"
    assert "末位" in out and "2611-0001  2026-11-05 10:00  脱岗 -2.0" in out
    # Logging against him after he left is refused, naming when he left.
    code, _, err = log(capsys, hall_url, "1", "曾伟", "迟到", "2026-11-25 09:00")
    assert code == 1 and "曾伟 2026-11-25 09:00 时不在 1 号窗口：已于 2026-11-20 离开 1 号窗口" in err
    assert verified(hall_url)


def test_adding_and_returning(hall_url: str, capsys) -> None:
    code, out, err = run(
        capsys, "--db", hall_url, "staff", "add", "王芳", "--window", "5", "--role", "A岗", "--on", "2026-11-10"
    )
    assert code == 0, err
    assert out.strip() == "已添加：王芳 自 2026-11-10 起在 5 号窗口（供电公司窗口），A岗。"
    assert run(capsys, "--db", hall_url, "staff", "leave", "王芳", "--window", "5", "--on", "2026-11-15")[0] == 0
    code, out, _ = run(capsys, "--db", hall_url, "staff", "add", "王芳", "--window", "5", "--on", "2026-11-25")
    assert out.strip() == "已回岗：王芳 自 2026-11-25 起回到 5 号窗口“供电公司窗口”（此前 2026-11-15 起离岗）。"
    assert count(hall_url, "staff") == 8  # the same person came back, not a namesake
    # A namesake at another window is another person.
    assert run(capsys, "--db", hall_url, "staff", "add", "王芳", "--window", "1", "--on", "2026-11-25")[0] == 0
    assert count(hall_url, "staff") == 9
    # Findings follow the dates: before she started, between her stints, and back again.
    assert log(capsys, hall_url, "5", "王芳", "迟到", "2026-11-12 09:00")[0] == 0
    code, _, err = log(capsys, hall_url, "5", "王芳", "迟到", "2026-11-20 09:00")
    assert code == 1 and "2026-11-15 至 2026-11-25 期间不在岗" in err
    assert log(capsys, hall_url, "5", "王芳", "迟到", "2026-11-26 09:00")[0] == 0
    assert [r["score"] for r in rank(capsys, hall_url, "2026-11") if r["window"] == "5"] == [98.0]
    assert verified(hall_url)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["add", "李四", "--window", "99"], "没有编号为“99”的窗口"),
        (["add", "魏敏", "--window", "1"], "1 号窗口在 2026-11-20 已有“魏敏”"),
        (["add", "李四", "--window", "1", "--role", "组长"], "无法识别的岗位“组长”"),
        (["add", "", "--window", "1"], "姓名不能为空"),
        (["move", "李四", "--window", "1", "--to", "2"], "1 号窗口没有名为“李四”的在岗人员"),
        (["move", "魏敏", "--window", "2", "--to", "3"], "2 号窗口没有名为“魏敏”的在岗人员。此人当时在 1 号窗口"),
        (["move", "魏敏", "--window", "1", "--to", "1"], "调出和调入都是 1 号窗口"),
        (["move", "魏敏", "--window", "1", "--to", "99"], "没有编号为“99”的窗口"),
        (
            ["move", "王芳", "--window", "5", "--to", "1", "--on", "2026-11-01"],
            "王芳 自 2026-11-10 起才在 5 号窗口任职",
        ),
        (["leave", "王芳", "--window", "5", "--on", "2026-11-09"], "王芳 自 2026-11-10 起才在 5 号窗口任职"),
        (["leave", "张伟", "--window", "4"], "4 号窗口没有名为“张伟”的在岗人员。此人当时在 2 号窗口、3 号窗口"),
        (["leave", "魏敏", "--window", "1", "--on", "2026-11-31"], "无法识别的日期“2026-11-31”"),
        (["leave", "魏敏", "--window", "1", "--on", ""], "无法识别的日期“”"),
    ],
)
def test_staff_commands_refuse_bad_input_and_write_nothing(hall_url: str, capsys, args, expected) -> None:
    assert run(capsys, "--db", hall_url, "staff", "add", "王芳", "--window", "5", "--on", "2026-11-10")[0] == 0
    postings, staff = count(hall_url, "posting"), count(hall_url, "staff")
    if "--on" not in args:
        args = [*args, "--on", "2026-11-20"]
    code, out, err = run(capsys, "--db", hall_url, "staff", *args)
    assert code == 1 and out == ""
    assert expected in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (count(hall_url, "posting"), count(hall_url, "staff")) == (postings, staff)


def test_staff_help_is_in_chinese(capsys) -> None:
    for action in ("add", "move", "leave"):
        with pytest.raises(SystemExit):
            main(["staff", action, "--help"])
        out = capsys.readouterr().out
        assert out.startswith("用法：patrol staff " + action) and "从哪天起" in out


# --- findings at their time ---------------------------------------------------------------


def test_log_at_refuses_a_time_before_the_posting_began(hall_url: str, capsys) -> None:
    assert run(capsys, "--db", hall_url, "staff", "add", "王芳", "--window", "5", "--on", "2026-11-10")[0] == 0
    code, _, err = log(capsys, hall_url, "5", "王芳", "迟到", "2026-11-09 17:00")
    assert code == 1
    assert err.strip() == "patrol: 王芳 自 2026-11-10 起才在 5 号窗口任职，2026-11-09 17:00 时还不在该窗口。"
    assert count(hall_url, "finding") == 0
    assert log(capsys, hall_url, "5", "王芳", "迟到", "2026-11-10 08:31")[0] == 0


def test_a_person_who_moved_is_found_at_the_old_window_for_the_old_time(hall_url: str, tmp_path: Path, capsys) -> None:
    assert (
        run(capsys, "--db", hall_url, "staff", "move", "单雄", "--window", "3", "--to", "5", "--on", "2026-11-20")[0]
        == 0
    )
    # The command line, for a time before the move: window 3, where he sat then.
    code, out, err = log(capsys, hall_url, "3", "单雄", "迟到", "2026-11-12 09:00")
    assert code == 0, err
    assert "3 住建窗口 单雄 迟到" in out
    code, _, err = log(capsys, hall_url, "5", "单雄", "迟到", "2026-11-12 09:00")
    assert code == 1 and "单雄 自 2026-11-20 起才在 5 号窗口任职" in err
    # An import, row by row: the old window before the move; refused with row and column after it.
    path = tmp_path / "旧记录.csv"
    path.write_text(
        "时间,窗口编号,姓名,巡查项\n2026-11-13 09:00,3,单雄,迟到\n2026-11-21 09:00,5,单雄,迟到\n", encoding="utf-8"
    )
    assert run(capsys, "--db", hall_url, "findings", "import", str(path))[0] == 0
    path.write_text("时间,窗口编号,姓名,巡查项\n2026-11-14 09:00,3,单雄,迟到\n2026-11-21 09:00,3,单雄,迟到\n")
    code, _, err = run(capsys, "--db", hall_url, "findings", "import", str(path))
    assert code == 1
    assert err.strip() == ("patrol: 旧记录.csv 第3行“姓名”列：单雄 2026-11-21 09:00 时不在 3 号窗口：当天在 5 号窗口。")
    windows = {w["window"]: w for w in rank(capsys, hall_url, "2026-11", "window")}
    assert windows["3"]["findings"] == 2 and windows["5"]["findings"] == 1
    assert verified(hall_url)


def test_a_finding_stays_where_it_happened_when_the_person_moves_later(service) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from patrol.rules.periods import Period
    from tests.conftest import log_at

    log_at(service, "3", "单雄", "玩手机", "2026-11-02 10:00")
    before = service.standings.ranking(Period.parse("2026-11"), with_change=False)
    person = service.lookup.resolve_staff("单雄", None)
    service.edits.move_staff(person, service.lookup.window("5"), date(2026, 11, 18))
    service.edits.leave(service.staff_by_id[person.id], date(2026, 11, 30))
    after = service.standings.ranking(Period.parse("2026-11"), with_change=False)
    assert (
        after.window_row(service.lookup.window("3").id).score == before.window_row(service.lookup.window("3").id).score
    )
    assert after.window_row(service.lookup.window("5").id).score == 100.0
    assert [f.window_code for f in service.records.findings(Period.parse("2026-11"))] == ["3"]
    # The service refuses what the board could otherwise log: a person at a window they never sat at.
    with pytest.raises(UserError, match="单雄 2026-11-18 10:00 时不在 3 号窗口"):
        service.findings.log(service.lookup.window("3"), service.staff_by_id[person.id], service.lookup.rule("迟到"))


def test_a_roster_read_before_a_change_stays_whole(service) -> None:  # type: ignore[no-untyped-def]
    """Reading the roster again swaps in a new snapshot as one reference: whoever took the roster
    before a change (the board, on another thread) keeps windows, staff and their indexes of one
    moment, never the new staff list with the old index."""
    from datetime import date

    window = service.lookup.window("5")
    before = service.snapshot
    added = service.edits.add_staff("新来的", window, starts=date(2026, 11, 2))
    assert added.id in service.staff_by_id and added in service.lookup.staff_at(window.id)
    assert added.id not in before.staff_by_id and all(s.id != added.id for s in before.staff)
    assert {s.id for s in before.staff} == set(before.staff_by_id)


# --- patrol record: as `/` finds people ------------------------------------------------------


class _Terminal:
    """A standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_record_accepts_what_search_accepts(hall_url: str, capsys, monkeypatch) -> None:
    assert log(capsys, hall_url, "4", "张梅", "迟到", "2026-11-02 09:00")[0] == 0
    for query in ("zm", "zhangmei", "张梅"):
        code, out, err = run(capsys, "--db", hall_url, "record", query, "--period", "2026-11")
        assert code == 0, err
        assert out.startswith("张梅  4 不动产登记窗口") and "2611-0001  2026-11-02 09:00  迟到 -1.0" in out
    # Several match: without a terminal, one line lists them with their windows.
    code, out, err = run(capsys, "--db", hall_url, "record", "张")
    assert code == 1 and out == ""
    assert err.strip() == (
        "patrol: “张”对应 3 人：张伟（2 号窗口 市场监管窗口）、张伟（3 号窗口 住建窗口）、"
        "张梅（4 号窗口 不动产登记窗口）。请写出全名，或用 --window 指明窗口。"
    )
    # In a terminal: a numbered choice.
    monkeypatch.setattr("sys.stdin", _Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: "2")
    code, out, err = run(capsys, "--db", hall_url, "record", "zw")  # 曾 reads zeng: 曾伟 too
    assert code == 0, err
    assert "  1. 曾伟（1 号窗口 综合窗口）\n  2. 张伟（2 号窗口 市场监管窗口）\n  3. 张伟（3 号窗口 住建窗口）" in out
    assert "\n张伟  2 市场监管窗口\n" in out
    monkeypatch.setattr("builtins.input", lambda prompt: "")
    assert run(capsys, "--db", hall_url, "record", "zw")[2].strip() == "patrol: 未选择，已取消。"
    # --window narrows to who sat there; a name nobody has is refused.
    assert run(capsys, "--db", hall_url, "record", "zw", "--window", "3")[1].startswith("张伟  3 住建窗口")
    code, _, err = run(capsys, "--db", hall_url, "record", "李四")
    assert code == 1 and "没有与“李四”相符的人员或窗口" in err


# --- roster import -----------------------------------------------------------------------------


def _roster(tmp_path: Path, text: str) -> str:
    path = tmp_path / "新名册.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_roster_import_offers_to_record_the_missing_as_left(hall_url: str, tmp_path: Path, capsys, monkeypatch) -> None:
    from tests.conftest import ROSTER_CSV

    without = ROSTER_CSV.replace("1,综合窗口,区政务服务中心,曾伟,B岗,A区\n", "").replace("张梅,A岗", "张梅,B岗")
    path = _roster(tmp_path, without)
    postings = count(hall_url, "posting")
    code, out, err = run(capsys, "--db", hall_url, "roster", "import", path, "--on", "2026-11-20")
    assert code == 0, err
    assert out.splitlines() == [
        "更新人员：张梅（4 号窗口）岗位 A岗 → B岗（自 2026-11-20 起）",
        "名册中没有以下在岗人员：曾伟（1 号窗口）",
        "这些人员未做改动；如已离岗，加 --missing-left 记为自 2026-11-20 起离岗。",
        "已导入：新增单位 0 个，新增窗口 0 个，更新窗口 0 个，新增人员 0 人，调整人员 1 人。",
    ]
    assert count(hall_url, "posting") == postings + 1
    # A dry run lists the departure and writes nothing.
    code, out, _ = run(
        capsys, "--db", hall_url, "roster", "import", path, "--on", "2026-11-20", "--missing-left", "--dry-run"
    )
    assert "离岗：曾伟 离开 1 号窗口（自 2026-11-20 起）" in out and "未写入" in out
    assert count(hall_url, "posting") == postings + 1
    # In a terminal it asks; No leaves him, Yes records him as left from the date.
    monkeypatch.setattr("sys.stdin", _Terminal())
    questions: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: questions.append(prompt) or "n")
    code, out, _ = run(capsys, "--db", hall_url, "roster", "import", path, "--on", "2026-11-20")
    assert questions == ["是否记为自 2026-11-20 起离岗？[y/N] "] and "这些人员未做改动。" in out
    assert count(hall_url, "posting") == postings + 1
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    code, out, _ = run(capsys, "--db", hall_url, "roster", "import", path, "--on", "2026-11-20")
    assert code == 0 and "离岗：曾伟 离开 1 号窗口（自 2026-11-20 起）" in out and "离岗 1 人" in out
    assert count(hall_url, "posting") == postings + 2
    code, out, _ = run(capsys, "--db", hall_url, "record", "曾伟")
    assert out.splitlines()[0] == "曾伟  1 综合窗口（2026-11-20 起离岗）"
    assert verified(hall_url)


def test_roster_import_with_missing_left_flag(hall_url: str, tmp_path: Path, capsys) -> None:
    from tests.conftest import ROSTER_CSV

    assert log(capsys, hall_url, "1", "曾伟", "脱岗", "2026-11-05 10:00")[0] == 0
    before = rank(capsys, hall_url, "2026-11")
    path = _roster(tmp_path, ROSTER_CSV.replace("1,综合窗口,区政务服务中心,曾伟,B岗,A区\n", ""))
    code, out, err = run(capsys, "--db", hall_url, "roster", "import", path, "--on", "2026-11-20", "--missing-left")
    assert code == 0, err
    assert rank(capsys, hall_url, "2026-11") == before  # his −2 and his 末位 stay in November
    assert "曾伟" not in [r["name"] for r in rank(capsys, hall_url, "2026-12")]
    # He comes back in a later roster: the same person, not a namesake.
    code, out, _ = run(
        capsys, "--db", hall_url, "roster", "import", _roster(tmp_path, ROSTER_CSV), "--on", "2026-12-01"
    )
    assert "回岗：曾伟 回到 1 号窗口（自 2026-12-01 起）" in out
    assert count(hall_url, "staff") == 7
    assert verified(hall_url)


def test_roster_import_keeps_namesakes_apart(hall_url: str, tmp_path: Path, capsys) -> None:
    """Two 王芳 at windows 3 and 5; the file moves the one at 3 to a new window 6."""
    from tests.conftest import ROSTER_CSV

    for window in ("3", "5"):
        assert run(capsys, "--db", hall_url, "staff", "add", "王芳", "--window", window, "--on", "2026-11-02")[0] == 0
    text = ROSTER_CSV + "5,供电公司窗口,国网供电公司,王芳,,B区\n6,税务窗口,区税务局,王芳,A岗,B区\n"
    code, out, err = run(capsys, "--db", hall_url, "roster", "import", _roster(tmp_path, text), "--on", "2026-11-20")
    assert code == 0, err
    assert "调岗：王芳 从 3 号窗口调到 6 号窗口（自 2026-11-20 起）" in out
    assert "新增人员：" not in out and "名册中没有" not in out
    assert count(hall_url, "staff") == 9
    # Each 王芳 keeps her own window in the ranking.
    windows = sorted(r["window"] for r in rank(capsys, hall_url, "2026-12") if r["name"] == "王芳")
    assert windows == ["5", "6"]
    assert verified(hall_url)


# --- the month's notice and appendix ----------------------------------------------------------


def test_the_notice_of_a_month_is_the_same_after_later_moves_and_departures(
    hall_url: str, tmp_path: Path, capsys
) -> None:
    """Someone who left since was a StopIteration in the notice; someone who moved since was
    named with their new window in the notice of a month they sat at the old one."""
    assert log(capsys, hall_url, "1", "曾伟", "脱岗", "2026-11-05 10:00")[0] == 0
    assert log(capsys, hall_url, "3", "单雄", "上门服务", "2026-11-06 10:00")[0] == 0
    code, before, err = run(capsys, "--db", hall_url, "report", "--period", "2026-11")
    assert code == 0, err
    assert "住建窗口单雄" in before and "综合窗口曾伟" in before
    assert run(capsys, "--db", hall_url, "staff", "leave", "曾伟", "--window", "1", "--on", "2026-11-20")[0] == 0
    assert (
        run(capsys, "--db", hall_url, "staff", "move", "单雄", "--window", "3", "--to", "5", "--on", "2026-12-01")[0]
        == 0
    )
    code, after, err = run(capsys, "--db", hall_url, "report", "--period", "2026-11")
    assert code == 0, err
    assert after == before
    code, _, err = run(capsys, "--db", hall_url, "export", "--period", "2026-11", "--out", str(tmp_path / "附表.xlsx"))
    assert code == 0, err
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "附表.xlsx")["附表4 考勤汇总"]
    people = {(row[0], row[1]) for row in sheet.iter_rows(values_only=True)}
    assert ("综合窗口", "曾伟") in people and ("住建窗口", "单雄") in people


def test_a_correction_names_who_sat_there_at_the_findings_time(hall_url: str, capsys) -> None:
    import re

    code, out, _ = log(capsys, hall_url, "3", "张伟", "迟到", "2026-11-12 09:00")
    finding = re.search(r"记录号 (\d{4}-\d{4,})", out)[1]
    assert (
        run(capsys, "--db", hall_url, "staff", "move", "单雄", "--window", "3", "--to", "5", "--on", "2026-11-20")[0]
        == 0
    )
    assert run(capsys, "--db", hall_url, "staff", "leave", "张伟", "--window", "3", "--on", "2026-11-25")[0] == 0
    # The person is 单雄 as he was at window 3 on the 12th, though he sits at window 5 now.
    code, out, err = run(capsys, "--db", hall_url, "correct", finding, "--staff", "单雄", "--reason", "认错了人")
    assert code == 0, err
    finding = re.search(r"新记录号 (\d{4}-\d{4,})", out)[1]
    # A note on it is not refused because he has moved since.
    code, out, err = run(capsys, "--db", hall_url, "correct", finding, "--note", "已核实", "--reason", "补充备注")
    assert code == 0, err
    finding = re.search(r"新记录号 (\d{4}-\d{4,})", out)[1]
    # Moving it to the 21st would put him at window 3 after he moved to window 5.
    code, _, err = run(capsys, "--db", hall_url, "correct", finding, "--at", "2026-11-21 09:00", "--reason", "x")
    assert code == 1 and "单雄 2026-11-21 09:00 时不在 3 号窗口" in err
    assert verified(hall_url)


# --- found in review (QA, as a user and an adversary) ------------------------------------------


def test_a_window_opened_on_a_date_is_in_no_earlier_period(hall_url: str, tmp_path: Path, capsys) -> None:
    assert log(capsys, hall_url, "1", "曾伟", "迟到", "2026-11-03 09:00")[0] == 0
    november = rank(capsys, hall_url, "2026-11", "window")
    more = tmp_path / "新窗口.csv"
    more.write_text("窗口编号,窗口名称,单位,姓名\n13,新窗口,新单位,新人\n", encoding="utf-8")
    assert run(capsys, "--db", hall_url, "roster", "import", str(more), "--on", "2026-12-01")[0] == 0
    assert rank(capsys, hall_url, "2026-11", "window") == november  # an exported 附表2 stays true
    assert "13" in {w["window"] for w in rank(capsys, hall_url, "2026-12", "window")}
    assert verified(hall_url)


def test_a_windows_record_names_the_people_of_that_period(hall_url: str, capsys) -> None:
    assert log(capsys, hall_url, "4", "张梅", "迟到", "2026-11-03 09:00")[0] == 0
    assert run(capsys, "--db", hall_url, "staff", "leave", "张梅", "--window", "4", "--on", "2026-12-01")[0] == 0
    assert run(capsys, "--db", hall_url, "staff", "add", "新人", "--window", "4", "--on", "2026-12-01")[0] == 0
    code, out, _ = run(capsys, "--db", hall_url, "record", "--window", "4", "--period", "2026-11")
    assert code == 0 and "人员：张梅" in out and "新人" not in out.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["leave", "曾伟", "--window", "1", "--on", "2026-11-01"], "在 2026-11-07 还有 1 号窗口的巡查记录"),
        (["move", "曾伟", "--window", "1", "--to", "4", "--on", "2026-11-01"], "调岗日期最早为 2026-11-08"),
    ],
)
def test_a_departure_cannot_predate_a_finding_that_says_the_person_was_there(
    hall_url: str, capsys, args: list[str], said: str
) -> None:
    assert log(capsys, hall_url, "1", "曾伟", "上门服务", "2026-11-07 10:00")[0] == 0
    before = count(hall_url, "posting")
    code, _out, err = run(capsys, "--db", hall_url, "staff", *args)
    assert code == 1 and said in err
    assert count(hall_url, "posting") == before
    assert verified(hall_url)


def test_two_of_one_name_are_never_moved_onto_one_window(hall_url: str, capsys) -> None:
    """The hand-made hall has 张伟 at windows 2 and 3."""
    code, _out, err = run(capsys, "--db", hall_url, "staff", "move", "张伟", "--window", "2", "--to", "3")
    assert code == 1 and "已有“张伟”" in err


def test_change_is_blank_for_a_period_without_records(hall_url: str, capsys) -> None:
    assert log(capsys, hall_url, "1", "曾伟", "迟到", "2026-10-13 09:00")[0] == 0
    assert all(r["change"] is None for r in rank(capsys, hall_url, "2026-11"))  # November is empty


def test_a_period_that_has_not_begun_is_refused(hall_url: str, capsys) -> None:
    for command in (["rank"], ["report"], ["export"]):
        code, _out, err = run(capsys, "--db", hall_url, *command, "--period", "2099-01")
        assert code == 1 and "尚未开始" in err


def test_names_are_data_in_every_output(hall_url: str, tmp_path: Path, capsys) -> None:
    """A name "[/]" crashed the ranking table; "=1+1" ran as a formula in the CSV."""
    for name in ("[/]", "=1+1"):
        assert run(capsys, "--db", hall_url, "staff", "add", name, "--window", "5", "--on", "2026-11-01")[0] == 0
    code, out, err = run(capsys, "--db", hall_url, "rank", "--period", "2026-11")
    assert code == 0 and "[/]" in out and "Traceback" not in err
    code, out, _ = run(capsys, "--db", hall_url, "rank", "--period", "2026-11", "--format", "csv")
    assert "'=1+1" in out and ",=1+1" not in out


def test_log_refuses_a_person_for_a_window_item(hall_url: str, capsys) -> None:
    code, _out, err = run(
        capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "窗口摆放不规范"
    )
    assert code == 1 and "窗口级巡查项" in err and count(hall_url, "finding") == 0


def test_references_as_people_say_them(hall_url: str, capsys) -> None:
    code, out, _ = log(capsys, hall_url, "1", "曾伟", "迟到", "2026-11-03 09:00")
    assert "记录号 2611-0001" in out
    code, out, _ = run(capsys, "--db", hall_url, "correct", "11-0001", "--type", "早退", "--reason", "看错了")
    assert code == 0 and "已更正 2611-0001：巡查项：迟到→早退（新记录号 2611-0002" in out
    code, _out, err = run(capsys, "--db", hall_url, "correct", "2611-0001", "--void", "--reason", "再改")
    assert code == 1 and "现在的版本是 2611-0002" in err
    assert verified(hall_url)
