"""Issue 17: the tool speaks Swedish by default, English on request, through Babel catalogues.

The other tests run with KANALREGISTER_LANG=en (conftest.english_messages); these tests choose
the language themselves.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from conftest import MINIMAL, ROOT, TODAY, python, run_cli

from kanalregister import i18n

PO = ROOT / "kanalregister" / "locale" / "sv" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")

# minimal.yaml with: an unknown platform, no department (förvaltning), an http address
BROKEN = (MINIMAL.read_text(encoding="utf-8")
          .replace("platform: facebook", "platform: facebok", 1)
          .replace("    department: Kommunledningsförvaltningen\n", "", 1)
          .replace("url: https://www.instagram.com/", "url: http://www.instagram.com/", 1))


def _catalogue():
    with open(PO, "rb") as fh:
        return read_po(fh, locale="sv")


@pytest.fixture
def broken(tmp_path) -> Path:
    p = tmp_path / "channels.yaml"
    p.write_text(BROKEN, encoding="utf-8")
    return p


@pytest.fixture
def nothing_set(monkeypatch):
    """No --lang, no KANALREGISTER_LANG: the default."""
    monkeypatch.delenv("KANALREGISTER_LANG", raising=False)
    i18n.set_language(None)


def test_default_is_swedish(broken, nothing_set):
    r = run_cli("check", "-r", str(broken), "--today", TODAY.isoformat())
    assert r.code == 1
    assert ": fel: channels[0] (kommunen-facebook).platform: 'facebok' är inte något av:" in r.err
    assert "menade du 'facebook'?" in r.err
    assert "Förvaltning (department) saknas" in r.err
    assert "adressen måste börja med https" in r.err
    assert re.search(r"^\d+ fel, \d+ varning\(ar\)$", r.err, re.M)
    assert "error" not in r.err and "is required" not in r.err


def test_lang_en_and_environment(broken, nothing_set, monkeypatch):
    en = run_cli("check", "-r", str(broken), "--today", TODAY.isoformat(), "--lang", "en")
    assert "'department' (Department) is required" in en.err
    assert ": error: channels[0] (kommunen-facebook).platform: 'facebok' is not one of:" in en.err
    assert "saknas" not in en.err
    monkeypatch.setenv("KANALREGISTER_LANG", "en")
    assert run_cli("check", "-r", str(broken), "--today", TODAY.isoformat()).err == en.err
    # --lang wins over the environment, and the option can come before the command
    sv = run_cli("--lang", "sv", "check", "-r", str(broken), "--today", TODAY.isoformat())
    assert "Förvaltning (department) saknas" in sv.err


def test_json_and_github_keep_the_english_codes(broken, nothing_set):
    def diags(lang):
        r = run_cli("check", "-r", str(broken), "--today", TODAY.isoformat(), "--format", "json", "--lang", lang)
        return json.loads(r.out)["diagnostics"]

    sv, en = diags("sv"), diags("en")
    assert [(d["code"], d["line"], d["col"], d["path"], d["severity"]) for d in sv] == \
           [(d["code"], d["line"], d["col"], d["path"], d["severity"]) for d in en]
    assert any(d["code"] == "schema.required" and d["message"] == "Förvaltning (department) saknas" for d in sv)
    assert any(d["code"] == "schema.required" and d["message"] == "'department' (Department) is required" for d in en)
    gh = run_cli("check", "-r", str(broken), "--today", TODAY.isoformat(), "--format", "github").err
    line = next(s for s in gh.splitlines() if "title=schema.required" in s)
    assert line.startswith("::error file=") and line.endswith("::channels[0] (kommunen-facebook).department: "
                                                              "Förvaltning (department) saknas")


def test_policy_messages_name_fields_by_title_and_key(tmp_path, nothing_set):
    reg = tmp_path / "channels.yaml"
    reg.write_text(MINIMAL.read_text(encoding="utf-8").replace(
        "purpose: Informera invånare om kommunens service.", "purpose: test", 1), encoding="utf-8")
    sv = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat())
    assert "channels[0] (kommunen-facebook).purpose: Syfte (purpose) säger ingenting: skriv vad kanalen ska " \
           "användas till" in sv.err
    en = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat(), "--lang", "en")
    assert "Purpose (purpose) says nothing: write what the channel is for" in en.err


def test_help_is_translated(nothing_set):
    sv = run_cli("check", "--help")
    assert "Kontrollera förteckningen mot schemat" in sv.out and "--lang {sv,en}" in sv.out
    assert sv.out.startswith("användning: kanalregister check") and "\nflaggor:\n" in sv.out
    assert "-h, --help            visa denna hjälp och avsluta" in sv.out
    assert "options" not in sv.out and "usage" not in sv.out
    en = run_cli("check", "--help", "--lang", "en")
    assert "Validate the register against the schema" in en.out
    assert en.out.startswith("usage: kanalregister check") and "\noptions:\n" in en.out
    bad = run_cli("check", "--format", "x")
    assert bad.code == 2 and "kanalregister check: fel: argumentet --format: ogiltigt val: 'x'" in bad.err


@pytest.mark.parametrize("args,swedish,english", [
    (["chek"], "fel: argumentet COMMAND: ogiltigt val: 'chek' (välj bland 'build', 'check'",
     "error: argument COMMAND: invalid choice: 'chek' (choose from 'build', 'check'"),
    (["check", "--bogus"], "kanalregister: fel: okända argument: --bogus",
     "kanalregister: error: unrecognized arguments: --bogus"),
    (["edit"], "kanalregister edit: fel: de här argumenten behövs: ID, FIELD, VALUE",
     "kanalregister edit: error: the following arguments are required: ID, FIELD, VALUE"),
    (["check", "--register"], "fel: argumentet --register/-r: ett värde behövs",
     "error: argument --register/-r: expected one argument"),
])
def test_command_line_mistakes_are_explained_in_the_language(nothing_set, args, swedish, english):
    """argparse's own error texts for the mistakes a person makes, in Swedish by default."""
    sv = run_cli(*args)
    assert sv.code == 2 and swedish in sv.err, sv.err
    en = run_cli(*args, "--lang", "en")
    assert en.code == 2 and english in en.err, en.err


