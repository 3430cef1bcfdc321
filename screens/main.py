"""The program's entry point (the `patrol` command, `python -m screens`): the command line of
``patrol.cli``, given the one thing it cannot reach itself, the terminal app. Arrows point one way:
this module imports ``patrol``; nothing in ``patrol`` imports ``screens``."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence


def run_app(url: str, *, hall: str | None, inspector: str, demo: bool = False, lock_minutes: float = 0) -> int:
    """Run the app on ``url`` until the user quits; returns the exit code."""
    # Importing Textual and the board allocates much and frees nothing: the collector's passes
    # over it would find nothing, yet a full one (~20 ms) falls into the first frame. Collect
    # nothing while importing, then set what was imported aside (it lives as long as the app).
    gc.disable()
    try:
        from patrol.config import device_id
        from screens.app import PatrolApp

        app = PatrolApp(
            url=url, hall_name=hall, inspector=inspector, device=device_id(), demo=demo, lock_minutes=lock_minutes
        )
        gc.freeze()
    finally:
        gc.enable()
    app.open_before_start()
    app.run()
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    """`patrol …`: every command, and the app when there is none."""
    from patrol.cli import main as command_line

    return command_line(argv, open_app=run_app)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
