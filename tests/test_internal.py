"""Issue 20: the register can live in a public repository; its internal facts live in
``channels.internal.yaml`` (register/internal.py, commands/split.py)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import DEMO, MINIMAL, TODAY, git, run_cli

from kanalregister.register.internal import MIGRATION_END
from kanalregister.register.loader import load

EDIT_LINE = re.compile(rb"Rad%20\d+")  # the edit link's {line}: the only thing a split may change in site/


def _codes(diags) -> list[str]:
    return [d.code for d in diags]


def _split_demo(folder: Path) -> Path:
    reg = folder / "channels.yaml"
    shutil.copy(DEMO, reg)
    r = run_cli("split", "-r", str(reg))
    assert r.code == 0, r.err
    return reg


def _people_values(internal_text: str) -> set[str]:
    """Every name, e-mail, telephone number and note in an internal file."""
    out = set()
    for entry in (yaml.safe_load(internal_text)["channels"] or {}).values():
        people = list(entry.get("administrators") or []) + ([entry["substitute"]] if entry.get("substitute") else [])
        for p in people:
            out.update(str(v) for v in p.values())
        if entry.get("notes"):
            out.add(entry["notes"].strip())
    return out


def _site_files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _build(reg: Path, out: Path, *extra: str):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1795000000")
    try:
        return run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat(), *extra)
    finally:
        mp.undo()


# --- the demo, split ---------------------------------------------------------------------------

def test_the_demo_split_builds_the_same_site_and_publishes_no_internal_value(tmp_path):
    combined = tmp_path / "combined"
    combined.mkdir()
    shutil.copy(DEMO, combined / "channels.yaml")
    split = tmp_path / "split"
    split.mkdir()
    reg = _split_demo(split)
    a, b = _build(combined / "channels.yaml", tmp_path / "site-a"), _build(reg, tmp_path / "site-b")
    assert a.code == 0 and b.code == 0, (a.err, b.err)
    site_a, site_b = _site_files(tmp_path / "site-a"), _site_files(tmp_path / "site-b")
    assert site_a.keys() == site_b.keys()
    differ = [name for name in site_a if site_a[name] != site_b[name]]
    for name in differ:  # only the edit links' line numbers
        assert EDIT_LINE.sub(b"", site_a[name]) == EDIT_LINE.sub(b"", site_b[name]), name
    assert differ, "the split moved lines, so some edit link must differ"
    values = _people_values((split / "channels.internal.yaml").read_text(encoding="utf-8"))
    assert len(values) > 50
    public = reg.read_text(encoding="utf-8")
    for value in values:
        assert value not in public, value
        for name, data in site_b.items():
            assert value.encode() not in data, (value, name)
    # and the internal file is an input of the build: editing it rebuilds, and a broken one stops it
    same = _build(reg, tmp_path / "site-b")
    assert "nothing changed" in same.err
    internal = split / "channels.internal.yaml"
    internal.write_text(internal.read_text(encoding="utf-8").replace("hours_per_week: 3", "hours_per_week: 4", 1),
                        encoding="utf-8")
    again = _build(reg, tmp_path / "site-b")
    assert again.code == 0 and "nothing changed" not in again.err
    assert _site_files(tmp_path / "site-b") == site_b  # internal values never reach the output
    internal.write_text(internal.read_text(encoding="utf-8").replace("email: anna.andersson@", "email: anna@@", 1),
                        encoding="utf-8")
    broken = _build(reg, tmp_path / "site-b")
    assert broken.code == 1 and "channels.internal.yaml:" in broken.err and "not an e-mail address" in broken.err


def test_the_split_demo_reads_as_the_combined_one_and_report_uses_both(tmp_path):
    reg = _split_demo(tmp_path)
    old, new = load(DEMO, TODAY, internal=None).result, load(reg, TODAY).result
    assert [c.id for c in old.register.channels] == [c.id for c in new.register.channels]
    for ch in old.register.channels:
        assert old.register.internal[ch.id] == new.register.internal[ch.id]
    assert new.unchecked == () and "internal.combined" not in _codes(new.diagnostics)
    # the same findings, the internal ones now in the internal file
    assert sorted((d.code, d.message) for d in old.diagnostics if d.code.startswith("policy.")) == \
        sorted((d.code, d.message) for d in new.diagnostics if d.code.startswith("policy."))
    passive = [d for d in new.diagnostics if d.code == "policy.passive"]
    assert passive and all(d.file.endswith("channels.internal.yaml") and d.line > 0 for d in passive)
    shutil.copy(DEMO, tmp_path / "combined.yaml")
    a = run_cli("report", "-r", str(tmp_path / "combined.yaml"), "--today", TODAY.isoformat(),
                "--site", str(tmp_path / "s"))
    b = run_cli("report", "-r", str(reg), "--today", TODAY.isoformat(), "--site", str(tmp_path / "s"))
    assert a.code == b.code == 3 and a.out == b.out and "Review" in b.out


# --- without the internal file -----------------------------------------------------------------

def test_check_without_the_internal_file_says_once_what_was_not_checked(tmp_path):
    reg = _split_demo(tmp_path)
    (tmp_path / "channels.internal.yaml").rename(tmp_path / "elsewhere.yaml")
    r = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    assert r.err.count("not checked: administrators, substitute, review, passive") == 1
    assert "policy.administrators" not in r.err and "policy.passive" not in r.err
    strict = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat(), "--require-internal")
    assert strict.code == 1 and "error: not checked: administrators" in strict.err
    js = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat(), "--format", "json")
    import json
    assert json.loads(js.out)["unchecked"] == ["administrators", "substitute", "review", "passive"]
    named = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat(), "--internal",
                    str(tmp_path / "elsewhere.yaml"), "--require-internal")
    assert named.code == 0 and "not checked" not in named.err
    missing = run_cli("check", "-r", str(reg), "--internal", str(tmp_path / "nowhere.yaml"))
    assert missing.code == 1 and "nowhere.yaml" in missing.err and "Traceback" not in missing.err
    assert "the internal file does not exist" in missing.err
    built = _build(reg, tmp_path / "site")
    assert built.code == 0 and (tmp_path / "site" / "index.html").is_file()


# --- internal facts in the public register -----------------------------------------------------

def test_a_public_register_with_administrators_is_refused_beside_an_internal_file(tmp_path):
    reg = tmp_path / "channels.yaml"
    shutil.copy(MINIMAL, reg)
    (tmp_path / "channels.internal.yaml").write_text("channels:\n", encoding="utf-8")
    res = load(reg, TODAY).result
    refused = [d for d in res.errors if d.code == "internal.in-public"]
    assert refused and res.register is None
    text = reg.read_text(encoding="utf-8").splitlines()
    for d in refused:
        assert d.file == str(reg) and text[d.line - 1][d.col - 1:].split(":")[0] in d.message
        assert "move them to" in d.message and "channels.internal.yaml" in d.message


@pytest.mark.parametrize(("today", "severity"), [
    (TODAY, "warning"), (MIGRATION_END, "warning"), (MIGRATION_END + dt.timedelta(days=1), "error")])
def test_the_combined_layout_is_read_with_one_warning_until_the_migration_ends(tmp_path, today, severity):
    reg = tmp_path / "channels.yaml"
    shutil.copy(MINIMAL, reg)
    res = load(reg, today).result
    found = [d for d in res.diagnostics if d.code.startswith("internal.")]
    assert [(d.code, d.severity) for d in found] == [("internal.combined", severity)]
    assert "kanalregister split" in found[0].hint and MIGRATION_END.isoformat() in found[0].hint
    assert found[0].line > 0 and found[0].col > 0


# --- split ---------------------------------------------------------------------------------------

COMMENTED = """\
# Förteckningen över Testbys kanaler.
organisation:
  name: Testby kommun
  website: https://www.testby.se
  email: info@testby.se
  register_keeper: Kommunikationsenheten
  example_data: true
