"""``fmt`` (canonical, comment-preserving) and ``new`` (scaffold a channel)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys

from conftest import DEMO, MINIMAL, ROOT, TODAY, run_cli

from kanalregister.register.read import read_register
from kanalregister.register.validate import validate


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def test_demo_register_is_formatted():
    r = run_cli("fmt", "--check", "-r", str(DEMO))
    assert r.code == 0, r.out


def test_fmt_reorders_keeps_comments_and_is_idempotent(tmp_path):
    src = MINIMAL.read_text(encoding="utf-8")
    # scramble: organisation after channels, keys out of order, a comment on a moved key
    scrambled = src.replace("    name: Testby skola\n    platform: instagram\n",
                            "    platform: instagram  # plattformen\n    name: Testby skola\n")
    org_end = scrambled.index("\nchannels:\n")
    scrambled = scrambled[org_end + 1:] + "\n" + scrambled[:org_end] + "\n"
    path = tmp_path / "channels.yaml"
    path.write_text(scrambled, encoding="utf-8")
    check = run_cli("fmt", "--check", "-r", str(path))
    assert check.code == 1 and "+++" in check.out
    assert path.read_text(encoding="utf-8") == scrambled  # --check writes nothing
    assert run_cli("fmt", "-r", str(path)).code == 0
    out = path.read_text(encoding="utf-8")
    assert _comments(out) == [c for c in _comments(scrambled)]  # every comment, in place of its key
    assert out.index("organisation:") < out.index("channels:") < out.index("party_channels:")
    block = out[out.index("  - id: skolan-instagram"):]
    assert block.index("name: Testby skola") < block.index("platform: instagram  # plattformen")
    ids = re.findall(r"^  - id: (\S+)", out, re.M)
    assert ids == ["skolan-instagram", "gamla-x", "kommunen-facebook"]  # by förvaltning (Barn… < Kommun…), then id
    assert run_cli("fmt", "--check", "-r", str(path)).code == 0
    before = validate(read_register(MINIMAL), TODAY).register
    after = validate(read_register(path), TODAY).register
    assert sorted(before.channels, key=lambda c: c.id) == sorted(
        [c for c in after.channels], key=lambda c: c.id) or {c.id for c in before.channels} == {
        c.id for c in after.channels}


def test_fmt_refuses_unsafe_yaml(tmp_path):
    path = tmp_path / "channels.yaml"
    path.write_text("a: &x 1\nb: *x\n", encoding="utf-8")
    r = run_cli("fmt", "-r", str(path))
    assert r.code == 1 and "alias" in r.err
    assert path.read_text(encoding="utf-8") == "a: &x 1\nb: *x\n"


NEW = ["--id", "bibliotek-tiktok", "--name", "Testby bibliotek", "--platform", "tiktok",
       "--url", "https://www.tiktok.com/@testbybibliotek", "--department", "Kultur- och fritidsförvaltningen",
       "--unit", "Biblioteket", "--responsible-role", "Bibliotekschef", "--contact-email", "bibliotek@testby.example",
       "--purpose", "Tipsa unga om böcker.", "--target-groups", "Unga", "--target-groups", "Skolklasser",
       "--languages", "sv", "--monitoring", "Vardagar, svar inom 48 timmar", "--start-date", "2026-12-01",
       "--approved-by", "Kulturchef", "--approved-on", "2026-11-20",
       "--administrators", "Hanna Holm, hanna.holm@testby.example, 0123-45 02 01",
       "--administrators", "Ivar Isaksson, ivar.isaksson@testby.example",
       "--substitute", "Jenny Jansson, jenny.jansson@testby.example", "--hours-per-week", "3"]


def test_new_from_flags_adds_a_valid_entry_and_keeps_the_rest(tmp_path):
    path = tmp_path / "channels.yaml"
    shutil.copy(MINIMAL, path)
    assert run_cli("fmt", "-r", str(path)).code == 0
    before = path.read_text(encoding="utf-8")
    r = run_cli("new", "-r", str(path), "--today", TODAY.isoformat(), *NEW)
    assert r.code == 0, r.err
    after = path.read_text(encoding="utf-8")
    # only lines were added: every original line is still there, in order
    import difflib

    ops = [op for op in difflib.SequenceMatcher(None, before.splitlines(), after.splitlines()).get_opcodes()
           if op[0] != "equal"]
    assert ops and all(op[0] == "insert" for op in ops)
    reg = validate(read_register(path), TODAY).register
    c = next(c for c in reg.channels if c.id == "bibliotek-tiktok")
    assert c.target_groups == ("Unga", "Skolklasser") and c.platform == "tiktok"
    assert [p.name for p in reg.internal["bibliotek-tiktok"].administrators] == ["Hanna Holm", "Ivar Isaksson"]
    assert reg.internal["bibliotek-tiktok"].hours_per_week == 3
    assert run_cli("fmt", "--check", "-r", str(path)).code == 0  # inserted at its canonical place


def test_new_refuses_an_invalid_entry_and_writes_nothing(tmp_path):
    path = tmp_path / "channels.yaml"
    shutil.copy(MINIMAL, path)
    before = path.read_bytes()
    args = [a if a != "https://www.tiktok.com/@testbybibliotek" else "https://www.instagram.com/x" for a in NEW]
    r = run_cli("new", "-r", str(path), "--today", TODAY.isoformat(), *args)
    assert r.code == 1
    assert "url" in r.err and "TikTok" in r.err
    assert path.read_bytes() == before


def test_new_interactive_asks_the_aktivitetsplan_questions(tmp_path):
    path = tmp_path / "channels.yaml"
    shutil.copy(MINIMAL, path)
    answers = "\n".join([
        "youtube", "https://www.youtube.com/@testbykultur", "Kultur- och fritidsförvaltningen", "Kulturhuset",
        "Visa filmer från kulturhusets evenemang.", "Kulturintresserade; Skolor",
        "Kim Kula, kim.kula@testby.example, 0123-1; Lo Lind, lo.lind@testby.example",
        "Mo Mod, mo.mod@testby.example", "Vardagar, svar inom 48 timmar", "2",
        "Kulturhuset Testby", "", "Kulturhuschef", "kulturhuset@testby.example", "sv", "2026-12-01",
        "",  # status: the default, active
        "Kulturchef", "2026-11-21", "",  # empty id → the proposed one
        "y",  # save the entry shown
    ]) + "\n"
    p = subprocess.run([sys.executable, str(ROOT / "build.py"), "new", "--lang", "sv", "-i", "-r", str(path), "--today",
                        TODAY.isoformat()], input=answers, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "4a. Beskriv syftet med kanalen" in p.stdout + p.stderr
    reg = validate(read_register(path), TODAY).register
    c = next(c for c in reg.channels if c.platform == "youtube")
    assert c.id == "kulturhuset-youtube"
    assert c.target_groups == ("Kulturintresserade", "Skolor")
    assert [a.email for a in reg.internal[c.id].administrators] == ["kim.kula@testby.example",
                                                                     "lo.lind@testby.example"]


def test_new_help_lists_schema_fields():
    r = run_cli("new", "--help")
    for flag in ("--purpose", "--target-groups", "--administrators", "--substitute", "--monitoring"):
        assert flag in r.out
    assert io  # noqa: B018
