"""The command line as scripts use it: exit codes, one clear line for bad input, nothing written."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from patrol.cli import main
from patrol.hall.service import HallService
from tests.conftest import count, log_at, run


def test_roster_import_creates_hall_windows_and_staff(hall_url: str) -> None:
    assert count(hall_url, "hall") == 1
    assert count(hall_url, "window") == 5
    assert count(hall_url, "staff") == 7
    assert count(hall_url, "unit") == 5


def test_roster_dry_run_prints_changes_and_writes_nothing(db_url, roster_file, capsys) -> None:
    code, out, _ = run(capsys, "--db", db_url, "roster", "import", str(roster_file), "--dry-run")
    assert code == 0
    assert "新增窗口：3 住建窗口" in out
    assert "预览" in out
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM staff").fetchone()[0] == 0


def test_roster_reimport_moves_a_person_and_keeps_history(hall_url, tmp_path, capsys) -> None:
    code, *_ = run(
        capsys,
        "--db",
        hall_url,
        "log",
        "--window",
        "4",
        "--staff",
        "张梅",
        "--type",
        "迟到",
        "--at",
        "2026-11-02 09:00",
    )
    assert code == 0
    moved = tmp_path / "新名册.csv"
    moved.write_text("窗口编号,窗口名称,单位,姓名\n1,综合窗口,区政务服务中心,张梅\n", encoding="utf-8")
    code, out, _ = run(capsys, "--db", hall_url, "roster", "import", str(moved))
    assert code == 0
    assert "调岗：张梅 从 4 号窗口调到 1 号窗口" in out
    assert "名册中没有以下在岗人员" in out  # the others are listed, not deactivated
    with sqlite3.connect(hall_url.removeprefix("sqlite:///")) as conn:
        window_of_finding = conn.execute("SELECT w.code FROM finding f JOIN window w ON w.id = f.window_id").fetchone()[
            0
        ]
        active = conn.execute("SELECT COUNT(*) FROM staff WHERE active").fetchone()[0]
    assert window_of_finding == "4"  # the finding stays where it was logged
    assert active == 7


def test_roster_from_xlsx_with_aliases(db_url, tmp_path, capsys) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["窗口号", "窗口", "部门", "工作人员", "角色"])
    sheet.append([12, "出入境窗口", "区公安分局", "朴志勇", "A岗"])
    sheet.append(["A03", "税务窗口", "区税务局", "仇明", "首席代表"])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    code, out, err = run(capsys, "--db", db_url, "roster", "import", str(path))
    assert code == 0, err
    assert count(db_url, "staff") == 2
    assert "新增窗口：12 出入境窗口" in out


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("", "empty.csv", "空文件"),
        ("窗口编号,姓名\n1,张三\n", "missing.csv", "缺少列：窗口名称、单位"),
        ("窗口编号,窗口名称,单位,姓名\n", "header-only.csv", "只有表头"),
        ("窗口编号,窗口名称,单位,姓名\n,综合,中心,张三\n", "nocode.csv", "第2行“窗口编号”列为空"),
        ("窗口编号,窗口名称,单位,姓名,岗位\n1,综合,中心,张三,经理\n", "role.csv", "第2行“岗位”列的“经理”无法识别"),
        ("not a spreadsheet", "roster.txt", "不支持的文件类型"),
        ("PK\x03\x04garbage", "broken.xlsx", "不是有效的 .xlsx 文件"),
    ],
)
def test_bad_roster_files_are_refused_with_one_line(db_url, tmp_path, capsys, content, name, expected) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "--db", db_url, "roster", "import", str(path))
    assert code == 1
    assert expected in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert count(db_url, "hall") == 0 and "新建大厅" not in out  # no hall left behind either


def test_gbk_csv_is_read(db_url, tmp_path, capsys) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("窗口编号,窗口名称,单位,姓名\n7,民政窗口,区民政局,解晓东\n".encode("gb18030"))
    code, _, err = run(capsys, "--db", db_url, "roster", "import", str(path))
    assert code == 0, err
    assert count(db_url, "staff") == 1


def test_log_saves_one_finding(hall_url, capsys) -> None:
    code, out, _ = run(
        capsys, "--db", hall_url, "log", "--window", "1", "--staff", "曾伟", "--type", "迟到", "--note", "9:10 到岗"
    )
    assert code == 0
    assert "已保存" in out and "曾伟" in out and "迟到" in out
    assert count(hall_url, "finding") == 1


def test_log_accepts_alias_code_and_window_level_items(hall_url, capsys) -> None:
    assert run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "空岗")[0] == 0
    assert run(capsys, "--db", hall_url, "log", "--window", "1", "--staff", "魏敏", "--type", "late")[0] == 0
    assert run(capsys, "--db", hall_url, "log", "--window", "5", "--type", "窗口摆放不规范")[0] == 0
    assert run(capsys, "--db", hall_url, "log", "--window", "3", "--substitute", "--type", "迟到")[0] == 0
    assert count(hall_url, "finding") == 4


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--window", "99", "--staff", "魏敏", "--type", "迟到"], "没有编号为“99”的窗口"),
        (["--window", "1", "--staff", "李四", "--type", "迟到"], "1 号窗口没有名为“李四”的在岗人员"),
        (["--window", "1", "--staff", "魏敏", "--type", "打瞌睡"], "未知的巡查项“打瞌睡”"),
        (["--window", "1", "--type", "迟到"], "请指明人员"),
        (["--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "2099-01-01 09:00"], "在未来"),
        (["--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", "明天早上"], "无法识别的时间"),
    ],
)
def test_log_refuses_bad_input_and_writes_nothing(hall_url, capsys, args, expected) -> None:
    code, _, err = run(capsys, "--db", hall_url, "log", *args)
    assert code == 1
    assert expected in err
    assert count(hall_url, "finding") == 0


def test_log_with_an_ambiguous_name_asks_which(hall_url, capsys) -> None:
    from patrol.hall.opening import open_hall

    service = open_hall(hall_url)
    try:
        service.lookup.resolve_staff("张伟", None)
    except Exception as exc:
        message = str(exc)
    service.close()
    assert "有 2 位“张伟”（2 号窗口、3 号窗口）" in message
    # With the window given, the right one is found.
    assert run(capsys, "--db", hall_url, "log", "--window", "3", "--staff", "张伟", "--type", "迟到")[0] == 0


def test_rank_json_has_the_contracted_fields(hall_url, capsys) -> None:
    run(
        capsys,
        "--db",
        hall_url,
        "log",
        "--window",
        "1",
        "--staff",
        "曾伟",
        "--type",
        "迟到",
        "--at",
        "2026-11-02 09:00",
    )
    run(
        capsys,
        "--db",
        hall_url,
        "log",
        "--window",
        "2",
        "--staff",
        "张伟",
        "--type",
        "上门服务",
        "--at",
        "2026-11-03 10:00",
    )
    code, out, _ = run(capsys, "--db", hall_url, "rank", "--period", "2026-11", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {"rank", "name", "window", "window_name", "score", "deductions", "bonuses", "findings"} <= set(rows[0])
    assert rows[0]["name"] == "张伟" and rows[0]["score"] == 100.5 and rows[0]["window"] == "2"
    last = rows[-1]
    assert last["name"] == "曾伟" and last["deductions"] == -1 and last["rank"] == len(rows)
    code, out, _ = run(capsys, "--db", hall_url, "rank", "--period", "2026-11", "--by", "window", "--format", "json")
    windows = json.loads(out)
    assert {"rank", "window", "window_name", "unit", "score", "deductions", "bonuses", "findings"} <= set(windows[0])
    assert len(windows) == 5


def test_rank_csv_and_table(hall_url, capsys) -> None:
    code, out, _ = run(capsys, "--db", hall_url, "rank", "--period", "2026-11", "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("rank,name,window,window_name,score,deductions,bonuses,findings")
    assert len(lines) == 8
    code, out, _ = run(capsys, "--db", hall_url, "rank", "--period", "2026Q4", "--by", "window")
    assert code == 0 and "2026年第四季度 窗口排名" in out and "住建窗口" in out


def test_rank_refuses_a_malformed_period(hall_url, capsys) -> None:
    code, _, err = run(capsys, "--db", hall_url, "rank", "--period", "2026-13")
    assert code == 1 and "无法识别的统计周期“2026-13”" in err


def test_findings_import_all_or_nothing(hall_url, tmp_path, capsys) -> None:
    good = tmp_path / "巡查.csv"
    good.write_text(
        "时间,窗口编号,姓名,巡查项,备注,督查员\n"
        "2026-11-04 09:05,3,替岗人员,迟到,,王督查\n"
        "2026-11-05 10:00,5,,窗口摆放不规范,桌面杂乱,\n"
        "2026-11-06 14:30,1,曾伟,玩手机,刷短视频,李督查\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "--db", hall_url, "findings", "import", str(good))
    assert code == 0, err
    assert count(hall_url, "finding") == 3
    assert count(hall_url, "inspector") >= 2
    bad = tmp_path / "坏.csv"
    bad.write_text(
        "时间,窗口编号,姓名,巡查项\n2026-11-07 09:00,1,魏敏,迟到\n2026-11-07 09:00,1,魏敏,打盹\n", encoding="utf-8"
    )
    code, _, err = run(capsys, "--db", hall_url, "findings", "import", str(bad))
    assert code == 1 and "坏.csv 第3行“巡查项”列" in err
    assert count(hall_url, "finding") == 3  # the good first row was not written either


def test_findings_import_refuses_rows_outside_the_period(hall_url, tmp_path, capsys) -> None:
    path = tmp_path / "f.csv"
    path.write_text("时间,窗口编号,姓名,巡查项\n2026-10-30 09:00,1,魏敏,迟到\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", hall_url, "findings", "import", str(path), "--period", "2026-11")
    assert code == 1 and "不在统计周期 2026年11月 内" in err


def test_init_twice_is_refused(db_url, capsys) -> None:
    assert run(capsys, "--db", db_url, "init", "--hall", "甲大厅")[0] == 0
    code, _, err = run(capsys, "--db", db_url, "init", "--hall", "甲大厅")
    assert code == 1 and "已存在" in err


def test_unwritable_database_location(tmp_path, capsys) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")  # fails for root too
    code, _, err = run(capsys, "--db", f"sqlite:///{blocker / 'sub' / 'p.db'}", "init", "--hall", "甲")
    assert code == 1 and "无法创建数据库目录" in err and "--db" in err


def test_malformed_database_url(capsys) -> None:
    code, _, err = run(capsys, "--db", "not a url", "rank")
    assert code == 1 and "数据库地址无法识别" in err


def test_patrol_db_environment_variable(hall_url, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PATROL_DB", hall_url)
    code, out, _ = run(capsys, "rank", "--format", "csv")
    assert code == 0 and "魏敏" in out


def test_real_process_exit_codes_and_no_traceback(hall_url: str, tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "patrol", "--db", hall_url, "rank", "--format", "json"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)
    bad = subprocess.run(
        [sys.executable, "-m", "patrol", "--db", hall_url, "log", "--window", "1", "--type", "x"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "未知的巡查项" in bad.stderr
    usage = subprocess.run(
        [sys.executable, "-m", "patrol", "rank", "--by", "desk"], capture_output=True, text=True, env=_env(tmp_path)
    )
    assert usage.returncode == 2 and "参数错误" in usage.stderr


def test_help_is_complete(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("demo", "init", "roster", "findings", "log", "rank"):
        assert command in out
    with pytest.raises(SystemExit):
        main(["log", "--help"])
    out = capsys.readouterr().out
    for option in ("--window", "--staff", "--substitute", "--type", "--at", "--note"):
        assert option in out


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    return {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data")}


def test_a_file_that_is_not_a_database(tmp_path, capsys) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"shopping list" * 200)
    code, _, err = run(capsys, "--db", f"sqlite:///{path}", "rank")
    assert code == 1 and ("不是可用的 patrol 数据库" in err or "无法打开数据库" in err)
    assert path.read_bytes() == b"shopping list" * 200


def test_exports_and_record_lookups_are_logged(service: HallService, hall_url: str, tmp_path: Path, capsys) -> None:
    log_at(service, "4", "张梅", "迟到", "2026-11-03 09:05", note="九点零五分到岗")
    service.close()
    base = ["--db", hall_url, "--inspector", "王督查"]
    assert main([*base, "record", "张梅", "--period", "2026-11"]) == 0
    shown = capsys.readouterr().out
    assert "2026-11-03 09:05  迟到 -1.0  督查员：测试督查  备注：九点零五分到岗" in shown
    assert main([*base, "record", "张伟"]) == 1  # two of them: which one?
    assert "张伟" in capsys.readouterr().err
    assert main([*base, "record", "--window", "9"]) == 1
    assert main([*base, "export", "--period", "2026-11", "--out", str(tmp_path)]) == 0
    assert main([*base, "report", "--period", "2026-11"]) == 0
    capsys.readouterr()
    assert main(["--db", hall_url, "access-log", "--since", "2026-01-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[1:3] for line in lines] == [["王督查", "查看记录"], ["王督查", "导出"], ["王督查", "通报"]]
    assert "张梅（4 号窗口），2026年11月" in lines[0] and str(tmp_path) in lines[1]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["rank", "--bogus"], "无法识别的参数：--bogus"),
        (["rank", "--by", "x"], "参数 --by 的取值“x”无效，可选：staff, window"),
        (["purge"], "缺少必需的参数：--before"),
        (["log", "--window"], "参数 --window 需要一个值"),
    ],
)
def test_usage_mistakes_are_explained_in_chinese(argv: list[str], said: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert said in capsys.readouterr().err


def test_help_speaks_chinese(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法：patrol") and "显示本帮助并退出" in out and "选项" in out


def test_pin_takes_the_inspector_after_the_command_as_the_readme_writes_it(hall_url, capsys, monkeypatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("246810\n"))
    assert main(["--db", hall_url, "pin", "--inspector", "王督查"]) == 0
    assert "已为督查员 王督查 设置 PIN" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["rank", "--period", ""], "无法识别的统计周期“”"),
        (["report", "--period", " "], "无法识别的统计周期"),
        (["log", "--window", "1", "--staff", "魏敏", "--type", "迟到", "--at", ""], "无法识别的时间“”"),
    ],
)
def test_an_empty_period_or_time_is_refused_not_taken_as_now(hall_url, capsys, args: list[str], said: str) -> None:
    code, _out, err = run(capsys, "--db", hall_url, *args)
    assert code == 1 and said in err
    assert count(hall_url, "finding") == 0


def test_a_reader_that_stops_early_ends_the_output_quietly(db_url: str, tmp_path: Path) -> None:
    """`patrol rank … | head` ends without a BrokenPipeError traceback. The ranking is longer than
    a pipe holds (64 KiB), so patrol is still writing when head has gone."""
    roster = tmp_path / "大名册.csv"
    rows = [f"{n // 10 + 1},窗口{n // 10 + 1},单位{n // 10 + 1},人员{n:04d}" for n in range(800)]
    roster.write_text("窗口编号,窗口名称,单位,姓名\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert main(["--db", db_url, "roster", "import", str(roster)]) == 0
    done = subprocess.run(
        f"{sys.executable} -m patrol --db {db_url} rank --period 2026-11 --format json | head -n 3",
        shell=True,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
    )
    assert done.stdout.startswith("[") and done.stdout.count("\n") == 3
    assert done.stderr == ""  # no traceback, no "Exception ignored … BrokenPipeError"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["demo"],
        ["--db", "sqlite:///x.db"],
        ["--db=sqlite:///x.db", "demo"],
        ["--hall", "rank", "--inspector", "张梅", "--lock-after", "3"],
        ["--lock-after=0", "demo"],
    ],
)
def test_a_command_line_that_opens_the_app_reads_as_with_every_command(argv: list[str]) -> None:
    """`patrol` and `patrol demo` build a parser without the other commands (a faster first
    frame); it must read their command lines exactly as the whole parser does."""
    from patrol.cli import build_parser, opens_app

    assert opens_app(argv)
    assert vars(build_parser(False).parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv", [["rank"], ["--db", "demo", "rank"], ["-h"], ["--insp", "demo"], ["init", "--hall", "x"]]
)
def test_other_command_lines_get_the_whole_parser(argv: list[str]) -> None:
    from patrol.cli import opens_app

    assert not opens_app(argv)
