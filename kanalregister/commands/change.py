"""``edit ID FIELD VALUE`` and ``close ID``: change one channel of the register in place.

Both read the register for a round trip (ruamel.yaml: comments, quoting, flow style and
blank lines kept), change the one channel, check the result with the one entry point
(:func:`kanalregister.register.loader.load`) and write it — in one step, with the file's line
endings (:func:`kanalregister.commands.edit.write_atomic`) — only when the change passes the
checks about it: no error about the channel, and no error elsewhere that the file did not
have before. Otherwise nothing is written and the problems are reported about the channel's
fields.

``close`` sets what the rules ask of a closed channel in one step: ``status: closed``,
``closing_date``, optionally ``successor``, the change log (``last_changed`` and
``change_note``, Botkyrka, Stäng passiva konton) and ``last_archived``, the date of the final
screenshot the policy's rule ``closed_archive`` asks for (Avesta 6; Norsjö 4.8).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from ..errors import Diagnostic, RegisterInvalid, UsageError, file_diagnostic
from ..i18n import _
from ..register.fields import suggest
from ..register.loader import BESIDE, load
from ..register.schema import table
from .edit import (
    dump,
    encode,
    find_channel,
    load_rt,
    name_channels,
    parse_person,
    relative_path,
    write_atomic,
    yaml_value,
)


@dataclass
class Changed:
    """What :func:`edit_field` or :func:`close_channel` did.

    Attributes:
        channel_id: the channel's id after the change (str).
        fields: the fields set or removed, in schema order (list[str]).
        warnings: warnings about the channel after the change (list[Diagnostic], paths
            relative to the channel).
        channels: how many channels the register has (int).
        old_errors: how many errors the register had before, elsewhere, and still has (int).
    """

    channel_id: str
    fields: list
    warnings: list
    channels: int
    old_errors: int = 0


def value_of(field: str, text: str):
    """The value of ``field`` from the command line's text: lists split at semicolons,
    people from ``'Name, e-mail, phone'`` (several separated by semicolons), dates and
    numbers when the text is one; ``""`` (None) removes the field."""
    spec = table("channel").by_name[field]
    text = text.strip()
    if not text:
        return None
    if spec.type == "list":
        return yaml_value(spec, [t.strip() for t in text.split(";") if t.strip()])
    if spec.type == "array":
        return yaml_value(spec, [parse_person(t) for t in text.split(";") if t.strip()])
    if spec.type == "object":
        return yaml_value(spec, parse_person(text))
    return yaml_value(spec, text)


def set_field(channel: CommentedMap, field: str, value) -> None:
    """Set (or with ``None`` remove) ``field`` of a round-trip channel map: an existing key
    keeps its place and comment, a new one goes where ``fmt`` puts it (schema order)."""
    if value is None:
        channel.pop(field, None)
        return
    if isinstance(value, dt.date):  # a date object of its own: one object twice would be written as &id001
        value = dt.date.fromordinal(value.toordinal())
    if field in channel:
        comment = channel.ca.items.get(field, [None] * 3)[2] if hasattr(channel, "ca") else None
        if comment is not None and not isinstance(value, (list, dict)):  # the comment keeps its distance
            comment.column = max(0, comment.column + len(str(value)) - len(str(channel[field])))
        channel[field] = value
        return
    order = [f.name for f in table("channel").fields]
    rank = order.index(field)
    keys = list(channel.keys())
    pos = next((i for i, k in enumerate(keys) if k in order and order.index(k) > rank), len(keys))
    channel.insert(pos, field, value)


def _apply(path: Path, channel_id: str, today: dt.date, change, internal=BESIDE) -> Changed:
    """Read, change with ``change(channel map) -> list of fields``, check, write (module docstring)."""
    path = Path(path)
    data, raw, newline = load_rt(path)
    before = load(raw, today, name=str(path), internal=internal).result
    i, channel = find_channel(data, channel_id, str(path))
    fields = change(channel)
    text = dump(data)
    after = load(text.encode("utf-8"), today, name=str(path), internal=internal).result
    own, label = f"channels[{i}]", _("channel '{id}'").format(id=channel.get("id"))
    had = {(d.code, d.message) for d in before.errors}
    ids = [str(c.get("id")) if isinstance(c, dict) else "?" for c in data["channels"]]
    mine, warnings, blocking = [], [], []
    for d in after.diagnostics:
        if d.code == "schema.unique" and f"{own} " in d.message:  # the other channel is the one reported
            d = Diagnostic(d.file, d.line, d.col, d.severity, d.code, own + "." + d.path.rsplit(".", 1)[-1],
                           name_channels(d.message.replace(own, d.path.rsplit(".", 1)[0].split(" (")[0]), ids), d.hint)
        rel = relative_path(d.path, own)
        if rel is not None:
            d = Diagnostic(str(path), 0, 0, d.severity, d.code, f"{label}: {rel}" if rel else label,
                           name_channels(d.message, ids), d.hint)
            (blocking if d.severity == "error" else warnings).append(d)
            mine.append(d)
        elif d.severity == "error" and (d.code, d.message) not in had:
            blocking.append(Diagnostic(str(path), 0, 0, d.severity, d.code, d.path, d.message, d.hint))
    if blocking:
        raise RegisterInvalid(blocking)
    write_atomic(path, encode(text, newline))
    n = len(after.register.channels) if after.register else len(data.get("channels") or [])
    return Changed(str(channel.get("id")), fields, warnings, n, len(after.errors))


def edit_field(path: Path, channel_id: str, field: str, text: str, today: dt.date,
               note: str | None = None, internal=BESIDE) -> Changed:
    """Set one field of one channel (``kanalregister edit ID FIELD VALUE``).

    Args:
        path: the register; ``channel_id`` the channel's id; ``field`` a channel field of
            the schema; ``text`` its new value as :func:`value_of` reads it ("" removes it).
        today: the date of the policy's rules, and of ``last_changed`` when ``note`` is given.
        note: a public change note (``change_note``, with ``last_changed`` = ``today``).
        internal: the internal file the checks read (``--internal``; default the one beside
            the register, :data:`kanalregister.register.loader.BESIDE`).

    Returns:
        A :class:`Changed`.

    Raises:
        UsageError: no such channel or field. RegisterInvalid: the change does not pass the
            checks (nothing is written).
    """
    spec = table("channel").by_name.get(field)
    if spec is None:
        raise UsageError([file_diagnostic(str(path), "edit.field", _("'{field}' is not a field of a channel").format(
            field=field), suggest(field, table("channel").by_name) or _("see docs/fields.md for the fields"))])
    if spec.required and not text.strip():
        raise UsageError([file_diagnostic(str(path), "edit.required", _(
            "'{field}' is required and cannot be removed").format(field=field))])

    def change(channel):
        set_field(channel, field, value_of(field, text))
        done = [field]
        if note:
            set_field(channel, "last_changed", today)
            set_field(channel, "change_note", note.strip())
            done += ["last_changed", "change_note"]
        return done

    return _apply(path, channel_id, today, change, internal)


def screenshot_reminder() -> str:
    """The reminder of the final screenshot that ``close`` prints (Avesta 6; Norsjö 4.8)."""
    return _("Remember: the final screenshot is an allmän handling. Register it (diarieföring) and keep it as "
             "the archive rules say; remove the account on the platform only after that.")


def close_channel(path: Path, channel_id: str, today: dt.date, closing: dt.date | None = None,
                  reason: str | None = None, successor: str | None = None,
                  archived: dt.date | None = None, internal=BESIDE) -> Changed:
    """Close a channel (``kanalregister close ID``): see the module docstring.

    Args:
        closing: the closing date (default ``today``).
        reason: the public change note (``change_note``; ``last_changed`` = the closing date).
        successor: the id of the channel that replaces it.
        archived: the date the final screenshot was archived (``last_archived``).
        internal: the internal file the checks read, as for :func:`edit_field`.

    Raises:
        UsageError: no such channel, or it is closed already. RegisterInvalid: the result
            does not pass the checks, e.g. no final screenshot recent enough (the policy's
            ``closed_archive``); nothing is written.
    """
    closing = closing or today

    def change(channel):
        if str(channel.get("status")) == "closed":
            raise UsageError([file_diagnostic(str(path), "close.closed", _(
                "the channel '{id}' is closed already").format(id=channel_id))])
        values = {"status": "closed", "closing_date": closing, "successor": successor, "last_archived": archived}
        if reason:
            values.update(last_changed=closing, change_note=reason.strip())
        done = []
        for name in (f.name for f in table("channel").fields):
            if values.get(name) is not None:
                set_field(channel, name, values[name])
                done.append(name)
        return done

    try:
        return _apply(path, channel_id, today, change, internal)
    except RegisterInvalid as exc:
        raise RegisterInvalid([Diagnostic(d.file, d.line, d.col, d.severity, d.code, d.path, d.message, _(
            "take the final screenshot of the channel, archive it, then run 'kanalregister close {id} "
            "--archived YYYY-MM-DD' with the date it was archived").format(id=channel_id))
            if d.code == "policy.closed_archive" else d for d in exc.diagnostics]) from None
