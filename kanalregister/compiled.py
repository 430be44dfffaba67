"""The Table Schema compiled into one check function per table, for rows that are clean.

:class:`kanalregister.validate._Checker` reads each field through a general interpreter of
the schema (type, then text safety, then each constraint), which also words every problem
and finds its position. Most rows of a real register have no problem at all, and for them
that generality costs most of the validation time (10,000 channels: 1.0 of 3.3 s, ``bench/``).

:func:`clean_row` decides the clean case with one precomputed check per field and returns
the row's clean values, or None as soon as anything at all might be reported; the checker
then reads the row the general way, which finds and words the problem. So a problem is
always reported by the general code, and this module only has to be *sound*: whatever it
accepts, the general checker accepts with the same values and no diagnostic.
``tests/test_properties.py`` checks that on generated and mutated rows.

The rules are those of the schema files (``kanalregister/schemas/``), read through
:func:`kanalregister.schema.table`; text safety is :mod:`kanalregister.text`'s.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from . import model
from .load import LocDict, LocList
from .schema import FieldSpec, table
from .text import _BAD_LINE, _BAD_MULTI

_NO = object()  # "let the general checker look"


def clean_row(table_name: str, node) -> dict | None:
    """The clean values of one row of ``table_name`` (field name → value, as
    ``_Checker.row`` gives them: str, ``datetime.date``, int/float, bool, tuple of str,
    :class:`kanalregister.model.Person` or tuple of them), or None when the row might
    have any problem (then nothing is known about it).

    Raises:
        Nothing.
    """
    lines: list[str] = []
    out = _compiled(table_name)(node, lines)
    # One search over every one-line text of the row: the pattern matches single characters
    # and a space is not one of them, so it finds one in the joined text iff in some value.
    if out is None or (lines and _BAD_LINE.search(" ".join(lines)) is not None):
        return None
    return out


@cache
def _compiled(table_name: str):
    t = table(table_name)
    checks = tuple((f.name, f.required, _check(f)) for f in t.fields)
    known = frozenset(t.by_name)

    def clean(node, lines):
        if node.__class__ is not LocDict or not known >= node.keys():
            return None
        out = {}
        get = node.get
        for name, required, check in checks:
            raw = get(name)
            if raw is None or raw == "" or (raw.__class__ is LocList and not raw):
                if required:
                    return None
                continue
            v = check(raw, lines)
            if v is _NO:
                return None
            out[name] = v
        return out

    return clean


def _check(f: FieldSpec):
    """One field's check: (raw value, list of one-line texts to search) → clean value or _NO."""
    if f.type == "string":
        return _string(f)
    if f.type == "date":
        return _date()
    if f.type == "number":
        return _number(f)
    if f.type == "boolean":
        return lambda raw, _lines: raw if raw.__class__ is bool else _NO
    if f.type == "list":
        return _list(f)
    if f.type in ("array", "object"):
        return _people(f)
    raise AssertionError(f"schema type {f.type!r} not handled")  # pragma: no cover - schema bug


def _string(f: FieldSpec):
    from .validate import _EMAIL_RE

    multiline = f.name in ("purpose", "notes")  # as validate._Checker.string
    enum = frozenset(f.enum) if f.enum is not None else None
    lo, hi, pattern = f.min_length, f.max_length, f.pattern
    email = _EMAIL_RE if f.fmt == "email" else None

    def check(raw, lines):
        if raw.__class__ is not str:
            return _NO
        v = raw.strip()
        if multiline:
            if _BAD_MULTI.search(v) is not None:
                return _NO
        else:
            lines.append(v)
        if (enum is not None and v not in enum) or (lo is not None and len(v) < lo) or (
                hi is not None and len(v) > hi) or (pattern is not None and pattern.match(v) is None) or (
                email is not None and email.match(v) is None):
            return _NO
        return v

    return check


def _date():
    from .validate import _DATE_RE

    def check(raw, _lines):
        if raw.__class__ is not str or _DATE_RE.match(raw) is None:
            return _NO
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return _NO

    return check


def _number(f: FieldSpec):
    from .validate import _NUMBER_RE

    def check(raw, _lines):
        if raw.__class__ is str and _NUMBER_RE.match(raw.strip()):
            raw = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
        if raw.__class__ not in (int, float):
            return _NO
        if (f.minimum is not None and raw < f.minimum) or (f.maximum is not None and raw > f.maximum):
            return _NO
        return raw

    return check


def _list(f: FieldSpec):
    pattern, item = f.item_pattern, f.item
    lo, hi = item.get("minLength"), item.get("maxLength")

    def check(raw, lines):
        if raw.__class__ is not LocList:
            return _NO
        out = []
        for x in raw:
            if x.__class__ is not str:
                return _NO
            s = x.strip()
            lines.append(s)
            if s == "" or (pattern is not None and pattern.match(s) is None) or (
                    lo is not None and len(s) < lo) or (hi is not None and len(s) > hi) or s in out:
                return _NO
            out.append(s)
        return tuple(out)

    return check


def _people(f: FieldSpec):
    nested = f.items

    def one(node, lines):
        row = _compiled(nested)(node, lines)
        return _NO if row is None else model.Person(**row)

    if f.type == "object":
        return one

    def many(raw, lines):
        if raw.__class__ is not LocList:
            return _NO
        people = tuple(one(x, lines) for x in raw)
        return _NO if _NO in people else people

    return many
