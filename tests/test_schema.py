"""One source of truth: the Table Schemas drive validation, exports, docs and the model."""

from __future__ import annotations

import json

from conftest import ROOT

from kanalregister.register import model
from kanalregister.register.editor import field_docs_markdown, json_schema
from kanalregister.register.platforms import PLATFORMS
from kanalregister.register.policy import policy_docs_markdown
from kanalregister.register.schema import raw_schema, table


def test_platform_enum_and_platform_table_agree():
    for t in ("channel", "party_channel"):
        assert set(table(t).by_name["platform"].enum) == set(PLATFORMS)


def test_model_fields_match_the_schema():
    fields = table("channel")
    assert model.model_field_names(model.Channel) == {f.name for f in fields.public_fields}
    assert model.model_field_names(model.ChannelInternal) == {f.name for f in fields.fields if f.internal}
    assert model.model_field_names(model.PartyChannel) == {f.name for f in table("party_channel").fields}
    assert model.model_field_names(model.Organisation) == {f.name for f in table("organisation").fields}
    assert model.model_field_names(model.Person) == {f.name for f in table("person").fields}


def test_every_field_is_documented():
    for t in ("organisation", "channel", "party_channel", "person"):
        for f in table(t).fields:
            assert f.title and f.description, f"{t}.{f.name} has no title or description"
            if t != "person":
                assert f.example is not None, f"{t}.{f.name} has no example"


def test_docs_fields_md_is_generated_and_current():
    text = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    assert text == field_docs_markdown() + "\n"
    for t in ("organisation", "channel", "party_channel", "person"):
        for f in table(t).fields:
            assert f"| `{f.name}` |" in text


def test_readme_policy_table_is_current():
    assert policy_docs_markdown() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_schema_files_are_valid_json_with_descriptions():
    for t in ("organisation", "channel", "party_channel"):
        raw = raw_schema(t)
        assert raw["fields"]
        json.dumps(json_schema())
