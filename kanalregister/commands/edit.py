"""``fmt`` and ``new``: edit ``channels.yaml`` without losing its comments (ruamel.yaml round trip).

Canonical form (``fmt``): sections in the order organisation, policy, channels,
party_channels; every entry's keys in schema order; channels sorted by förvaltning
(Swedish order) then id; party channels by party, platform, url. Comments, quoting and
flow style are kept.

``new`` adds one channel, built from the aktivitetsplan questions (Gullspång Bilaga 1),
at its canonical place, after checking that the resulting register is valid.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from ..errors import Diagnostic, RegisterInvalid, UsageError, file_diagnostic
from ..i18n import _
from ..register.addresses import clean_register_addresses
from ..register.internal import INTERNAL_FIELDS, default_path
from ..register.loader import load
from ..register.read import parse_bytes, read_bytes
from ..register.schema import table
from ..site.swedish import sv_key

SECTIONS = ("organisation", "policy", "channels", "party_channels")


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _reorder(m: CommentedMap, order: list[str]) -> None:
    """Put ``m``'s keys in ``order`` (unknown keys after, in their order); comments move along."""
    rank = {k: i for i, k in enumerate(order)}
    keys = sorted(m.keys(), key=lambda k: (rank.get(k, len(rank)), list(m.keys()).index(k)))
    for k in keys:
        m.move_to_end(k)


def _sort_seq(seq: CommentedSeq, key) -> None:
    """Sort a sequence in place, keeping each item's attached comment with it."""
    items = [(seq[i], seq.ca.items.get(i)) for i in range(len(seq))]
    items.sort(key=lambda pair: key(pair[0]))
    seq.ca.items.clear()
    for i, (value, comment) in enumerate(items):
        seq[i] = value
        if comment is not None:
            seq.ca.items[i] = comment


def _s(v) -> str:
    return str(v) if v is not None else ""


def canonicalise(data: CommentedMap) -> None:
    """Reorder a round-trip-loaded register into the canonical form (in place)."""
    _reorder(data, list(SECTIONS))
    if isinstance(data.get("organisation"), CommentedMap):
        _reorder(data["organisation"], [f.name for f in table("organisation").fields])
    ch_order = [f.name for f in table("channel").fields]
    person_order = [f.name for f in table("person").fields]
    channels = data.get("channels")
    if isinstance(channels, CommentedSeq):
        for ch in channels:
            if isinstance(ch, CommentedMap):
                _reorder(ch, ch_order)
                for admin in ch.get("administrators") or []:
                    if isinstance(admin, CommentedMap):
                        _reorder(admin, person_order)
                if isinstance(ch.get("substitute"), CommentedMap):
                    _reorder(ch["substitute"], person_order)
        _sort_seq(channels, lambda c: (sv_key(_s(c.get("department"))), _s(c.get("id")))
                  if isinstance(c, dict) else (("", ""), ""))
    parties = data.get("party_channels")
    if isinstance(parties, CommentedSeq):
        pc_order = [f.name for f in table("party_channel").fields]
        for p in parties:
            if isinstance(p, CommentedMap):
                _reorder(p, pc_order)
        _sort_seq(parties, lambda p: (sv_key(_s(p.get("party"))), _s(p.get("platform")), _s(p.get("url")))
                  if isinstance(p, dict) else (("", ""), "", ""))


def load_rt(path: Path) -> tuple[CommentedMap, str]:
    raw = read_bytes(path)
    doc = parse_bytes(raw, str(path))  # the safe loader's checks first (tags, aliases, duplicates…)
    if not isinstance(doc.data, dict):
        raise RegisterInvalid([Diagnostic(str(path), 1, 1, "error", "schema.root", "",
                                          _("the register must be a mapping"))])
    text = raw.decode("utf-8-sig")
    try:
        return _yaml().load(text), text
    except YAMLError as exc:  # pragma: no cover - the safe loader has already refused such files
        raise UsageError([file_diagnostic(str(path), "yaml.syntax", str(exc))]) from None


def dump(data: CommentedMap) -> str:
    """Serialise a round-trip register to text."""
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def format_register(path: Path) -> tuple[str, str]:
    """Return (original text, canonical text) of the register at ``path``.

    Raises:
        RegisterSyntaxError: the file is not safe YAML (nothing is formatted).
    """
    data, text = load_rt(Path(path))
    canonicalise(data)
    clean_register_addresses(data)  # issue 18 point 5: tracking parameters go (register.addresses)
    return text, dump(data)


# --- new ------------------------------------------------------------------------------------

def questions() -> dict[str, str]:
    """The aktivitetsplan questions (Gullspång Bilaga 1, Botkyrka) asked by ``new``: field →
    question, in the language of messages."""
    return {
        "platform": _("1. Which social medium is it? (facebook, instagram, x, youtube, linkedin, …)"),
        "url": _("2. Web address of the account (https://…)"),
        "department": _("3a. Which förvaltning or company is responsible?"),
        "unit": _("3b. Which unit or department? (optional)"),
        "purpose": _("4a. Describe the purpose of the channel"),
        "target_groups": _("4b. Who are the target groups? (separate with semicolons)"),
        "administrators": _("5. Administrators, at least two: 'Name, e-mail, phone' (separate people with "
                            "semicolons)"),
        "substitute": _("6. Substitute during absence: 'Name, e-mail, phone'"),
        "monitoring": _("7. How often and when is the account monitored? (e.g. Weekdays, answer within 48 hours)"),
        "hours_per_week": _("8. Estimated working time, hours per week"),
        "id": _("Id of the channel (lower-case letters, digits and hyphens)"),
        "name": _("Name of the account as shown on the platform"),
        "handle": _("User name on the platform, without @ (optional)"),
        "responsible_role": _("Account owner's role (kontoansvarig; not a person)"),
        "contact_email": _("Contact address: a function mailbox"),
        "languages": _("Languages (ISO codes, separate with semicolons, e.g. sv; en)"),
        "start_date": _("Start date (YYYY-MM-DD)"),
        "approved_by": _("Approved by (role, e.g. head of förvaltning)"),
        "approved_on": _("Approval date (YYYY-MM-DD)"),
    }


