"""The one field checker: a register row against its Table Schema.

:class:`Checker` reads each value through the schema (``kanalregister/register/schemas/*.json``,
via :func:`kanalregister.schema.table`): type, then text safety
(:mod:`kanalregister.text`), then each constraint (enum, length, pattern, e-mail form),
and converts it (dates to :class:`datetime.date`, lists to tuples, people to
:class:`kanalregister.model.Person`). Every problem is recorded as a diagnostic at the
value's line and column; nothing is raised for bad data.

The same schema drives the editor's JSON Schema (:func:`kanalregister.register.editor.json_schema`):
``tests/test_jsonschema.py`` runs tricky values through both.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from ..errors import Collector
from ..i18n import _
from . import model, text
from .read import LocDict, LocList
from .schema import FieldSpec, TableSpec, table

SECTIONS = {
    "organisation": "the municipality or body that publishes the register",
    "policy": "the guideline rules and their levels",
    "channels": "the list of official channels",
    "party_channels": "the channels of parties in kommunfullmäktige",
}
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
NUMBER_RE = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\Z")
EMAIL_RE = re.compile(r"[^@\s<>\"',;:()\[\]]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}\Z", re.I)
CREDENTIAL_KEY = re.compile(r"pass(word|wd|ord)?|lösen|losen|secret|token|api[_-]?key|credential|login|inlogg",
                             re.I)
MISSING = object()


def suggest(value: str, choices, cutoff: float = 0.6) -> str | None:
    """Return a "did you mean 'x'?" hint for a misspelt key or enum value, or None."""
    low = value.lower()
    options = list(choices)
    if low in options and low != value:
        return _("did you mean '{low}'? values are lower case").format(low=low)
    close = difflib.get_close_matches(low, options, n=1, cutoff=cutoff)
    return _("did you mean '{value}'?").format(value=close[0]) if close else None


class Checker:
    """Checks values and rows; collects diagnostics in ``self.c`` (a :class:`Collector`).

    Args:
        file: the file named in the diagnostics (str).
    """

    def __init__(self, file: str):
        self.c = Collector(file)

    # -- helpers ------------------------------------------------------------------------
    def err(self, pos, code, path, message, hint=None, severity="error"):
        self.c.add(pos[0], pos[1], code, path, message, hint, severity)

    def unknown_keys(self, node: LocDict, known, path: str, what: str) -> None:
        for key in node:
            if key in known:
                continue
            kp = node.kpos[key]
            where = f"{path}.{key}" if path else key
            if CREDENTIAL_KEY.search(key):
                self.err(kp, "safety.credential-key", where,
                         _("'{key}' looks like a login credential; credentials never go in the "
                           "register").format(key=key),
                         _("keep them in the central password store (Gullspång Bilaga 1, Botkyrka: "
                           "Administrera konto)"))
                continue
            self.err(kp, "schema.unknown-key", where, _("unknown key '{key}' in {what}").format(key=key, what=what),
                     suggest(key, known) or _("see docs/fields.md for the fields"))

    # -- one value ----------------------------------------------------------------------
    def value(self, f: FieldSpec, raw, pos, path: str):
        """Convert and check one value; return the clean value or MISSING on error."""
        t = f.type
        if t == "string":
            v = self.string(f, raw, pos, path)
            if v is MISSING:
                return v
            return self.string_constraints(f, v, pos, path)
        if t == "date":
            if isinstance(raw, str) and DATE_RE.match(raw):
                try:
                    return dt.date.fromisoformat(raw)
                except ValueError:
                    self.err(pos, "schema.date", path, _("'{raw}' is not a real date").format(raw=raw),
                             _("write YYYY-MM-DD"))
                    return MISSING
            self.err(pos, "schema.type", path,
                     _("expected a date YYYY-MM-DD, got {got}").format(got=describe(raw)))
            return MISSING
        if t == "number":
            if isinstance(raw, str) and NUMBER_RE.match(raw.strip()):
                raw = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                self.err(pos, "schema.type", path,
                         _("expected a number, got {got}").format(got=describe(raw)))
                return MISSING
            if (f.minimum is not None and raw < f.minimum) or (f.maximum is not None and raw > f.maximum):
                self.err(pos, "schema.range", path, _("{raw} is outside {minimum}–{maximum}").format(raw=raw,
                                                                                                     minimum=f.minimum,
                                                                                                         maximum=f.maximum))
                return MISSING
            return raw
        if t == "boolean":
            if not isinstance(raw, bool):
                self.err(pos, "schema.type", path,
                         _("expected true or false, got {got}").format(got=describe(raw)))
                return MISSING
            return raw
        if t == "list":
            if not isinstance(raw, LocList):
                self.err(pos, "schema.type", path,
                         _("expected a list, got {got}").format(got=describe(raw)),
                         _("write each item on its own line starting with '- '"))
                return MISSING
            out = []
            ok = True
            for i, item in enumerate(raw):
                ip, ipath = raw.pos[i], f"{path}[{i}]"
                s = self.string(f, item, ip, ipath)
                if s is MISSING:
                    ok = False
                    continue
                if s == "":
                    self.err(ip, "schema.required", ipath, _("empty list item"))
                    ok = False
                    continue
                s2 = self.item_constraints(f, s, ip, ipath)
                if s2 is MISSING:
                    ok = False
                    continue
                if s2 in out:
                    self.err(ip, "schema.duplicate-item", ipath, _("'{s2}' is listed twice").format(s2=s2))
                    ok = False
                    continue
                out.append(s2)
            return tuple(out) if ok else MISSING
        if t == "array":
            if not isinstance(raw, LocList):
                self.err(pos, "schema.type", path,
                         _("expected a list, got {got}").format(got=describe(raw)))
                return MISSING
            people = []
            for i, item in enumerate(raw):
                row = self.row(table(f.items), item, raw.pos[i], f"{path}[{i}]", _("person"))
                if row is not None:
                    people.append(model.Person(**row))
            return tuple(people) if len(people) == len(raw) else MISSING
        if t == "object":
            row = self.row(table(f.items), raw, pos, path, _("person"))
            return model.Person(**row) if row is not None else MISSING
        raise AssertionError(f"schema type {t!r} not handled")  # pragma: no cover - schema bug

    def string(self, f: FieldSpec, raw, pos, path: str):
        if raw.__class__ is str:
            v = raw.strip()
        elif isinstance(raw, bool):
            self.err(pos, "schema.type", path,
                     _("expected text, got the YAML boolean {value}").format(value=str(raw).lower()),
                     _("put the value in quotes: YAML reads yes/no/on/off as true/false"))
            return MISSING
        else:
            self.err(pos, "schema.type", path,
                     _("expected text, got {got}").format(got=describe(raw)))
            return MISSING
        problem = text.problem(v, multiline=f.multiline)
        if problem:
            self.err(pos, problem[0], path, problem[1], problem[2])
            return MISSING
        return v

    def string_constraints(self, f: FieldSpec, v: str, pos, path: str):
        ok = True
        if f.enum is not None and v not in f.enum:
            self.err(pos, "schema.enum", path, _("'{v}' is not one of: {values}").format(v=v, values=", ".join(f.enum)),
                     suggest(v, f.enum))
            ok = False
        if f.min_length is not None and len(v) < f.min_length:
            self.err(pos, "schema.length", path,
                     _("too short: at least {min_length} characters").format(min_length=f.min_length))
            ok = False
        if f.max_length is not None and len(v) > f.max_length:
            self.err(pos, "schema.length", path,
                     _("too long: {n} characters, at most {max_length}").format(n=len(v),
                                                                                    max_length=f.max_length))
            ok = False
        if f.pattern is not None and not f.pattern.match(v):
            hint = None
            if f.name in ("id", "successor") and f.pattern.match(v.lower()):
                hint = _("ids are lower case: '{value}'").format(value=v.lower())
            self.err(pos, "schema.pattern", path,
                     _("'{value}' does not have the required form").format(value=clip(v)),
                     hint or _("it must match {pattern}").format(pattern=f.pattern.pattern[3:-3]))
            ok = False
        if f.fmt == "email" and not EMAIL_RE.match(v):
            self.err(pos, "schema.email", path, _("'{value}' is not an e-mail address").format(value=clip(v)))
            ok = False
        return v if ok else MISSING

    def item_constraints(self, f: FieldSpec, v: str, pos, path: str):
        item = f.item
        if f.item_pattern is not None and not f.item_pattern.match(v):
            self.err(pos, "schema.pattern", path,
                     _("'{value}' does not have the required form").format(value=clip(v)),
                     _("it must match {pattern}").format(pattern=item['pattern']))
            return MISSING
        if "minLength" in item and len(v) < item["minLength"]:
            self.err(pos, "schema.length", path,
                     _("too short: at least {min_length} characters").format(min_length=item['minLength']))
            return MISSING
        if "maxLength" in item and len(v) > item["maxLength"]:
            self.err(pos, "schema.length", path,
                     _("too long: at most {max_length} characters").format(max_length=item['maxLength']))
            return MISSING
        return v

    # -- one row ------------------------------------------------------------------------
    def row(self, t: TableSpec, node, pos, path: str, what: str) -> dict | None:
        """Check one mapping against a table; return {field: clean value} or None on error.

        Every problem is reported at its value's position, with the path ``path.field``.
        """
        if not isinstance(node, LocDict):
            self.err(pos, "schema.type", path,
                     _("expected a mapping of {what} fields, got {got}").format(what=what,
                                                                                          got=describe(node)))
            return None
        before = self.c.n_errors
        if not t.by_name.keys() >= node.keys():
            self.unknown_keys(node, t.by_name, path, what)
        out: dict = {}
        get = node.get
        for f in t.fields:
            raw = get(f.name)
            if raw is None or raw == "" or (raw.__class__ is LocList and not raw):
                if f.required:
                    where = node.pos.get(f.name, node.start)
                    self.err(where, "schema.required", f"{path}.{f.name}" if path else f.name,
                             _("'{name}' ({title}) is required").format(name=f.name, title=f.shown_title()))
                continue
            v = self.value(f, raw, node.pos[f.name], f"{path}.{f.name}" if path else f.name)
            if v is not MISSING:
                out[f.name] = v
        return out if self.c.n_errors == before else None


def describe(v) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, LocDict) or isinstance(v, dict):
        return _("a mapping")
    if isinstance(v, LocList) or isinstance(v, list):
        return _("a list")
    if isinstance(v, bool):
        return _("the boolean {value}").format(value=str(v).lower())
    if isinstance(v, (int, float)):
        return _("the number {v}").format(v=v)
    if isinstance(v, dt.date):
        return _("the date {date}").format(date=v.isoformat())
    return f"'{clip(str(v))}'"


def clip(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"
