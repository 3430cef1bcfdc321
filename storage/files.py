"""Files that hold people's names: private folders and files whatever the umask, a database
nobody else could have swapped in, and temporaries a later run can find and remove.

Standard library only: the board's start path reads through this before SQLAlchemy loads.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.errors import StorageError

FOLDER_MODE = 0o700
FILE_MODE = 0o600
# Every temporary patrol makes starts with this, then the id and start time of the process that
# made it: a later run removes those whose process is gone (a kill, a power cut).
TEMP_MARK = ".patrol-tmp-"


# --- private folders and files ------------------------------------------------------------


def private_folder(folder: Path, tighten: bool = False) -> Path:
    """Make ``folder`` and any missing parent owner-only (0700), whatever the umask. With
    ``tighten``, an existing folder of ours is set to 0700 too (patrol's own folders)."""
    folder = Path(folder)
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, FOLDER_MODE)
        except FileExistsError:
            continue
        os.chmod(path, FOLDER_MODE)  # mkdir's mode is filtered by the umask: set it as meant
    if tighten and not missing and folder.is_dir():
        info = folder.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) != FOLDER_MODE:
            os.chmod(folder, FOLDER_MODE)
    return folder


def tighten_file(path: Path) -> None:
    """A file of ours that an older version (or another tool) left open to others becomes
    owner-only (0600); another user's file is left as it is."""
    with contextlib.suppress(OSError):
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(path, FILE_MODE)


def create_private_file(path: Path, exclusive: bool = False) -> int:
    """Open ``path`` for writing, creating it owner-only (0600) whatever the umask; returns the
    descriptor. With ``exclusive`` an existing file is an error (FileExistsError)."""
    flags = os.O_CREAT | os.O_WRONLY | (os.O_EXCL if exclusive else 0)
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return fd


def touch_private(path: Path) -> None:
    """Create ``path`` empty and owner-only if it does not exist."""
    os.close(create_private_file(path))


# --- a database only its user could have put there ----------------------------------------


def _user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def _group_is_private(gid: int) -> bool:
    """A user private group (the user's own, named after them, with nobody else in it)."""
    try:
        import grp

        group = grp.getgrgid(gid)
    except (ImportError, KeyError):
        return False
    me = _user_name(os.getuid())
    return gid == os.getgid() and group.gr_name == me and set(group.gr_mem) <= {me}


def _others_can_write(info: os.stat_result) -> bool:
    if info.st_mode & stat.S_IWOTH:
        return True
    return bool(info.st_mode & stat.S_IWGRP) and not _group_is_private(info.st_gid)


def check_database_location(path: Path) -> None:
    """Refuse a database another user could have put there: its folder (or the folder of a link
    to it) writable by others or owned by someone else, or the file (or its -wal/-shm) not the
    user's. Such a file could have been swapped for a forged one, and it would verify."""
    uid = os.getuid()
    link = Path(os.path.abspath(path))
    real = link.resolve()
    for folder in dict.fromkeys((link.parent, real.parent)):
        try:
            info = folder.stat()
        except OSError:
            continue  # not there yet: it will be made owner-only
        if _others_can_write(info):
            own = Path.home() / "patrol"
            move = (
                f"请把数据库放到只有自己能写的文件夹里，例如 mkdir -m 700 {own}，"
                + (f"把 {real.name} 移进去，" if real.exists() else "")
                + f"再用 --db sqlite:///{own / real.name}"
            )
            if info.st_mode & stat.S_ISVTX or info.st_uid != uid:
                # /tmp and the like: shared on purpose, so never suggest closing it
                fix = f"{move}。"
            else:
                fix = f"请把文件夹权限改为只有自己可写（chmod 700 {folder}），或{move.removeprefix('请')}。"
            raise StorageError(
                f"数据库所在的文件夹 {folder} 其他用户也能写入（权限 {stat.S_IMODE(info.st_mode):o}），"
                f"别人可以换掉数据库文件，所以不打开它。{fix}"
            )
        if info.st_uid not in (uid, 0):
            raise StorageError(
                f"数据库所在的文件夹 {folder} 属于用户 {_user_name(info.st_uid)}，不属于当前用户，"
                "对方可以换掉数据库文件，所以不打开它。请把数据库放到自己的文件夹里。"
            )
    for file in (real, Path(f"{real}-wal"), Path(f"{real}-shm")):
        try:
            info = file.stat()
        except OSError:
            continue
        if info.st_uid != uid:
            raise StorageError(
                f"数据库文件 {file} 属于用户 {_user_name(info.st_uid)}，不属于当前用户：它可能被人换过，所以不打开它。"
                "请确认文件的来历，再由自己复制一份使用。"
            )


# --- temporaries and their leftovers -------------------------------------------------------


