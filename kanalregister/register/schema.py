"""The register's schema: one source of truth for validation, exports, editor support and docs.

The JSON files in ``kanalregister/register/schemas/`` are frictionless Table Schemas (one per table:
channels, party channels, and the one-row organisation section). This module reads them
once into :class:`FieldSpec` objects with compiled patterns, and derives from them:

* :func:`public_table_schema` — the copy published in ``site/datapackage.json``: no internal
  fields, no ``x-`` properties;
* :func:`json_schema` — a JSON Schema (draft 2020-12) of the whole ``channels.yaml`` for
  editors (yaml-language-server);
* :func:`field_docs_markdown` — the field reference in ``docs/fields.md``.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..i18n import language

SCHEMA_DIR = Path(__file__).parent / "schemas"
TABLES = ("organisation", "channel", "party_channel")
#: The table of the internal file (``channels.internal.yaml``): the channel fields marked
#: ``x-internal`` in ``schemas/channel.json`` (the one source of truth), keyed by channel id.
INTERNAL_TABLE = "channel_internal"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a table, as read from its Table Schema.

    Attributes:
        name: the key in ``channels.yaml`` and the column in the CSV (str).
        title: the Swedish label shown on the site (str).
        title_en: the English label (``x-title-en``; str), for English messages and pages.
        description: what the field means (str, English).
        type: Table Schema type: ``string``, ``date``, ``number``, ``boolean``, ``list``
            (of strings), ``array`` or ``object`` (internal nested people).
        required, unique: constraints (bool).
        enum: allowed values, or None.
        pattern: compiled full-match regex, or None.
        min_length, max_length: string length bounds in characters, or None.
        minimum, maximum: number bounds, or None.
        fmt: Table Schema ``format`` (``email``, ``uri``) or None.
        internal: True when the field must never be published (``x-internal``).
        multiline: True when the text may span lines (``x-multiline``: purpose, notes).
        item: constraints for each item of a ``list`` (``x-item``: pattern/minLength/maxLength).
        items: name of the ``x-definitions`` table for ``array``/``object`` fields, or None.
        guideline: the guideline that asks for the field (``x-guideline``), or None.
        example: an example value, for docs and ``new``.
    """

    name: str
    title: str
    title_en: str
    description: str
    type: str
    required: bool
    unique: bool
    enum: tuple[str, ...] | None
    pattern: re.Pattern | None
    min_length: int | None
    max_length: int | None
    minimum: float | None
    maximum: float | None
    fmt: str | None
    internal: bool
    multiline: bool
    item: dict
    item_pattern: re.Pattern | None
    items: str | None
    guideline: str | None
    example: object

    def shown_title(self) -> str:
        """The field's title in the language of messages (``title`` or ``title_en``)."""
        return self.title if language() == "sv" else self.title_en


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table's fields in schema order: ``fields`` (tuple[FieldSpec]) and ``by_name``."""

    name: str
    fields: tuple[FieldSpec, ...]
    by_name: dict

    @property
    def public_fields(self) -> tuple[FieldSpec, ...]:
        """The fields that may be published (not ``x-internal``)."""
        return tuple(f for f in self.fields if not f.internal)


def _compile(p: str | None) -> re.Pattern | None:
    # Table Schema patterns match the whole value (XML Schema regex semantics).
    return re.compile(f"(?:{p})\\Z") if p else None


def _field(d: dict) -> FieldSpec:
    c = d.get("constraints", {})
    item = d.get("x-item", {})
    return FieldSpec(
        name=d["name"], title=d.get("title", d["name"]), title_en=d.get("x-title-en", d["name"]),
        description=d.get("description", ""),
        type=d.get("type", "string"), required=bool(c.get("required")), unique=bool(c.get("unique")),
        enum=tuple(c["enum"]) if "enum" in c else None, pattern=_compile(c.get("pattern")),
        min_length=c.get("minLength"), max_length=c.get("maxLength"),
        minimum=c.get("minimum"), maximum=c.get("maximum"), fmt=d.get("format"),
        internal=bool(d.get("x-internal")), multiline=bool(d.get("x-multiline")),
        item=item, item_pattern=_compile(item.get("pattern")),
        items=d.get("x-items"), guideline=d.get("x-guideline"), example=d.get("example"),
    )


def field_label(name: str, table_name: str = "channel") -> str:
    """How a message names a field: its title in the language of messages and its key as
    written in YAML, e.g. ``"Syfte (purpose)"`` in Swedish, ``"Purpose (purpose)"`` in English
    (issue 17: the schema's ``title`` and ``x-title-en`` are the one source of both).
    An unknown key is returned as it is."""
    spec = table(table_name).by_name.get(name)
    if spec is None:
        return name
    return f"{spec.shown_title()} ({name})"


@cache
def raw_schema(table: str) -> dict:
    """Return the JSON of ``schemas/<table>.json`` as a dict (a fresh deep copy each time).

    Args:
        table: one of :data:`TABLES`.

    Raises:
        FileNotFoundError: unknown table (a programming error, not a user error).
    """
    return json.loads((SCHEMA_DIR / f"{table}.json").read_text(encoding="utf-8"))


@cache
def table(name: str) -> TableSpec:
    """Return the parsed :class:`TableSpec` for ``name`` (a table, :data:`INTERNAL_TABLE` or an
    ``x-definitions`` entry)."""
    if name in TABLES:
        fields = raw_schema(name)["fields"]
    elif name == INTERNAL_TABLE:
        fields = [f for f in raw_schema("channel")["fields"] if f.get("x-internal")]
    else:
        fields = raw_schema("channel")["x-definitions"][name]["fields"]
    specs = tuple(_field(f) for f in fields)
    return TableSpec(name, specs, {f.name: f for f in specs})


def public_table_schema(name: str) -> dict:
    """The Table Schema as published in the Data Package: internal fields and ``x-`` keys removed.

    The package follows Data Package v1 (the profiles in ``shared/data/datapackage-profiles/1.0``),
    which has no ``list`` type: a list field is published as a ``string`` whose items are
    separated by ``;`` (as the CSV writes them), with a pattern built from the item pattern.

    Returns:
        A JSON-ready dict (frictionless Table Schema v1).
    """
    raw = copy.deepcopy(raw_schema(name))
    raw["fields"] = [_v1_field(f) for f in raw["fields"] if not f.get("x-internal")]
    for f in raw["fields"]:
        f.pop("example", None)
    return _strip_x(raw)


#: The note added to a list field's description in the published Table Schema.
LIST_NOTE = " Several values are separated by semicolons (;)."


def _v1_field(f: dict) -> dict:
    out = _strip_x(f)
    if f.get("type") != "list":
        return out
    item = f.get("x-item", {}).get("pattern")
    delimiter = out.pop("delimiter", ";")
    out.pop("itemType", None)
    out["type"] = "string"
    out["description"] = out.get("description", "") + LIST_NOTE
    if item:
        out["constraints"] = {**out.get("constraints", {}), "pattern": f"({item})({delimiter}({item}))*"}
    return out


def _strip_x(d: dict) -> dict:
    return {k: v for k, v in d.items() if not k.startswith("x-") and k != "$comment"}


# --- JSON Schema for editors -------------------------------------------------------------