def test_subprocess_default_is_swedish(broken):
    env = {k: v for k, v in __import__("os").environ.items() if k != "KANALREGISTER_LANG"}
    p = subprocess.run([python(), str(ROOT / "build.py"), "check", "-r", str(broken)], capture_output=True,
                       text=True, env=env, timeout=60)
    assert p.returncode == 1
    assert "Förvaltning (department) saknas" in p.stderr


def test_unknown_language_is_refused(nothing_set):
    with pytest.raises(ValueError):
        i18n.set_language("de")
    r = run_cli("check", "--lang", "de")
    assert r.code == 2 and "--lang" in r.err


def test_environment_forms(monkeypatch):
    i18n.set_language(None)
    for value, lang in (("sv_SE.UTF-8", "sv"), ("EN", "en"), ("de", "sv"), ("", "sv")):
        monkeypatch.setenv("KANALREGISTER_LANG", value)
        assert i18n.language() == lang


def test_build_cache_never_shows_the_other_language(tmp_path, nothing_set):
    reg = tmp_path / "channels.yaml"
    # a warning (an example domain without example_data) survives a successful build
    reg.write_text(MINIMAL.read_text(encoding="utf-8").replace("  example_data: true\n", ""), encoding="utf-8")
    out = tmp_path / "site"
    runs = [run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat(), "--lang", lang)
            for lang in ("en", "sv", "en", "sv")]
    assert all(r.code == 0 for r in runs), runs
    for r, lang in zip(runs, ("en", "sv", "en", "sv"), strict=True):
        if lang == "sv":
            assert "ligger på en reserverad exempeldomän" in r.err and "reserved example domain" not in r.err
        else:
            assert "reserved example domain" in r.err and "exempeldomän" not in r.err


