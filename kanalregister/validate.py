"""Phase 1b: check a loaded register against the schema and the rules; build the model.

Every problem is collected — one run reports all of them — as a
:class:`~kanalregister.errors.Diagnostic` that points at the offending value. The checks:

1. structure: the top-level sections, unknown keys (with "did you mean …?");
2. each field against its Table Schema entry (type, required, enum, pattern, length, unique);
3. text safety for every string: no bidi or zero-width characters, no control characters,
   no mixed-script look-alike names (:mod:`kanalregister.text`);
4. cross-field rules (:mod:`kanalregister.rules`) and the policy (:mod:`kanalregister.policy`).

Only when there is no error is a :class:`~kanalregister.model.Register` built.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

from . import model, text
from .compiled import clean_row
from .errors import Collector, Diagnostic, RegisterInvalid
from .load import Document, LocDict, LocList
from .schema import FieldSpec, TableSpec, table

SECTIONS = {
    "organisation": "the municipality or body that publishes the register",
    "policy": "the guideline rules and their levels",
    "channels": "the list of official channels",
    "party_channels": "the channels of parties in kommunfullmäktige",
}
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_NUMBER_RE = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\Z")
_EMAIL_RE = re.compile(r"[^@\s<>\"',;:()\[\]]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}\Z", re.I)
_CREDENTIAL_KEY = re.compile(r"pass(word|wd|ord)?|lösen|losen|secret|token|api[_-]?key|credential|login|inlogg",
                             re.I)
_MISSING = object()


@dataclass(frozen=True)
class Result:
    """Outcome of :func:`validate`.

    Attributes:
        register: the model, or ``None`` when there was any error.
        diagnostics: every error and warning, sorted by position (list[Diagnostic]).
        model: the model even when only policy rules failed (for ``report``), else None.
        tokens: channel id → the tokens of its published text (frozenset of str,
            :func:`kanalregister.rules.published_tokens`) when the rules ran, else None; the
            build cache keeps them (:func:`kanalregister.incremental.entry_for`).
    """

    register: model.Register | None
    diagnostics: list[Diagnostic]
    model: model.Register | None = None
    tokens: dict | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics of severity error."""
        return [d for d in self.diagnostics if d.severity == "error"]


