"""``serve``: local preview on 127.0.0.1 that rebuilds when the register changes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.request

from conftest import MINIMAL, ROOT, TODAY


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:  # loopback only
        return resp.read().decode("utf-8")


def test_serve_rebuilds_on_change(tmp_path):
    reg = tmp_path / "channels.yaml"
    shutil.copy(MINIMAL, reg)
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "-r", str(reg), "--out",
                             str(tmp_path / "site"), "--port", "0", "--today", TODAY.isoformat()],
                            stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 30
        while "serving" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, line
        base = f"http://127.0.0.1:{m.group(1)}/"
        assert "Testby skola" in _get(base + "index.html")
        reg.write_text(reg.read_text(encoding="utf-8").replace("Testby skola", "Testby nya skola"), encoding="utf-8")
        for _ in range(100):  # at most 10 s
            if "Testby nya skola" in _get(base + "index.html"):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the site was not rebuilt after the register changed")
        # a broken edit keeps the last good site
        reg.write_text(reg.read_text(encoding="utf-8").replace("platform: x\n", "platform: xx\n"), encoding="utf-8")
        time.sleep(1.5)
        assert "Testby nya skola" in _get(base + "index.html")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
