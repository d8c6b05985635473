"""The draining phase before an instance stops: /readyz says 503 while requests are served.

A load balancer polls /readyz every few seconds; if the listener closed the moment SIGTERM
arrived, requests it still routed here in between would be refused. So `python -m app serve`
(app.server) starts the drain on SIGTERM, keeps serving for TUNEWISE_SERVER_DRAIN_S seconds
with /readyz answering 503, and only then lets uvicorn close the listener and finish what is
in flight. Each app owns one (app.state.drain); nothing here knows about signals.
"""

from __future__ import annotations


class Drain:
    """A flag, set once. A plain attribute, not a threading.Event: it is set from a signal
    handler, which may run between any two bytecodes of the main thread, itself included, and
    an Event takes a lock that a second signal arriving inside the first handler's `set` would
    wait on for ever (the server hung on two SIGTERMs a few microseconds apart)."""

    __slots__ = ("_active",)

    def __init__(self) -> None:
        self._active = False

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        """From now on /readyz answers 503. Takes no lock: safe in a signal handler."""
        self._active = True
