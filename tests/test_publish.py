"""Atomic publishing: the previous site survives failures and SIGKILL mid-build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import DEMO, ROOT, TODAY, run_cli

from kanalregister.site.publish import Publisher


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
import kanalregister.site.publish as p
orig = p.Publisher.write
def slow(self, rel, text):
    orig(self, rel, text)
    if rel.startswith("kanal/"):
        print("writing", flush=True)
        time.sleep(30)
p.Publisher.write = slow
from kanalregister.commands.cli import main
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
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.kanalregister-cache", ".site.kanalregister-lock",
                                                         ".site.spare", "site"]


def test_output_path_that_is_a_file(tmp_path):
    f = tmp_path / "site"
    f.write_text("x")
    r = run_cli("build", "-r", str(DEMO), "--out", str(f), "--today", TODAY.isoformat())
    assert r.code == 1 and "not a folder" in r.err
    assert f.read_text() == "x"


def test_rebuild_rewrites_only_changed_files(tmp_path):
    from conftest import MINIMAL

    out = tmp_path / "site"
    reg = tmp_path / "channels.yaml"
    reg.write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    env = ("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat())
    assert run_cli(*env).code == 0
    inodes = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    reg.write_text(reg.read_text(encoding="utf-8").replace("Berätta om skolans vardag för vårdnadshavare.",
                                                           "Berätta om skolans vardag."), encoding="utf-8")
    assert run_cli(*env).code == 0
    after = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    rewritten = {k for k in after if inodes.get(k) != after[k]}
    # the purpose appears on the index, the channel page, the verification page, the fragment and the exports;
    # the pages also in English (issue 17), the exports once
    assert rewritten == {"index.html", "kanal/skolan-instagram.html", "forteckning-fragment.html", "channels.csv",
                         "channels.json", "en/index.html", "en/kanal/skolan-instagram.html",
                         "en/forteckning-fragment.html"}


def test_progress_only_on_a_terminal_after_two_seconds(monkeypatch):
    import io

    from kanalregister.site.progress import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("CI", raising=False)
    now = [0.0]
    out = Tty()
    p = Progress(100, "sidor", stream=out, clock=lambda: now[0], start=0.0)
    p.step(10)
    assert out.getvalue() == ""  # a fast build shows nothing
    now[0] = 2.5
    p.step(10)
    assert out.getvalue() == "\rsidor: 20/100 (20 %)"
    p.close()
    assert out.getvalue().endswith("\r\x1b[K")
    monkeypatch.setenv("CI", "true")
    quiet = Tty()
    q = Progress(100, "sidor", stream=quiet, clock=lambda: 10.0, start=0.0)
    q.step(50)
    q.close()
    assert quiet.getvalue() == ""
    piped = io.StringIO()
    monkeypatch.delenv("CI")
    r = Progress(100, "sidor", stream=piped, clock=lambda: 10.0, start=0.0)
    r.step(50)
    assert piped.getvalue() == ""


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_incremental_builds_equal_a_plain_full_build(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    args = ("--today", TODAY.isoformat())
    plain, parallel = tmp_path / "plain", tmp_path / "parallel"
    assert run_cli("build", "-r", str(DEMO), "--out", str(plain), *args, "--no-cache").code == 0
    assert run_cli("build", "-r", str(DEMO), "--out", str(parallel), *args).code == 0
    assert _files(parallel) == _files(plain)
    # incremental: edit one channel, rebuild over the previous output, compare with a fresh build
    edited = tmp_path / "edited.yaml"
    edited.write_text(DEMO.read_text(encoding="utf-8").replace(
        "Sända kommunfullmäktiges sammanträden", "Direktsända kommunfullmäktiges sammanträden"), encoding="utf-8")
    assert run_cli("build", "-r", str(edited), "--out", str(parallel), *args).code == 0
    fresh = tmp_path / "fresh"
    assert run_cli("build", "-r", str(edited), "--out", str(fresh), *args).code == 0
    assert _files(parallel) == _files(fresh)
    assert _files(parallel) != _files(plain)


def test_a_phase_without_steps_shows_its_time_on_a_terminal(monkeypatch):
    """Reading and checking a large register takes a while before any page is written."""
    import io
    import time

    import kanalregister.site.progress as progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    out = Tty()
    with progress.working("kontrollerar", stream=out, start=time.monotonic() - 3):
        time.sleep(0.2)
    assert out.getvalue().startswith("\rkontrollerar … 3 s") and out.getvalue().endswith("\r\x1b[K")
    monkeypatch.setenv("CI", "true")
    quiet = Tty()
    with progress.working("kontrollerar", stream=quiet, start=time.monotonic() - 3):
        time.sleep(0.1)
    assert quiet.getvalue() == ""


def test_the_spare_copy_is_brought_up_to_date_and_swapped(tmp_path):
    """A rebuild updates the spare (the output before last) with only what changed."""
    out = tmp_path / "site"
    with Publisher(out, keep_spare=True) as pub:
        for name in ("a.html", "b.html", "c.html", "kanal/x.html"):
            pub.write(name, f"<p>{name} 1</p>")
        pub.commit()
    first = pub.spare_record
    assert first is not None and first["stale"] == []
    spare = tmp_path / ".site.spare"
    assert _snapshot(spare) == _snapshot(out)
    ino = {p: (out / p).stat().st_ino for p in ("a.html", "b.html", "kanal/x.html")}
    for rnd, record in ((2, first), (3, None)):
        with Publisher(out, record, keep_spare=True) as pub:
            pub.write("a.html", "<p>a.html 1</p>")  # unchanged
            pub.write("b.html", f"<p>b.html {rnd}</p>")  # changed
            pub.write("kanal/x.html", "<p>kanal/x.html 1</p>")  # unchanged
            pub.write(f"new{rnd}.html", "<p>new</p>")  # added; c.html (and new2.html) removed
            pub.commit()
        record = pub.spare_record
        assert _snapshot(out) == {"a.html": b"<p>a.html 1</p>", "b.html": f"<p>b.html {rnd}</p>".encode(),
                                  "kanal/x.html": b"<p>kanal/x.html 1</p>", f"new{rnd}.html": b"<p>new</p>"}
        assert (out / "a.html").stat().st_ino == ino["a.html"]  # kept, not rewritten
        assert (out / "kanal/x.html").stat().st_ino == ino["kanal/x.html"]
        assert (out / "b.html").stat().st_ino != ino["b.html"]
        ino["b.html"] = (out / "b.html").stat().st_ino
        assert set(record["stale"]) >= {"b.html", f"new{rnd}.html"}
    # round 3 used no record: the spare was not trusted, the build made a new folder
    from kanalregister.site.publish import wait_removals

    wait_removals()
    assert not list(tmp_path.glob(".site.tmp-*"))


def test_a_build_killed_while_using_the_spare_leaves_no_spare_to_trust(tmp_path):
    out = tmp_path / "site"
    with Publisher(out, keep_spare=True) as pub:
        pub.write("a.html", "1")
        pub.commit()
    record = pub.spare_record
    with pytest.raises(RuntimeError), Publisher(out, record, keep_spare=True) as pub:
        pub.write("a.html", "2")
        raise RuntimeError("killed")
    assert (out / "a.html").read_text() == "1"
    assert not (tmp_path / ".site.spare").exists()  # renamed away before it was changed, then removed
    with Publisher(out, record, keep_spare=True) as pub:  # the stale record is not trusted
        assert pub.stale is None
        pub.write("a.html", "3")
        pub.commit()
    assert (out / "a.html").read_text() == "3"

