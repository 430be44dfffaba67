"""``edit ID FIELD VALUE``, ``close ID`` and ``new`` from options: the change is made with
comments, layout and line endings kept, checked by the one checker, written only when it
passes, and problems are reported about the channel changed or added."""

from __future__ import annotations

import difflib
import shutil

import pytest
from conftest import MINIMAL, TODAY, run_cli

from kanalregister.register.loader import load

DAY = TODAY.isoformat()


@pytest.fixture
def reg(tmp_path):
    path = tmp_path / "channels.yaml"
    shutil.copy(MINIMAL, path)
    assert run_cli("fmt", "-r", str(path)).code == 0
    text = path.read_text(encoding="utf-8")
    text = text.replace("    purpose: Berätta om skolans vardag för vårdnadshavare.\n",
                        "    # beslutat av skolchefen 2021\n"
                        "    purpose: Berätta om skolans vardag för vårdnadshavare.  # syftet\n")
    path.write_text(text, encoding="utf-8")
    return path


def _changes(before: str, after: str) -> list[tuple[str, list[str], list[str]]]:
    a, b = before.splitlines(), after.splitlines()
    return [(op, a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes()
            if op != "equal"]


def _channel(path, channel_id):
    res = load(path, TODAY).result
    assert res.errors == [], res.errors
    return next(c for c in res.register.channels if c.id == channel_id), res.register


def test_edit_changes_one_value_and_keeps_comments(reg):
    before = reg.read_text(encoding="utf-8")
    r = run_cli("edit", "skolan-instagram", "purpose", "Berätta om skolans vardag för vårdnadshavare och elever.",
                "-r", str(reg), "--today", DAY, "--note", "Syftet omfattar nu eleverna.")
    assert r.code == 0, r.err
    assert "skolan-instagram" in r.err and "passes the checks" in r.err
    after = reg.read_text(encoding="utf-8")
    assert _changes(before, after) == [
        ("replace", ["    purpose: Berätta om skolans vardag för vårdnadshavare.  # syftet"],
         ["    purpose: Berätta om skolans vardag för vårdnadshavare och elever.  # syftet"]),
        ("insert", [], [f"    last_changed: {DAY}", "    change_note: Syftet omfattar nu eleverna."]),
    ]
    assert "    # beslutat av skolchefen 2021\n" in after
    c, _reg = _channel(reg, "skolan-instagram")
    assert c.purpose.endswith("och elever.") and c.change_note == "Syftet omfattar nu eleverna."


def test_edit_lists_and_people(reg):
    assert run_cli("edit", "skolan-instagram", "target_groups", "Vårdnadshavare; Elever; Personal", "-r", str(reg),
                   "--today", DAY).code == 0
    assert run_cli("edit", "skolan-instagram", "substitute", "Gun Grön, gun.gron@testby.example, 0123-45 09 09",
                   "-r", str(reg), "--today", DAY).code == 0
    c, register = _channel(reg, "skolan-instagram")
    assert c.target_groups == ("Vårdnadshavare", "Elever", "Personal")
    assert register.internal["skolan-instagram"].substitute.email == "gun.gron@testby.example"


def test_edit_keeps_crlf_line_endings(reg):
    reg.write_bytes(reg.read_bytes().replace(b"\n", b"\r\n"))
    assert run_cli("edit", "skolan-instagram", "monitoring", "Skoldagar 8-16", "-r", str(reg), "--today",
                   DAY).code == 0
    data = reg.read_bytes()
    assert b"    monitoring: Skoldagar 8-16\r\n" in data
    assert data.count(b"\r\n") == data.count(b"\n")
    assert sorted(p.name for p in reg.parent.iterdir()) == ["channels.yaml"]  # no temporary file left


@pytest.mark.parametrize("channel_id, field, value, message", [
    ("skolan-instagram", "hours_per_week", "ca 2", "expected a number, got 'ca 2'"),
    ("skolan-instagram", "start_date", "1/12/2026", "expected a date YYYY-MM-DD, got '1/12/2026'"),
    ("skolan-instagram", "url", "www.instagram.com/testbyskola", "https"),
    ("skolan-instagram", "url", "https://www.tiktok.com/@testbyskola", "instagram"),
    ("skolan-instagram", "platform", "TikTok", "did you mean 'tiktok'?"),
    ("skolan-instagram", "id", "Skolan-Instagram", "ids are lower case: 'skolan-instagram'"),
    ("skolan-instagram", "administrators", "Doris Drift, doris.drift@testby.example", "at least 2 required"),
    ("skolan-instagram", "status", "closed", "closing date"),
    ("skolan-instagram", "url", "https://www.facebook.com/testbykommun", "kommunen-facebook"),
    ("skolan-instagram", "purpos", "Något", "did you mean 'purpose'?"),
    ("skolan-instagram", "department", "", "required"),
    ("skolan-instagrm", "purpose", "Något.", "did you mean 'skolan-instagram'?"),
])
def test_edit_refuses_a_change_that_does_not_pass_and_writes_nothing(reg, channel_id, field, value, message):
    before = reg.read_bytes()
    r = run_cli("edit", channel_id, field, value, "-r", str(reg), "--today", DAY)
    assert r.code == 1
    assert message in r.err, r.err
    assert "Traceback" not in r.err
    assert reg.read_bytes() == before
    assert sorted(p.name for p in reg.parent.iterdir()) == ["channels.yaml"]


def test_edit_reports_about_the_channel_not_a_line_of_another(reg):
    r = run_cli("edit", "skolan-instagram", "hours_per_week", "ca 2", "-r", str(reg), "--today", DAY)
    assert "channel 'skolan-instagram': hours_per_week" in r.err
    assert "channels[" not in r.err


def test_close_sets_everything_the_rules_ask_in_one_step(reg):
    before = reg.read_text(encoding="utf-8")
    r = run_cli("close", "skolan-instagram", "-r", str(reg), "--today", DAY, "--date", DAY, "--reason",
                "Skolan informerar nu på kommunens Facebooksida.", "--successor", "kommunen-facebook",
                "--archived", "2026-11-20")
    assert r.code == 0, r.err
    assert "final screenshot" in r.err and "diarieföring" in r.err  # the reminder
    c, _reg = _channel(reg, "skolan-instagram")
    assert (c.status, c.closing_date, c.successor, c.last_archived.isoformat()) == (
        "closed", TODAY, "kommunen-facebook", "2026-11-20")
    assert c.change_note == "Skolan informerar nu på kommunens Facebooksida." and c.last_changed == TODAY
    assert run_cli("check", "-r", str(reg), "--today", DAY).code == 0
    after = reg.read_text(encoding="utf-8")
    assert "    # beslutat av skolchefen 2021\n" in after and "  # syftet\n" in after
    assert all(op in ("replace", "insert") for op, _a, _b in _changes(before, after))
    assert run_cli("fmt", "--check", "-r", str(reg)).code == 0  # new keys in schema order


def test_close_without_a_recent_final_screenshot_is_refused_with_the_reminder(reg):
    before = reg.read_bytes()
    r = run_cli("close", "skolan-instagram", "-r", str(reg), "--today", DAY)
    assert r.code == 1
    assert "final screenshot" in r.err and "--archived YYYY-MM-DD" in r.err
    assert reg.read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["gamla-x"], "closed already"),
    (["skolan-instagram", "--archived", DAY, "--successor", "finns-inte"], "'finns-inte' is not another channel"),
    (["skolan-instagram", "--archived", DAY, "--date", "2020-01-01"], "before the start date"),
])
def test_close_refuses_what_would_not_pass(reg, args, message):
    before = reg.read_bytes()
    r = run_cli("close", *args, "-r", str(reg), "--today", DAY)
    assert r.code == 1 and message in r.err, r.err
    assert reg.read_bytes() == before


