"""``patrol export``: the appendix workbook of a period, written safely.

The file is written in an owner-only temporary folder inside the target folder and renamed into
place, so the target is never left half-written; an existing file is replaced only when asked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from patrol.errors import UserError
from patrol.hall.service import HallService
from patrol.hall.views import FindingView
from patrol.reports.notice import NoticeFindings, draft_notice
from patrol.reports.period_report import PeriodReport, gather
from patrol.reports.workbook import Progress, write_workbook
from patrol.rules.periods import Period


def default_file_name(hall: str, period: Period) -> str:
    """{大厅名称}{周期}巡查考核附表.xlsx"""
    return f"{hall}{period.label}巡查考核附表.xlsx"


def target_path(out: Path | None, hall: str, period: Period) -> Path:
    """The file to write: ``out`` itself, or the default name inside ``out`` (a folder) or here."""
    if out is None:
        return Path.cwd() / default_file_name(hall, period)
    if out.is_dir():
        return out / default_file_name(hall, period)
    return out


class Unverified(UserError):
    """The database fails `patrol verify`: no appendix is written from it (unless asked)."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"数据库未通过校验，未导出：{problem}")
        self.problem = problem


class TargetExists(UserError):
    """The file is there already and may be replaced only when asked (--force, or 覆盖 in the app)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"文件已存在：{path}。要覆盖请加 --force，或用 --out 换一个文件名。")
        self.path = path


def check_target(path: Path, force: bool) -> None:
    """Refuse a target we must not or cannot write, before any work is done."""
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"输出文件应以 .xlsx 结尾：{path}")
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"输出文件夹不存在：{folder}。请先创建它，或换一个文件夹。")
    if not os.access(folder, os.W_OK):
        raise UserError(f"输出文件夹不可写：{folder}。请换一个文件夹。")
    for lock in (folder / f".~lock.{path.name}#", folder / f"~${path.name}"):
        if lock.exists():
            raise UserError(f"{path.name} 正被其他程序（如 WPS、Excel、LibreOffice）打开，请先关闭它再导出。")
    if path.exists() and not force:
        raise TargetExists(path)


def export(
    service: HallService,
    period: Period,
    out: Path | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
    if_unverified: Callable[[str], None] | None = None,
) -> tuple[Path, list[str]]:
    """Verify the whole record, then write the appendix of ``period``; returns the file's full
    path and the notice. A database that fails verify gives no file (``Unverified``), or, when
    the caller passes ``if_unverified`` (told the problem), one marked 未通过校验 on every sheet
    and without the chain heads. The heads at the foot of 附表1 are those of the verified walk,
    never read from chain_head."""
    path = target_path(out, service.hall.name, period).resolve()
    check_target(path, force)
    verdict = service.evidence.verify()
    if not verdict.ok:
        if if_unverified is None:
            raise Unverified(verdict.problem or "")
        if_unverified(verdict.problem or "")
    # Before any name leaves the database.
    service.access.log("导出", f"{period.label} 巡查考核附表 → {path}", period)
    report = gather(service, period)
    report.heads = verdict.heads if verdict.ok else None
    report.unverified = verdict.problem
    seen = NoticeFindings(report)
    notice: list[str] = []

    def draft() -> list[str]:
        notice.extend(draft_notice(report, seen))
        return notice

    write_atomically(report, draft, path, progress, seen.add)
    return path, notice


def write_atomically(
    report: PeriodReport,
    notice: Callable[[], list[str]],
    path: Path,
    progress: Progress | None,
    on_finding: Callable[[FindingView], None] | None = None,
) -> None:
    """Write in an owner-only temporary folder beside ``path`` (the workbook and the sheets the
    writer keeps on disk meanwhile, which hold names and notes), then rename the workbook into
    place. A kill half-way leaves only that folder, which the next run removes
    (``patrol.hall.leftovers``): it is noted in patrol's own data folder while it exists."""
    from patrol.config import temporaries_registry
    from patrol.hall import leftovers
    from storage.files import FILE_MODE, temporary_folder

    leftovers.clean(None)  # what a killed export left, wherever it was writing
    try:
        with temporary_folder(path.parent, temporaries_registry()) as folder:
            temporary = folder / path.name
            write_workbook(report, notice, temporary, progress, on_finding)
            os.chmod(temporary, FILE_MODE)  # names and findings of people: readable by the owner only
            os.replace(temporary, path)
    except OSError as exc:
        raise UserError(f"无法写入 {path}：{exc.strerror or exc}。已保存的数据不受影响。") from exc
