"""The board's first frame loads only what it draws (issue 9, point 4): the real app in a
pseudo-terminal, quit as soon as the board is drawn (PATROL_EXIT_WHEN_READY), its modules listed.

What a first frame does not need (the write path and SQLAlchemy, workbooks, pinyin, verification)
loads later, where it is used: SQLAlchemy alone is ~0.3 s of CPU and 15 MB. When this test fails,
the message names what came in: import it where it is used, after the first frame, or, if the
board really draws from it, add it to the set below.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Our modules the board is drawn from: the command line (its parser, with `demo` and `init` only:
# the other command groups load for their commands), opening the hall through
# sqlite3, the rules that rank, the board's widgets.
BOARD_MODULES = frozenset(
    {
        "patrol",
        "patrol.cli",
        "patrol.cli.app",
        "patrol.cli.common",
        "patrol.cli.output",
        "patrol.cli.parser",
        "patrol.config",
        "patrol.demo",
        "patrol.errors",
        "patrol.hall",
        "patrol.hall.lock",
        "patrol.hall.lock_tries",
        "patrol.hall.pending",
        "patrol.hall.pinyin_keys",  # the module only: pypinyin loads when a name is keyed
        "patrol.hall.roster",
        "patrol.hall.service",  # the opened hall and its services, one job each (light: no I/O at import)
        "patrol.hall.access",
        "patrol.hall.attendance",  # whether the month has punches: the board judges 满勤 from them
        "patrol.hall.evidence",
        "patrol.hall.log",
        "patrol.hall.lookups",
        "patrol.hall.opening",
        "patrol.hall.records",
        "patrol.hall.snapshot",
        "patrol.hall.standings",
        "patrol.hall.views",
        "patrol.model",
        "patrol.reports",
        "patrol.reports.formatting",
        "patrol.rules",
        "patrol.rules.items",
        "patrol.rules.periods",
        "patrol.rules.postings",
        "patrol.rules.scoring",
        "patrol.rules.setting_words",
        "patrol.rules.settings",
        "patrol.rules.verdicts",
        "patrol.text",
        "screens",
        "screens.app",
        "screens.base",
        "screens.board",
        "screens.database",  # the lane the board is read through, and its typed results
        "screens.keeping",
        "screens.lane",
        "screens.locking",
        "screens.results",
        "screens.routes",
        "screens.standings",  # the keeper of the standings shown (the live ranking loads after the frame)
        "screens.startup",
        "screens.keybar",
        "screens.keys",
        "screens.main",
        "screens.ranking_table",  # made right after the first frame, before this test's exit
        "screens.status_line",  # the board's status line (was a class of screens.board)
        "screens.text",
        "screens.tiles",
        "screens.window_panel",
        "storage",
        "storage.backup",  # `patrol demo` copies the day's demo hall (copy_closed_database)
        "storage.errors",
        "storage.files",
        "storage.guard",  # the event loop's guard: no query on it
        "storage.reads",
        "storage.schema",
        "storage.urls",
    }
)
# Other packages it may load: Textual and what Textual itself imports; the rest is the standard library.
BOARD_PACKAGES = frozenset({"textual", "rich", "platformdirs", "typing_extensions", "_distutils_hack"})
# Named so that a failure says plainly which heavy thing came in.
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "pypinyin", "openpyxl", "xlsxwriter", "lxml", "psycopg")
# Loading OpenSSL costs the first frame 5-7 ms, for hashing it does not do (PINs, the chain).
HASHING = ("_hashlib", "hashlib", "hmac", "secrets")

LISTING = r"""
import atexit, json, os, sys
atexit.register(lambda: open(os.environ["MODULES_OUT"], "w").write(json.dumps(sorted(sys.modules))))
from screens.main import main
sys.exit(main(sys.argv[1:]))
"""


def modules_when_drawn(args: list[str], tmp_path: Path) -> set[str]:
    """The modules loaded when the board of ``patrol ARGS`` is drawn (it quits right then)."""
    out = tmp_path / "modules.json"
    env = {
        **os.environ,
        "PATROL_EXIT_WHEN_READY": "1",
        "MODULES_OUT": str(out),
        "TERM": "xterm-256color",
        "COLUMNS": "100",
        "LINES": "30",
    }
    controller, terminal = pty.openpty()
    os.set_blocking(controller, False)
    process = subprocess.Popen(
        [sys.executable, "-c", LISTING, *args], stdin=terminal, stdout=terminal, stderr=terminal, env=env
    )
    screen = b""
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        try:
            screen += os.read(controller, 65536)  # keep the terminal drained
        except BlockingIOError:
            time.sleep(0.01)
    if process.poll() is None:
        process.kill()
    os.close(controller)
    os.close(terminal)
    assert process.wait() == 0, screen[-2000:].decode(errors="replace")
    return set(json.loads(out.read_text()))


def unexpected(modules: set[str]) -> list[str]:
    ours = {m for m in modules if m.split(".")[0] in ("patrol", "storage", "screens")}
    others = {m.split(".")[0] for m in modules} - {"patrol", "storage", "screens"}
    foreign = others - set(sys.stdlib_module_names) - BOARD_PACKAGES - {"__main__"}
    # The editable install's finder, and the build's configuration the standard library reads.
    foreign = {m for m in foreign if not m.startswith(("__editable__", "_sysconfigdata_"))}
    return sorted((ours - BOARD_MODULES) | foreign)


def test_the_board_of_a_hall_loads_only_what_it_draws(hall_url: str, tmp_path: Path) -> None:
    modules = modules_when_drawn(["--db", hall_url], tmp_path)
    assert "screens.board" in modules  # the board was drawn, not a welcome screen
    assert [m for m in HEAVY if m in modules] == []
    assert [m for m in HASHING if m in modules] == []
    assert unexpected(modules) == []


def test_the_demo_board_loads_only_what_it_draws(tmp_path: Path) -> None:
    # The day's demo hall is built once, in this process (that build writes, with SQLAlchemy), and
    # the laptop's id made (uuid6, on the very first run); the board then opens a copy of the
    # hall, as every `patrol demo` after the first of the day does.
    from patrol.config import device_id
    from patrol.demo import demo_url

    device_id()
    _url, folder = demo_url()
    shutil.rmtree(folder)
    modules = modules_when_drawn(["demo"], tmp_path)
    assert "screens.board" in modules
    assert [m for m in HEAVY if m in modules] == []
    assert [m for m in HASHING if m in modules] == []
    assert unexpected(modules) == []


def test_search_needs_no_pinyin_library(hall_url: str) -> None:
    """The pinyin keys are stored with the roster, so the search index (built on a worker after the
    first frame) is plain string work: pypinyin (12 MB without its phrase tables) loads only when a
    roster change keys a new name."""
    code = (
        "import sys; from patrol.hall.opening import open_hall;"
        f"s = open_hall({hall_url!r}); hits = s.lookup.search_index.search('zm');"
        "assert [h.title for h in hits] == ['张梅'], hits;"
        "sys.exit(1 if 'pypinyin' in sys.modules else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


async def test_the_idle_demo_locks_and_opens_with_its_pin_before_any_key(hall_url: str) -> None:
    """The write path (and with it the demo's PIN) loads when someone types or the screen locks,
    not at start: a demo left alone until its idle lock still opens with the demo PIN."""
    from patrol.hall.lock import DEMO_PIN
    from screens.app import PatrolApp
    from screens.lock import LockScreen
    from tests.conftest import fixed_clock
    from tests.test_app import ready, until
    from tests.test_lock import screen_text, type_pin

    app = PatrolApp(
        url=hall_url,
        hall_name=None,
        inspector="测试督查",
        device="pilot-device",
        demo=True,
        clock=fixed_clock,
        lock_minutes=0.01,  # 0.6 s
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await until(pilot, lambda: isinstance(app.screen, LockScreen) and "已锁定" in screen_text(app), seconds=5)
        assert DEMO_PIN in screen_text(app)  # the lock says the demo's PIN
        assert await type_pin(pilot, app, DEMO_PIN) == ""
        assert app.screen is app.board and "曾伟" in screen_text(app)


async def test_the_first_frame_the_terminal_gets_is_the_board(hall_url: str) -> None:
    """`patrol` opens the hall before the event loop starts (``open_before_start``), so the first
    frame written is the hall board with its windows, never an empty board that fills a moment
    later; the hall is read once, and no lane worker reads it again."""
    from screens.tiles import HallMap
    from screens.window_panel import WindowPanel
    from tests.conftest import verified
    from tests.test_app import make_app, ready

    app = make_app(hall_url)
    app.open_before_start()
    frames: list[tuple[str, str]] = []
    display = app._display

    def frame(screen: Any, renderable: Any) -> None:
        board = app.board_or_none
        # A frame drawn inside one of Textual's batches is never written (App._display).
        if renderable is not None and not app._batch_count and board is not None and board.is_mounted:
            hall_map = board.query_one(HallMap)
            lines = [hall_map.render_line(y).text for y in range(min(hall_map.size.height, 6))]
            frames.append((str(board.query_one(WindowPanel).render()), "\n".join(lines)))
        display(screen, renderable)

    app._display = frame  # type: ignore[method-assign]
    started: list[str] = []
    run_worker = app.run_worker

    def counted(*args: Any, **kwargs: Any) -> Any:
        started.append(kwargs.get("name", ""))
        return run_worker(*args, **kwargs)

    app.run_worker = counted  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        assert frames, "no frame of the board was written"
        panel, hall = frames[0]
        assert "测试大厅" in panel, f"the first frame has no hall in its panel: {panel!r}"
        assert "1 综合" in hall and "5 供电公司" in hall, f"the first frame has no windows on the map: {hall!r}"
        assert "open" not in started, "the hall was read a second time by a lane worker"
    assert verified(hall_url)


def test_every_screen_but_the_board_brings_its_own_styles() -> None:
    """The board's first frame parses patrol.tcss alone; a screen that forgot screens.tcss would
    open unstyled (dialogs full-screen, no borders) until some other screen had loaded it."""
    import importlib
    import inspect
    import pkgutil

    from textual.screen import Screen

    import screens
    from screens.base import SCREENS_CSS, PatrolScreen
    from screens.board import BoardScreen

    found = []
    for info in pkgutil.iter_modules(screens.__path__):
        if info.name == "__main__":
            continue
        module = importlib.import_module(f"screens.{info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__ and cls not in (BoardScreen, PatrolScreen):
                found.append(cls)
                paths = [cls.CSS_PATH] if isinstance(cls.CSS_PATH, str) else list(cls.CSS_PATH or [])
                assert SCREENS_CSS in paths, f"{cls.__name__} does not load {SCREENS_CSS}"
    assert len(found) >= 15
    board_css = (Path(screens.__file__).parent / "patrol.tcss").read_text()
    assert "#board-body" in board_css and ".dialog" not in board_css


async def test_what_waits_for_the_first_frame_runs_once_the_board_is_drawn(hall_url: str) -> None:
    """``patrol`` collects garbage again from its first frame on (``screens.main``): the app runs
    what waits for that frame once, after the board with its windows has been drawn."""
    from screens.tiles import HallMap
    from tests.test_app import make_app, ready

    app = make_app(hall_url)
    app.open_before_start()
    seen: list[int] = []
    app.when_drawn(lambda: seen.append(len(app.board.query_one(HallMap).tiles)))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(seen) == 1 and seen[0] > 0


def test_a_command_other_than_the_app_collects_garbage_as_usual(hall_url: str, capsys: Any) -> None:
    import gc

    from screens.main import main

    try:
        assert main(["--db", hall_url, "rank"]) == 0
        assert gc.isenabled()
    finally:
        gc.enable()
