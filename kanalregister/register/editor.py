"""What the Table Schemas give besides validation: the JSON Schema of ``channels.yaml`` for
editors (``kanalregister schema``; the YAML language server validates and completes with it)
and the field reference ``docs/fields.md`` (``kanalregister docs``).

Both are derived from the same :class:`kanalregister.register.schema.TableSpec` objects the
checker uses, and text safety from :mod:`kanalregister.register.text`, so they cannot drift
from ``check``; ``tests/test_jsonschema.py`` runs tricky values through both."""

from __future__ import annotations

import re

from . import text
from .platforms import PLATFORMS
from .policy import policy_json_schema
from .schema import FieldSpec, TableSpec, table

#: Patterns of the text the validator accepts (:mod:`kanalregister.text`, one source).
SAFE_LINE = f"^[^{text.UNSAFE_LINE_CLASS}]*$"


SAFE_MULTILINE = f"^[^{text.UNSAFE_MULTILINE_CLASS}]*$"


#: An https URL without user:password@ in its host part.
HTTPS_URL = r"^https://[^\s/?#@]+\.[^\s/?#@]+([/?#]\S*)?$"


def _json_field(f: FieldSpec) -> dict:
    out: dict = {"title": f.title, "description": f.description}
    if f.type == "string":
        out["type"] = "string"
        out["allOf"] = [{"pattern": SAFE_MULTILINE if f.multiline else SAFE_LINE}]
        if f.enum:
            out["enum"] = list(f.enum)
        if f.pattern is not None:
            out["pattern"] = "^(?:" + raw_pattern(f) + ")$"
        if f.min_length is not None:
            out["minLength"] = f.min_length
        if f.max_length is not None:
            out["maxLength"] = f.max_length
        if f.fmt == "email":
            out["format"] = "email"
        if f.fmt == "uri":
            out["allOf"].append({"pattern": HTTPS_URL})
    elif f.type == "date":
        out["type"] = "string"
        out["format"] = "date"
    elif f.type == "number":
        out["type"] = "number"
        if f.minimum is not None:
            out["minimum"] = f.minimum
        if f.maximum is not None:
            out["maximum"] = f.maximum
    elif f.type == "boolean":
        out["type"] = "boolean"
    elif f.type == "list":
        item: dict = {"type": "string", "allOf": [{"pattern": SAFE_LINE}]}
        if "pattern" in f.item:
            item["pattern"] = "^(?:" + f.item["pattern"] + ")$"
        for k in ("minLength", "maxLength"):
            if k in f.item:
                item[k] = f.item[k]
        out.update({"type": "array", "items": item})
    elif f.type == "array":
        out.update({"type": "array", "items": {"$ref": f"#/$defs/{f.items}"}})
    elif f.type == "object":
        out["$ref"] = f"#/$defs/{f.items}"
    if f.example is not None:
        out["examples"] = [f.example]
    return out


def raw_pattern(f: FieldSpec) -> str:
    """The field's pattern as written in the schema file (without the anchoring we add)."""
    return f.pattern.pattern[3:-3] if f.pattern is not None else ""


def _json_object(t: TableSpec) -> dict:
    out = {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in t.fields if f.required],
        "properties": {f.name: _json_field(f) for f in t.fields},
    }
    if "platform" in t.by_name and "url" in t.by_name:
        out["allOf"] = _platform_hosts()
    if t.name == "channel":
        out["allOf"] += [
            {"if": {"properties": {"status": {"const": "closed"}}, "required": ["status"]},
             "then": {"required": ["closing_date"]}},
            {"if": {"properties": {"status": {"const": "active"}}, "required": ["status"]},
             "then": {"not": {"required": ["closing_date"]}}},
        ]
    return out


def _platform_hosts() -> list[dict]:
    """One if/then per platform: its URL's host must be one of the platform's domains."""


    rules = []
    for p in PLATFORMS.values():
        if not p.hosts:
            continue
        hosts = "|".join(re.escape(h) for h in p.hosts)
        rules.append({"if": {"properties": {"platform": {"const": p.key}}, "required": ["platform"]},
                      "then": {"properties": {"url": {"pattern": f"^https://([a-z0-9-]+\\.)*({hosts})([/?#]|$)"}}}})
    return rules


