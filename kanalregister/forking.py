"""Work in a forked process that sends one value back through a pipe (Linux and macOS).

Used by the two-process validation (:mod:`kanalregister.incremental`) and the side process
of the build (:mod:`kanalregister.pipeline`). Values travel as :mod:`marshal` data, so they
must be plain (str, bytes, numbers, None, tuples, lists, dicts, sets).
"""

from __future__ import annotations

import marshal
import os


def can_fork() -> bool:
    """Whether this platform forks and the machine has at least two cores."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2


def start(work) -> tuple[int, int] | None:
    """Fork; the child runs ``work()`` and sends back ``(status, value)``, then ends.

    ``work`` returns ``(exit status, marshal-able value)``; if it raises, the child sends
    nothing (the parent's :func:`finish` then returns None). Returns the child's (pid, read
    end of the pipe) to pass to :func:`finish`, or None when the fork failed.
    """
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the child: never returns
        os.close(r)
        status = 1
        try:
            status, value = work()
            with os.fdopen(w, "wb") as fh:
                fh.write(marshal.dumps(value))
        finally:
            os._exit(status)
    os.close(w)
    return pid, r


def finish(child: tuple[int, int]):
    """Wait for a child from :func:`start`; return its value, or None if it sent none."""
    pid, r = child
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return marshal.loads(data) if data else None


def kill(child: tuple[int, int]) -> None:
    """Stop and reap a child from :func:`start` (the parent failed meanwhile)."""
    import signal

    pid, r = child
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (OSError, ChildProcessError):
        pass
    os.close(r)
