"""Files written whole or not at all: the appendix workbook and the Word notice.

Each is written in an owner-only temporary folder beside its target and renamed into place, so
the target is either what it was or complete; a kill half-way leaves only that folder, which the
next run removes (``patrol.hall.leftovers``).
"""

from __future__ import annotations

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
        raise UserError(f"无法写入 {path}：{exc.strerror or exc}。已保存的数据不受影响。") from exc
