"""The demo hall is built through the same writes as a real one (its first write of findings is
one batch of a month and more): it verifies, and the demo device's next finding continues its
chain instead of starting again at 1."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from patrol.demo import build_demo
from patrol.hall.opening import open_hall
from storage.reads import SqliteReader
from storage.verify import verify


def test_the_demo_database_verifies_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    build_demo(path, date(2026, 11, 18))
    reader = SqliteReader(path)
    verdict = verify(reader, workers=0)
    assert verdict.ok, verdict.problem
    seq = verdict.heads["demo"][0]
    import sqlite3

    with sqlite3.connect(path) as conn:
        findings = conn.execute("SELECT COUNT(*) FROM finding WHERE device = 'demo'").fetchone()[0]
    # The roster's versions and every finding of the demo, on one chain.
    assert (
        findings > 100
        and seq > findings
        and seq == verdict.rows - sum(s for d, (s, _h) in verdict.heads.items() if d != "demo")
    )
    service = open_hall(f"sqlite:///{path}", device="demo", inspector="李督查")
    try:
        window = service.windows[0]
        item = next(i for i in service.rules.items if i.is_window_level)
        service.findings.log(window, None, item)
    finally:
        service.close()
    after = verify(reader, workers=0)
    reader.close()
    assert after.ok, after.problem
    assert after.heads["demo"][0] == seq + 1


def test_a_killed_demo_leaves_no_copy_in_the_system_temporary_folder(tmp_path: Path) -> None:
    """`patrol demo` closed with its terminal (SIGHUP skips the removal) left a 700 KB copy in
    /tmp each time. The copy now lives in patrol's cache folder, named after its process, and the
    next demo removes what a killed one left."""
    import tempfile

    from patrol.config import cache_dir
    from patrol.demo import demo_url
    from storage.files import TEMP_MARK

    before = {p.name for p in Path(tempfile.gettempdir()).glob("patrol-demo-*")}
    url, folder = demo_url(date(2026, 11, 18))
    assert folder.parent == cache_dir() and folder.name.startswith(TEMP_MARK)
    assert url == f"sqlite:///{folder / 'demo.db'}" and (folder / "demo.db").exists()
    assert folder.stat().st_mode & 0o777 == 0o700
    killed = cache_dir() / f"{TEMP_MARK}999999999-1-deadbeef"  # a demo whose process is gone
    folder.rename(killed)
    _url, again = demo_url(date(2026, 11, 18))
    assert not killed.exists() and again.exists()
    assert {p.name for p in Path(tempfile.gettempdir()).glob("patrol-demo-*")} == before
