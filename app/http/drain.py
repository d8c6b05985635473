"""The draining phase before an instance stops: /readyz says 503 while requests are served.

A load balancer polls /readyz every few seconds; if the listener closed the moment SIGTERM
arrived, requests it still routed here in between would be refused. So `python -m app serve`
(app.server) starts the drain on SIGTERM, keeps serving for TUNEWISE_SERVER_DRAIN_S seconds
with /readyz answering 503, and only then lets uvicorn close the listener and finish what is
in flight. Each app owns one (app.state.drain); nothing here knows about signals.
"""

from __future__ import annotations

import threading


class Drain:
    def __init__(self) -> None:
        self._started = threading.Event()

    @property
    def active(self) -> bool:
        return self._started.is_set()

    def start(self) -> None:
        """From now on /readyz answers 503 (thread-safe: called from a signal handler)."""
        self._started.set()