def test_memo_context_includes_the_language():
    from kanalregister.register.loader import context
    from kanalregister.register.policy import Policy

    pol = Policy({}, {})
    i18n.set_language("sv")
    sv = context(pol, TODAY, "code")
    i18n.set_language("en")
    assert context(pol, TODAY, "code") != sv


def test_worker_processes_speak_the_chosen_language(monkeypatch, tmp_path):
    """Entries checked in forked workers carry messages in the language chosen here."""
    from kanalregister import workers
    from kanalregister.register.loader import load

    monkeypatch.setattr(workers, "MIN_ITEMS", 1)
    if workers.workers() < 2:
        pytest.skip("one core: no worker processes")
    reg = tmp_path / "channels.yaml"
    reg.write_text(BROKEN, encoding="utf-8")
    i18n.set_language("sv")
    diags = load(str(reg), TODAY).result.diagnostics
    assert any(d.message == "Förvaltning (department) saknas" for d in diags)
    i18n.set_language("en")
    assert any(d.message == "'department' (Department) is required" for d in load(str(reg), TODAY).result.diagnostics)


# --- the catalogue -------------------------------------------------------------------------

def test_every_message_has_a_swedish_translation():
    cat = _catalogue()
    ids = [m for m in cat if m.id]
    assert len(ids) > 200
    empty = [m.id for m in ids if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in ids if m.fuzzy]
    assert not empty and not fuzzy
    # a translation that is the English text itself: only words Swedish shares with English
    same = {m.id for m in ids if m.id == m.string}
    assert same <= {"Organisation", "organisation", "Policy", "Status", "person", "git {command}: {error}"}, same
    for m in ids:  # the same placeholders in the translation
        src = m.id if isinstance(m.id, str) else m.id[0]
        dst = m.string if isinstance(m.string, str) else m.string[0]
        assert sorted(re.findall(r"\{\w*[^}]*\}", src)) == sorted(re.findall(r"\{\w*[^}]*\}", dst)), m.id


def test_no_source_string_is_missing_from_the_catalogue():
    method_map = [("kanalregister/**.py", "python")]
    found = set()
    for _file, _line, msg, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords={"_": None, "ngettext": (1, 2)}):
        found.add(msg)
    in_po = {m.id for m in _catalogue() if m.id}
    assert found - in_po == set(), "run 'make messages' and translate the new entries"
    assert in_po - found == set(), "the catalogue has entries no code uses: run 'make messages'"


def test_compiled_catalogue_matches_the_po():
    buf = io.BytesIO()
    write_mo(buf, _catalogue())
    assert MO.read_bytes() == buf.getvalue(), "run 'make compile-messages'"


def test_swedish_output_has_no_english_words_from_the_catalogue(broken, nothing_set):
    cat = _catalogue()
    words = re.compile(r"[a-zåäö]{4,}")

    def text(m):
        return m if isinstance(m, str) else " ".join(m)

    english = set()
    swedish = set()
    for m in cat:
        if m.id:
            english.update(words.findall(re.sub(r"\{[^}]*\}|'[^']*'", " ", text(m.id).lower())))
            swedish.update(words.findall(text(m.string).lower()))
    # what the user wrote (keys, values) and the Swedish texts may share words with English
    allowed = swedish | set(words.findall(BROKEN.lower())) | {"https", "yaml"}
    out = run_cli("check", "-r", str(broken), "--today", TODAY.isoformat()).err.replace(str(broken.parent), "")
    out = re.sub(r"\b[a-z_]+(?:\.[a-z_-]+)+\b", " ", out)  # rule codes (schema.required) stay English by design
    shown = set(words.findall(out.lower()))
    assert len(english - allowed) > 300
    assert shown & (english - allowed) == set()