channels:
  # Kultur
  - id: kultur-instagram  # the id stays
    name: Kultur i Testby
    platform: instagram
    url: https://www.instagram.com/kulturtestby
    department: Kulturförvaltningen
    responsible_role: Kulturchef
    contact_email: kultur@testby.se
    purpose: Berätta om kultur i Testby.
    target_groups: [Invånare]
    monitoring: Vardagar 8-17
    status: active
    approved_by: Kulturchef
    approved_on: 2026-01-10
    last_archived: 2026-10-01
    last_reviewed: 2026-06-30  # granskad av Hemliga Hanna
    administrators:
      # två enligt riktlinjen
      - {name: Hanna Hemlig, email: hanna.hemlig@testby.se, phone: 0123-45 67 89}
      - {name: Olle Okänd, email: olle.okand@testby.se}
    substitute: {name: Sara Stand, email: sara.stand@testby.se}  # ersättare under semestern
    notes: |
      Lösenordet finns i kassaskåpet.
  # Bibliotek, sist
  - id: bibliotek-facebook
    name: Testby bibliotek
    platform: facebook
    url: https://www.facebook.com/testbybibliotek
    department: Kulturförvaltningen
    responsible_role: Bibliotekschef
    contact_email: bibliotek@testby.se
    purpose: Tipsa om böcker och evenemang.
    target_groups: [Låntagare]
    monitoring: Vardagar
    status: active
    approved_by: Kulturchef
    approved_on: 2026-01-10
    last_archived: 2026-10-01
    last_reviewed: 2026-06-30
    administrators:
      - {name: Berit Bok, email: berit.bok@testby.se}
      - {name: Lars Läsare, email: lars.lasare@testby.se}
    substitute: {name: Sara Stand, email: sara.stand@testby.se}
