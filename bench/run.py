"""The benchmark: kanalregister against Hugo on the same pages. One command:

    python bench/run.py                     # sizes 300, 10000, 100000; 3 runs each
    python bench/run.py --sizes 300,10000 --runs 5

For each size it generates a register (bench/generate.py) and, from the same data, a Hugo
site with one content file per channel and an index listing them all grouped by
förvaltning. It measures, in fresh processes, over several runs:

* the cold ``check`` (interpreter start included);
* the full build (validation, every page, the exports) into an empty folder, with no
  build cache (``.siteN.kanalregister-cache/`` is removed before each full build);
* the rebuild after editing one channel (output folder and build cache from the previous
  build present), and how many files it rewrote and how many actually changed;
* the peak memory (max RSS of the process, from wait4);
* Hugo's build of the same pages (``hugo --quiet``), time and peak memory, each run right
  after one full build; the ratio is the median of these pairs' ratios, so that a change in
  the shared machine's speed between the runs does not enter it.

It writes the medians and ratios to bench/RESULTS.md with a description of the machine.
Wall-clock times on a shared machine are noisy: the medians of several runs are reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
TODAY = "2026-11-22"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from generate import generate  # noqa: E402


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, int, int]:
    """Run a command; return (wall seconds, peak RSS in KiB, exit status)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    return wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def register_for(n: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    text = generate(n)
    path = OUT / f"r{n}.yaml"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def hugo_site(n: int, register: Path) -> Path:
    """Write a Hugo site with the same pages: content/kanal/<id>.md per channel, an index."""
    from kanalregister.load import read_register

    site = OUT / f"hugo{n}"
    digest = hashlib.sha256(register.read_bytes()).hexdigest()[:16]
    if (site / ".digest").exists() and (site / ".digest").read_text() == digest:
        return site
    if site.exists():
        shutil.rmtree(site)
    (site / "content" / "kanal").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "/"\ntitle = "Exempelby"\nrelativeURLs = true\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n')
    for c in read_register(register).data["channels"]:
        fm = {"title": c["name"], "platform": c["platform"], "account": c["url"], "department": c["department"],
              "unit": c.get("unit"), "responsible_role": c.get("responsible_role"),
              "contact_email": c.get("contact_email"), "purpose": c.get("purpose"),
              "target_groups": list(c.get("target_groups") or []), "status": c["status"],
              "start_date": str(c.get("start_date"))}
        (site / "content" / "kanal" / f"{c['id']}.md").write_text(json.dumps(fm, ensure_ascii=False) + "\n",
                                                                   encoding="utf-8")
    (site / "layouts" / "index.html").write_text(
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{{ .Site.Title }}</title>'
        '<link rel="stylesheet" href="style.css"></head><body><main><h1>Förteckning</h1>\n'
        '{{ range (where .Site.RegularPages "Params.status" "active").GroupByParam "department" }}'
        '<section><h2>{{ .Key }}</h2><table><tbody>\n{{ range .Pages }}<tr><td><a href="{{ .Params.account }}">'
        '{{ .Title }}</a> <a href="{{ .RelPermalink }}">Om kanalen</a></td><td>{{ .Params.platform }}</td>'
        '<td>{{ .Params.unit }} {{ .Params.responsible_role }} {{ .Params.contact_email }}</td>'
        '<td>{{ .Params.purpose }}</td><td>{{ delimit .Params.target_groups ", " }}</td></tr>\n{{ end }}'
        '</tbody></table></section>{{ end }}</main></body></html>\n', encoding="utf-8")
    (site / "layouts" / "_default" / "single.html").write_text(
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>'
        '<main><h1>{{ .Title }} på {{ .Params.platform }}</h1><dl><dt>Adress</dt><dd><a href="{{ .Params.account }}">'
        '{{ .Params.account }}</a></dd><dt>Förvaltning</dt><dd>{{ .Params.department }}</dd><dt>Enhet</dt><dd>'
        '{{ .Params.unit }}</dd><dt>Kontoansvarig</dt><dd>{{ .Params.responsible_role }}</dd><dt>Kontakt</dt><dd>'
        '{{ .Params.contact_email }}</dd><dt>Syfte</dt><dd>{{ .Params.purpose }}</dd><dt>Målgrupp</dt><dd>'
        '{{ delimit .Params.target_groups ", " }}</dd><dt>Startdatum</dt><dd>{{ .Params.start_date }}</dd></dl>'
        '</main></body></html>\n', encoding="utf-8")
    (site / "layouts" / "_default" / "list.html").write_text("", encoding="utf-8")
    (site / ".digest").write_text(digest)
    return site


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """path → (inode, mtime_ns, sha256) of every file, to see what a rebuild rewrote and changed."""
    out = {}
    for p in folder.rglob("*"):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(folder).as_posix()] = (st.st_ino, st.st_mtime_ns, hashlib.sha256(p.read_bytes()).digest())
    return out


