"""The benchmark: kanalregister on realistic registers, against Hugo on the same pages.

    python bench/run.py                               # national list; 300, 10000, 100000; 3 runs
    python bench/run.py --sizes 300,10000 --runs 3    # quick: no 100,000
    python bench/run.py --skip-100k                   # the same, whatever --sizes says
    python bench/run.py --runs-100k 1                 # one run of the (slow) 100,000 register
    python bench/run.py --commit cca1e22              # the code of a commit (git archive into bench/out/),
                                                      # not the working tree others are editing

The registers (in bench/out/):

* ``national.yaml``: the real national list (../shared/data/sweden-public-bodies-social-
  accounts.csv, 2,151 accounts of 609 bodies) through ``kanalregister import``; its entries
  lack purpose, target group, administrators etc., so ``check`` warns about each gap;
* ``rN.yaml``: the demo register channels.yaml replicated to N channels (bench/generate.py):
  the demo's content and its share of warnings (archive and review overdue, passive
  accounts), no errors. ``--clean`` measures the synthetic registers with no warnings instead.

For each register it measures, with the CLI in fresh processes (``python build.py …``,
interpreter start included), over ``--runs`` runs:

* the cold ``check`` (not at 100,000);
* the full build into an empty folder with no build cache (the output folder, its cache
  ``.<out>.kanalregister-cache`` and its spare copy ``.<out>.spare`` are removed first),
  each followed at once by Hugo's build of the same pages (``hugo --quiet``); build / Hugo
  is the median of these pairs' ratios, so that drift of the shared machine's speed between
  runs does not enter it;
* the rebuild after editing one channel's purpose in the register file (output and cache
  present), then the rebuild with nothing changed; for each, the files it rewrote (new
  inode or mtime) and the files whose bytes changed (not at 100,000);
* the peak memory: ru_maxrss from wait4 (the largest of the build process and of every
  forked child it waited for), read through GNU time so that this process's own size does
  not enter it (a forked process inherits its parent's high-water mark), and, at 100,000,
  the sampled peak of the summed PSS of the whole process tree (what the build's forked
  processes hold together).

It writes bench/RESULTS.md (medians with min–max) and bench/out/results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import measure
from generate import generate
from measure import (
    BENCH,
    OUT,
    ROOT,
    cache_path,
    code_state,
    count_diagnostics,
    edit_one,
    extract,
    fmt,
    hugo_site,
    machine,
    remove,
    run,
    snapshot,
    spare_path,
    stat,
    written,
)

TODAY = "2026-11-22"
CSV = ROOT.parent / "shared" / "data" / "sweden-public-bodies-social-accounts.csv"
IMPORT_ARGS = ["--name", "Sveriges offentliga organ", "--website", "https://www.example.se",
               "--email", "info@example.se", "--register-keeper", "Benchmark"]
# The measured commands speak English: this script reads their output (counts, the import's
# summary). The language changes only the words of the messages, not the work.
os.environ["KANALREGISTER_LANG"] = "en"
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "CI": "true"}
BIG = 100000


def national() -> tuple[str, dict]:
    """Import the national list into bench/out/national.yaml; return its path and what the import said."""
    OUT.mkdir(parents=True, exist_ok=True)
    dest, log = OUT / "national.yaml", OUT / "national.import.txt"
    cmd = [sys.executable, measure.CODE / "build.py", "import", CSV, "-o", dest, *IMPORT_ARGS]
    with open(log, "wb") as fh:
        status = subprocess.run([str(c) for c in cmd], stdout=fh, stderr=subprocess.STDOUT).returncode
    text = log.read_text(encoding="utf-8")
    m = re.search(r"imported (\d+) channels of (\d+) organisations; (\d+) import finding", text)
    errors, warnings = count_diagnostics(log)
    return dest, {"status": status, "channels": int(m[1]) if m else None, "organisations": int(m[2]) if m else None,
                  "findings": int(m[3]) if m else None, "finding_errors": errors, "finding_warnings": warnings,
                  "command": "kanalregister import " + shlex.join([os.path.relpath(CSV, ROOT), "-o",
                                                                   os.path.relpath(dest, ROOT), *IMPORT_ARGS])}


def register_for(n: int, kind: str) -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    text = generate(n, kind)
    path = OUT / (f"r{n}.yaml" if kind == "realistic" else f"r{n}-clean.yaml")
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    edited = path.with_name(path.stem + "-edited.yaml")  # for bench/trace.py and the profiles
    edited.write_text(edit_one(text), encoding="utf-8")
    return path


def bench_register(key: str, reg, runs: int, hugo: str | None, check: bool, rebuilds: bool = True) -> dict:
    """Measure one register (see the module text); the figures are lists, one per run.
    ``check``: measure the cold check; ``rebuilds``: measure the two rebuilds."""
    py, build = sys.executable, measure.CODE / "build.py"
    text = reg.read_text(encoding="utf-8")
    work = OUT / f"{key}.work.yaml"  # edited in place, like a user's channels.yaml
    work.write_text(text, encoding="utf-8")
    site = OUT / f"site-{key}"
    res: dict = {"key": key, "register": os.path.relpath(reg, ROOT), "runs": runs,
                 "channels": len(re.findall(r"(?m)^  - id: ", text.split("\nparty_channels:")[0])),
                 "load": [os.getloadavg()[0]]}
    if check:
        checks = [run([py, build, "check", "-r", work, "--today", TODAY], ENV, OUT / f"{key}.check.txt")
                  for _ in range(runs)]
        res["check_s"] = [c.wall for c in checks]
        res["check_status"] = [c.status for c in checks]
    hsite = hugo_site(key, reg) if hugo else None
    cmd = [py, build, "build", "-r", work, "--out", site, "--today", TODAY]
    for k in ("build", "hugo", "edit", "noop"):
        res[f"{k}_s"], res[f"{k}_status"], res[f"{k}_rss_mib"] = [], [], []
    res["build_tree_pss_mib"], res["edit_files"], res["noop_files"] = [], [], []
    for i in range(runs):
        work.write_text(text, encoding="utf-8")
        remove(site, cache_path(site), spare_path(site))  # nothing from before
        b = run(cmd, ENV, OUT / f"{key}.build.txt", sample=res["channels"] >= BIG)
        res["build_s"].append(b.wall)
        res["build_status"].append(b.status)
        res["build_rss_mib"].append(b.rss_kib / 1024)
        if b.tree_pss_kib:
            res["build_tree_pss_mib"].append(b.tree_pss_kib / 1024)
        if i == 0:
            res["errors"], res["warnings"] = count_diagnostics(OUT / f"{key}.build.txt")
        if hsite is not None:  # right after: the pair sees the same machine (its load drifts over minutes)
            dest = OUT / f"hugo-{key}-public"
            remove(dest)
            h = run([hugo, "--quiet", "-s", hsite, "-d", dest])
            res["hugo_s"].append(h.wall)
            res["hugo_status"].append(h.status)
            res["hugo_rss_mib"].append(h.rss_kib / 1024)
        if not rebuilds:
            continue
        before = snapshot(site)
        work.write_text(edit_one(text), encoding="utf-8")
        for k in ("edit", "noop"):  # the edit, then the same register again
            r = run(cmd, ENV)
            res[f"{k}_s"].append(r.wall)
            res[f"{k}_status"].append(r.status)
            res[f"{k}_rss_mib"].append(r.rss_kib / 1024)
            after = snapshot(site)
            res[f"{k}_files"].append(written(before, after))
            before = after
    res["files"] = sum(1 for p in site.rglob("*") if p.is_file())
    res["load"].append(os.getloadavg()[0])
    if res["hugo_s"]:
        res["ratio"] = [b / h for b, h in zip(res["build_s"], res["hugo_s"], strict=True)]
    return res


def _med(r: dict | None, key: str) -> float:
    return stat(r.get(key, []))[0] if r else float("nan")


def _files(r: dict, k: str) -> str:
    pairs = r[f"{k}_files"]
    if not pairs:
        return "not measured"
    rew, chg = stat([p[0] for p in pairs])[0], stat([p[1] for p in pairs])[0]
    spread = "" if len({tuple(p) for p in pairs}) == 1 else " (runs: " + ", ".join(f"{a}/{b}" for a, b in pairs) + ")"
    return f"{rew:,.0f} / {chg:,.0f}{spread}"


def targets(by: dict) -> list[tuple[str, str, str, bool | None]]:
    """(what, measured, required, met) rows; met is None when not measured."""
    nat, r10, r100 = by.get("national"), by.get("10000"), by.get(str(BIG))
    rows = []

    def row(what, r, key, required, limit, unit=" s", digits=2):
        xs = r.get(key, []) if r else []
        rows.append((what, fmt(xs, unit, digits), required, (stat(xs)[0] <= limit) if xs else None))

    row("national list: cold check", nat, "check_s", "≤ 1.0 s", 1.0)
    row("national list: full build", nat, "build_s", "≤ 1.5 s", 1.5)
    row("10,000: full build / Hugo (median of pairwise ratios)", r10, "ratio", "≤ 1.5 (aim 1.0)", 1.5, "")
    row("10,000: rebuild after one edit", r10, "edit_s", "≤ 1.0 s", 1.0)
    row("10,000: rebuild with nothing changed", r10, "noop_s", "≤ 0.5 s", 0.5)
    if r10:
        ok = all(a == b for a, b in r10["edit_files"])
        rows.append(("10,000: files rewritten / changed by one edit", _files(r10, "edit"),
                     "rewritten = changed", ok))
    else:
        rows.append(("10,000: files rewritten / changed by one edit", "not measured", "rewritten = changed", None))
    row("100,000: full build", r100, "build_s", "≤ 100 s", 100, " s", 1)
    xs = r100["build_rss_mib"] if r100 else []
    rows.append(("100,000: peak memory (max RSS, wait4, children included)", fmt(xs, " MiB", 0), "≤ 1.5 GiB",
                 stat(xs)[0] <= 1536 if xs else None))
    xs = r100["build_tree_pss_mib"] if r100 else []
    rows.append(("100,000: peak memory of the whole process tree (sum of PSS, sampled every 0.2 s)",
                 fmt(xs, " MiB", 0), "(for information)", None))
    if r100 and r10:
        g = (_med(r100, "build_s") / r100["channels"]) / (_med(r10, "build_s") / r10["channels"])
        rows.append(("time per channel, 100,000 / 10,000 (medians of full builds)", f"{g:.2f}×", "≤ 1.3×", g <= 1.3))
    else:
        rows.append(("time per channel, 100,000 / 10,000", "not measured", "≤ 1.3×", None))
    return rows


def _code_line(meta: dict) -> str:
    c = meta.get("code")
    if not c:
        return "Code: not recorded."
    dirty = ", ".join(ln[3:] for ln in c["dirty"]) or "none"
    after = meta.get("code_after")
    same = ("the same at the end of the run" if after == c["digest"] else
            f"**changed during the run** (digest {after} at the end)" if after else "not checked at the end")
    return (f"Code: commit {c['commit']}; uncommitted changes in kanalregister/, templates/, content/: {dirty}; "
            f"digest of those folders {c['digest']}, {same}.")


def write_results(results: list[dict], meta: dict, path, profiles: bool = True) -> str:
    by = {r["key"]: r for r in results}
    lines = ["# Benchmark results", "",
             f"Produced by `{meta['command']}` on {meta['when']} UTC; do not edit by hand.", "",
             f"Machine: {meta['machine']}", "", _code_line(meta), "",
             f"Registers: {meta['kind']} (see bench/run.py and bench/generate.py). Figures are medians of the "
             "runs with their min–max, wall-clock seconds of fresh processes (interpreter start included).", "",
             "## Targets (issue 14)", "", "| what | measured (median (min–max), n runs) | required | met |",
             "|---|---|---|---|"]
    for what, measured, required, met in targets(by):
        lines.append(f"| {what} | {measured} | {required} | {'—' if met is None else 'yes' if met else '**no**'} |")
    lines += ["", "## Every register", "",
              "| register | channels | check: errors / warnings | cold check | full build | Hugo, same pages | "
              "build / Hugo | rebuild after one edit | files rewritten / changed | rebuild, nothing changed | "
              "files rewritten / changed | peak RSS (build, wait4) | peak PSS, process tree (sampled) | "
              "peak RSS (Hugo) | files |", "|---" + "|---:" * 14 + "|"]
    for r in results:
        name = "national list" if r["key"] == "national" else f"realistic {int(r['key']):,}"
        lines.append(
            f"| {name} | {r['channels']:,} | {r['errors']:,} / {r['warnings']:,} | {fmt(r.get('check_s', []))} | "
            f"{fmt(r['build_s'])} | {fmt(r['hugo_s'])} | {fmt(r.get('ratio', []), '')} | {fmt(r['edit_s'])} | "
            f"{_files(r, 'edit')} | {fmt(r['noop_s'])} | {_files(r, 'noop')} | "
            f"{stat(r['build_rss_mib'])[2]:.0f} MiB | "
            f"{f'{max(pss):.0f} MiB' if (pss := r['build_tree_pss_mib']) else '—'} | "
            f"{stat(r['hugo_rss_mib'])[2]:.0f} MiB | {r['files']:,} |")
    bad = [f"{r['key']} {k}" for r in results for k in ("check", "build", "hugo", "edit", "noop")
           if any(s != 0 for s in r.get(f"{k}_status", []))]
    status = "every process succeeded." if not bad else "**failed: " + ", ".join(bad) + "**"
    lines += ["", "Exit status: " + status, "",
              "The peak memory columns are the largest over the runs. The pairs behind build / Hugo (full "
              "build, then Hugo right after), seconds, in run order:", ""]
    for r in results:
        if r["hugo_s"]:
            pairs = zip(r["build_s"], r["hugo_s"], strict=True)
            lines.append(f"- {r['key']}: " + ", ".join(f"{b:.2f} / {h:.2f}" for b, h in pairs)
                         + f" (slowest / fastest run: ours {max(r['build_s']) / min(r['build_s']):.2f}×, "
                         f"Hugo's {max(r['hugo_s']) / min(r['hugo_s']):.2f}×; load average "
                         + " → ".join(f"{x:.1f}" for x in r.get("load", [])) + ")")
    lines += ["", "Hugo does the same work in each of its runs, so the spread of its times shows how much the "
              "shared machine's speed changed during the run.", ""]
    nat = meta.get("national")
    lines += ["## Commands", "", f"`python build.py` below is {meta['code']['path']}/build.py (see Code above), run by "
              f"{sys.executable}.", "", "```", meta["command"]]
    if nat:
        lines.append(f"{nat['command']}   # {nat['channels']:,} channels of {nat['organisations']:,} organisations,"
                     f" {nat['findings']} import findings ({nat['finding_errors']} errors)")
    for k in ("check", "build"):
        lines.append(f"python build.py {k} -r bench/out/KEY.work.yaml"
                     + (" --out bench/out/site-KEY" if k == "build" else "") + f" --today {TODAY}")
    lines += ["hugo --quiet -s bench/out/hugo-KEY -d bench/out/hugo-KEY-public", "```", "",
              "KEY is `national` or the size; KEY.work.yaml is a copy of national.yaml or rN.yaml that the "
              "benchmark edits in place (the middle channel's purpose) for the rebuilds. The builds run with "
              "SOURCE_DATE_EPOCH=1795000000 and CI=true.", ""]
    if profiles:
        unmet = []
        reg = {k: OUT / ("national.yaml" if k == "national" else f"r{k}.yaml") for k in by}
        if "national" in by and (_med(by["national"], "build_s") > 1.5 or _med(by["national"], "check_s") > 1.0):
            unmet.append(("full", "national list", reg["national"], reg["national"]))
        r10 = by.get("10000")
        if r10 and meta["kind"] == "realistic":
            ed = reg["10000"].with_name("r10000-edited.yaml")
            for kind, key, limit in (("full", "ratio", 1.5), ("rebuild", "edit_s", 1.0), ("noop", "noop_s", 0.5)):
                if _med(r10, key) > limit:
                    unmet.append((kind, "10,000 channels", reg["10000"], ed))
        import profiles as prof

        lines += prof.section(unmet)
    text = "\n".join(lines)
    path.write_text(text, encoding="utf-8")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="300,10000,100000", help="comma-separated register sizes")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    ap.add_argument("--runs-100k", type=int, help="runs for sizes of 100,000 and more (default: --runs)")
    ap.add_argument("--skip-100k", action="store_true", help="leave out sizes of 100,000 and more (quick runs)")
    ap.add_argument("--no-national", action="store_true", help="leave out the national list")
    ap.add_argument("--clean", action="store_true", help="generated registers with no warnings instead")
    ap.add_argument("--no-profiles", action="store_true", help="no profiles of the targets not met")
    ap.add_argument("--code", type=Path, help="measure the kanalregister checkout in this folder (default: this one)")
    ap.add_argument("--commit", metavar="REF", help="measure the code committed at git REF (a copy in bench/out/), "
                    "not the working tree")
    ap.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument("--report-only", action="store_true",
                    help="write RESULTS.md from the last run's bench/out/results.json")
    args = ap.parse_args(argv)
    output = args.output
    if args.report_only:
        saved = json.loads((OUT / "results.json").read_text(encoding="utf-8"))
        for r in saved["results"]:
            for k in ("edit_files", "noop_files"):
                r[k] = [tuple(p) for p in r[k]]
        print(write_results(saved["results"], saved["meta"], output, not args.no_profiles))
        return 0
    measure.CODE = extract(args.commit) if args.commit else (args.code.resolve() if args.code else ROOT)
    os.environ["BENCH_CODE"] = str(measure.CODE)  # for bench/trace.py
    # Measure kanalregister as installed: with its modules compiled to bytecode.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(measure.CODE / "kanalregister")], check=True)
    hugo = shutil.which("hugo")
    if hugo is None:
        print("hugo not found: install Debian's hugo package for the comparison", file=sys.stderr)
    kind = "clean" if args.clean else "realistic"
    meta = {"command": "python bench/run.py " + shlex.join(argv if argv is not None else sys.argv[1:]),
            "when": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}", "machine": machine(), "kind": kind,
            "code": code_state(measure.CODE)}
    todo = []
    if not args.no_national:
        path, meta["national"] = national()
        todo.append(("national", path, args.runs))
    for n in (int(s) for s in args.sizes.split(",")):
        if n >= BIG and args.skip_100k:
            continue
        todo.append((str(n), register_for(n, kind), (args.runs_100k or args.runs) if n >= BIG else args.runs))
    results = []
    for key, path, runs in todo:
        print(f"benchmarking {key} ({runs} runs) …", file=sys.stderr, flush=True)
        small = key == "national" or int(key) < BIG
        results.append(bench_register(key, path, runs, hugo, check=small, rebuilds=small))
        print(json.dumps({k: v for k, v in results[-1].items() if not k.endswith("_files")}), file=sys.stderr,
              flush=True)
        (OUT / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1), encoding="utf-8")
    meta["code_after"] = code_state(measure.CODE)["digest"]
    (OUT / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1), encoding="utf-8")
    print(write_results(results, meta, output, not args.no_profiles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