"""


def test_split_moves_internal_facts_with_their_comments_and_keeps_the_rest(tmp_path):
    reg = tmp_path / "channels.yaml"
    reg.write_text(COMMENTED, encoding="utf-8")
    before = load(reg, TODAY).result
    assert before.register is not None, [d.format() for d in before.errors]
    r = run_cli("split", "-r", str(reg))
    assert r.code == 0, r.err
    public = reg.read_text(encoding="utf-8")
    internal = (tmp_path / "channels.internal.yaml").read_text(encoding="utf-8")
    # comments of public lines stay; those of internal lines move with them
    for comment in ("# Förteckningen över Testbys kanaler.", "# Kultur\n", "# the id stays", "# Bibliotek, sist"):
        assert comment in public and comment not in internal
    for comment in ("# granskad av Hemliga Hanna", "# två enligt riktlinjen", "# ersättare under semestern"):
        assert comment in internal and comment not in public
    for value in _people_values(internal) | {"2026-06-30", "Lösenordet"}:
        assert value not in public, value
    # every line of the public register is a line it had before, in the same order
    old_lines = COMMENTED.splitlines()
    it = iter(old_lines)
    assert all(any(line == old for old in it) for line in public.splitlines())
    # and the two files read as the one did
    after = load(reg, TODAY).result
    assert after.register is not None, [d.format() for d in after.errors]
    for ch in before.register.channels:
        assert before.register.internal[ch.id] == after.register.internal[ch.id]
    assert yaml.safe_load(internal)["channels"]["kultur-instagram"]["notes"] == "Lösenordet finns i kassaskåpet.\n"


def test_split_never_overwrites_an_internal_file_and_writes_nothing_then(tmp_path):
    reg = tmp_path / "channels.yaml"
    reg.write_text(COMMENTED, encoding="utf-8")
    mine = tmp_path / "channels.internal.yaml"
    mine.write_text("# mine\n", encoding="utf-8")
    r = run_cli("split", "-r", str(reg))
    assert r.code == 1 and "never overwrites" in r.err
    assert mine.read_text(encoding="utf-8") == "# mine\n" and reg.read_text(encoding="utf-8") == COMMENTED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["channels.internal.yaml", "channels.yaml"]
    other = tmp_path / "privat" / "interna.yaml"
    other.parent.mkdir()
    ok = run_cli("split", "-r", str(reg), "--internal", str(other))
    assert ok.code == 0 and other.is_file() and "administrators" not in reg.read_text(encoding="utf-8")
    again = run_cli("split", "-r", str(reg), "--internal", str(tmp_path / "ny.yaml"))
    assert again.code == 1 and "nothing to move" in again.err and not (tmp_path / "ny.yaml").exists()


# --- the internal file's own diagnostics ---------------------------------------------------------

def _public_of(tmp_path) -> Path:
    reg = tmp_path / "channels.yaml"
    reg.write_text(COMMENTED, encoding="utf-8")
    assert run_cli("split", "-r", str(reg)).code == 0
    return reg


@pytest.mark.parametrize(("old", "new", "code", "severity"), [
    ("  bibliotek-facebook:", "  bibliotek-facebok:", "internal.unknown-id", "error"),
    ("email: berit.bok@testby.se", "email: berit.bok", "schema.email", "error"),
    ("Lösenordet finns i kassaskåpet.", "Anna har personnummer 19811218-9876.", "safety.personnummer", "error"),
    ("Lösenordet finns i kassaskåpet.", "Ring Anna på 070-123 45 67.", "safety.private-phone", "error"),
    ("Lösenordet finns i kassaskåpet.", "password: hunter22", "safety.credential", "error"),
    ("email: lars.lasare@testby.se}", "email: lars.lasare@testby.se, phone: 811218-9876}", "safety.personnummer",
     "error"),
    ("  bibliotek-facebook:\n", "  bibliotek-facebook:\n    api_key: x\n", "safety.credential-key", "error"),
    ("  bibliotek-facebook:\n", "  bibliotek-facebook:\n    hemligt: 1\n", "schema.unknown-key", "error"),
])
def test_problems_in_the_internal_file_are_reported_at_their_place(tmp_path, old, new, code, severity):
    reg = _public_of(tmp_path)
    internal = tmp_path / "channels.internal.yaml"
    text = internal.read_text(encoding="utf-8")
    assert old in text
    internal.write_text(text.replace(old, new, 1), encoding="utf-8")
    res = load(reg, TODAY).result
    found = [d for d in res.diagnostics if d.code == code]
    assert found and found[0].severity == severity and found[0].file == str(internal), res.diagnostics
    line = internal.read_text(encoding="utf-8").splitlines()[found[0].line - 1]
    assert line.strip() and found[0].col >= 1
    if code == "internal.unknown-id":
        assert "bibliotek-facebok" in line and found[0].hint == "did you mean 'bibliotek-facebook'?"


def test_a_mobile_number_is_allowed_in_a_phone_field_only(tmp_path):
    reg = _public_of(tmp_path)
    internal = tmp_path / "channels.internal.yaml"
    text = internal.read_text(encoding="utf-8")
    internal.write_text(text.replace("0123-45 67 89", "070-123 45 67"), encoding="utf-8")
    assert load(reg, TODAY).result.register is not None


def test_a_channel_without_an_entry_is_reported_and_its_internal_rules_still_run(tmp_path):
    reg = _public_of(tmp_path)
    internal = tmp_path / "channels.internal.yaml"
    data = internal.read_text(encoding="utf-8")
    cut = data.index("  bibliotek-facebook:")
    internal.write_text(data[:cut], encoding="utf-8")
    res = load(reg, TODAY).result
    missing = [d for d in res.diagnostics if d.code == "internal.no-entry"]
    assert [(d.file, d.severity) for d in missing] == [(str(reg), "warning")]
    assert "bibliotek-facebook" in missing[0].message
    assert res.register is None and "policy.administrators" in _codes(res.errors)


def test_personal_data_in_the_notes_of_a_combined_register_is_flagged_too(tmp_path):
    reg = tmp_path / "channels.yaml"
    reg.write_text(COMMENTED.replace("Lösenordet finns i kassaskåpet.", "Hannas personnummer 19811218-9876."),
                   encoding="utf-8")
    res = load(reg, TODAY).result
    assert "safety.personnummer" in _codes(res.errors)
    d = next(d for d in res.errors if d.code == "safety.personnummer")
    assert d.path == "channels[0] (kultur-instagram).notes" and d.file == str(reg)


# --- diff and init -------------------------------------------------------------------------------



def test_diff_shows_no_internal_value(tmp_path):
    reg = _public_of(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "channels.yaml")
    git(tmp_path, "commit", "-q", "-m", "start")
    internal = tmp_path / "channels.internal.yaml"
    values = _people_values(internal.read_text(encoding="utf-8"))
    reg.write_text(reg.read_text(encoding="utf-8").replace("Tipsa om böcker", "Tipsa om nya böcker"), encoding="utf-8")
    internal.write_text(internal.read_text(encoding="utf-8").replace("Berit Bok", "Berit Boksson"), encoding="utf-8")
    r = run_cli("diff", "main", "-r", str(reg), "--internal", str(internal))
    assert r.code == 0 and "Tipsa om nya böcker" in r.out
    for value in values | {"Berit Boksson"}:
        assert value not in r.out, value


def test_split_keeps_a_public_comment_that_follows_a_moved_value_in_the_public_register(tmp_path):
    reg = tmp_path / "channels.yaml"
    middle = COMMENTED.replace("    status: active\n    approved_by: Kulturchef\n    approved_on: 2026-01-10\n"
                               "    last_archived: 2026-10-01\n"
                               "    last_reviewed: 2026-06-30  # granskad av Hemliga Hanna\n",
                               "    last_reviewed: 2026-06-30  # granskad av Hemliga Hanna\n"
                               "    # status: publikt\n    status: active\n    approved_by: Kulturchef\n"
                               "    approved_on: 2026-01-10\n    last_archived: 2026-10-01\n", 1)
    assert middle != COMMENTED
    reg.write_text(middle, encoding="utf-8")
    assert run_cli("split", "-r", str(reg)).code == 0
    public = reg.read_text(encoding="utf-8")
    internal = (tmp_path / "channels.internal.yaml").read_text(encoding="utf-8")
    assert "    # status: publikt\n    status: active\n" in public and "status: publikt" not in internal
    assert "last_reviewed: 2026-06-30  # granskad av Hemliga Hanna" in internal


def test_init_writes_both_files_and_keeps_the_internal_one_out_ofgit(tmp_path):
    target = tmp_path / "repo"
    r = run_cli("init", str(target), "--name", "Norsjö kommun", "--website", "https://www.norsjo.se",
                "--email", "kommun@norsjo.se")
    assert r.code == 0, r.err
    assert (target / "channels.internal.yaml").is_file()
    assert "/channels.internal.yaml" in (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "administrators" not in (target / "channels.yaml").read_text(encoding="utf-8")
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert "## Publik förteckning, intern aktivitetsplan" in readme and "SOPS" in readme
    git(target, "init", "-q", "-b", "main")
    git(target, "add", ".")
    listed = subprocess.run(["git", "ls-files"], cwd=target, capture_output=True, text=True, check=True).stdout
    assert "channels.yaml" in listed.split() and "channels.internal.yaml" not in listed
    # 'new' puts the internal answers into the internal file, the rest into the register
    new = run_cli("new", "-r", str(target / "channels.yaml"), "--id", "kommunen-facebook", "--name", "Norsjö kommun",
                  "--platform", "facebook", "--url", "https://www.facebook.com/norsjokommun",
                  "--department", "Kommunledningsförvaltningen", "--responsible-role", "Kommunikationschef",
                  "--contact-email", "kommun@norsjo.se", "--purpose", "Informera invånare om kommunens service.",
                  "--target-groups", "Invånare", "--monitoring", "Vardagar 8-16", "--approved-by", "Kommundirektör",
                  "--approved-on", "2026-11-01", "--administrators", "Anna Andersson, anna.andersson@norsjo.se",
                  "--administrators", "Bo Berglund, bo.berglund@norsjo.se",
                  "--substitute", "Cecilia Dahl, cecilia.dahl@norsjo.se", "--today", TODAY.isoformat())
    assert new.code == 0, new.err
    assert "Andersson" not in (target / "channels.yaml").read_text(encoding="utf-8")
    inner = yaml.safe_load((target / "channels.internal.yaml").read_text(encoding="utf-8"))
    assert [p["name"] for p in inner["channels"]["kommunen-facebook"]["administrators"]] == \
        ["Anna Andersson", "Bo Berglund"]
    check = run_cli("check", "-r", str(target / "channels.yaml"), "--require-internal", "--today", TODAY.isoformat())
    assert check.code == 0, check.err