NEW = ["--id", "skolan-youtube", "--name", "Testby skola", "--platform", "youtube",
       "--url", "https://www.youtube.com/@testbyskola", "--department", "Barn- och utbildningsförvaltningen",
       "--responsible-role", "Rektor", "--contact-email", "skolan@testby.example",
       "--purpose", "Visa filmer från skolans evenemang.", "--target-groups", "Vårdnadshavare",
       "--monitoring", "Skoldagar", "--approved-by", "Skolchef", "--approved-on", "2026-11-20",
       "--administrators", "Doris Drift, doris.drift@testby.example",
       "--administrators", "Erik Ekonom, erik.ekonom@testby.example",
       "--substitute", "Frida Fri, frida.fri@testby.example"]


def test_new_from_options_between_entries_keeps_the_spacing(reg):
    before = reg.read_text(encoding="utf-8")
    r = run_cli("new", "-r", str(reg), "--today", DAY, *NEW)
    assert r.code == 0, r.err
    after = reg.read_text(encoding="utf-8")
    assert [op for op, _a, _b in _changes(before, after)] == ["insert"]
    # between skolan-instagram and gamla-x, a blank line before and after it as between the others
    assert "frida.fri@testby.example}\n\n  - id: skolan-youtube\n" in after
    assert "substitute: {name: Frida Fri, email: frida.fri@testby.example}\n\n  - id: gamla-x\n" in after
    assert run_cli("fmt", "--check", "-r", str(reg)).code == 0