def suggest(value: str, choices, cutoff: float = 0.6) -> str | None:
    """Return a "did you mean 'x'?" hint for a misspelt key or enum value, or None."""
    low = value.lower()
    options = list(choices)
    if low in options and low != value:
        return f"did you mean '{low}'? values are lower case"
    close = difflib.get_close_matches(low, options, n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else None


class _Checker:
    """Checks one document; holds the collector and the uniqueness indexes."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.c = Collector(doc.file)
        self.c.items.extend(doc.warnings)

    # -- helpers ------------------------------------------------------------------------
    def err(self, pos, code, path, message, hint=None, severity="error"):
        self.c.add(pos[0], pos[1], code, path, message, hint, severity)

    def unknown_keys(self, node: LocDict, known, path: str, what: str) -> None:
        for key in node:
            if key in known:
                continue
            kp = node.kpos[key]
            where = f"{path}.{key}" if path else key
            if _CREDENTIAL_KEY.search(key):
                self.err(kp, "safety.credential-key", where,
                         f"'{key}' looks like a login credential; credentials never go in the register",
                         "keep them in the central password store (Gullspång Bilaga 1, Botkyrka: Administrera konto)")
                continue
            self.err(kp, "schema.unknown-key", where, f"unknown key '{key}' in {what}",
                     suggest(key, known) or "see docs/fields.md for the fields")

    # -- one value ----------------------------------------------------------------------
    def value(self, f: FieldSpec, raw, pos, path: str):
        """Convert and check one value; return the clean value or _MISSING on error."""
        t = f.type
        if t == "string":
            v = self.string(f, raw, pos, path)
            if v is _MISSING:
                return v
            return self.string_constraints(f, v, pos, path)
        if t == "date":
            if isinstance(raw, str) and _DATE_RE.match(raw):
                try:
                    return dt.date.fromisoformat(raw)
                except ValueError:
                    self.err(pos, "schema.date", path, f"'{raw}' is not a real date", "write YYYY-MM-DD")
                    return _MISSING
            self.err(pos, "schema.type", path, f"expected a date YYYY-MM-DD, got {_describe(raw)}")
            return _MISSING
        if t == "number":
            if isinstance(raw, str) and _NUMBER_RE.match(raw.strip()):
                raw = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                self.err(pos, "schema.type", path, f"expected a number, got {_describe(raw)}")
                return _MISSING
            if (f.minimum is not None and raw < f.minimum) or (f.maximum is not None and raw > f.maximum):
                self.err(pos, "schema.range", path, f"{raw} is outside {f.minimum}–{f.maximum}")
                return _MISSING
            return raw
        if t == "boolean":
            if not isinstance(raw, bool):
                self.err(pos, "schema.type", path, f"expected true or false, got {_describe(raw)}")
                return _MISSING
            return raw
        if t == "list":
            if not isinstance(raw, LocList):
                self.err(pos, "schema.type", path, f"expected a list, got {_describe(raw)}",
                         "write each item on its own line starting with '- '")
                return _MISSING
            out = []
            ok = True
            for i, item in enumerate(raw):
                ip, ipath = raw.pos[i], f"{path}[{i}]"
                s = self.string(f, item, ip, ipath)
                if s is _MISSING:
                    ok = False
                    continue
                if s == "":
                    self.err(ip, "schema.required", ipath, "empty list item")
                    ok = False
                    continue
                s2 = self.item_constraints(f, s, ip, ipath)
                if s2 is _MISSING:
                    ok = False
                    continue
                if s2 in out:
                    self.err(ip, "schema.duplicate-item", ipath, f"'{s2}' is listed twice")
                    ok = False
                    continue
                out.append(s2)
            return tuple(out) if ok else _MISSING
        if t == "array":
            if not isinstance(raw, LocList):
                self.err(pos, "schema.type", path, f"expected a list, got {_describe(raw)}")
                return _MISSING
            people = []
            for i, item in enumerate(raw):
                row = self.row(table(f.items), item, raw.pos[i], f"{path}[{i}]", f.items)
                if row is not None:
                    people.append(model.Person(**row))
            return tuple(people) if len(people) == len(raw) else _MISSING
        if t == "object":
            row = self.row(table(f.items), raw, pos, path, f.items)
            return model.Person(**row) if row is not None else _MISSING
        raise AssertionError(f"schema type {t!r} not handled")  # pragma: no cover - schema bug

    def string(self, f: FieldSpec, raw, pos, path: str):
        if raw.__class__ is str:
            v = raw.strip()
        elif isinstance(raw, bool):
            self.err(pos, "schema.type", path, f"expected text, got the YAML boolean {str(raw).lower()}",
                     "put the value in quotes: YAML reads yes/no/on/off as true/false")
            return _MISSING
        else:
            self.err(pos, "schema.type", path, f"expected text, got {_describe(raw)}")
            return _MISSING
        problem = text.problem(v, multiline=f.name in ("purpose", "notes"))
        if problem:
            self.err(pos, problem[0], path, problem[1], problem[2])
            return _MISSING
        return v

    def string_constraints(self, f: FieldSpec, v: str, pos, path: str):
        ok = True
        if f.enum is not None and v not in f.enum:
            self.err(pos, "schema.enum", path, f"'{v}' is not one of: {', '.join(f.enum)}",
                     suggest(v, f.enum))
            ok = False
        if f.min_length is not None and len(v) < f.min_length:
            self.err(pos, "schema.length", path, f"too short: at least {f.min_length} characters")
            ok = False
        if f.max_length is not None and len(v) > f.max_length:
            self.err(pos, "schema.length", path, f"too long: {len(v)} characters, at most {f.max_length}")
            ok = False
        if f.pattern is not None and not f.pattern.match(v):
            hint = None
            if f.name in ("id", "successor") and f.pattern.match(v.lower()):
                hint = f"ids are lower case: '{v.lower()}'"
            self.err(pos, "schema.pattern", path, f"'{_clip(v)}' does not have the required form",
                     hint or f"it must match {f.pattern.pattern[3:-3]}")
            ok = False
        if f.fmt == "email" and not _EMAIL_RE.match(v):
            self.err(pos, "schema.email", path, f"'{_clip(v)}' is not an e-mail address")
            ok = False
        return v if ok else _MISSING

    def item_constraints(self, f: FieldSpec, v: str, pos, path: str):
        item = f.item
        if f.item_pattern is not None and not f.item_pattern.match(v):
            self.err(pos, "schema.pattern", path, f"'{_clip(v)}' does not have the required form",
                     f"it must match {item['pattern']}")
            return _MISSING
        if "minLength" in item and len(v) < item["minLength"]:
            self.err(pos, "schema.length", path, f"too short: at least {item['minLength']} characters")
            return _MISSING
        if "maxLength" in item and len(v) > item["maxLength"]:
            self.err(pos, "schema.length", path, f"too long: at most {item['maxLength']} characters")
            return _MISSING
        return v

    # -- one row ------------------------------------------------------------------------
    def row(self, t: TableSpec, node, pos, path: str, what: str) -> dict | None:
        """Check one mapping against a table; return {field: clean value} or None on error.

        A clean row is decided by the compiled checks (:mod:`kanalregister.compiled`); any
        other is read field by field here, which reports each problem.
        """
        fast = clean_row(t.name, node)
        if fast is not None:
            return fast
        if not isinstance(node, LocDict):
            self.err(pos, "schema.type", path, f"expected a mapping of {what} fields, got {_describe(node)}")
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
                             f"'{f.name}' ({f.title}) is required")
                continue
            v = self.value(f, raw, node.pos[f.name], f"{path}.{f.name}" if path else f.name)
            if v is not _MISSING:
                out[f.name] = v
        return out if self.c.n_errors == before else None

    def table_rows(self, key: str, t: TableSpec, what: str) -> list[tuple[dict, int, LocDict, str]]:
        """Check a list section; return (clean row, line, node, path) for each valid row."""
        root = self.doc.data
        node = root.get(key)
        if node is None:
            if key == "channels" and key not in root:
                self.err(root.start, "schema.required", key, "the register has no 'channels' list")
            return []
        if not isinstance(node, LocList):
            self.err(root.pos[key], "schema.type", key, f"expected a list of {what}, got {_describe(node)}")
            return []
        rows = []
        unique: dict[str, dict] = {f.name: {} for f in t.fields if f.unique}
        for i, item in enumerate(node):
            path = f"{key}[{i}]"
            r = self.row(t, item, node.pos[i], path, what)
            if r is None:
                continue
            bad = False
            for fname, seen in unique.items():
                if fname not in r:
                    continue
                k = unique_key(fname, r[fname])
                if k in seen:
                    first = seen[k]
                    self.err(item.pos[fname], "schema.unique", f"{path}.{fname}",
                             f"'{_clip(r[fname])}' is already used by {first[0]} (line {first[1]})")
                    bad = True
                else:
                    seen[k] = (f"{key}[{i}]", item.pos[fname][0])
            if not bad:
                rows.append((r, node.pos[i][0], item, path))
        return rows


def unique_key(field: str, value: str) -> str:
    """Key under which uniqueness is checked: ids and URLs compare without case, URLs also
    without a trailing slash or ``www.`` (two spellings of one account are one account)."""
    v = value.lower()
    if field == "url":
        v = v.rstrip("/").replace("://www.", "://", 1)
    return v


def _describe(v) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, LocDict) or isinstance(v, dict):
        return "a mapping"
    if isinstance(v, LocList) or isinstance(v, list):
        return "a list"
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    if isinstance(v, dt.date):
        return f"the date {v.isoformat()}"
    return f"'{_clip(str(v))}'"


def _clip(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def validate(doc: Document, today: dt.date | None = None, extra=None) -> Result:
    """Validate a loaded register and build the model.

    Args:
        doc: from :func:`kanalregister.load.read_register`.
        today: the date that date rules (archive, review, passive) count from; defaults to
            the current date. Pass it for deterministic runs (``--today``).
        extra: ``(ids, emails, phones)`` of channels validated earlier (see
            :func:`kanalregister.rules.check`); None for a whole register.

    Returns:
        A :class:`Result`; ``register`` is None when any diagnostic is an error.

    Raises:
        Nothing for bad data: every problem is a diagnostic.
    """
    from . import policy as policy_mod
    from . import rules

    ck = _Checker(doc)
    root = doc.data
    if not isinstance(root, LocDict):
        what = "an empty file" if root is None else _describe(root)
        ck.err(doc.root_pos, "schema.root", "", f"the register must be a mapping with organisation and channels, "
               f"got {what}", "start from the example channels.yaml")
        return Result(None, sorted(ck.c.items, key=Diagnostic.sort_key))
    ck.unknown_keys(root, SECTIONS, "", "the register")
    org_row = None
    if "organisation" not in root or root.get("organisation") is None:
        ck.err(root.start, "schema.required", "organisation", "the register has no 'organisation' section")
    else:
        org_row = ck.row(table("organisation"), root["organisation"], root.pos["organisation"], "organisation",
                         "organisation")
    pol = policy_mod.parse(root.get("policy"), root.pos.get("policy", root.start), ck)
    channels = ck.table_rows("channels", table("channel"), "channel")
    parties = ck.table_rows("party_channels", table("party_channel"), "party channel")

    tokens = rules.check(ck, org_row, channels, parties, root, extra)
    if ck.c.errors:
        return Result(None, sorted(ck.c.items, key=Diagnostic.sort_key))
    register = _build(org_row, channels, parties, pol)
    policy_mod.check(ck, register, {r["id"]: (node, path) for r, _l, node, path in channels},
                     today or dt.date.today())
    return Result(None if ck.c.errors else register, sorted(ck.c.items, key=Diagnostic.sort_key), register,
                  tokens)


_PUBLIC = model.model_field_names(model.Channel)


def _build(org_row: dict, channels, parties, pol) -> model.Register:
    chans, internal = [], {}
    for row, line, _node, _path in channels:
        chans.append(model.Channel(line=line, **{k: v for k, v in row.items() if k in _PUBLIC}))
        internal[row["id"]] = model.ChannelInternal(**{k: v for k, v in row.items() if k not in _PUBLIC})
    return model.Register(
        organisation=model.Organisation(**org_row),
        channels=tuple(chans),
        party_channels=tuple(model.PartyChannel(**r) for r, _l, _n, _p in parties),
        internal=internal,
        policy=pol,
    )


def check_file(path, today: dt.date | None = None, display_name: str | None = None) -> Result:
    """Read and validate a register file, fast when it is clean and exact when it is not.

    A register that looks plainly safe is parsed with the fast parser
    (:func:`kanalregister.load.parse_fast`) and validated; if that reports nothing at all,
    that is the result. Otherwise — or when the fast path does not apply — the file is read
    by the exact loader (:func:`kanalregister.load.parse_bytes`), whose diagnostics carry
    line and column. Both readers give the same data (a property test compares them), except
    that the fast one leaves ``Channel.line`` 0; a register whose ``edit_url`` uses ``{line}``
    is therefore always read by the exact one.

    Raises:
        RegisterSyntaxError: the file cannot be read as safe YAML.
    """
    from .load import parse_bytes, parse_fast, read_bytes

    name = display_name or str(path)
    raw = read_bytes(path, name)
    fast = parse_fast(raw, name)
    if fast is not None:
        result = validate(fast, today)
        # The fast reader knows no line numbers: a register whose edit links show them
        # ({line}) is read by the exact one.
        if not result.diagnostics and "{line}" not in (result.register.organisation.edit_url or ""):
            return result
    return validate(parse_bytes(raw, name), today)


def load_register(path, today: dt.date | None = None, strict: bool = False,
                  display_name: str | None = None) -> tuple[model.Register, list[Diagnostic]]:
    """Read, validate and model a register file in one call.

    Args:
        path: the register file (str or Path).
        today: see :func:`validate`.
        strict: treat warnings as errors.
        display_name: the file's name in diagnostics.

    Returns:
        (register, warnings).

    Raises:
        RegisterSyntaxError: the file cannot be read as safe YAML.
        RegisterInvalid: the data breaks the schema, a rule or the policy (or, with
            ``strict``, has any warning).
    """
    res = check_file(path, today, display_name)
    if res.register is None or (strict and res.diagnostics):
        raise RegisterInvalid(res.diagnostics)
    return res.register, res.diagnostics