def json_schema() -> dict:
    """Build the JSON Schema (draft 2020-12) of the whole ``channels.yaml`` for editors.

    It is generated from the Table Schemas, never maintained by hand. Cross-field rules
    (closing dates, platform hosts, policy) are the validator's alone; a test checks that
    both agree on the demo register and on every bad-input fixture that is a schema error.

    Returns:
        A JSON-ready dict.
    """

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kanalregister.example/schema/channels.schema.json",
        "title": "kanalregister: förteckning över officiella kanaler i sociala medier",
        "type": "object",
        "additionalProperties": False,
        "required": ["organisation", "channels"],
        "properties": {
            "organisation": _json_object(table("organisation")),
            "policy": policy_json_schema(),
            "channels": {"type": "array", "items": _json_object(table("channel"))},
            "party_channels": {"type": "array", "items": _json_object(table("party_channel"))},
        },
        "$defs": {"person": _json_object(table("person"))},
    }


#: The organisation fields that the open data's ``channels.json`` publishes, in order.
JSON_ORGANISATION_FIELDS = ("name", "website", "org_number", "email", "phone", "register_keeper")


def export_json_schema() -> dict:
    """Build the JSON Schema (draft 2020-12) of the open data's ``channels.json``.

    Generated from the same Table Schemas as the file itself (public fields only), published
    beside it as ``channels.schema.json`` and named by the Data Package's ``channels_json``
    resource. An optional field absent from the register is ``null``; a list field is an
    array of strings (empty when absent); dates are ``YYYY-MM-DD`` strings.

    Returns:
        A JSON-ready dict.
    """

    def value(f: FieldSpec) -> dict:
        p = _json_field(f)
        p.pop("examples", None)
        return p if f.required else {"anyOf": [p, {"type": "null"}]}

    def row(fields) -> dict:
        return {"type": "object", "additionalProperties": False, "required": [f.name for f in fields],
                "properties": {f.name: value(f) for f in fields}}

    org = table("organisation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "kanalregister: channels.json",
        "description": "The register of official social media channels as one JSON document (open data, CC0).",
        "type": "object",
        "additionalProperties": False,
        "required": ["organisation", "updated", "example_data", "channels", "party_channels"],
        "properties": {
            "organisation": row([org.by_name[n] for n in JSON_ORGANISATION_FIELDS]),
            "updated": {"type": "string", "format": "date", "description": "The build date (YYYY-MM-DD)."},
            "example_data": {"type": "boolean", "description": "true when the register is made-up example data."},
            "channels": {"type": "array", "items": row(table("channel").public_fields)},
            "party_channels": {"type": "array", "items": row(table("party_channel").public_fields)},
        },
    }


def field_docs_markdown() -> str:
    """Render the field reference (Markdown) for ``docs/fields.md`` from the schemas."""
    out = ["# Register fields", "",
           "Generated from `kanalregister/register/schemas/*.json` by `kanalregister docs`; do not edit by hand.", ""]
    for name, heading in (("organisation", "`organisation`"), ("channel", "`channels[]`"),
                          ("party_channel", "`party_channels[]`"), ("person", "people (internal)")):
        t = table(name)
        out += [f"## {heading}", "", "| field | Swedish | type | required | published | description |",
                "|---|---|---|---|---|---|"]
        for f in t.fields:
            typ = f.type + (f" of {f.items}" if f.items else "")
            extra = []
            if f.enum:
                extra.append("one of " + ", ".join(f"`{e}`" for e in f.enum))
            if f.pattern is not None:
                extra.append(f"pattern `{raw_pattern(f)}`")
            if f.guideline:
                extra.append(f"guideline: {f.guideline}")
            desc = f.description + ("" if not extra else " — " + "; ".join(extra))
            published = "no" if f.internal or name == "person" else "yes"
            out.append(f"| `{f.name}` | {f.title} | {typ} | {'yes' if f.required else ''} | {published} | "
                       f"{desc.replace('|', '&#124;')} |")
        out.append("")
    return "\n".join(out)
