"""Shared fixtures: small registers, the demo register, a CLI runner, an HTML parser."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO = ROOT / "channels.yaml"
MINIMAL = FIXTURES / "minimal.yaml"
REAL_CSV = ROOT.parent / "shared" / "data" / "sweden-public-bodies-social-accounts.csv"
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Tool messages in English in every test (the source strings the tests assert), also in
    subprocesses (KANALREGISTER_LANG); Swedish, the default, is tested in test_i18n.py."""
    from kanalregister.i18n import set_language

    monkeypatch.setenv("KANALREGISTER_LANG", "en")
    set_language(None)
    yield
    set_language(None)


@dataclass
class Run:
    """The outcome of one CLI run: exit status, stdout and stderr."""

    code: int
    out: str
    err: str


def run_cli(*args: str) -> Run:
    """Run ``kanalregister.commands.cli.main`` in-process and capture its output."""
    from kanalregister.commands.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 1
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    """The CLI runner: ``cli("check", "-r", path)`` → :class:`Run`."""
    return run_cli


@pytest.fixture
def minimal_text() -> str:
    """The text of the small valid register."""
    return MINIMAL.read_text(encoding="utf-8")


@pytest.fixture
def write(tmp_path):
    """Write register text to a file in tmp_path and return its path."""

    def _write(text: str | bytes, name: str = "channels.yaml") -> Path:
        p = tmp_path / name
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        return p

    return _write


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo register built once into a temporary site folder (SOURCE_DATE_EPOCH fixed)."""
    out = tmp_path_factory.mktemp("demo") / "site"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18
    try:
        r = run_cli("build", "-r", str(DEMO), "--out", str(out), "--today", TODAY.isoformat())
    finally:
        mp.undo()
    assert r.code == 0, r.err
    return out


def soup(path: Path) -> BeautifulSoup:
    """Parse an HTML file."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def copy_minimal(tmp_path: Path) -> Path:
    """Copy the minimal register into tmp_path and return the copy's path."""
    dst = tmp_path / "channels.yaml"
    shutil.copy(MINIMAL, dst)
    return dst


def python() -> str:
    """The running interpreter, for subprocess tests."""
    return sys.executable


def load_register(path, today=None):
    """(register, diagnostics) of a register that must be valid, through the one entry point
    :func:`kanalregister.register.loader.load`."""
    from kanalregister.register.loader import load

    res = load(path, today).result
    assert res.register is not None, [d.format() for d in res.errors]
    return res.register, res.diagnostics


def git(cwd, *args: str) -> None:
    """Run git in ``cwd`` with a fixed author and no user configuration (CI machines have none)."""
    import subprocess

    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


#: Debian's Chromium, driven by Playwright (a browser cannot be downloaded by a test tool).
CHROMIUM = __import__("os").environ.get("KANALREGISTER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module (the browser tests, the verify page at scale, the form)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
