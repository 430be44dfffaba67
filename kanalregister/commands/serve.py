"""``serve``: a local preview that rebuilds when the register, content/ or templates/ change.

Serves the output folder on 127.0.0.1 with Python's http.server and polls the sources'
modification times (every ``interval`` seconds) from a background thread. A broken edit is
reported in the terminal and the last good site keeps being served (the build is atomic).
For previews on one's own machine only; the published site is the static ``site/`` folder.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from ..errors import KanalregisterError
from ..i18n import _


def snapshot(paths: list[Path]) -> dict[str, float]:
    """Modification times (seconds) of every file under ``paths``: {path: mtime}."""
    out: dict[str, float] = {}
    for p in paths:
        if p.is_file():
            out[str(p)] = p.stat().st_mtime_ns
        elif p.is_dir():
            for f in p.rglob("*"):
                if f.is_file():
                    out[str(f)] = f.stat().st_mtime_ns
    return out


class Watcher(threading.Thread):
    """Polls ``paths`` and calls ``rebuild()`` when any file changes; stops on ``stop()``.

    Args:
        paths: files and folders to watch.
        rebuild: callable run after a change (its exceptions of the project's own kind are
            reported to ``log``, not raised).
        interval: seconds between polls.
    """

    def __init__(self, paths: list[Path], rebuild, interval: float = 0.5, log=None):
        super().__init__(daemon=True)
        self.paths, self.rebuild, self.interval = paths, rebuild, interval
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.builds = 0
        self._stop_event = threading.Event()
        self._last = snapshot(paths)

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            now = snapshot(self.paths)
            if now != self._last:
                self._last = now
                try:
                    self.rebuild()
                    self.log(_("rebuilt"))
                except KanalregisterError as exc:
                    self.log("\n".join(d.format() for d in exc.diagnostics))
                    self.log(_("build failed; still serving the last good site"))
                self.builds += 1

    def stop(self) -> None:
        """Ask the thread to stop after its current poll."""
        self._stop_event.set()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request."""

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


def make_server(out: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``out`` on 127.0.0.1:``port`` (0 picks a free port)."""
    handler = functools.partial(QuietHandler, directory=str(out))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
