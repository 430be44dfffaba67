"""The editor's JSON Schema agrees with the validator on the demo register and on every
bad-input fixture, except the rules a JSON Schema cannot express, which are listed here
with the reason (and checked to be exactly those)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import DEMO, MINIMAL, ROOT
from test_corpus import CASES, expected

from kanalregister.register.editor import json_schema

VALIDATOR = jsonschema.Draft202012Validator(json_schema(), format_checker=jsonschema.FormatChecker())

#: Diagnostics that come before any data exists: the file is not safe YAML, so no editor
#: schema can judge it (yaml-language-server reports these as YAML errors itself).
YAML_LEVEL = re.compile(r"^(yaml|file)\.")

#: Rules only the validator can check, and why a JSON Schema cannot.
VALIDATOR_ONLY = {
    "schema.unique": "uniqueness of one property across list items",
    "rule.closing-before-start": "comparing two dates",
    "rule.successor": "a reference to another item's id",
    "text.lookalike": "mixed alphabets in one name",
    "safety.credential": "password- and token-like text inside a value",
    "safety.personnummer": "a check digit (Luhn)",
    "safety.private-phone": "phone numbers inside free text",
    "safety.private-email": "free-mail domains inside free text",
    "safety.internal-data": "values shared between internal and public fields",
    "policy.purpose_target_group": "placeholder text",
}


def _jsonable(v):
    """YAML data as an editor's language server sees it: dates are strings."""
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it (YAML 1.2 core): dates stay text and only
    true/false are booleans."""


EditorLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
EditorLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                   list("tTfF"))


def load_like_an_editor(text: str):
    return yaml.load(text, Loader=EditorLoader)


def schema_accepts(path: Path) -> bool:
    data = _jsonable(load_like_an_editor(path.read_text(encoding="utf-8")))
    return VALIDATOR.is_valid(data)


def test_committed_schema_file_is_generated_and_current():
    committed = json.loads((ROOT / "schema" / "channels.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema()
    jsonschema.Draft202012Validator.check_schema(committed)


def test_demo_register_points_editors_at_the_schema():
    first = DEMO.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=schema/channels.schema.json"
    assert (DEMO.parent / "schema" / "channels.schema.json").exists()


@pytest.mark.parametrize("path", [DEMO, MINIMAL], ids=["demo", "minimal"])
def test_valid_registers_are_valid_for_the_schema(path):
    errors = list(VALIDATOR.iter_errors(_jsonable(load_like_an_editor(path.read_text(encoding="utf-8")))))
    assert errors == [], [e.message for e in errors]


DATA_CASES = [p for p in CASES if not YAML_LEVEL.match(expected(p)[0])]


def test_yaml_level_cases_are_left_to_the_loader():
    # These files are refused before any data exists (syntax, tags, aliases, bombs…): an
    # editor reports them as YAML errors, and PyYAML would even expand the alias bomb.
    assert 15 <= len(CASES) - len(DATA_CASES) <= 30


@pytest.mark.parametrize("path", DATA_CASES, ids=lambda p: p.stem)
def test_schema_and_validator_agree_on_bad_input(path):
    code, _line, _col = expected(path)
    if code in VALIDATOR_ONLY:
        assert schema_accepts(path), f"{code} is now caught by the schema: move it out of VALIDATOR_ONLY"
    else:
        assert not schema_accepts(path), f"the validator rejects {path.name} ({code}) but the schema accepts it"


#: Characters that text may not contain, in every class the validator knows (invisible, bidi,
#: control, private use), among them the eight the editor's schema once let through. (NEL,
#: U+0085, is left out: YAML reads it as a line break.)
TRICKY_CHARACTERS = ["\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u180e", "\u3164", "\uffa0",
                     "\u200b", "\u202e", "\u2066", "\u00ad", "\ufeff", "\x07", "\x9f", "\ue000", "\t"]
ACCEPTED = ["Å", "é", "ß", "–", "“", "€", "😀", "\u00a0"]


@pytest.mark.parametrize("char", TRICKY_CHARACTERS + ACCEPTED, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", ["name", "purpose"])
def test_the_editor_schema_and_check_judge_a_character_alike(tmp_path, cli, char, field):
    """The same value through the JSON Schema (as the editor sees it) and through ``check``:
    both refuse it or both accept it. The schema's text patterns come from the validator's
    own character classes (kanalregister.register.text), so they cannot drift."""
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    data["channels"][0][field] = f"Kommunen{char}s kanal"
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    in_editor = not list(VALIDATOR.iter_errors(_jsonable(yaml.load(path.read_text(encoding="utf-8"),
                                                                     Loader=EditorLoader))))
    r = cli("check", "-r", str(path), "--format", "json")
    codes = {d["code"] for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error"}
    by_check = not (codes & {"text.invisible", "text.bidi", "text.control"})
    assert in_editor == by_check, (codes, in_editor)
    assert by_check == (char in ACCEPTED)
