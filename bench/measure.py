"""Helpers of the benchmark (bench/run.py): running a command and measuring it, the Hugo
site with the same pages, the one-channel edit, what a rebuild wrote, the machine."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
#: the kanalregister checkout measured (its build.py and kanalregister/); run.py's --code.
#: The benchmark itself never imports kanalregister, so it runs whatever state that code is in.
CODE = ROOT


def cache_path(out: Path) -> Path:
    """The build cache of output folder ``out`` (kanalregister/cache.py: cache_path)."""
    return out.parent / f".{out.name}.kanalregister-cache"


def spare_path(out: Path) -> Path:
    """The spare copy of the output folder (kanalregister/publish.py: Publisher.spare_path)."""
    return out.parent / f".{out.name}.spare"


@dataclass
class Run:
    """One measured process: wall seconds, peak RSS in KiB (ru_maxrss from wait4: the
    largest of the process and every child it waited for), exit status, and, when sampled,
    the peak of the summed PSS of the process and its descendants in KiB (else 0)."""

    wall: float
    rss_kib: int
    status: int
    tree_pss_kib: int = 0


class _TreePss(threading.Thread):
    """Samples the proportional set size (PSS) of a process and all its descendants every
    ``interval`` seconds; ``peak`` is the largest sum seen. PSS splits pages shared after a
    fork between the processes, so the sum is the memory the tree really holds."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.stop = threading.Event()

    @staticmethod
    def _tree(pid: int) -> list[int]:
        out, todo = [], [pid]
        while todo:
            p = todo.pop()
            out.append(p)
            try:
                todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
            except OSError:
                pass
        return out

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            total = 0
            for p in self._tree(self.pid):
                try:
                    for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                        if line.startswith("Pss:"):
                            total += int(line.split()[1])
                            break
                except (OSError, ValueError):
                    pass
            self.peak = max(self.peak, total)


#: GNU time, to read the peak RSS of a process started by a small parent: a process forked
#: from this (large) one inherits its high-water mark, which ru_maxrss then reports
TIME = shutil.which("time", path="/usr/bin:/bin")


def run(cmd: list, env: dict | None = None, stderr: Path | None = None, sample: bool = False) -> Run:
    """Run a command in a fresh process; see :class:`Run`. ``stderr``: a file for its
    diagnostics (else discarded); ``sample``: also sample the process tree's PSS.

    The peak RSS is GNU time's %M (wait4 of the command in GNU time, which includes every
    child the command waited for); without GNU time, this process's wait4, which can
    include this process's own size at the fork."""
    err = open(stderr, "wb") if stderr else subprocess.DEVNULL  # noqa: SIM115
    report = OUT / ".time.txt"
    wrap = [TIME, "-f", "%M", "-o", str(report)] if TIME else []
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(wrap + [str(c) for c in cmd], env=env, stdout=subprocess.DEVNULL, stderr=err)
        sampler = _TreePss(proc.pid) if sample else None
        if sampler:
            sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if sampler:
            sampler.stop.set()
            sampler.join()
    finally:
        if stderr:
            err.close()
    rss = int(report.read_text().split()[-1]) if TIME else usage.ru_maxrss
    return Run(wall, rss, os.waitstatus_to_exitcode(status), sampler.peak if sampler else 0)


def count_diagnostics(stderr: Path) -> tuple[int, int]:
    """(errors, warnings) in a check's or build's text output."""
    text = stderr.read_text(encoding="utf-8", errors="replace")
    total = re.search(r"(?m)^(\d+) error\(s\), (\d+) warning\(s\)$", text)  # check's summary
    if total:
        return int(total[1]), int(total[2])
    more = {kind: sum(int(n) for n in re.findall(rf"(?m)^… and (\d+) more {kind}\(s\)", text))
            for kind in ("error", "warning")}  # build lists only the first few
    return (len(re.findall(r"(?m)^\S.*:\d+:\d+: error: ", text)) + more["error"],
            len(re.findall(r"(?m)^\S.*:\d+:\d+: warning: ", text)) + more["warning"])


def remove(*folders: Path) -> None:
    for f in folders:
        if f.exists():
            shutil.rmtree(f)


# ---------------------------------------------------------------- the one-channel edit


