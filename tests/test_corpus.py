"""The corpus of bad registers in tests/bad/: each file names its expected diagnostic.

Every case must end in a clear diagnostic (code, line, column) with exit status 1 and no
traceback, and nothing may be published.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, python, run_cli

BAD = Path(__file__).parent / "bad"
CASES = sorted(BAD.glob("*.yaml"))
_EXPECT = re.compile(r"# expect: (?P<code>\S+) (?P<line>\d+):(?P<col>\d+)")


def expected(path: Path) -> tuple[str, int, int]:
    m = _EXPECT.match(path.read_text(encoding="utf-8", errors="replace").splitlines()[0])
    assert m, f"{path.name} has no '# expect: CODE LINE:COL' header"
    return m["code"], int(m["line"]), int(m["col"])


def test_corpus_is_large_enough():
    assert len(CASES) >= 50


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_bad_register_gives_its_diagnostic(path, tmp_path):
    code, line, col = expected(path)
    out = tmp_path / "site"
    r = run_cli("check", "-r", str(path), "--format", "json")
    assert r.code == 1
    report = json.loads(r.out)
    found = [(d["code"], d["line"], d["col"]) for d in report["diagnostics"] if d["severity"] == "error"]
    assert (code, line, col) in found, found
    # the build refuses as well and writes nothing
    b = run_cli("build", "-r", str(path), "--out", str(out), "--format", "json")
    assert b.code == 1
    assert not out.exists()


def _texts(path: Path) -> dict[str, str]:
    """The '# text-en:' and '# text-sv:' headers of a case: language → expected text."""
    return dict(re.findall(r"^# text-(en|sv): (.*)$", path.read_text(encoding="utf-8", errors="replace")[:2000], re.M))


WORDED = [p for p in CASES if _texts(p)]


def test_yaml_syntax_cases_have_words_in_both_languages():
    named = {p.stem.split("-", 1)[1] for p in WORDED}
    assert {"yaml-missing-colon", "yaml-missing-colon-last", "yaml-colon-without-space", "yaml-colon-in-value",
            "yaml-indent-more", "yaml-indent-less", "yaml-bad-indent", "yaml-tab-indent"} <= named


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("path", WORDED, ids=lambda p: p.stem)
def test_bad_register_message_in_both_languages(path, lang):
    code, line, col = expected(path)
    r = run_cli("check", "-r", str(path), "--format", "json", "--lang", lang)
    found = [d for d in json.loads(r.out)["diagnostics"] if (d["code"], d["line"], d["col"]) == (code, line, col)]
    assert found, r.out
    d = found[0]
    shown = d["message"] + (f" ({d['hint']})" if d["hint"] else "")
    assert _texts(path)[lang] in shown


@pytest.mark.parametrize("name", ["010-yaml-alias-bomb", "012-yaml-python-tag", "017-yaml-deep-nesting",
                                  "021-yaml-control-char", "022-root-list"])
def test_no_traceback_in_a_real_process(name):
    path = next(BAD.glob(f"{name}*.yaml"))
    code, line, col = expected(path)
    p = subprocess.run([python(), str(ROOT / "build.py"), "check", "-r", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    assert f"{path}:{line}:{col}: error:" in p.stderr


def test_text_output_shows_line_caret_and_hint():
    path = next(BAD.glob("*-enum-typo.yaml"))
    r = run_cli("check", "-r", str(path))
    assert r.code == 1
    lines = r.err.splitlines()
    head = next(i for i, s in enumerate(lines) if ": error: channels[0] (kanal-ett).platform:" in s)
    assert lines[head + 2].endswith("platform: Intagram")
    caret = lines[head + 3]
    assert caret.split("| ", 1)[1] == " " * len("    platform: ") + "^" * len("Intagram")
    assert "did you mean 'instagram'?" in lines[head + 4]


# --- byte-level cases -------------------------------------------------------------------

def _diag(raw: bytes, tmp_path, **kw):
    p = tmp_path / "channels.yaml"
    p.write_bytes(raw)
    r = run_cli("check", "-r", str(p), "--format", "json")
    return r, json.loads(r.out)


def test_non_utf8_bytes(tmp_path, minimal_text):
    raw = minimal_text.encode("utf-8").replace(b"Testby skola", b"Testby sk\xf6la")
    r, rep = _diag(raw, tmp_path)
    line = minimal_text.splitlines().index("    name: Testby skola") + 1
    assert r.code == 1
    assert [(d["code"], d["line"], d["col"]) for d in rep["diagnostics"]] == [("file.encoding", line, 20)]


def test_bom_is_a_warning_and_the_register_still_works(tmp_path, minimal_text):
    text = minimal_text.replace("  register_keeper:", "  site_url: https://kanaler.testby.example/\n  register_keeper:")
    r, rep = _diag(b"\xef\xbb\xbf" + text.encode(), tmp_path)
    assert r.code == 0
    assert [d["code"] for d in rep["diagnostics"]] == ["file.bom", "internal.combined"]  # minimal.yaml is combined
    r2 = run_cli("check", "-r", str(tmp_path / "channels.yaml"), "--strict")
    assert r2.code == 1


@pytest.mark.parametrize("raw", [b"", b"   \n\n", b"# bara en kommentar\n", b"---\n"])
def test_empty_file(raw, tmp_path):
    r, rep = _diag(raw, tmp_path)
    assert r.code == 1
    assert rep["diagnostics"][0]["code"] == "schema.root"


def test_nul_byte(tmp_path, minimal_text):
    r, rep = _diag(minimal_text.encode().replace(b"Testby skola", b"Testby\x00skola"), tmp_path)
    assert r.code == 1
    assert rep["diagnostics"][0]["code"] == "yaml.character"


def test_very_large_file_is_refused_before_parsing(tmp_path):
    from kanalregister.errors import RegisterSyntaxError
    from kanalregister.register.read import read_register

    p = tmp_path / "big.yaml"
    p.write_bytes(b"# " + b"x" * 4096 + b"\n")
    with pytest.raises(RegisterSyntaxError) as exc:
        read_register(p, max_bytes=1024)
    assert exc.value.diagnostics[0].code == "file.too-large"


def test_missing_file(tmp_path):
    r = run_cli("check", "-r", str(tmp_path / "nope.yaml"))
    assert r.code == 1
    assert "cannot read the register" in r.err
