"""The one way the app runs database work: a Textual thread worker that passes through the lane
(``screens.lane``), whose result comes back as a typed message, and whose failure the app's one
``Worker.StateChanged`` handler turns into a visible error (``DatabaseWork.said``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from patrol.errors import UserError
from screens.lane import Lane, LaneClosed, Superseded
from storage.errors import StorageError

T = TypeVar("T")
S = TypeVar("S")
GROUP = "database"  # every worker of the lane: tests wait for them with app.workers.wait_for_complete()


class Expected:
    """A refusal the caller of ``ask`` says itself (UserError, StorageError): carried back as a
    value, so the worker succeeds and the app's handler does not say it a second time."""

    def __init__(self, error: Exception) -> None:
        self.error = error


class DatabaseWork:
    """The app's database lane and the workers that pass through it."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.lane = Lane()
        self._on_error: dict[Worker[Any], Callable[[BaseException], None]] = {}

    def run(
        self,
        job: Callable[[], Message | None],
        *,
        to: MessagePump | None = None,
        latest: str | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        name: str = "",
        own_connections: bool = False,
    ) -> Worker[None]:
        """Run ``job`` in the lane on a worker thread and post the message it returns to ``to``
        (the app by default). ``latest``: a group where only the newest job queued runs.
        ``on_error`` runs on the loop if the job raised, after the error is shown.
        ``own_connections``: the job opens connections of its own and shares none (the daily
        backup of a large file): it runs beside the lane, so saves do not wait behind it."""
        ticket = None if own_connections else self.lane.take(latest)
        target = to or self.app

        def work() -> None:
            try:
                if ticket is None:
                    message = job()
                else:
                    with self.lane.turn(ticket):
                        message = job()
            except (Superseded, LaneClosed):
                return  # a newer read will answer, or nobody is left to answer
            if message is not None:
                target.post_message(message)  # thread-safe: queued on the loop

        worker = self.app.run_worker(
            work, name=name or getattr(job, "__name__", ""), group=GROUP, thread=True, exit_on_error=False
        )
        if on_error is not None:
            self._on_error[worker] = on_error
        return worker

    async def ask(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` in the lane and wait for its value without blocking the loop (for dialogs of
        several steps). UserError and StorageError are raised here for the caller to say; any
        other failure is said by the app's handler and ends the caller (CancelledError)."""
        ticket = self.lane.take()

        def work() -> T | Expected:
            with self.lane.turn(ticket):
                try:
                    return fn(*args, **kwargs)
                except (UserError, StorageError) as exc:
                    return Expected(exc)

        worker = self.app.run_worker(
            work, name=getattr(fn, "__name__", ""), group=GROUP, thread=True, exit_on_error=False
        )
        try:
            result = await worker.wait()
        except Exception as exc:  # said by the handler (said); the caller's steps end here
            raise asyncio.CancelledError from exc
        if isinstance(result, Expected):
            raise result.error
        return result

    def said(self, event: Worker.StateChanged) -> bool:
        """The app's one ``Worker.StateChanged`` handler: a worker that failed is shown as an error
        in Chinese (and handed to its ``on_error``), never lost. True when it was one of ours."""
        worker = event.worker
        if event.state not in (WorkerState.ERROR, WorkerState.SUCCESS, WorkerState.CANCELLED):
            return False
        on_error = self._on_error.pop(worker, None)
        if event.state != WorkerState.ERROR:
            return False
        error = worker.error
        if error is None or isinstance(error, (LaneClosed, Superseded)):
            return True  # the app is stopping, or a newer job answers: nothing went wrong
        if isinstance(error, (UserError, StorageError)):
            text = str(error)
        else:
            text = f"操作未完成：{type(error).__name__}: {error}。已保存的记录不受影响；如反复出现，请重新打开巡查。"
        self.app.notify(text, title="出错了", severity="error", timeout=15)
        if on_error is not None:
            on_error(error)
        return True
