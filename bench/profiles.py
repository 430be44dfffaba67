"""Where the time goes, for RESULTS.md's targets not met: a cProfile of one build in one
process and bench/trace.py's timeline of one build (bench/run.py calls these)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import measure
from measure import BENCH, OUT, ROOT

KINDS = {"full": "Full build", "rebuild": "Rebuild after one edit", "noop": "Rebuild with nothing changed"}

PROFILE_SCRIPT = r"""
import cProfile, io, os, pstats, shutil, sys
sys.path.insert(0, sys.argv[1])
os.environ["SOURCE_DATE_EPOCH"] = "1795000000"
os.environ["CI"] = "true"
import kanalregister.workers as workers
from kanalregister.commands.cli import main
# one process, so that the profile sees all the work (the real build uses worker processes)
workers.MIN_ITEMS = 10**9
kind, register, edited, out = sys.argv[2:6]
cache = os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".kanalregister-cache")
for folder in (out, cache, os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".spare")):
    shutil.rmtree(folder, ignore_errors=True)
args = ["build", "-r", register, "--out", out, "--today", "2026-11-22"]
if kind in ("rebuild", "noop"):
    main(args)
    if kind == "rebuild":
        args[2] = edited
prof = cProfile.Profile()
prof.enable()
main(args)
prof.disable()
text = io.StringIO()
stats = pstats.Stats(prof, stream=text)
stats.sort_stats("cumulative").print_stats(r"kanalregister|jinja2/environment.py:.*\(render\)", 22)
stats.sort_stats("tottime").print_stats(12)
print(text.getvalue())
"""


def profile(kind: str, register: Path, edited: Path) -> str:
    """cProfile of one full build of ``register`` (``full``), of the rebuild with ``edited``
    over its output and cache (``rebuild``) or of a second build of it (``noop``), in one
    process; the top functions as text."""
    out = OUT / "profile-site"
    code = str(measure.CODE)
    r = subprocess.run([sys.executable, "-c", PROFILE_SCRIPT, code, kind, str(register), str(edited), str(out)],
                       capture_output=True, text=True)
    lines = [ln.rstrip() for ln in r.stdout.splitlines() if ln.strip()]
    keep = [ln.replace(code + "/", "") for ln in lines
            if not ln.lstrip().startswith(("Ordered by", "List reduced"))]
    return "\n".join(keep[:60]) or _failed(r)


def _failed(r: subprocess.CompletedProcess) -> str:
    """What to show when a profile or trace gave nothing (e.g. it names modules that the
    measured code no longer has)."""
    tail = [ln for ln in r.stderr.splitlines() if ln.strip()][-1:] or ["no output"]
    return f"(no result, exit status {r.returncode}: {tail[0]})"


def trace_command(kind: str, register: Path, edited: Path) -> list[str]:
    rel = [os.path.relpath(p, ROOT) for p in (register, edited)]
    extra = {"full": [], "rebuild": ["--rebuild", rel[1]], "noop": ["--rebuild", rel[0]]}[kind]
    return ["python", "bench/trace.py", rel[0], *extra]


def timeline(kind: str, register: Path, edited: Path) -> str:
    """bench/trace.py's timeline of one build (see :func:`profile` for ``kind``), phases in
    the order they started."""
    cmd = [sys.executable, str(BENCH / "trace.py"), *trace_command(kind, register, edited)[2:]]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "CI": "true",
                            "BENCH_CODE": str(measure.CODE)})
    rows = [ln for ln in r.stderr.splitlines() if ln.startswith("[")]
    return "\n".join(sorted(rows, key=lambda ln: float(ln.rsplit(": ", 1)[1].split(" -> ")[0]))) or _failed(r)


def section(unmet: list[tuple[str, str, Path, Path]]) -> list[str]:
    """RESULTS.md lines: a profile and a timeline for each (kind, label, register, edited)."""
    if not unmet:
        return []
    lines = ["## Profiles of the targets not met", "",
             "Each is `cProfile` of one build in one process (the measured builds fork up to three "
             "processes, which a profiler in the parent does not see), so the times are CPU seconds "
             "inflated by the profiler; read them as shares. Produced by this command, like the tables.", ""]
    for kind, label, reg, edited in unmet:
        lines += [f"### {KINDS[kind]}, {label}", "", "```", profile(kind, reg, edited), "```", ""]
    for kind, label, reg, edited in unmet:
        lines += [f"### Timeline: {KINDS[kind].lower()}, {label}", "",
                  f"`{' '.join(trace_command(kind, reg, edited))}`: when each phase started and ended (seconds "
                  "since the build's start, after the interpreter's start-up) and in which process; the two "
                  "cores are busy where two processes work at once.", "",
                  "```", timeline(kind, reg, edited), "```", ""]
    return lines
