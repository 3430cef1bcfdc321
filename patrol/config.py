"""Where things live: the default database, this device's id, the inspector's name."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from platformdirs import user_cache_dir, user_config_dir, user_data_dir

APP_NAME = "patrol"
DB_ENV = "PATROL_DB"
INSPECTOR_ENV = "PATROL_INSPECTOR"


def data_dir() -> Path:
    """The user's data directory for patrol."""
    return Path(user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """The user's cache directory for patrol (the demo hall is kept here)."""
    return Path(user_cache_dir(APP_NAME, appauthor=False))


def default_db_url() -> str:
    """``PATROL_DB`` if set, else a SQLite file in the user's data directory."""
    return os.environ.get(DB_ENV) or f"sqlite:///{data_dir() / 'patrol.db'}"


def device_id() -> str:
    """A stable id for this laptop, made once and kept in the user's config directory."""
    path = Path(user_config_dir(APP_NAME, appauthor=False)) / "device-id"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        pass
    from uuid6 import uuid7

    value = str(uuid7())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value, encoding="utf-8")
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