def edit_one(register: Path, n: int) -> Path:
    """A copy of the register with one channel's purpose changed."""
    edited = OUT / f"r{n}-edited.yaml"
    text = register.read_text(encoding="utf-8")
    i = text.index(f"  - id: kanal-{n // 2}\n")
    j = text.index("    purpose: ", i)
    k = text.index("\n", j)
    edited.write_text(text[:j] + "    purpose: Ett ändrat syfte för den här kanalen." + text[k:], encoding="utf-8")
    return edited


PROFILE_SCRIPT = r"""
import cProfile, io, os, pstats, shutil, sys
sys.path.insert(0, sys.argv[1])
os.environ["SOURCE_DATE_EPOCH"] = "1795000000"
os.environ["CI"] = "true"
import kanalregister.incremental as incremental, kanalregister.pipeline as pipeline
from kanalregister.cli import main
# one process, so that the profile sees all the work (the real build forks)
incremental.PARALLEL_MIN = pipeline.PARALLEL_MIN = 10**9
kind, register, edited, out = sys.argv[2:6]
cache = os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".kanalregister-cache")
for folder in (out, cache, os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".spare")):
    shutil.rmtree(folder, ignore_errors=True)
args = ["build", "-r", register, "--out", out, "--today", "2026-11-22"]
if kind == "rebuild":
    main(args)
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


def profile(kind: str, n: int) -> str:
    """cProfile of one build (``full``) or one rebuild after the edit (``rebuild``) of the
    ``n``-channel register, in one process; the top functions as text."""
    reg = register_for(n)
    edited = edit_one(reg, n)
    out = OUT / f"profile-site{n}"
    r = subprocess.run([sys.executable, "-c", PROFILE_SCRIPT, str(ROOT), kind, str(reg), str(edited), str(out)],
                       capture_output=True, text=True)
    lines = [ln.rstrip() for ln in r.stdout.splitlines() if ln.strip()]
    keep = [ln.replace(str(ROOT) + "/", "") for ln in lines
            if not ln.lstrip().startswith(("Ordered by", "List reduced"))]
    return "\n".join(keep[:60])


def timeline(n: int, rebuild: bool = False) -> str:
    """bench/trace.py's timeline of one full build of the ``n``-channel register (or of the
    rebuild after the edit), phases in the order they started."""
    reg = register_for(n)
    extra = ["--rebuild", str(edit_one(reg, n))] if rebuild else []
    r = subprocess.run([sys.executable, str(BENCH / "trace.py"), str(reg), *extra], capture_output=True, text=True,
                       env={**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "CI": "true"})
    rows = [ln for ln in r.stderr.splitlines() if ln.startswith("[")]
    return "\n".join(sorted(rows, key=lambda ln: float(ln.rsplit(": ", 1)[1].split(" -> ")[0])))


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def bench_size(n: int, runs: int, hugo: str | None) -> dict:
    py = sys.executable
    reg = register_for(n)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "CI": "true"}
    res: dict = {"n": n, "runs": runs}
    checks = [run([py, str(ROOT / "build.py"), "check", "-r", str(reg), "--today", TODAY], env=env)
              for _ in range(runs)]
    res["check_s"] = median([c[0] for c in checks])
    res["check_ok"] = all(c[2] == 0 for c in checks)
    builds, rebuilds, rewritten, changed, hruns = [], [], [], [], []
    site = OUT / f"site{n}"
    cache = OUT / f".site{n}.kanalregister-cache"  # the build cache beside the output folder
    hsite = hugo_site(n, reg) if hugo else None
    for _ in range(runs):
        for folder in (site, cache):  # a full build starts from nothing: no site, no cache
            if folder.exists():
                shutil.rmtree(folder)
        builds.append(run([py, str(ROOT / "build.py"), "build", "-r", str(reg), "--out", str(site), "--today", TODAY],
                          env=env))
        if hsite is not None:  # right after: the pair sees the same machine (its load drifts over minutes)
            dest = OUT / f"hugo{n}-public"
            if dest.exists():
                shutil.rmtree(dest)
            hruns.append(run([hugo, "--quiet", "-s", str(hsite), "-d", str(dest)]))
        before = snapshot(site)
        edited = edit_one(reg, n)
        rebuilds.append(run([py, str(ROOT / "build.py"), "build", "-r", str(edited), "--out", str(site),
                             "--today", TODAY], env=env))
        after = snapshot(site)
        rewritten.append(sum(1 for k, v in after.items() if k not in before or before[k][:2] != v[:2]))
        changed.append(sum(1 for k, v in after.items() if k not in before or before[k][2] != v[2]))
    res["build_s"] = median([b[0] for b in builds])
    res["build_ok"] = all(b[2] == 0 for b in builds)
    res["build_rss_mib"] = max(b[1] for b in builds) / 1024
    res["rebuild_s"] = median([b[0] for b in rebuilds])
    res["rebuild_files_rewritten"] = int(median(rewritten))
    res["rebuild_files_changed"] = int(median(changed))
    res["files"] = len(snapshot(site))
    if hruns:
        res["hugo_s"] = median([h[0] for h in hruns])
        res["hugo_ok"] = all(h[2] == 0 for h in hruns)
        res["hugo_rss_mib"] = max(h[1] for h in hruns) / 1024
        # the median of the ratios of the pairs (each build with the Hugo run right after it)
        res["ratio"] = median([b[0] / h[0] for b, h in zip(builds, hruns, strict=True)])
        res["builds_s"], res["hugos_s"] = [round(b[0], 3) for b in builds], [round(h[0], 3) for h in hruns]
    return res


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    hugo = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.strip() if shutil.which("hugo") \
        else "not installed"
    return (f"{os.cpu_count()} cores ({cpu}){mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {hugo}")


def profiles_wanted(by_n: dict) -> list[tuple[tuple[str, int], bool]]:
    """The (kind, size) profiles to add: one per unmet time target. The 100,000-channel
    targets are explained by the 10,000-channel profile (time per channel grows little)."""
    out = []
    r = by_n.get(10000)
    if r is not None:
        if r.get("ratio", 0) > 0.5 or by_n.get(100000, {}).get("build_s", 0) > 60:
            out.append((("full", 10000), True))
        if r["rebuild_s"] > 1:
            out.append((("rebuild", 10000), True))
    return out


def write_results(results: list[dict], runs: int, path: Path) -> str:
    lines = ["# Benchmark results", "",
             f"Produced by `python bench/run.py` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; "
             "do not edit by hand.", "", f"Machine: {machine()}", "",
             f"Medians of {runs} runs each, wall-clock seconds, fresh processes (interpreter start included). "
             "Each full build is followed at once by a Hugo build; build / Hugo is the median of these pairs' "
             "ratios. Peak memory is the largest resident set of the build process (wait4).", "",
             "| channels | cold check | full build | Hugo, same pages | build / Hugo | rebuild after one edit | "
             "files rewritten / changed by the rebuild | peak memory (build) | peak memory (Hugo) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(
            f"| {r['n']:,} | {r['check_s']:.2f} s | {r['build_s']:.2f} s | {r.get('hugo_s', float('nan')):.2f} s | "
            f"{r.get('ratio', float('nan')):.2f} | {r['rebuild_s']:.2f} s | "
            f"{r['rebuild_files_rewritten']:,} / {r['rebuild_files_changed']:,} of {r['files']:,} | "
            f"{r['build_rss_mib']:.0f} MiB | {r.get('hugo_rss_mib', float('nan')):.0f} MiB |")
    pairs = [r for r in results if r.get("builds_s")]
    if pairs:
        lines += ["", "The pairs behind build / Hugo (full build, then Hugo right after), seconds, in run order:", ""]
        for r in pairs:
            lines.append(f"- {r['n']:,}: " + ", ".join(f"{b:.2f} / {h:.2f}"
                                                      for b, h in zip(r["builds_s"], r["hugos_s"], strict=True))
                         + f" (slowest / fastest run: ours {max(r['builds_s']) / min(r['builds_s']):.2f}×, "
                         f"Hugo's {max(r['hugos_s']) / min(r['hugos_s']):.2f}×)")
        lines += ["", "Hugo does the same work in each of its runs, so the spread of its times shows how much the "
                  "shared machine's speed changed during the run."]
    by_n = {r["n"]: r for r in results}
    lines += ["", "## Targets", "", "| target | limit | measured | met |", "|---|---|---|---|"]

    def row(name, limit, value, ok):
        lines.append(f"| {name} | {limit} | {value} | {'yes' if ok else '**no**'} |")

    if 10000 in by_n and "ratio" in by_n[10000]:
        r = by_n[10000]
        row("10,000: full build / Hugo", "≤ 0.5", f"{r['ratio']:.2f}", r["ratio"] <= 0.5)
        row("10,000: rebuild after one edit", "≤ 1 s", f"{r['rebuild_s']:.2f} s", r["rebuild_s"] <= 1)
        row("10,000: rebuild rewrites only changed files", "rewritten = changed",
            f"{r['rebuild_files_rewritten']} rewritten, {r['rebuild_files_changed']} changed",
            r["rebuild_files_rewritten"] == r["rebuild_files_changed"])
    if 100000 in by_n:
        r = by_n[100000]
        row("100,000: full build", "≤ 60 s", f"{r['build_s']:.1f} s", r["build_s"] <= 60)
        row("100,000: peak memory", "≤ 1.5 GiB", f"{r['build_rss_mib']:.0f} MiB", r["build_rss_mib"] <= 1536)
        if 10000 in by_n:
            growth = (r["build_s"] / 100000) / (by_n[10000]["build_s"] / 10000)
            row("time per channel, 100,000 / 10,000", "≤ 1.3", f"{growth:.2f}", growth <= 1.3)
    if 300 in by_n:
        r = by_n[300]
        row("300: cold check", "≤ 1 s", f"{r['check_s']:.2f} s", r["check_s"] <= 1)
    lines += ["", "Sizes not listed were not run in this invocation.", ""]
    unmet = [name for name, _ok in profiles_wanted(by_n)]
    if unmet:
        lines += ["## Profiles of the targets not met", "",
                  "Each is `cProfile` of one build in one process (the measured builds fork up to three "
                  "processes, which a profiler in the parent does not see), so the times are CPU seconds "
                  "inflated by the profiler; read them as shares. Produced by this command, like the tables.", ""]
        if by_n.get(100000, {}).get("build_s", 0) > 60:
            lines += ["The 100,000-channel build does the same work per channel as the 10,000-channel one "
                      "(see the time per channel above), so the profile and timeline of the 10,000-channel "
                      "full build explain it too; the spread of Hugo's times above shows the machine's part.", ""]
        for name in unmet:
            kind, n = name
            lines += [f"### {'Full build' if kind == 'full' else 'Rebuild after one edit'}, {n:,} channels", "",
                      "```", profile(kind, n), "```", ""]
        for kind, n in unmet:
            command = f"python bench/trace.py bench/out/r{n}.yaml" + (
                f" --rebuild bench/out/r{n}-edited.yaml" if kind == "rebuild" else "")
            lines += [f"### Timeline of one {'full build' if kind == 'full' else 'rebuild after one edit'}, "
                      f"{n:,} channels", "",
                      f"`{command}`: when each phase started and ended (seconds since the build's start, after "
                      "the interpreter's start-up) and in which process; the two cores are busy where two "
                      "processes work at once.", "", "```", timeline(n, kind == "rebuild"), "```", ""]
    text = "\n".join(lines)
    path.write_text(text, encoding="utf-8")
    (OUT / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="300,10000,100000", help="comma-separated register sizes")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    ap.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument("--report-only", action="store_true",
                    help="write RESULTS.md (and its profiles) from the last run's bench/out/results.json")
    args = ap.parse_args(argv)
    if args.report_only:
        results = json.loads((OUT / "results.json").read_text(encoding="utf-8"))
        print(write_results(results, results[0]["runs"], args.output))
        return 0
    # Measure kanalregister as installed: with its modules compiled to bytecode (pip does
    # this on install; an editable install under PYTHONDONTWRITEBYTECODE would compile them
    # again in every process).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kanalregister")], check=True)
    hugo = shutil.which("hugo")
    if hugo is None:
        print("hugo not found: install Debian's hugo package for the comparison", file=sys.stderr)
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"benchmarking {n} channels …", file=sys.stderr, flush=True)
        results.append(bench_size(n, args.runs, hugo))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(write_results(results, args.runs, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
