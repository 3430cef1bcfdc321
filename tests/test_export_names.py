"""Where the appendix lands: file names a hall's name cannot turn into a path or a name Windows or a
USB stick refuses, and folders that cannot be written to refused in one line, before anything is
written or logged."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from patrol.reports.export import MAX_NAME_BYTES, safe_file_name
from tests.conftest import run

HOSTILE = {
    "城区/开发区政务服务中心": "城区／开发区政务服务中心",
    "../../逃逸政务中心": "．．／..／逃逸政务中心",
    '新区:政务*服务?中心"<东>|\\': "新区：政务＊服务？中心＂＜东＞｜＼",
}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("城区/开发区政务服务中心2026年11月巡查考核附表.xlsx", "城区／开发区政务服务中心2026年11月巡查考核附表.xlsx"),
        ('a:b*c?d"e<f>g|h\\i.xlsx', "a：b＊c？d＂e＜f＞g｜h＼i.xlsx"),
        ("..", "．．"),
        (".隐藏.xlsx", "．隐藏.xlsx"),  # a leading dot hides a file
        ("附表. . .xlsx", "附表.xlsx"),  # Windows drops trailing dots and spaces, so two names would clash
        ("大厅 ", "大厅"),
        ("CON", "＿CON"),  # device names, with an extension too
        ("nul.xlsx", "＿nul.xlsx"),
        ("com1 .docx", "＿com1.docx"),
        ("LPT9", "＿LPT9"),
        ("CONSOLE.xlsx", "CONSOLE.xlsx"),
        ("换\n行\t与\x00控制\u202e符.xlsx", "换行与控制符.xlsx"),  # control and bidi characters go
        ("", "＿"),
    ],
)
def test_safe_file_name(text: str, name: str) -> None:
    assert safe_file_name(text) == name


def test_a_long_name_is_cut_keeping_its_extension() -> None:
    name = safe_file_name("政务服务中心" * 60 + "巡查考核附表.xlsx")
    assert name.endswith("中心.xlsx") and len(name.encode()) <= MAX_NAME_BYTES
    assert len(f".~lock.{name}#".encode()) <= 255  # LibreOffice's lock file beside it fits too


@pytest.mark.parametrize("hall", list(HOSTILE))
def test_a_hostile_hall_name_stays_one_file_in_the_folder(
    hall: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'patrol.db'}"]
    assert run(capsys, *db, "init", "--hall", hall)[0] == 0
    out = tmp_path / "a" / "b" / "out"
    out.mkdir(parents=True)
    code, printed, err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(out))
    assert code == 0, err
    expected = out / f"{HOSTILE[hall]}2026年11月巡查考核附表.xlsx"
    assert [p.name for p in out.iterdir()] == [expected.name] and str(expected) in printed
    # Nothing above --out: no folder 城区, nothing two levels up.
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b"]
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["out"]
    code, printed, _err = run(capsys, *db, "access-log")
    assert f"导出  2026年11月 巡查考核附表 → {expected}" in printed


@pytest.fixture
def db(hall_url: str) -> list[str]:
    return ["--db", hall_url]


def _exported(capsys: pytest.CaptureFixture[str], db: list[str]) -> bool:
    """Whether the access log says anything was exported."""
    code, printed, _err = run(capsys, *db, "access-log")
    assert code == 0
    return "导出" in printed


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_missing_folder_or_a_file_for_a_folder_is_one_line(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(blocker / "附表.xlsx"))
    assert code == 1 and "不是文件夹" in _one_line(err) and str(blocker) in err
    code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(blocker / "sub" / "附表.xlsx"))
    assert code == 1 and "不是文件夹" in _one_line(err)
    # A folder that is not there, given with a file name or as a folder (a trailing slash).
    for out in (str(tmp_path / "missing" / "附表.xlsx"), f"{tmp_path / 'missing'}/"):
        code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", out)
        assert code == 1 and "输出文件夹不存在" in _one_line(err) and str(tmp_path / "missing") in err
    assert not (tmp_path / "missing").exists() and not _exported(capsys, db)


def test_a_name_without_xlsx_or_with_a_slash_never_becomes_a_file_named_otherwise(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name without .xlsx that is not a folder is refused for its extension (not "the folder
    is missing"); a trailing slash means a folder, so "ro.xlsx/" never writes a file ro.xlsx."""
    here = tmp_path / "here"
    here.mkdir()
    code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(here / "附表"))
    line = _one_line(err)
    assert code == 1 and "输出文件应以 .xlsx 结尾" in line and "末尾加 /" in line
    code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", f"{here / 'ro.xlsx'}/")
    assert code == 1 and "输出文件夹不存在" in _one_line(err) and str(here / "ro.xlsx") in err
    code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(here / ".xlsx"))
    assert code == 1 and "缺少文件名" in _one_line(err)
    assert list(here.iterdir()) == [] and not _exported(capsys, db)
    # An existing folder takes the default name, with or without the slash.
    (here / "附表").mkdir()
    code, _out, _err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(here / "附表"))
    assert code == 0 and [p.suffix for p in (here / "附表").iterdir()] == [".xlsx"]


