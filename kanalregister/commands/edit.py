"""``fmt`` and ``new``: edit ``channels.yaml`` without losing its comments (ruamel.yaml round trip).

Canonical form (``fmt``): sections in the order organisation, policy, channels,
party_channels; every entry's keys in schema order; channels sorted by förvaltning
(Swedish order) then id; party channels by party, platform, url. Comments, quoting and
flow style are kept.

``new`` adds one channel, built from the aktivitetsplan questions (Gullspång Bilaga 1),
at its canonical place, after checking that the resulting register is valid.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import stat
import tempfile
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from ..errors import Diagnostic, RegisterInvalid, UsageError, file_diagnostic
from ..i18n import _
from ..register.addresses import clean_register_addresses
from ..register.read import parse_bytes, read_bytes
from ..register.schema import table
from ..site.swedish import sv_key
from .spacing import space_entries

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


def newline_of(raw: bytes) -> str:
    """The line ending a file mostly uses: ``"\\r\\n"`` when most of its lines end so, else ``"\\n"``."""
    crlf = raw.count(b"\r\n")
    return "\r\n" if crlf and crlf * 2 >= raw.count(b"\n") else "\n"


def load_rt(path: Path) -> tuple[CommentedMap, bytes, str]:
    """Read a register for a round trip.

    Returns:
        (the ruamel.yaml round-trip map, the file's bytes, its line ending ``"\\n"`` or
        ``"\\r\\n"`` (:func:`newline_of`)). The map is read from the text with a byte-order
        mark removed and every line ending made ``"\\n"``; :func:`encode` puts the ending back.

    Raises:
        RegisterSyntaxError: the file cannot be read or is not safe YAML (checked by the one
            reader, :func:`kanalregister.register.read.parse_bytes`, first).
        RegisterInvalid: the file is not a mapping.
    """
    raw = read_bytes(path)
    doc = parse_bytes(raw, str(path))  # the safe loader's checks first (tags, aliases, duplicates…)
    if not isinstance(doc.data, dict):
        raise RegisterInvalid([Diagnostic(str(path), 1, 1, "error", "schema.root", "",
                                          _("the register must be a mapping"))])
    text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    try:
        return _yaml().load(text), raw, newline_of(raw)
    except YAMLError as exc:  # pragma: no cover - the safe loader has already refused such files
        raise UsageError([file_diagnostic(str(path), "yaml.syntax", str(exc))]) from None


def dump(data: CommentedMap) -> str:
    """Serialise a round-trip register to text (lines end in ``"\\n"``)."""
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def encode(text: str, newline: str = "\n") -> bytes:
    """``text`` (lines ending in ``"\\n"``) as UTF-8 bytes without a byte-order mark, every
    line ending in ``newline``."""
    if newline != "\n":
        text = text.replace("\r\n", "\n").replace("\n", newline)
    return text.encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` in one step: a temporary file beside it,
    flushed to disk, then renamed over it; the file keeps its permission bits. On any
    failure the file is as it was and the temporary file is removed.

    Raises:
        OSError: the folder cannot be written (the CLI reports it as a diagnostic).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def format_register(path: Path) -> tuple[bytes, bytes]:
    """Return (the file's bytes, its canonical bytes) for the register at ``path``.

    The canonical form keeps the file's line ending (:func:`newline_of`: a file of CRLF
    lines stays CRLF, a mixed file takes the ending most of its lines have), the blank
    lines between entries and every comment, and has no byte-order mark.

    Raises:
        RegisterSyntaxError: the file is not safe YAML (nothing is formatted).
    """
    data, raw, newline = load_rt(Path(path))
    canonicalise(data)
    clean_register_addresses(data)  # issue 18 point 5: tracking parameters go (register.addresses)
    return raw, encode(space_entries(dump(data), raw.decode("utf-8-sig").replace("\r\n", "\n")), newline)


def format_notes(before: bytes, after: bytes) -> list[str]:
    """What ``fmt`` changes besides the text a diff shows: the byte-order mark and line endings."""
    notes = []
    if before.startswith(b"\xef\xbb\xbf"):
        notes.append(_("the byte-order mark at the start of the file is removed"))
    crlf, lf = before.count(b"\r\n"), before.count(b"\n") - before.count(b"\r\n")
    if crlf and lf:
        notes.append(_("the file mixes line endings ({crlf} CRLF, {lf} LF): every line will end in {nl}").format(
            crlf=crlf, lf=lf, nl="CRLF" if after.count(b"\r\n") else "LF"))
    return notes


# --- entries: what new, edit and close write ----------------------------------------------

def parse_person(text: str) -> dict:
    """``"Namn, e-post, telefon"`` → {name, email[, phone]} (str values; empty parts left out)."""
    parts = [p.strip() for p in text.split(",")]
    person = {"name": parts[0]}
    if len(parts) > 1 and parts[1]:
        person["email"] = parts[1]
    if len(parts) > 2 and parts[2]:
        person["phone"] = ", ".join(parts[2:])
    return person


def _flow(d: dict) -> CommentedMap:
    m = CommentedMap(d)
    m.fa.set_flow_style()
    return m


def yaml_value(spec, v):
    """A field's value as it is written into the register: dates as dates and numbers as
    numbers when the text is one (``"2026-12-01"``, ``"3"``), else the text as given, so that
    the one checker (:class:`kanalregister.register.fields.Checker`) reports what is wrong
    with it; lists and people in flow style."""
    if spec.type == "list":
        seq = CommentedSeq([str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)])
        seq.fa.set_flow_style()
        return seq
    if spec.type == "array":
        return CommentedSeq([_flow(p) for p in v])
    if spec.type == "object":
        return _flow(v)
    if isinstance(v, (dt.date, int, float)) and not isinstance(v, bool):
        return v
    text = str(v).strip()
    if spec.type == "date":
        with contextlib.suppress(ValueError):
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return dt.date.fromisoformat(text)
    elif spec.type == "number":
        with contextlib.suppress(ValueError):
            return float(text) if "." in text else int(text)
    return text


def build_entry(values: dict) -> CommentedMap:
    """Turn answers (field → str / list / person dicts) into a channel map in schema order
    (:func:`yaml_value` for each); empty answers are left out. Raises nothing."""
    entry = CommentedMap()
    for f in table("channel").fields:
        v = values.get(f.name)
        if v in (None, "", [], ()):
            continue
        entry[f.name] = yaml_value(f, v)
    return entry


def channel_key(c) -> tuple:
    """The order ``fmt`` gives channels: förvaltning (Swedish order), then id."""
    return (sv_key(_s(c.get("department"))), _s(c.get("id"))) if isinstance(c, dict) else (("", ""), "")


def insert_channel(data: CommentedMap, entry: CommentedMap) -> int:
    """Insert ``entry`` into ``data["channels"]`` where ``fmt`` would put it (before the first
    channel that sorts after it); return its index. Makes the list when there is none."""
    channels = data.get("channels")
    if not isinstance(channels, CommentedSeq):
        channels = CommentedSeq()
        data["channels"] = channels
    key = channel_key(entry)
    pos = next((i for i, c in enumerate(channels) if channel_key(c) > key), len(channels))
    channels.insert(pos, entry)
    return pos


def find_channel(data: CommentedMap, channel_id: str, file: str) -> tuple[int, CommentedMap]:
    """(index, map) of the channel with id ``channel_id``.

    Raises:
        UsageError: there is no such channel (with the nearest id as a hint).
    """
    channels = data.get("channels")
    for i, c in enumerate(channels if isinstance(channels, CommentedSeq) else ()):
        if isinstance(c, CommentedMap) and _s(c.get("id")) == channel_id:
            return i, c
    ids = [_s(c.get("id")) for c in channels or () if isinstance(c, dict)]
    import difflib

    close = difflib.get_close_matches(channel_id, ids, n=1)
    raise UsageError([file_diagnostic(file, "edit.no-channel", _("there is no channel with id '{id}'").format(
        id=channel_id), _("did you mean '{id}'?").format(id=close[0]) if close else None)])


_PLACE = re.compile(r"channels\[(\d+)\](?: \([a-z0-9][a-z0-9-]*\))?(?: \(line \d+\))?")


def name_channels(message: str, ids: list) -> str:
    """``message`` with each ``channels[i] (line n)`` replaced by the channel's id: the lines
    are those of a text the user has not seen (``ids``: the ids in that text's order)."""
    def name(m):
        i = int(m.group(1))
        return _("the channel '{id}'").format(id=ids[i]) if i < len(ids) else m.group(0)

    return _PLACE.sub(name, message)


def entry_text(entry: CommentedMap) -> str:
    """One channel entry as it is written in the register (``  - id: …`` lines)."""
    return "".join(dump(CommentedMap(channels=CommentedSeq([entry]))).splitlines(True)[1:])


def relative_path(path: str, own: str) -> str | None:
    """The part of a diagnostic's ``path`` below the channel ``own`` (``"channels[3]"``):
    ``"channels[3] (bibliotek-tiktok).administrators[1]"`` → ``"administrators[1]"``,
    ``own`` itself → ``""``; None for a path about anything else."""
    if path != own and not path.startswith((own + ".", own + "[", own + " (")):
        return None
    rest = path[len(own):]
    if rest.startswith(" ("):
        rest = rest[rest.find(")") + 1:] if ")" in rest else ""
    return rest.lstrip(".")
