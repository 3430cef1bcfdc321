"""Where things live: the default database, this device's id, the inspector's name.

patrol's own folders are owner-only (0700) and its files 0600, whatever the umask
(storage.files)."""

from __future__ import annotations

import contextlib
import getpass
import os
from pathlib import Path

from platformdirs import user_cache_dir, user_config_dir, user_data_dir

from storage.files import create_private_file, private_folder, temporary_name, tighten_file

APP_NAME = "patrol"
DB_ENV = "PATROL_DB"
INSPECTOR_ENV = "PATROL_INSPECTOR"


def data_dir() -> Path:
    """The user's data directory for patrol."""
    return Path(user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """The user's cache directory for patrol (the demo hall is kept here)."""
    return Path(user_cache_dir(APP_NAME, appauthor=False))


def temporaries_registry() -> Path:
    """Where each temporary of an export is noted while it exists, so that the next run finds
    what a killed one left in any folder (storage.files.temporary_folder)."""
    return data_dir() / "temporaries"


def default_db_url() -> str:
    """``PATROL_DB`` if set, else a SQLite file in the user's data directory (made owner-only)."""
    url = os.environ.get(DB_ENV)
    if url:
        return url
    with contextlib.suppress(OSError):  # opening the database says what is wrong with the place
        private_folder(data_dir(), tighten=True)
    return f"sqlite:///{data_dir() / 'patrol.db'}"


def device_id() -> str:
    """A stable id for this laptop, made once and kept (owner-only) in the user's config directory."""
    folder = Path(user_config_dir(APP_NAME, appauthor=False))
    path = folder / "device-id"
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            with contextlib.suppress(OSError):
                private_folder(folder, tighten=True)
            tighten_file(path)
            return value
    except OSError:
        pass
    from uuid6 import uuid7

    value = str(uuid7())
    try:
        private_folder(folder, tighten=True)
        partial = folder / temporary_name()
        with os.fdopen(create_private_file(partial, exclusive=True), "w", encoding="utf-8") as handle:
            handle.write(value)
        try:
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    except OSError:
        return "unregistered-device"
    return value


def default_inspector() -> str:
    """``PATROL_INSPECTOR`` if set, else the login name."""
    name = os.environ.get(INSPECTOR_ENV)
    if name:
        return name.strip()
    try:
        return getpass.getuser()
    except OSError:
        return "督查员"
