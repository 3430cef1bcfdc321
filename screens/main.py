"""The program's entry point (the `patrol` command, `python -m screens`): the command line of
``patrol.cli``, given the one thing it cannot reach itself, the terminal app. Arrows point one way:
this module imports ``patrol``; nothing in ``patrol`` imports ``screens``."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence


def run_app(url: str, *, hall: str | None, inspector: str, demo: bool = False, lock_minutes: float = 0) -> int:
    """Run the app on ``url`` until the user quits; returns the exit code."""
    gc.disable()  # off already when `main` saw the app's command line; see there
    try:
        from patrol.config import device_id
        from screens.app import PatrolApp

        app = PatrolApp(
            url=url, hall_name=hall, inspector=inspector, device=device_id(), demo=demo, lock_minutes=lock_minutes
        )
        app.open_before_start()
    except BaseException:
        gc.enable()
        raise
    app.when_drawn(_collect_from_now_on)
    try:
        app.run()
    finally:
        gc.enable()  # an app that ended before its first frame
    return app.return_code or 0


def _collect_from_now_on() -> None:
    """After the first frame: what start-up made lives as long as the app, so it is set aside
    (the collector's full passes would walk it for nothing) and collecting starts."""
    gc.freeze()
    gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """`patrol …`: every command, and the app when there is none."""
    # Until the app's first frame, nothing is collected: start-up (Python's, Textual's, ours)
    # allocates much and frees little, and the collector's passes over it found nothing to free
    # yet took 15-20 ms of the first frame. A command other than the app collects as usual.
    gc.disable()
    from patrol.cli import main as command_line
    from patrol.cli import opens_app

    if not opens_app(sys.argv[1:] if argv is None else argv):
        gc.enable()
    return command_line(argv, open_app=run_app)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