def parse_person(text: str) -> dict:
    """``"Namn, e-post, telefon"`` → {name, email[, phone]}."""
    parts = [p.strip() for p in text.split(",")]
    person = {"name": parts[0]}
    if len(parts) > 1 and parts[1]:
        person["email"] = parts[1]
    if len(parts) > 2 and parts[2]:
        person["phone"] = parts[2]
    return person


def _flow(d: dict) -> CommentedMap:
    m = CommentedMap(d)
    m.fa.set_flow_style()
    return m


def build_entry(values: dict) -> CommentedMap:
    """Turn answered questions (field → str / list / person dicts) into a channel map in schema order."""
    entry = CommentedMap()
    for f in table("channel").fields:
        v = values.get(f.name)
        if v in (None, "", [], ()):
            continue
        if f.type == "list":
            seq = CommentedSeq(list(v))
            seq.fa.set_flow_style()
            entry[f.name] = seq
        elif f.type == "array":
            entry[f.name] = CommentedSeq([_flow(p) for p in v])
        elif f.type == "object":
            entry[f.name] = _flow(v)
        elif f.type == "date":
            entry[f.name] = v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))
        elif f.type == "number":
            entry[f.name] = float(v) if "." in str(v) else int(v)
        else:
            entry[f.name] = str(v)
    return entry


def add_channel(path: Path, values: dict, today: dt.date | None = None,
                internal: Path | None = None) -> tuple[str, list[Diagnostic]]:
    """Add a channel to the register at ``path`` without disturbing the rest of the file.

    Args:
        path: the register.
        values: field → value (strings; lists for list fields; person dicts).
        today: for the policy's date rules.
        internal: the internal file (default: the one beside the register, when it exists;
            :mod:`kanalregister.register.internal`). When there is one, the internal answers
            (administrators, ersättare, …) go into it under the channel's id, never into the
            register; both files are written only when both stay valid.

    Returns:
        (the new register text, warnings). The file is written only when the result is valid.

    Raises:
        RegisterInvalid: the new entry (or the register) has errors; nothing is written.
    """
    path = Path(path)
    data, _text = load_rt(path)
    try:
        entry = build_entry(values)
    except ValueError as exc:
        raise RegisterInvalid([file_diagnostic("new", "new.value", _("bad value: {exc}").format(exc=exc))]) from None
    channels = data.get("channels")
    if not isinstance(channels, CommentedSeq):
        channels = CommentedSeq()
        data["channels"] = channels
    key = (sv_key(_s(entry.get("department"))), _s(entry.get("id")))
    pos = len(channels)
    for i, c in enumerate(channels):
        if isinstance(c, dict) and (sv_key(_s(c.get("department"))), _s(c.get("id"))) > key:
            pos = i
            break
    channels.insert(pos, entry)
    internal = internal or (default_path(path) if default_path(path).is_file() else None)
    inner_text = None
    if internal is not None:
        inner, _old = load_rt(Path(internal))
        if not isinstance(inner.get("channels"), CommentedMap):
            inner["channels"] = CommentedMap()
        facts = CommentedMap((k, entry.pop(k)) for k in list(entry) if k in INTERNAL_FIELDS)
        inner["channels"][str(entry.get("id"))] = facts
        inner_text = dump(inner)
    new_text = dump(data)
    result = load(new_text.encode(), today, name=str(path),
                  internal=(str(internal), inner_text.encode()) if internal is not None else None).result
    if result.errors:
        raise RegisterInvalid(result.diagnostics)
    if internal is not None:
        Path(internal).write_text(inner_text, encoding="utf-8")
    path.write_text(new_text, encoding="utf-8")
    return new_text, [d for d in result.diagnostics if d.severity == "warning"]


def ask(fields: list[str], values: dict, read=input, write=print) -> dict:
    """Ask the aktivitetsplan questions for every field in ``fields`` missing from ``values``."""
    out = dict(values)
    asked = questions()
    for name in fields:
        if out.get(name) not in (None, "", []):
            continue
        answer = read(asked.get(name, name) + ": ").strip()
        if not answer:
            continue
        if name in ("target_groups", "languages"):
            out[name] = [a.strip() for a in answer.split(";") if a.strip()]
        elif name == "administrators":
            out[name] = [parse_person(a) for a in answer.split(";") if a.strip()]
        elif name == "substitute":
            out[name] = parse_person(answer)
        else:
            out[name] = answer
    return out


def suggest_id(values: dict) -> str | None:
    """An id from the unit or department and the platform, e.g. ``biblioteken-instagram``."""
    base = values.get("unit") or values.get("department")
    if not base or not values.get("platform"):
        return None
    from .importer import slug

    return re.sub(r"-+", "-", f"{slug(base)[:40]}-{values['platform']}").strip("-")
