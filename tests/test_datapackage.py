"""The Data Package is valid against the official profile it declares (issue 19).

It declares Data Package v1 (``"profile": "data-package"``): the descriptor must validate
against ``shared/data/datapackage-profiles/1.0/datapackage.json`` (JSON Schema), the data
against the descriptor with frictionless, ``successor`` is a foreign key to ``id`` that
frictionless checks, and ``channels.json`` is a declared resource whose JSON Schema
(``channels.schema.json``) it validates against.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import jsonschema
import pytest
from conftest import ROOT
from frictionless import Package

PROFILES = ROOT.parent / "shared" / "data" / "datapackage-profiles"


def _profile_errors(descriptor: dict, version: str) -> list[str]:
    profile = json.loads((PROFILES / version / "datapackage.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(profile)
    v = validator(profile, format_checker=validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in v.iter_errors(descriptor)]


@pytest.fixture
def package(demo_site) -> dict:
    return json.loads((demo_site / "datapackage.json").read_text(encoding="utf-8"))


def test_descriptor_validates_against_the_v1_profile_it_declares(package):
    assert package["profile"] == "data-package" and "$schema" not in package  # v1's way of naming the profile
    assert _profile_errors(package, "1.0") == []


def test_the_v1_profile_check_can_fail(package):
    """A v2-only field type (list) is what the descriptor used to have; the profile rejects it."""
    field = next(f for f in package["resources"][0]["schema"]["fields"] if f["name"] == "target_groups")
    field.update(type="list", delimiter=";", itemType="string")
    assert any("target_groups" in e or "fields" in e for e in _profile_errors(package, "1.0"))


def test_list_fields_are_strings_separated_by_semicolons(package, demo_site):
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    for name in ("aliases", "target_groups", "languages"):
        assert fields[name]["type"] == "string" and "semicolons" in fields[name]["description"]
        assert "delimiter" not in fields[name] and "itemType" not in fields[name]
    assert fields["languages"]["constraints"]["pattern"] == "([a-z]{2,3})(;([a-z]{2,3}))*"
    rows = list(csv.DictReader(io.StringIO((demo_site / "channels.csv").read_text(encoding="utf-8"))))
    assert any(";" in r["target_groups"] for r in rows)


def test_successor_is_a_foreign_key_to_id(package):
    schema = package["resources"][0]["schema"]
    assert schema["primaryKey"] == ["id"]
    assert schema["foreignKeys"] == [{"fields": ["successor"], "reference": {"resource": "", "fields": ["id"]}}]


def test_frictionless_finds_a_successor_that_is_no_channel(demo_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(demo_site, site)
    text = (site / "channels.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    col = rows[0].index("successor")
    with_successor = [r for r in rows[1:] if r[col]]
    assert with_successor, "the demo register has a closed channel with a successor"
    with_successor[0][col] = "no-such-channel"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    (site / "channels.csv").write_text(buf.getvalue(), encoding="utf-8")
    report = Package(str(site / "datapackage.json")).validate()
    assert not report.valid
    assert [e for e in report.flatten(["type"]) if e == ["foreign-key"]]


def test_channels_json_is_a_resource_valid_against_its_json_schema(package, demo_site):
    res = next(r for r in package["resources"] if r["path"] == "channels.json")
    assert (res["format"], res["mediatype"]) == ("json", "application/json")
    schema = json.loads((demo_site / res["jsonSchema"]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = json.loads((demo_site / "channels.json").read_text(encoding="utf-8"))
    v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in v.iter_errors(doc)] == []
    doc["channels"][0]["target_groups"] = "Invånare;Företag"  # a list written as in the CSV is wrong in JSON
    doc["channels"][1]["administrators"] = ["Anna"]  # an internal field is never in the open data
    assert len(list(v.iter_errors(doc))) == 2
