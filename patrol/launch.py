"""The one place in ``patrol`` that starts the Textual app."""

from __future__ import annotations


def run_app(url: str, *, hall: str | None, inspector: str, demo: bool = False, lock_minutes: float = 0) -> int:
    """Run the app on ``url`` until the user quits; returns the exit code."""
    from patrol.config import device_id
    from screens.app import PatrolApp

    app = PatrolApp(
        url=url, hall_name=hall, inspector=inspector, device=device_id(), demo=demo, lock_minutes=lock_minutes
    )
    app.run()
    return app.return_code or 0
