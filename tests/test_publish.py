"""Atomic publishing: the previous site survives failures and SIGKILL mid-build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import DEMO, ROOT, TODAY, run_cli

from kanalregister.publish import Publisher


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_commit_replaces_the_whole_folder(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "stale.html").write_text("old")
    with Publisher(out) as pub:
        pub.write("index.html", "ny")
        pub.write("kanal/a.html", "a")
        pub.commit()
    assert _snapshot(out) == {"index.html": b"ny", "kanal/a.html": b"a"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_exception_leaves_the_old_folder(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("gammal")
    try:
        with Publisher(out) as pub:
            pub.write("index.html", "halv")
            raise RuntimeError("crash mid-build")
    except RuntimeError:
        pass
    assert _snapshot(out) == {"index.html": b"gammal"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


KILLED_BUILD = r"""
import sys, time
sys.path.insert(0, {root!r})
import kanalregister.publish as p
orig = p.Publisher.write
def slow(self, rel, text):
    orig(self, rel, text)
    if rel.startswith("kanal/"):
        print("writing", flush=True)
        time.sleep(30)
p.Publisher.write = slow
from kanalregister.cli import main
sys.exit(main(["build", "-r", {demo!r}, "--out", {out!r}, "--today", "2026-11-22"]))
"""


def test_sigkill_mid_build_leaves_previous_site_intact(tmp_path):
    out = tmp_path / "site"
    assert run_cli("build", "-r", str(DEMO), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    before = _snapshot(out)
    script = KILLED_BUILD.format(root=str(ROOT), demo=str(DEMO), out=str(out))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1"})
    try:
        assert proc.stdout.readline().strip() == "writing"  # it is mid-way through the pages
        leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".site.tmp-")]
        assert leftovers, "the build writes into a temporary sibling folder"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert _snapshot(out) == before
    # the next build cleans up the killed build's leftovers
    time.sleep(0.01)
    assert run_cli("build", "-r", str(DEMO), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_output_path_that_is_a_file(tmp_path):
    f = tmp_path / "site"
    f.write_text("x")
    r = run_cli("build", "-r", str(DEMO), "--out", str(f), "--today", TODAY.isoformat())
    assert r.code == 1 and "not a folder" in r.err
    assert f.read_text() == "x"