@pytest.mark.parametrize("drop, field", [("--department", "department"), ("--url", "url"),
                                         ("--administrators", "administrators")])
def test_new_from_options_reports_missing_answers_about_the_new_channel(reg, drop, field):
    before = reg.read_bytes()
    args = []
    skip = False
    for a in NEW:
        if skip:
            skip = False
            continue
        if a == drop:
            skip = True
            continue
        args.append(a)
    r = run_cli("new", "-r", str(reg), "--today", DAY, *args)
    assert r.code == 1
    assert f"new channel 'skolan-youtube': {field}" in r.err, r.err
    assert "channels[" not in r.err  # not another channel's place in the file
    assert reg.read_bytes() == before


@pytest.mark.parametrize("department", ["Arbetsmarknadsförvaltningen", "Barn- och utbildningsförvaltningen",
                                        "Kommunledningsförvaltningen", "Överförmyndaren"])
def test_the_entry_spliced_in_is_what_ruamel_would_write(reg, department):
    """new writes into a register in fmt's layout by splicing the entry in; the text must be
    the one that reading and writing the whole file with ruamel.yaml gives (first, middle, last)."""
    from kanalregister.commands.edit import load_rt
    from kanalregister.commands.new import Draft

    values = {"id": "ny-kanal", "name": "Ny", "platform": "youtube", "url": "https://www.youtube.com/@ny",
              "department": department, "status": "active", "target_groups": ["Unga"]}
    fast = Draft(reg, TODAY)
    assert fast.items is not None
    slow = Draft(reg, TODAY)
    slow.items, slow.data = None, load_rt(reg)[0]
    text, pos, _entry = fast.text_with(values)
    assert (text, pos) == slow.text_with(values)[:2]
    reg.write_text(text, encoding="utf-8")
    assert run_cli("fmt", "--check", "-r", str(reg)).code == 0


def test_edit_with_an_old_error_elsewhere_writes_and_says_so(reg):
    reg.write_text(reg.read_text(encoding="utf-8").replace(
        "    purpose: Kommunens tidigare konto på X.\n",
        "    purpose: Kommunens tidigare konto på X.\n    hours_per_week: många\n"), encoding="utf-8")
    r = run_cli("edit", "skolan-instagram", "monitoring", "Skoldagar 8-16", "-r", str(reg), "--today", DAY)
    assert r.code == 0, r.err
    assert "1 error(s) elsewhere from before" in r.err
    assert "    monitoring: Skoldagar 8-16\n" in reg.read_text(encoding="utf-8")
    # a change that adds an error is still refused
    before = reg.read_bytes()
    assert run_cli("edit", "skolan-instagram", "hours_per_week", "x", "-r", str(reg), "--today", DAY).code == 1
    assert reg.read_bytes() == before
