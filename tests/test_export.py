"""Open data: CSV, JSON and the frictionless Data Package."""

from __future__ import annotations

import csv
import json

from conftest import DEMO, TODAY, load_register
from frictionless import Package

from kanalregister.register.schema import table


def test_datapackage_validates_with_frictionless(demo_site):
    report = Package(str(demo_site / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == 3  # channels.csv, party_channels.csv, channels.json


def test_csv_has_every_channel_and_only_public_columns(demo_site):
    register, _ = load_register(DEMO, today=TODAY)
    with open(demo_site / "channels.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [f.name for f in table("channel").public_fields]
    assert not {"administrators", "substitute", "notes", "last_reviewed", "last_activity"} & set(rows[0])
    assert [r["id"] for r in rows] == [c.id for c in register.channels]
    first = register.channels[0]
    assert rows[0]["target_groups"].split(";") == list(first.target_groups)
    assert rows[0]["start_date"] == first.start_date.isoformat()


def test_json_matches_the_register(demo_site):
    register, _ = load_register(DEMO, today=TODAY)
    doc = json.loads((demo_site / "channels.json").read_text(encoding="utf-8"))
    assert doc["organisation"]["name"] == register.organisation.name
    assert [c["id"] for c in doc["channels"]] == [c.id for c in register.channels]
    assert doc["channels"][0]["target_groups"] == list(register.channels[0].target_groups)
    assert [p["url"] for p in doc["party_channels"]] == [p.url for p in register.party_channels]
    assert doc["example_data"] is True


def test_published_schema_has_no_internal_fields_or_extensions(demo_site):
    pkg = json.loads((demo_site / "datapackage.json").read_text(encoding="utf-8"))
    schema = pkg["resources"][0]["schema"]
    names = [f["name"] for f in schema["fields"]]
    assert "administrators" not in names and "notes" not in names
    assert not any(k.startswith("x-") for f in schema["fields"] for k in f)
