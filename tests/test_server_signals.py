"""A second signal landing anywhere inside the first one's handler never hangs the server.

`make run` serves through `uv run`, which forwards SIGTERM to the server; a process manager or
`timeout` that signals the whole group delivers a second SIGTERM microseconds after the first.
Python runs a signal handler between any two bytecodes of the main thread, the handler's own
included, so the second can land inside the first. The drain once set a threading.Event there:
a second signal inside the Event's lock waited on it for ever, and the server never stopped.

Here the second signal is delivered at every line the first handler runs (a trace function
calls the handler again at that line), each time on a fresh server, in a thread that must end.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from types import FrameType
from typing import Any

import pytest
import uvicorn

from app.http.drain import Drain
from app.server import DrainingServer

DRAIN_S = 0.01
HANG_S = 5.0
"""A handler that has not returned after this long is waiting on itself."""


async def _app(scope: Any, receive: Any, send: Any) -> None:  # never called: no request is made
    raise AssertionError


def _server(drain_s: float = DRAIN_S) -> DrainingServer:
    server = DrainingServer(uvicorn.Config(_app), Drain(), drain_s)
    server.loop = asyncio.new_event_loop()  # serve() sets the running loop; none runs here
    return server


def _first_signal(server: DrainingServer, second_at: int | None) -> int:
    """The first SIGTERM's handler, with a second SIGTERM delivered at its `second_at`th line
    (callees included); the count of lines the handler ran."""
    seen = 0

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal seen
        if event == "line":
            seen += 1
            if seen == second_at:
                sys.settrace(None)
                server.handle_exit(signal.SIGTERM, None)
                return None
        return trace

    sys.settrace(trace)
    try:
        server.handle_exit(signal.SIGTERM, None)
    finally:
        sys.settrace(None)
    return seen


def _run(server: DrainingServer, second_at: int | None) -> None:
    _first_signal(server, second_at)
    assert server.loop is not None
    server.loop.run_until_complete(asyncio.sleep(DRAIN_S * 3))  # the drain's timer runs out


def _ends(server: DrainingServer, second_at: int) -> list[BaseException]:
    """Run the two signals in a thread that must end within HANG_S; what it raised."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            _run(server, second_at)
        except BaseException as exc:  # noqa: BLE001  # reported by the caller
            failed.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(HANG_S)
    assert not worker.is_alive(), f"a second SIGTERM at line {second_at} of the handler hung"
    return failed


def test_a_second_sigterm_at_any_line_of_the_first_handler_neither_hangs_nor_skips_the_stop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    counted = _server()
    lines = _first_signal(counted, None)
    assert counted.loop is not None
    counted.loop.close()
    assert lines > 1
    for line in range(1, lines + 1):
        server = _server()
        assert _ends(server, line) == []
        assert server.loop is not None
        server.loop.close()
        assert server.drain.active, line
        assert server.should_exit, line  # it stops: at once, or once the drain has run
        assert caplog.text.count("SIGTERM: draining") <= 1, line  # one drain, said once
        caplog.clear()


def test_one_sigterm_drains_and_a_second_stops_at_once() -> None:
    server = _server(drain_s=60)
    _first_signal(server, None)
    assert server.drain.active
    assert server.loop is not None
    server.loop.run_until_complete(asyncio.sleep(0))  # the loop logs and starts the drain's timer
    assert not server.should_exit  # still serving: the drain runs first
    server.handle_exit(signal.SIGTERM, None)
    assert server.should_exit
    server.loop.close()