def _start_time(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, from /proc), "" where unknown: with
    the pid it names one process, even after the pid is reused."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


_ME = f"{os.getpid()}-{_start_time(os.getpid()) or '0'}"


def _owner_tag() -> str:
    global _ME
    pid = os.getpid()
    if not _ME.startswith(f"{pid}-"):  # a forked child
        _ME = f"{pid}-{_start_time(pid) or '0'}"
    return _ME


def temporary_name(suffix: str = "") -> str:
    """A name for a new temporary, with this process's id and start time in it."""
    return f"{TEMP_MARK}{_owner_tag()}-{os.urandom(4).hex()}{suffix}"


def _alive(name: str) -> bool:
    """Whether the process that made the temporary called ``name`` is still running."""
    try:
        pid_text, started = name[len(TEMP_MARK) :].split("-")[:2]
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return started == _owner_tag().split("-")[1]
    now = _start_time(pid)
    if now:
        return started in ("0", now)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not Path("/proc").is_dir()  # /proc exists but has no such process: gone


@contextmanager
def temporary_folder(beside: Path, registry: Path | None = None) -> Iterator[Path]:
    """An owner-only folder for temporaries inside ``beside`` (so they never land in a shared
    temporary folder, and a rename out of it stays on one disk), removed on the way out. With
    ``registry`` (a folder of patrol's own) the folder is also noted there, so that a later run
    finds it after a kill even if nobody writes to ``beside`` again."""
    folder = Path(beside) / temporary_name()
    os.mkdir(folder, FOLDER_MODE)
    os.chmod(folder, FOLDER_MODE)
    note = None
    try:
        if registry is not None:
            private_folder(registry, tighten=True)
            note = registry / folder.name
            fd = create_private_file(note, exclusive=True)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(str(folder.resolve()))
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if note is not None:
            note.unlink(missing_ok=True)


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    except OSError:
        return False
    return True


def leftovers(folders: Iterable[Path], registry: Path | None = None) -> list[Path]:
    """Temporaries in ``folders`` (and those noted in ``registry``) whose process is gone."""
    found: dict[Path, None] = {}
    for folder in folders:
        try:
            entries = list(Path(folder).iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(TEMP_MARK) and not _alive(entry.name):
                found[entry] = None
    if registry is not None:
        for note in _notes(registry):
            if _alive(note.name):
                continue
            target = _noted(note)
            if target is not None and target.exists():
                found[target] = None
    return list(found)


def _notes(registry: Path) -> list[Path]:
    try:
        return [n for n in Path(registry).iterdir() if n.name.startswith(TEMP_MARK)]
    except OSError:
        return []


def _noted(note: Path) -> Path | None:
    """The temporary a registry note names, if it is one of ours (its name is the note's)."""
    try:
        target = Path(note.read_text(encoding="utf-8").strip())
    except OSError:
        return None
    return target if target.name == note.name and target.is_absolute() else None


def remove_leftovers(folders: Iterable[Path], registry: Path | None = None) -> list[Path]:
    """Remove the temporaries a killed run left (they may hold names and notes); returns them."""
    removed = [path for path in leftovers(folders, registry) if _remove(path)]
    if registry is not None:
        for note in _notes(registry):
            if not _alive(note.name):
                target = _noted(note)
                if target is None or not target.exists():
                    note.unlink(missing_ok=True)
    return removed


# --- who else has a database open ----------------------------------------------------------


def processes_holding(path: Path) -> list[str]:
    """Other processes that have ``path`` (or its -wal/-shm) open, as "进程 1234（patrol）";
    read from /proc, so empty where there is none (and only the user's own are visible)."""
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    me = os.getpid()
    found = []
    try:
        processes = [entry for entry in os.scandir("/proc") if entry.name.isdigit() and int(entry.name) != me]
    except OSError:
        return []
    for process in processes:
        try:
            held = any(os.readlink(fd.path) in names for fd in os.scandir(f"{process.path}/fd"))
        except OSError:
            continue
        if held:
            found.append(f"进程 {process.name}（{_command(process.path)}）")
    return found


def _command(proc: str) -> str:
    try:
        with open(f"{proc}/cmdline", "rb") as handle:
            argv = [part.decode(errors="replace") for part in handle.read().split(b"\0") if part]
    except OSError:
        return "?"
    if not argv:
        return "?"
    words = [Path(argv[0]).name, *argv[1:]]
    if words[0].startswith("python") and len(words) > 1:
        words = words[1:]  # python …/patrol, python -m screens: name the program, not the interpreter
        if words[0] == "-m" and len(words) > 1:
            words = words[1:]
        words[0] = Path(words[0]).name if "/" in words[0] else words[0]
    text = " ".join(words)
    return text if len(text) <= 60 else text[:59] + "…"
