"""Progress on a terminal for long builds; silent in CI and when output is piped.

Shown only once a build has run for :data:`DELAY` seconds, updated at most every
:data:`INTERVAL` seconds, on one line of standard error that is cleared at the end.
"""

from __future__ import annotations

import os
import sys
import time

DELAY = 2.0  # seconds before anything is shown
INTERVAL = 0.1  # seconds between updates


def enabled(stream=None) -> bool:
    """True when ``stream`` (default stderr) is a terminal and not in CI (``CI`` unset)."""
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("CI")


class Progress:
    """Counts steps of a phase and draws ``label done/total`` when worth it.

    Args:
        total: number of steps (int).
        label: what is being done, e.g. ``"sidor"``.
        stream: where to draw (default stderr); nothing is drawn unless :func:`enabled`.
        clock: time source in seconds (for tests).
    """

    def __init__(self, total: int, label: str, stream=None, clock=time.monotonic, start: float | None = None):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.on = enabled(self.stream)
        self.clock = clock
        self.start = clock() if start is None else start
        self.last = 0.0
        self.drawn = False
        self.done = 0

    def step(self, n: int = 1) -> None:
        """Record ``n`` finished steps; redraw when due."""
        self.done += n
        if not self.on:
            return
        now = self.clock()
        if now - self.start >= DELAY and now - self.last >= INTERVAL:
            self.last = now
            self.drawn = True
            self.stream.write(f"\r{self.label}: {self.done}/{self.total} ({100 * self.done // max(1, self.total)} %)")
            self.stream.flush()

    def close(self) -> None:
        """Clear the progress line, if one was drawn."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class working:  # noqa: N801 - used as a context manager, like contextlib's helpers
    """``with working("kontrollerar 100000 kanaler"):`` — for a phase without steps: after
    :data:`DELAY` seconds a line ``label … 3 s`` is drawn and updated every second from a
    background thread, and cleared at the end. Silent where :func:`enabled` is False.

    Args:
        label: what is being done (Swedish, like the step labels).
        stream: where to draw (default stderr).
        start: ``time.monotonic()`` when the build began (default: now).
    """

    def __init__(self, label: str, stream=None, start: float | None = None):
        import threading

        self.label, self.stream = label, stream or sys.stderr
        self.start = time.monotonic() if start is None else start
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._draw, daemon=True) if enabled(self.stream) else None
        self.drawn = False

    def _draw(self) -> None:
        if self.stop.wait(max(0.0, DELAY - (time.monotonic() - self.start))):
            return
        while True:
            self.drawn = True
            self.stream.write(f"\r{self.label} … {int(time.monotonic() - self.start)} s")
            self.stream.flush()
            if self.stop.wait(1.0):
                return

    def __enter__(self) -> working:
        if self.thread is not None:
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.thread is not None:
            self.stop.set()
            self.thread.join()
            if self.drawn:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
