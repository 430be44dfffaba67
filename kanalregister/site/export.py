"""Phase 2b: the open data: ``channels.csv``, ``party_channels.csv``, ``channels.json`` (with its
JSON Schema ``channels.schema.json``), ``datapackage.json`` and, when the register gives
``organisation.site_url``, the DCAT-AP-SE catalogue ``dcat.rdf`` (:mod:`.dcat`).

Columns and their order come from the public Table Schema (internal fields removed), so
the exports, the schema published beside them and the validator can never disagree.
The Data Package follows Data Package v1 (``profile: data-package``; list fields published
as ``;``-separated strings, ``successor`` a foreign key to ``id``): it validates against the
official v1 JSON profiles and with ``frictionless validate`` (tests/test_export.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import operator

from ..cache.blocks import memo_join
from ..register.editor import JSON_ORGANISATION_FIELDS, export_json_schema
from ..register.model import Register
from ..register.schema import public_table_schema, table
from .dcat import CATALOGUE_PATH, catalogue


def _cell(v) -> str:
    if type(v) is str:  # most values: first
        return v
    if v is None:
        return ""
    if isinstance(v, tuple):
        return ";".join(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _json_value(v):
    if type(v) is str:
        return v
    if isinstance(v, tuple):
        return list(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _getter(names):
    """row → the tuple of its values of ``names`` (list of str), in order."""
    return operator.attrgetter(*names) if len(names) > 1 else (lambda r: (getattr(r, names[0]),))


def _csv(rows, names, memo=None) -> str:
    """CSV text (RFC 4180, CRLF) of ``rows`` with a header of ``names``; ``memo`` is None or
    (keys: id → digest, :class:`kanalregister.cache.BlockStore`) to reuse blocks of lines between builds."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    values = _getter(names)

    def line(r) -> str:
        buf.seek(0)
        buf.truncate()
        w.writerow(map(_cell, values(r)))
        return buf.getvalue()

    w.writerow(names)
    header = buf.getvalue()
    if memo is None:
        return header + "".join(line(r) for r in rows)
    keys, cache = memo
    return header + memo_join(rows, lambda r: keys[r.id], cache, "csv", line)


def exports(register: Register, build_date: dt.date, keys: dict | None = None,
            cache=None) -> dict[str, str]:
    """Build every open-data file.

    Args:
        register: the validated model.
        build_date: the publication date written into the Data Package (``created``).
        keys: channel id → digest of its register text, or None; with ``cache`` (a
            :class:`kanalregister.cache.BlockStore`) each channel's CSV and JSON line is
            reused and kept between builds.

    Returns:
        file name → text (UTF-8, deterministic for the same input).
    """
    ch_names = [f.name for f in table("channel").public_fields]
    pc_names = [f.name for f in table("party_channel").public_fields]
    org = register.organisation
    files = {
        "channels.csv": _csv(register.channels, ch_names, (keys, cache) if keys is not None and cache is not None
                             else None),
        "party_channels.csv": _csv(register.party_channels, pc_names),
    }
    doc = {
        "organisation": {k: getattr(org, k) for k in JSON_ORGANISATION_FIELDS},
        "updated": build_date.isoformat(),
        "example_data": org.example_data,
        "channels": _JsonLines(register.channels, ch_names, keys, cache),
        "party_channels": [{n: _json_value(getattr(p, n)) for n in pc_names} for p in register.party_channels],
    }
    files["channels.json"] = _json_lines(doc)
    files[JSON_SCHEMA_PATH] = json.dumps(export_json_schema(), ensure_ascii=False, indent=1) + "\n"
    package = {
        "profile": "data-package",
        "name": "kanalregister",
        "title": f"Förteckning över {org.name}s officiella kanaler i sociala medier",
        "description": ("Officiella konton i sociala medier med ansvarig förvaltning, syfte och målgrupp, "
                        "samt länkar till partiernas kanaler. " + ("EXEMPELDATA. " if org.example_data else "")),
        "homepage": org.website,
        "created": f"{build_date.isoformat()}T00:00:00Z",
        "licenses": [{"name": "CC0-1.0", "title": "Creative Commons Zero v1.0 Universal",
                      "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
        "contributors": [{"title": org.register_keeper, "role": "publisher", "organization": org.name}],
        "resources": [
            _resource("channels", "channels.csv", "Kanaler", public_table_schema("channel")),
            _resource("party_channels", "party_channels.csv", "Partiernas kanaler",
                      public_table_schema("party_channel")),
            {"name": "channels_json", "path": "channels.json", "title": "Allt som JSON", "profile": "data-resource",
             "description": ("Organisationen, kanalerna och partiernas kanaler i ett JSON-dokument, "
                             f"beskrivet av JSON Schema i {JSON_SCHEMA_PATH}."),
             "format": "json", "mediatype": "application/json", "encoding": "utf-8", "jsonSchema": JSON_SCHEMA_PATH},
        ],
    }
    files["datapackage.json"] = json.dumps(package, ensure_ascii=False, indent=1) + "\n"
    rdf = catalogue(register, build_date)
    if rdf is not None:
        files[CATALOGUE_PATH] = rdf
    return files


#: The JSON Schema of ``channels.json``, published beside it.
JSON_SCHEMA_PATH = "channels.schema.json"


def _json_lines(doc: dict) -> str:
    """JSON with one channel per line: readable and diffable, and written by the C encoder
    (``indent=`` would switch json to its pure-Python encoder, ~10x slower at 100,000 channels)."""
    dumps = _ENCODE

    parts = ["{"]
    keys = list(doc)
    for n, key in enumerate(keys):
        comma = "," if n < len(keys) - 1 else ""
        value = doc[key]
        if isinstance(value, _JsonLines):
            items = value.text(dumps)
            parts.append(f' {dumps(key)}: [\n  {items}\n ]{comma}' if value.channels else f' {dumps(key)}: []{comma}')
        elif isinstance(value, list):
            items = ",\n  ".join(dumps(x) for x in value)
            parts.append(f' {dumps(key)}: [\n  {items}\n ]{comma}' if value else f' {dumps(key)}: []{comma}')
        else:
            parts.append(f" {dumps(key)}: {dumps(value)}{comma}")
    return "\n".join(parts) + "\n}\n"


class _JsonLines:
    """The channels of ``channels.json``: one JSON object per line, put together from blocks
    kept in ``cache`` under the channels' digests (``keys``) when both are given."""

    def __init__(self, channels, names, keys, cache):
        self.channels, self.names, self.keys, self.cache = channels, names, keys, cache

    def text(self, dumps) -> str:
        names, keys = self.names, self.keys
        values = _getter(names)

        def one(c) -> str:
            return dumps(dict(zip(names, map(_json_value, values(c)))))  # noqa: B905 - same length

        return memo_join(self.channels, (lambda c: keys[c.id]) if keys is not None else None, self.cache,
                         "json", one, ",\n  ")


#: ``json.dumps(v, ensure_ascii=False)``, without making an encoder per call.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _resource(name: str, path: str, title: str, schema: dict) -> dict:
    return {"name": name, "path": path, "title": title, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": schema}
