"""Wall-clock timeline of one full build: when each phase starts and ends, in which process.

    python bench/trace.py bench/out/r10000.yaml      # after python bench/run.py made it
    python bench/trace.py bench/out/r10000.yaml --rebuild bench/out/r10000-edited.yaml

Prints ``[process] phase (what it does): start -> end`` (seconds since the start) on stderr,
as each phase ends: reading the build cache, reading and checking the register (with the
rules over all entries), the work done in worker processes, the channel pages, the exports,
the commit and saving the cache; the process is ``main`` (worker processes run inside
``map_items``). For finding where a full build waits; the benchmark (bench/run.py) measures,
and puts one such timeline into RESULTS.md when a time target is not met.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

T0 = time.monotonic()
# the kanalregister checkout to trace: BENCH_CODE (bench/run.py --code/--commit) or this one
sys.path.insert(0, os.environ.get("BENCH_CODE") or str(Path(__file__).resolve().parent.parent))

from kanalregister.cache import store  # noqa: E402
from kanalregister.register import loader  # noqa: E402
from kanalregister.site import build, export, publish  # noqa: E402

MAIN = os.getpid()
#: what each timed function does, for the reader of the timeline
WHAT = {"open": "read the build cache", "load": "read and check the register", "assemble": "rules over all entries",
        "map_items": "work in worker processes (or here, when small)", "write_site": "render, write and publish",
        "_write_channel_pages": "write channel pages", "_save_cache": "save the build cache",
        "commit": "swap the new site in", "_link_spare": "link the spare copy", "exports": "the open data files"}


def _wrap(owner, name: str) -> None:
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        start = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            who = "main" if os.getpid() == MAIN else f"worker {os.getpid()}"
            print(f"[{who}] {name} ({WHAT[name]}): {start - T0:.2f} -> {time.monotonic() - T0:.2f}",
                  file=sys.stderr)

    setattr(owner, name, timed)


def main(register: str, edited: str | None = None) -> None:
    """Trace a full build of ``register``; with ``edited``, build ``register`` first (untraced)
    and trace the rebuild with ``edited`` over its output and cache."""
    global T0
    from kanalregister.commands.cli import main as cli

    out = Path(tempfile.mkdtemp()) / "site"
    try:
        if edited is not None:
            cli(["build", "-r", register, "--out", str(out), "--today", "2026-11-22"])
            register = edited
        for owner, name in [(store.BuildCache, "open"), (build, "load"), (loader, "map_items"),
                            (loader, "assemble"), (build, "write_site"), (build, "_write_channel_pages"),
                            (build, "map_items"), (build, "_save_cache"), (publish.Publisher, "commit"),
                            (publish.Publisher, "_link_spare"), (export, "exports")]:
            _wrap(owner, name)
        T0 = time.monotonic()
        cli(["build", "-r", register, "--out", str(out), "--today", "2026-11-22"])
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("register", nargs="?", default=str(Path(__file__).parent / "out" / "r10000.yaml"))
    ap.add_argument("--rebuild", metavar="EDITED", help="trace the rebuild with this edited register instead")
    args = ap.parse_args()
    main(args.register, args.rebuild)
