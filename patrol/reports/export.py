"""``patrol export``: the appendix workbook of a period, written safely.

The file is written in an owner-only temporary folder inside the target folder and renamed into
place, so the target is never left half-written; an existing file is replaced only when asked.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from patrol.errors import UserError
from patrol.hall.service import HallService
from patrol.hall.views import FindingView
from patrol.reports.atomic import write_error, write_file_atomically
from patrol.reports.notice import NoticeFindings
from patrol.reports.notice_model import Notice
from patrol.reports.period_report import PeriodReport, gather
from patrol.reports.workbook import Progress, write_workbook
from patrol.rules.periods import Period

# What Windows, FAT and exFAT (USB sticks) refuse in a file name, and the full-width form a
# Chinese reader sees as the same mark.
_FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in '/\\:*?"<>|'})
# Names Windows keeps for devices, with any extension: "CON.xlsx" cannot be made there either.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{kind}{n}" for kind in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
# ext4 and most Unix file systems hold 255 bytes of a name; LibreOffice's lock file beside it
# (".~lock.NAME#") needs 8 more, and a Chinese character is 3 bytes in UTF-8.
MAX_NAME_BYTES = 240


def safe_file_name(text: str) -> str:
    """``text`` as one file name that Windows, a USB stick and Linux all accept: the marks they
    refuse (``/ \\ : * ? " < > |``) become their full-width forms (／ ＼ ： ＊ ？ ＂ ＜ ＞ ｜),
    control and invisible format characters go, leading dots (a hidden file, or "..") become ．,
    trailing dots and spaces go, a device name (CON, NUL, COM1…) gets a leading ＿, and the name
    is cut to ``MAX_NAME_BYTES`` keeping its extension. A hall named ``城区/开发区`` or
    ``../../x`` can so never write outside the folder it is given."""
    name = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    name = name.translate(_FULL_WIDTH).strip()
    stripped = name.lstrip(".")
    name = "．" * (len(name) - len(stripped)) + stripped
    stem, dot, suffix = name.rpartition(".")
    if not dot or not suffix.isascii() or not suffix.isalnum() or len(suffix) > 5 or not stem:
        stem, suffix = name, ""
    stem = stem.rstrip(". ")
    while len(f"{stem}.{suffix}".encode()) > MAX_NAME_BYTES:
        stem = stem[:-1].rstrip(". ")
    if stem.split(".")[0].strip().upper() in _RESERVED:
        stem = "＿" + stem
    stem = stem or "＿"
    return f"{stem}.{suffix}" if suffix else stem


def default_file_name(hall: str, period: Period) -> str:
    """{大厅名称}{周期}巡查考核附表.xlsx, safe as one file name (``safe_file_name``)."""
    return safe_file_name(f"{hall}{period.label}巡查考核附表.xlsx")


def default_notice_name(hall: str, period: Period) -> str:
    """{大厅名称}{周期}巡查考核通报.docx: the Word notice, named as the appendix it goes with."""
    return safe_file_name(f"{hall}{period.label}巡查考核通报.docx")


def target_path(out: str | Path | None, hall: str, period: Period, name: str | None = None) -> Path:
    """The file to write, as an absolute path that keeps the user's own words (a symbolic link is
    not resolved, so ``check_target`` can name and refuse it): ``out`` itself, or the default
    name (the appendix's unless ``name``) inside ``out`` when it is a folder (one that exists, or
    any name ending in ``/``: a folder to be, which ``check_target`` then says is missing), or
    here. A name without an extension that is not a folder stays a file name, which
    ``check_target`` refuses for its missing extension."""
    name = name or default_file_name(hall, period)
    if out is None:
        return Path.cwd() / name
    given = os.fspath(out)
    folder = given.endswith(("/", os.sep))
    path = Path(given).absolute()
    if folder or path.is_dir():
        return path / name
    return path


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


def check_target(path: Path, force: bool, suffix: str = ".xlsx") -> None:
    """Refuse a target we must not or cannot write, before any work is done: a folder that is
    missing, is a file, or cannot be written to, a name without the file's extension, a symbolic
    link, a file open in another program, each in one line naming the path as the user gave it."""
    if path.is_dir():
        raise UserError(f"输出位置是一个文件夹：{path}。请给出 {suffix} 文件名，或只给文件夹让程序取默认文件名。")
    folder = path.parent
    for above in (folder, *folder.parents):
        if above.exists() and not above.is_dir():
            raise UserError(f"输出文件夹 {folder} 中的 {above} 是一个文件，不是文件夹。请换一个文件夹。")
    if path.name.lower() == suffix:
        raise UserError(f"输出文件缺少文件名：{path}。请写成“名称{suffix}”，或只给文件夹让程序取默认文件名。")
    if path.suffix.lower() != suffix:
        raise UserError(f"输出文件应以 {suffix} 结尾：{path}（要写到文件夹里，请给出已有的文件夹，或在末尾加 /）。")
    if not folder.is_dir():
        raise UserError(f"输出文件夹不存在：{folder}。请先创建它，或换一个文件夹。")
    if path.is_symlink():
        # Renaming the new file into place would replace the link, not write where it points.
        raise UserError(f"输出文件是一个符号链接：{path}。请换一个文件名，或直接写到它指向的位置。")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"输出文件夹不可写：{folder}。请换一个有写入权限的文件夹，或改它的权限。")
    word = suffix == ".docx"
    programs, verb = ("WPS、Word、LibreOffice", "写入") if word else ("WPS、Excel、LibreOffice", "导出")
    for lock in (folder / f".~lock.{path.name}#", folder / f"~${path.name}"):
        if lock.exists():
            raise UserError(f"{path.name} 正被其他程序（如 {programs}）打开，请先关闭它再{verb}。")
    if path.exists() and not force:
        raise TargetExists(path)


@dataclass(frozen=True)
class MonthEnd:
    """What a month-end export wrote: the appendix workbook, the Word notice when asked for, and
    the notice (as a document, and as the paragraphs of the workbook's 通报草稿 sheet)."""

    workbook: Path
    notice: Notice
    word: Path | None = None

    @property
    def paragraphs(self) -> list[str]:
        """The notice as the workbook's 通报草稿 sheet has it."""
        return self.notice.paragraphs()


def export(
    service: HallService,
    period: Period,
    out: str | Path | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
    if_unverified: Callable[[str], None] | None = None,
) -> tuple[Path, list[str]]:
    """Verify the whole record, then write the appendix of ``period``; returns the file's full
    path and the notice (see ``export_month_end``)."""
    done = export_month_end(service, period, out, force=force, progress=progress, if_unverified=if_unverified)
    return done.workbook, done.paragraphs


def export_month_end(
    service: HallService,
    period: Period,
    out: str | Path | None = None,
    *,
    word: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
    if_unverified: Callable[[str], None] | None = None,
) -> MonthEnd:
    """Verify the whole record, then write the appendix of ``period`` and, when ``word`` names a
    .docx file, the notice as a Word file too, from the same reading of the record. Both targets
    are checked before anything is written. A database that fails verify gives no file
    (``Unverified``), or, when the caller passes ``if_unverified`` (told the problem), an appendix
    marked 未通过校验 on every sheet and without the chain heads. The heads at the foot of 附表1
    are those of the verified walk, never read from chain_head."""
    from patrol.reports.notice import compose_notice

    path = target_path(out, service.hall.name, period)
    check_target(path, force)
    if word is not None:
        word = word.absolute()
        check_target(word, force, ".docx")
    verdict = service.evidence.verify()
    if not verdict.ok:
        if if_unverified is None:
            raise Unverified(verdict.problem or "")
        if_unverified(verdict.problem or "")
    report = gather(service, period)
    report.heads = verdict.heads if verdict.ok else None
    report.unverified = verdict.problem
    seen = NoticeFindings(report)
    composed: list[Notice] = []

    def draft() -> list[str]:
        # Asked for once 附表1 has streamed the findings past ``seen``: the notice is composed
        # then, once, for the 通报草稿 sheet, the Word file and the caller.
        composed.append(compose_notice(report, seen))
        return composed[-1].paragraphs()

    def logged() -> None:
        # Once the workbook is whole in its private temporary folder, before it is renamed into
        # place: no name leaves the database unlogged, and a write that failed is not logged.
        service.access.log("导出", f"{period.label} 巡查考核附表 → {path}", period)

    write_atomically(report, draft, path, progress, seen.add, before_rename=logged)
    document = composed[-1] if composed else compose_notice(report, seen)
    if word is not None:
        from patrol.reports.notice_docx import write_notice_docx

        try:
            write_notice_docx(
                document,
                word,
                before_rename=lambda: service.access.log("导出", f"{period.label} 通报（Word） → {word}", period),
            )
        except UserError as exc:  # the workbook is there, whole: say so, not just what failed
            raise UserError(f"巡查考核附表已导出：{path}；通报 Word 文件未写入：{exc}") from exc
    return MonthEnd(path, document, word)


def export_notice(
    service: HallService, period: Period, out: str | Path | None = None, *, force: bool = False
) -> tuple[Path, Notice]:
    """Write the notice of ``period`` as a Word file (``patrol report --format docx``): ``out``
    itself, or the default name inside ``out`` (a folder) or here. The target is checked before
    anything is read or logged; the file is written whole or not at all."""
    from patrol.reports.notice import compose_notice
    from patrol.reports.notice_docx import write_notice_docx

    hall = service.hall.name
    path = target_path(out, hall, period, default_notice_name(hall, period))
    check_target(path, force, ".docx")
    notice = compose_notice(gather(service, period))
    write_notice_docx(
        notice, path, before_rename=lambda: service.access.log("通报", f"{period.label} 通报（Word） → {path}", period)
    )
    return path, notice


def write_atomically(
    report: PeriodReport,
    notice: Callable[[], list[str]],
    path: Path,
    progress: Progress | None,
    on_finding: Callable[[FindingView], None] | None = None,
    before_rename: Callable[[], None] | None = None,
) -> None:
    """Write in an owner-only temporary folder beside ``path`` (the workbook and the sheets the
    writer keeps on disk meanwhile, which hold names and notes), then rename the workbook into
    place. A kill half-way leaves only that folder, which the next run removes
    (``patrol.hall.leftovers``): it is noted in patrol's own data folder while it exists.
    ``before_rename`` runs once the workbook is complete, just before it is moved into place."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        write_file_atomically(
            path,
            lambda temporary: write_workbook(report, notice, temporary, progress, on_finding),
            before_rename,
        )
    except FileCreateError as exc:  # xlsxwriter wraps the OSError of its last write in its own
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        raise UserError(write_error(path, cause)) from exc
