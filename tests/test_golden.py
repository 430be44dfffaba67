"""The same register gives the same site: the demo and the real national list, built with a
fixed date, against the SHA-256 of every file recorded in ``tests/golden/``.

The digests were recorded from the build before the redesign of issue 14 (one reader, one
checker, one loader) and the redesign reproduces them byte for byte; since then the site's
marker (``.kanalregister-site``, issue 15) was added and ``verify.js`` changed (issue 16:
addresses that name the account after a fixed word). A change that means to
alter the site (a template, a text) records them again::

    python tests/test_golden.py --update

and the diff of ``tests/golden/*.sha256`` shows in review which pages changed.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest
from conftest import DEMO, REAL_CSV, TODAY, run_cli

GOLDEN = Path(__file__).resolve().parent / "golden"
EPOCH = "1795000000"  # 2026-11-18
REAL_ORG = ["--name", "Sveriges offentliga organ", "--website", "https://www.example.se",
            "--email", "info@example.se", "--register-keeper", "Benchmark"]


def digests(folder: Path) -> str:
    """``sha256  path`` for every file under ``folder``, sorted by path (text)."""
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(folder).as_posix()}"
             for p in sorted(folder.rglob("*")) if p.is_file()]
    return "\n".join(lines) + "\n"


def build_site(name: str, tmp: Path) -> Path:
    """Build the ``demo`` or ``real`` register into ``tmp`` with the fixed date; return the site."""
    if name == "demo":
        register = DEMO
    else:
        if not REAL_CSV.exists():
            pytest.fail(f"{REAL_CSV} is missing: the tests need ../shared beside the repository")
        register = tmp / "real.yaml"
        r = run_cli("import", str(REAL_CSV), "-o", str(register), *REAL_ORG)
        assert r.code == 0, r.err
    out = tmp / f"{name}-site"
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        r = run_cli("build", "-r", str(register), "--out", str(out), "--today", TODAY.isoformat(), "--no-cache")
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    assert r.code == 0, r.err
    return out


@pytest.mark.parametrize("name", ["demo", "real"])
def test_the_site_is_byte_for_byte_the_recorded_one(tmp_path, name):
    want = (GOLDEN / f"{name}.sha256").read_text(encoding="utf-8")
    got = digests(build_site(name, tmp_path))
    if got != want:
        w, g = dict(line.split("  ")[::-1] for line in want.splitlines()), \
            dict(line.split("  ")[::-1] for line in got.splitlines())
        changed = sorted(p for p in w.keys() | g.keys() if w.get(p) != g.get(p))
        pytest.fail(f"{len(changed)} files differ from tests/golden/{name}.sha256, e.g. {changed[:5]}; "
                    "if the change is meant, run python tests/test_golden.py --update")
    assert len(want.splitlines()) > (40 if name == "demo" else 2000)


def test_a_changed_page_is_caught(tmp_path):
    site = build_site("demo", tmp_path)
    (site / "index.html").write_text((site / "index.html").read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert digests(site) != (GOLDEN / "demo.sha256").read_text(encoding="utf-8")


if __name__ == "__main__":  # python tests/test_golden.py --update
    import tempfile

    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_golden.py --update")
    GOLDEN.mkdir(exist_ok=True)
    for site_name in ("demo", "real"):
        with tempfile.TemporaryDirectory() as d:
            (GOLDEN / f"{site_name}.sha256").write_text(digests(build_site(site_name, Path(d))), encoding="utf-8")
            print(f"wrote tests/golden/{site_name}.sha256")