def edit_one(text: str) -> str:
    """``text`` with the purpose of its middle channel changed (added where it has none,
    after the department, as in an imported register)."""
    end = text.find("\nparty_channels:")
    starts = [m.start() for m in re.finditer(r"\n  - id: ", text[:end] if end >= 0 else text)]
    i = starts[len(starts) // 2]
    j = starts[len(starts) // 2 + 1] if len(starts) // 2 + 1 < len(starts) else (end if end >= 0 else len(text))
    entry = text[i:j]
    new = "    purpose: Ett ändrat syfte för den här kanalen."
    if "\n    purpose: " in entry:
        entry = re.sub(r"(?m)^    purpose: .*$", new, entry, count=1)
    else:
        entry = re.sub(r"(?m)^(    department: .*)$", lambda m: m.group(1) + "\n" + new, entry, count=1)
    return text[:i] + entry + text[j:]


# ---------------------------------------------------------------- what a rebuild wrote


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """path → (inode, mtime_ns, sha256) of every file, to see what a rebuild rewrote and changed."""
    out = {}
    for p in folder.rglob("*"):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(folder).as_posix()] = (st.st_ino, st.st_mtime_ns, hashlib.sha256(p.read_bytes()).digest())
    return out


def written(before: dict, after: dict) -> tuple[int, int]:
    """(files rewritten: new, removed, or another inode or mtime; files whose bytes changed:
    new, removed, or other content)."""
    gone = len(before.keys() - after.keys())
    rewritten = gone + sum(1 for k, v in after.items() if k not in before or before[k][:2] != v[:2])
    changed = gone + sum(1 for k, v in after.items() if k not in before or before[k][2] != v[2])
    return rewritten, changed


# ---------------------------------------------------------------- Hugo, same pages


def hugo_site(label: str, register: Path) -> Path:
    """Write a Hugo site with the same pages: content/kanal/<id>.md per channel, an index
    listing the active ones grouped by förvaltning. Kept while the register is the same."""
    import yaml  # PyYAML with libyaml: about 5 s per 10,000 channels, once per register

    site = OUT / f"hugo-{label}"
    digest = hashlib.sha256(register.read_bytes()).hexdigest()[:16]
    if (site / ".digest").exists() and (site / ".digest").read_text() == digest:
        return site
    remove(site)
    (site / "content" / "kanal").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "/"\ntitle = "Exempelby"\nrelativeURLs = true\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n')
    with open(register, encoding="utf-8") as fh:
        channels = yaml.load(fh, Loader=yaml.CSafeLoader)["channels"]
    for c in channels:
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


# ---------------------------------------------------------------- figures and the machine


def stat(xs: list[float]) -> tuple[float, float, float]:
    """(median, min, max); NaNs when empty."""
    return (statistics.median(xs), min(xs), max(xs)) if xs else (float("nan"),) * 3


def fmt(xs: list[float], unit: str = " s", digits: int = 2) -> str:
    """``median (min–max)`` of ``xs`` with ``unit``, e.g. ``6.63 s (6.57–6.92, n=3)``."""
    if not xs:
        return "not measured"
    m, lo, hi = stat(xs)
    if len(xs) == 1:
        return f"{m:.{digits}f}{unit} (n=1)"
    return f"{m:.{digits}f}{unit} ({lo:.{digits}f}–{hi:.{digits}f}, n={len(xs)})"


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
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or os.cpu_count()
    return (f"nproc {nproc} ({cpu}){mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()} ({sys.executable}); {hugo}")


def code_state(code: Path) -> dict:
    """What code is measured: the git commit, files changed since it (in the package, its
    templates and content), and a digest of those folders (compared at the end of a run,
    as other people may edit the working tree meanwhile)."""

    def git(*args):
        r = subprocess.run(["git", "--no-optional-locks", *args], cwd=code, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""

    folders = ["kanalregister", "templates", "content"]
    h = hashlib.sha256()
    for f in sorted(p for d in folders for p in (code / d).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(f.relative_to(code).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    commit = git("rev-parse", "--short", "HEAD")
    if (code / ".commit").exists():  # a copy from extract()
        commit = (code / ".commit").read_text().strip()
    return {"path": str(code), "commit": commit, "dirty": git("status", "--porcelain", "--", *folders).splitlines(),
            "digest": h.hexdigest()[:12]}


def extract(ref: str) -> Path:
    """A copy of the repository at git ``ref`` in bench/out/code-<commit>/ (git archive: reads
    the repository only), to measure committed code while the working tree is being edited."""
    sha = subprocess.run(["git", "--no-optional-locks", "rev-parse", "--short", ref], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    dest = OUT / f"code-{sha}"
    if not (dest / ".commit").exists():
        remove(dest)
        dest.mkdir(parents=True)
        archive = subprocess.run(["git", "--no-optional-locks", "archive", sha], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        (dest / ".commit").write_text(sha + "\n")
    return dest
