"""Wall-clock timeline of one full build: when each phase starts and ends, in which process.

    python bench/trace.py bench/out/r10000.yaml      # after python bench/run.py made it

Prints ``[pid] phase: start -> end`` (seconds since start) on stderr for validation (the two
halves and the assembly), the channel pages (side process), the exports, the commit and the
cache. For finding where a full build waits; the benchmark (bench/run.py) measures.
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
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kanalregister import export, forking, incremental, pipeline, publish  # noqa: E402


def _wrap(owner, name: str) -> None:
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        start = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            print(f"[{os.getpid()}] {name}: {start - T0:.2f} -> {time.monotonic() - T0:.2f}", file=sys.stderr)

    setattr(owner, name, timed)


def main(register: str) -> None:
    for owner, name in [(incremental, "load_incremental"), (incremental, "_validate_part"),
                        (incremental, "_assemble"), (pipeline, "write_site"), (pipeline, "_write_channel_pages"),
                        (pipeline, "_save_cache"), (publish.Publisher, "commit"), (publish.Publisher, "_link_spare"),
                        (export, "exports"), (forking, "finish")]:
        _wrap(owner, name)
    from kanalregister.cli import main as cli

    out = Path(tempfile.mkdtemp()) / "site"
    try:
        cli(["build", "-r", register, "--out", str(out), "--today", "2026-11-22"])
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent / "out" / "r10000.yaml"))
