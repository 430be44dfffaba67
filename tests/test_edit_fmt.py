"""``fmt`` is faithful to the file: its line endings, the blank lines between entries, no
byte-order mark; ``fmt --check`` reports a file that ``fmt`` would change in any byte."""

from __future__ import annotations

import re

import pytest
from conftest import MINIMAL, TODAY, run_cli

from kanalregister.register.loader import load

BOM = b"\xef\xbb\xbf"


def _formatted(tmp_path) -> bytes:
    """The small register as fmt writes it (LF)."""
    path = tmp_path / "lf.yaml"
    path.write_bytes(MINIMAL.read_bytes())
    assert run_cli("fmt", "-r", str(path)).code == 0
    return path.read_bytes()


def _scrambled(text: str) -> str:
    """The register with its first two channels swapped (each with its blank line)."""
    start = text.index("  - id:")
    entries = [e for e in re.split(r"(?m)^(?=  - id:)", text[start:text.index("party_channels:")]) if e]
    entries[0], entries[1] = entries[1], entries[0]
    return text[:start] + "".join(entries) + text[text.index("party_channels:"):]


def _blank_lines_between_entries(data: bytes) -> int:
    return len(re.findall(rb"\r?\n\r?\n  - id:", data))


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_fmt_keeps_line_endings_and_blank_lines(tmp_path, newline):
    canonical = _formatted(tmp_path).replace(b"\n", newline)
    path = tmp_path / "channels.yaml"
    path.write_bytes(_scrambled(canonical.decode()).encode())
    assert path.read_bytes() != canonical
    check = run_cli("fmt", "--check", "-r", str(path))
    assert check.code == 1 and "not formatted" in check.err
    assert run_cli("fmt", "-r", str(path)).code == 0
    out = path.read_bytes()
    assert out == canonical  # the same bytes as the formatted file: endings, blank lines, order
    assert _blank_lines_between_entries(out) == 2
    if newline == b"\r\n":
        assert out.count(b"\r\n") == out.count(b"\n")  # every line, none mixed
    assert run_cli("fmt", "--check", "-r", str(path)).code == 0
    assert load(path, TODAY).result.errors == []


def test_a_formatted_crlf_file_is_left_as_it_is(tmp_path):
    canonical = _formatted(tmp_path).replace(b"\n", b"\r\n")
    path = tmp_path / "channels.yaml"
    path.write_bytes(canonical)
    r = run_cli("fmt", "--check", "-r", str(path))
    assert r.code == 0 and "already formatted" in r.err
    assert run_cli("fmt", "-r", str(path)).code == 0
    assert path.read_bytes() == canonical


@pytest.mark.parametrize("damage, note, expected", [
    (lambda b: BOM + b, "byte-order mark", lambda b: b),
    (lambda b: b.replace(b"\n", b"\r\n", 10), "mixes line endings (10 CRLF", lambda b: b),
    (lambda b: b.replace(b"\n", b"\r\n").replace(b"\r\n", b"\n", 3), "mixes line endings",
     lambda b: b.replace(b"\n", b"\r\n")),
    (lambda b: BOM + b.replace(b"\n", b"\r\n"), "byte-order mark", lambda b: b.replace(b"\n", b"\r\n")),
])
def test_fmt_check_reports_what_only_bytes_show_and_fmt_repairs_it(tmp_path, damage, note, expected):
    canonical = _formatted(tmp_path)
    path = tmp_path / "channels.yaml"
    path.write_bytes(damage(canonical))
    before = path.read_bytes()
    r = run_cli("fmt", "--check", "-r", str(path))
    assert r.code == 1, r.err  # the text is canonical; the bytes are not
    assert note in r.err and "not formatted" in r.err
    assert path.read_bytes() == before  # --check writes nothing
    assert run_cli("fmt", "-r", str(path)).code == 0
    assert path.read_bytes() == expected(canonical)
    assert not path.read_bytes().startswith(BOM)
    assert run_cli("fmt", "--check", "-r", str(path)).code == 0


def test_check_warns_about_the_byte_order_mark_fmt_removes(tmp_path):
    path = tmp_path / "channels.yaml"
    path.write_bytes(BOM + _formatted(tmp_path))
    r = run_cli("check", "-r", str(path), "--today", TODAY.isoformat())
    assert "byte-order mark" in r.err
    run_cli("fmt", "-r", str(path))
    assert "byte-order mark" not in run_cli("check", "-r", str(path), "--today", TODAY.isoformat()).err


def test_fmt_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "channels.yaml"
    path.write_bytes(_scrambled(_formatted(tmp_path).decode()).encode())
    path.chmod(0o640)
    assert run_cli("fmt", "-r", str(path)).code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["channels.yaml", "lf.yaml"]
    assert path.stat().st_mode & 0o777 == 0o640  # the file keeps its permissions
