"""Each policy rule: pass, warning and error; parameters; the demo passes its own policy."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import DEMO, MINIMAL, TODAY, load_register, run_cli

from kanalregister.register.policy import RULES, add_months, meaningful

BASE = MINIMAL.read_text(encoding="utf-8")
CH0_ADMINS = ("    administrators:\n"
              "      - {name: Alva Admin, email: alva.admin@testby.example, phone: 0123-45 01 01}\n"
              "      - {name: Bertil Backup, email: bertil.backup@testby.example, phone: 0123-45 01 02}\n")

# rule → (edit that breaks it in channels[0] or [2], field path the diagnostic points at)
BREAK = {
    "responsible": (lambda t: t.replace("    responsible_role: Kommunikationschef\n", "", 1),
                    "channels[0] (kommunen-facebook).responsible_role"),
    "purpose_target_group": (lambda t: t.replace("purpose: Informera invånare om kommunens service.", "purpose: '-'"),
                             "channels[0] (kommunen-facebook).purpose"),
    "administrators": (lambda t: t.replace(CH0_ADMINS, "    administrators:\n      - {name: Alva Admin, email: "
                                           "alva.admin@testby.example}\n"),
                       "channels[0] (kommunen-facebook).administrators"),
    "substitute": (lambda t: t.replace("    substitute: {name: Cilla Ersättare, email: cilla.ersattare@testby.example,"
                                       " phone: 0123-45 01 03}\n", ""), "channels[0] (kommunen-facebook).substitute"),
    "approval": (lambda t: t.replace("    approved_on: 2019-12-01\n", ""),
                 "channels[0] (kommunen-facebook).approved_on"),
    "monitoring": (lambda t: t.replace("    monitoring: Vardagar, svar inom 48 timmar\n", ""),
                   "channels[0] (kommunen-facebook).monitoring"),
    "archive": (lambda t: t.replace("    last_archived: 2026-06-30\n", "    last_archived: 2025-06-30\n", 1),
                "channels[0] (kommunen-facebook).last_archived"),
    "review": (lambda t: t.replace("    last_reviewed: 2026-06-30\n", "    last_reviewed: 2025-01-01\n", 1),
               "channels[0] (kommunen-facebook).last_reviewed"),
    "passive": (lambda t: t.replace("last_activity: 2026-11-01", "last_activity: 2026-01-01"),
                "channels[0] (kommunen-facebook).last_activity"),
    "closed_archive": (lambda t: t.replace("    last_archived: 2018-06-29\n", "    last_archived: 2017-01-01\n"),
                       "channels[2] (gamla-x).last_archived"),
}


def _check(write, text, *extra):
    r = run_cli("check", "-r", str(write(text)), "--today", TODAY.isoformat(), "--format", "json", *extra)
    return r.code, json.loads(r.out)["diagnostics"]


def _with_policy(text: str, rule: str, setting: str) -> str:
    return text.replace("\nchannels:\n", f"\npolicy:\n  {rule}: {setting}\nchannels:\n", 1)


def test_every_rule_has_a_breaking_case():
    assert set(BREAK) == {r.key for r in RULES}


@pytest.mark.parametrize("rule", sorted(BREAK))
def test_rule_passes_on_the_minimal_register(rule, write):
    code, diags = _check(write, BASE)
    assert code == 0
    assert not [d for d in diags if d["code"] == f"policy.{rule}"]


@pytest.mark.parametrize("level", ["error", "warning", "off"])
@pytest.mark.parametrize("rule", sorted(BREAK))
def test_rule_levels(rule, level, write):
    breaker, path = BREAK[rule]
    text = breaker(BASE)
    assert text != BASE
    code, diags = _check(write, _with_policy(text, rule, level))
    hits = [d for d in diags if d["code"] == f"policy.{rule}"]
    if level == "off":
        assert hits == [] and code == 0
    else:
        assert [d["severity"] for d in hits] == [level] and hits[0]["path"] == path
        assert code == (1 if level == "error" else 0)
        assert hits[0]["line"] > 0 and "policy" in hits[0]["hint"]


def test_parameters_change_the_rule(write):
    # a screenshot 8 months old is fine yearly (Norsjö) but overdue half-yearly (Botkyrka)
    text = BASE.replace("    last_archived: 2026-06-30\n", "    last_archived: 2026-03-22\n", 1)
    assert not [d for d in _check(write, text)[1] if d["code"] == "policy.archive"]
    code, diags = _check(write, _with_policy(text, "archive", "{level: error, months: 6}"))
    assert code == 1
    assert [d["message"] for d in diags if d["code"] == "policy.archive"] == [
        "archived screenshot overdue since 2026-09-22 (last 2026-03-22, every 6 months)"]
    three = BASE.replace(CH0_ADMINS, CH0_ADMINS + "      - {name: Cissi C, email: cissi.c@testby.example}\n")
    code, diags = _check(write, _with_policy(three, "administrators", "{minimum: 3}"))
    assert [d["path"] for d in diags if d["code"] == "policy.administrators"] == \
        ["channels[1] (skolan-instagram).administrators"]


@pytest.mark.parametrize("setting,code", [
    ("{level: warning, month: 6}", "policy.unknown-param"),
    ("{level: warning, months: 0}", "policy.param"),
    ("{level: warning, months: sex}", "policy.param"),
    ("strict", "policy.level"),
    ("[error]", "policy.type"),
])
def test_bad_policy_settings(setting, code, write):
    rc, diags = _check(write, _with_policy(BASE, "archive", setting))
    assert rc == 1
    assert code in [d["code"] for d in diags if d["severity"] == "error"]


def test_off_written_bare_is_understood(write):
    text = _with_policy(BREAK["substitute"][0](BASE), "substitute", "off")
    assert "substitute: off" in text
    assert _check(write, text)[0] == 0


def test_demo_register_passes_its_own_policy():
    register, warnings = load_register(DEMO, today=TODAY)
    assert register is not None
    assert all(w.severity == "warning" for w in warnings)


@pytest.mark.parametrize("text,ok", [("Informera invånare", True), ("-", False), ("TBD", False), ("  ", False),
                                     ("…", False), ("Saknas", False), ("123", False), (None, False)])
def test_meaningful(text, ok):
    assert meaningful(text) is ok


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 22), 14) == dt.date(2028, 1, 22)


@pytest.mark.parametrize("purpose,words,ok", [
    ("Böcker", 1, False),                       # the one-word purpose
    ("Böcker och film", 3, True),
    ("Tipsa om böcker!", 3, True),
    ("Nyheter, evenemang", 2, False),
    ("Informera invånare om kommunens service.", 5, True),
])
def test_purpose_is_a_sentence_of_min_words(purpose, words, ok, write):
    text = BASE.replace("purpose: Informera invånare om kommunens service.", f"purpose: {purpose}", 1)
    code, diags = _check(write, text)
    found = [d for d in diags if d["code"] == "policy.purpose_target_group"]
    assert code == (0 if ok else 1)
    if ok:
        assert not found
    else:
        [d] = found
        assert d["path"] == "channels[0] (kommunen-facebook).purpose" and d["severity"] == "error"
        assert f"has {words} word(s)" in d["message"] and "at least 3 words" in d["message"]


def test_min_words_is_configured_in_the_policy_section(write):
    one = BASE.replace("purpose: Informera invånare om kommunens service.", "purpose: Böcker", 1)
    assert _check(write, _with_policy(one, "purpose_target_group", "{min_words: 1}"))[0] == 0
    code, diags = _check(write, _with_policy(BASE, "purpose_target_group", "{min_words: 6}"))
    assert code == 1  # 5 words in channels[0] and [2]; "Berätta om skolans vardag för vårdnadshavare." has 6
    assert [d["path"] for d in diags if d["code"] == "policy.purpose_target_group"] == [
        "channels[0] (kommunen-facebook).purpose", "channels[2] (gamla-x).purpose"]
    code, diags = _check(write, _with_policy(BASE, "purpose_target_group", "{min_words: 0}"))
    assert "policy.param" in [d["code"] for d in diags]


def test_min_words_is_in_the_editors_schema_with_its_default():
    schema = json.loads((DEMO.parent / "schema" / "channels.schema.json").read_text(encoding="utf-8"))
    text = json.dumps(schema)
    assert '"min_words": {"type": "integer", "minimum": 1, "maximum": 120, "default": 3}' in text
