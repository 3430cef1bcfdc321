"""The frame a person waits for after a finding's key (issue 9): the one that first says 已保存
changes the status line alone, so it is small and quick to render; the hall closes (panel, key
bar) and the standings move in a later frame, so 已保存 never waits for the map's or the
ranking's redraw. Frames are read where the app hands each one to the terminal, on the real app
and a real SQLite file."""

from __future__ import annotations

from typing import Any

from screens.keybar import KeyBar
from screens.window_panel import WindowPanel
from tests.conftest import verified
from tests.test_app import make_app, ready, until


async def test_saved_is_painted_alone_and_the_hall_and_standings_follow(hall_url: str) -> None:
    app = make_app(hall_url)
    frames: list[dict[str, Any]] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        board = app.board
        moved: list[int] = []  # how many frames were written when the standings moved

        def counted(show: Any) -> Any:
            def moving(*args: Any) -> None:
                moved.append(len(frames))
                show(*args)

            return moving

        for name in ("show_moved", "show_standings"):  # the rows one finding moved, or all of them
            setattr(board, name, counted(getattr(board, name)))
        display = app._display

        def frame(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                frames.append(
                    {
                        "status": str(board.query_one("#status").render()),
                        "panel": str(board.query_one(WindowPanel).render()),
                        "keys": [text for _key, text in board.query_one(KeyBar).keys],
                    }
                )
            display(screen, renderable)

        app._display = frame  # type: ignore[method-assign]
        await pilot.press("1", "enter", "2")
        await until(pilot, lambda: "返回大厅" in str(frames[-1]["keys"]) if frames else False)
        await pilot.press("c")  # 迟到
        await ready(pilot, app)
        saved = next(i for i, f in enumerate(frames) if f["status"].startswith("已保存"))
        before = frames[saved - 1]
        assert frames[saved]["panel"] == before["panel"], "the 已保存 frame also redrew the panel"
        assert frames[saved]["keys"] == before["keys"], "the 已保存 frame also redrew the key bar"
        closed = next(i for i, f in enumerate(frames) if "输入窗口编号后按 Enter" in f["panel"] and i > saved)
        assert "返回大厅" not in frames[closed]["keys"]  # the hall, not the window just closed
        assert moved, "the standings never moved"
        assert moved[0] > saved, f"the standings moved before 已保存 was painted (frame {moved[0]} ≤ {saved})"
    assert verified(hall_url)
