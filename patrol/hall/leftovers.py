"""What a killed run leaves behind: an export's half-written workbook and its sheets, a backup's
or a restore's copy. They hold names and notes, so they are owner-only, made beside their target
(never in a shared temporary folder), and removed by the next run: the app when it opens, the
next `export`, `backup` or `restore`, and `purge`, which lists them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from patrol.config import temporaries_registry
from storage.backup import backups_folder
from storage.files import leftovers, remove_leftovers

# Made by versions before temporaries were kept beside their target: a restore's upgraded copy.
LEGACY_PATTERNS = ("patrol-restore-*",)


def _folders(database: Path | None) -> list[Path]:
    if database is None:
        return []
    real = Path(os.path.abspath(database)).resolve()
    return [real.parent, real.parent / "backups", backups_folder(real)]


def _legacy() -> list[Path]:
    me = os.getuid()
    out = []
    for pattern in LEGACY_PATTERNS:
        for path in Path(tempfile.gettempdir()).glob(pattern):
            try:
                if path.lstat().st_uid == me:
                    out.append(path)
            except OSError:
                continue
    return out


def find(database: Path | None) -> list[Path]:
    """The leftovers of killed runs of this user, for this database and any export."""
    return leftovers(_folders(database), temporaries_registry()) + _legacy()


def clean(database: Path | None) -> list[Path]:
    """Remove the leftovers of killed runs; returns what was removed."""
    import shutil

    removed = remove_leftovers(_folders(database), temporaries_registry())
    for path in _legacy():
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed
