"""The command line: exit codes, help, and that a failed build leaves site/ untouched."""

from __future__ import annotations

import filecmp
import shutil
import subprocess

import pytest
from conftest import DEMO, MINIMAL, ROOT, TODAY, python


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_ok(cli):
    r = cli("check", "-r", str(MINIMAL), "--today", TODAY.isoformat())
    assert r.code == 0
    assert "OK, 3 channels" in r.err


def test_check_reports_every_problem_in_one_run(cli, write, minimal_text):
    broken = (minimal_text.replace("platform: instagram", "platform: Intagram")
              .replace("url: https://x.com/testby_gammal", "url: http://x.com/testby_gammal")
              .replace("    responsible_role: Rektor\n", "    responsible_role: Rektor\n    purpouse: x\n"))
    r = cli("check", "-r", str(write(broken)), "--today", TODAY.isoformat())
    assert r.code == 1
    errors = [line for line in r.err.splitlines() if ": error: " in line]
    assert len(errors) == 3
    assert any("channels[1] (skolan-instagram).platform" in e for e in errors)
    assert any("channels[2] (gamla-x).url" in e and "https" in e for e in errors)
    assert any("channels[1] (skolan-instagram).purpouse" in e and "unknown key" in e for e in errors)
    assert "did you mean 'purpose'?" in r.err


def test_failed_build_leaves_previous_site_byte_identical(cli, write, tmp_path, minimal_text):
    out = tmp_path / "site"
    good = write(minimal_text)
    assert cli("build", "-r", str(good), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    before = _snapshot(out)
    bad = write(minimal_text.replace("status: closed", "status: stängd"), "bad.yaml")
    r = cli("build", "-r", str(bad), "--out", str(out), "--today", TODAY.isoformat())
    assert r.code == 1
    assert f"{bad}:" in r.err and ": error: channels[2] (gamla-x).status:" in r.err
    assert _snapshot(out) == before
    assert not list(tmp_path.glob(".site.tmp-*")) and not list(tmp_path.glob(".site.old-*"))


def test_broken_template_publishes_nothing(cli, tmp_path):
    out = tmp_path / "site"
    assert cli("build", "-r", str(MINIMAL), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    before = _snapshot(out)
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "channel.html").write_text("{% extends 'base.html' %}{% block main %}{{ channel.nosuchfield }}"
                                      "{% endblock %}", encoding="utf-8")
    r = cli("build", "-r", str(MINIMAL), "--out", str(out), "--templates", str(tpl), "--today", TODAY.isoformat())
    assert r.code == 1
    assert "channel.html" in r.err and "nosuchfield" in r.err
    assert "Traceback" not in r.err
    assert _snapshot(out) == before


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["import"]])
def test_help_explains_each_command(command):
    p = subprocess.run([python(), str(ROOT / "build.py"), *command, "--help"], capture_output=True, text=True)
    assert p.returncode == 0
    assert "usage:" in p.stdout
    if command:
        assert "--" in p.stdout
    else:
        for c in ("build", "check", "import"):
            assert c in p.stdout


def test_build_py_builds_by_default(tmp_path):
    work = tmp_path / "w"
    work.mkdir()
    shutil.copy(DEMO, work / "channels.yaml")
    p = subprocess.run([python(), str(ROOT / "build.py")], cwd=work, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert (work / "site" / "index.html").exists()
    assert (work / "site" / "datapackage.json").exists()


def test_console_script_is_installed():
    exe = shutil.which("kanalregister")
    assert exe, "pip install -e . installs the kanalregister console script"
    p = subprocess.run([exe, "check", "-r", str(MINIMAL), "--today", TODAY.isoformat()], capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stderr


def test_strict_turns_warnings_into_errors(cli, write, minimal_text):
    path = write(minimal_text)
    assert cli("check", "-r", str(path), "--today", "2026-11-22").code == 0
    later = cli("check", "-r", str(path), "--today", "2027-09-01")
    assert later.code == 0 and "warning" in later.err
    assert cli("check", "-r", str(path), "--today", "2027-09-01", "--strict").code == 1


def test_github_format_annotations(cli, write, minimal_text):
    r = cli("check", "-r", str(write(minimal_text.replace("platform: x\n", "platform: twiter\n"))), "--format",
            "github")
    assert r.code == 1
    ann = [line for line in r.err.splitlines() if line.startswith("::error ")]
    assert len(ann) == 1
    line = minimal_text.splitlines().index("    platform: x") + 1
    assert f",line={line},col=15,title=schema.enum::channels[2] (gamla-x).platform:" in ann[0]


def test_bad_today_is_a_usage_error(cli):
    r = cli("check", "-r", str(MINIMAL), "--today", "2026-13-01")
    assert r.code == 2


def test_bad_source_date_epoch(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "igår")
    r = cli("build", "-r", str(MINIMAL), "--out", str(tmp_path / "s"), "--today", TODAY.isoformat())
    assert r.code == 1 and "SOURCE_DATE_EPOCH" in r.err


def test_same_input_gives_byte_identical_output(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("build", "-r", str(DEMO), "--out", str(a), "--today", TODAY.isoformat()).code == 0
    assert cli("build", "-r", str(DEMO), "--out", str(b), "--today", TODAY.isoformat()).code == 0
    cmp = filecmp.dircmp(a, b)
    assert _snapshot(a) == _snapshot(b)
    assert not cmp.diff_files


@pytest.mark.parametrize("command", [["check"], ["build", "--out", "site"], ["fmt"], ["fmt", "--check"],
                                     ["new", "--id", "x", "--platform", "x"], ["report"], ["serve", "--port", "0"]])
def test_a_missing_register_gives_a_message_not_a_traceback(tmp_path, command):
    """In a folder without channels.yaml, as a new user would start: a message that names the
    file and says how to start, exit status 1, and nothing written."""
    p = subprocess.run([python(), str(ROOT / "build.py"), *command], cwd=tmp_path, capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr
    assert "channels.yaml:0:0: error: cannot read the register" in p.stderr
    assert "kanalregister init" in p.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_register_can_come_from_standard_input(tmp_path):
    demo = DEMO.read_bytes()

    def run(*args):
        return subprocess.run([python(), str(ROOT / "build.py"), *args, "--today", TODAY.isoformat()],
                              cwd=tmp_path, input=demo, capture_output=True, timeout=120)

    p = run("check", "-r", "-")
    assert p.returncode == 0 and b"28 channels" in p.stderr
    p = run("build", "-r", "-", "--out", "site")
    assert p.returncode == 0 and (tmp_path / "site" / "index.html").is_file()
    assert not (tmp_path / "-").exists()
    # fmt of standard input writes the formatted register to standard output, never a file named "-"
    p = subprocess.run([python(), str(ROOT / "build.py"), "fmt", "-r", "-"], cwd=tmp_path, input=demo,
                       capture_output=True, timeout=60)
    assert p.returncode == 0 and p.stdout == demo and not (tmp_path / "-").exists()
    # commands that need a file say so
    p = subprocess.run([python(), str(ROOT / "build.py"), "new", "-r", "-", "--id", "x"], cwd=tmp_path,
                       input=demo, capture_output=True, timeout=60)
    assert p.returncode == 1 and b"needs the register as a file" in p.stderr and b"Traceback" not in p.stderr


def test_a_huge_line_is_not_printed_whole(tmp_path):
    """A 5 MB value is reported with a window of its line, not 5 MB of CI log."""
    reg = tmp_path / "channels.yaml"
    text = MINIMAL.read_text(encoding="utf-8").replace("name: Testby kommun", "name: " + "A" * 5_000_000, 1)
    reg.write_text(text, encoding="utf-8")
    p = subprocess.run([python(), str(ROOT / "build.py"), "check", "-r", str(reg)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert "too long" in p.stderr and "…" in p.stderr
    assert len(p.stderr) < 5000