def test_a_symbolic_link_is_refused_naming_the_link(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "附表.xlsx"
    link.symlink_to(tmp_path / "elsewhere" / "none.xlsx")
    code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(link), "--force")
    line = _one_line(err)
    assert code == 1 and "符号链接" in line and str(link) in line and "elsewhere" not in line
    assert link.is_symlink() and not _exported(capsys, db)


def test_a_folder_the_system_refuses_is_said_in_chinese(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """/proc and /sys refuse new files with ENOENT or EPERM, even to root: the line says 输出文件夹不可写,
    never the system's English."""
    for folder in ("/proc/", "/sys/"):
        code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", folder)
        line = _one_line(err)
        assert code == 1 and "输出文件夹不可写" in line, line
        assert not any(word in line for word in ("No such", "not permitted", "denied", "Errno"))
    assert not _exported(capsys, db)


def test_an_unwritable_folder_is_one_line_and_not_logged(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)  # 0500
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as root: the folder stays writable")
        code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(locked))
        assert code == 1 and "输出文件夹不可写" in _one_line(err) and str(locked) in err
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
    assert not _exported(capsys, db)


def test_a_write_that_fails_late_is_one_line_leaves_nothing_and_is_not_logged(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder passed the checks but the spreadsheet writer cannot make its last temporary
    files (the folder's permissions changed, the disk is full): xlsxwriter raises its own
    FileCreateError, which used to end in a traceback, after the access log had recorded the
    export."""
    import tempfile

    from xlsxwriter import packager

    class Refusing:
        def __getattr__(self, name: str) -> object:
            return getattr(tempfile, name)

        @staticmethod
        def mkstemp(*_args: object, **_kwargs: object) -> tuple[int, str]:
            raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(packager, "tempfile", Refusing())
    out = tmp_path / "out"
    out.mkdir()
    code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(out))
    assert code == 1 and "输出文件夹不可写" in _one_line(err) and "Permission denied" not in err
    assert list(out.iterdir()) == []  # no temporary folder left, no half-written file
    assert not _exported(capsys, db)
    monkeypatch.undo()
    code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(out))
    assert code == 0 and _exported(capsys, db)


def test_a_full_disk_is_said_in_chinese(
    db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from storage import files

    def full(*args: object, **kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "temporary_folder", full)
    out = tmp_path / "out"
    out.mkdir()
    code, _out, err = run(capsys, *db, "export", "--period", "2026-11", "--out", str(out))
    line = _one_line(err)
    assert code == 1 and "磁盘已满" in line and "No space" not in line
    assert list(out.iterdir()) == [] and not _exported(capsys, db)


def test_a_real_process_refuses_an_unusable_folder_without_a_traceback(hall_url: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "patrol", "--db", hall_url, "export", "--period", "2026-11", "--out", f"{blocker}/x"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "不是文件夹" in result.stderr
