"""Files written whole or not at all: the appendix workbook and the Word notice.

Each is written in an owner-only temporary folder beside its target and renamed into place, so
the target is either what it was or complete; a kill half-way leaves only that folder, which the
next run removes (``patrol.hall.leftovers``).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from patrol.errors import UserError


def write_file_atomically(
    path: Path, write: Callable[[Path], None], before_rename: Callable[[], None] | None = None
) -> None:
    """Have ``write`` write the file at the path it is given, in an owner-only temporary folder
    beside ``path``, then rename it into place: ``path`` is either what it was or whole. A kill
    half-way leaves only that folder, which the next run removes (``patrol.hall.leftovers``).
    ``before_rename`` runs once the file is complete, just before it is moved into place (the
    access log records a file that is about to exist, never one whose write failed)."""
    from patrol.config import temporaries_registry
    from patrol.hall import leftovers
    from storage.files import FILE_MODE, temporary_folder

    leftovers.clean(None)  # what a killed export left, wherever it was writing
    try:
        with temporary_folder(path.parent, temporaries_registry()) as folder:
            temporary = folder / path.name
            write(temporary)
            os.chmod(temporary, FILE_MODE)  # names and findings of people: readable by the owner only
            if before_rename is not None:
                before_rename()
            os.replace(temporary, path)
    except OSError as exc:
        raise UserError(write_error(path, exc)) from exc


# What the system's errors mean to someone exporting a file, in the words the README uses.
_FOLDER_REFUSED = frozenset({errno.ENOENT, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EINVAL})
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def write_error(path: Path, exc: OSError | None) -> str:
    """One Chinese line for a write of ``path`` that the system refused, whatever language the
    system speaks: the folder cannot be written to (missing, not allowed, read-only, a special
    file system such as /proc), the disk is full, the name is too long, or (anything else) the
    error's number."""
    code = exc.errno if exc is not None else None
    kept = "已保存的数据不受影响。"
    if code in _FOLDER_REFUSED:
        return f"输出文件夹不可写：{path.parent}。请换一个有写入权限的文件夹。{kept}"
    if code in _DISK_FULL:
        return f"磁盘已满，无法写入 {path}。请腾出空间或换一个位置后再试。{kept}"
    if code == errno.ENAMETOOLONG:
        return f"文件名过长，无法写入 {path}。请用 --out 换一个短一些的文件名。{kept}"
    if code == errno.EISDIR:
        return f"输出位置是一个文件夹：{path}。请换一个文件名。{kept}"
    name = errno.errorcode.get(code, "") if code is not None else ""
    return f"无法写入 {path}（系统错误 {code} {name}）。{kept}".replace(" ）", "）")
