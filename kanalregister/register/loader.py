"""The one entry point that reads and validates a register: :func:`load`.

``build``, ``check``, ``diff``, ``new``, ``report``, ``serve`` and the tests all call it.

A register in the layout that ``fmt`` writes (``channels:`` at the start of a line, each
entry a ``  - `` item) is cut into its entries (:func:`split_register`). Each entry is read
(:func:`kanalregister.load.parse_bytes`, the one reader) and checked by itself
(:func:`kanalregister.validate.check_entry`); the rest of the file — the same text with the
entries' lines left blank, so every line keeps its number — is read and checked as the
sections. :func:`kanalregister.validate.assemble` then runs the rules that span entries.

Why this reads exactly as the whole file does: an entry whose every line after the first is
blank, a comment, or indented by at least four spaces is a block that no neighbour can
continue or close, and an entry is taken only when it reads by itself as one list item with
no problem at all. Anything else — a quote or bracket left open, a line at the wrong
indentation, an entry the reader refuses — sends the whole register to the reader as one
document, so messages are always those of the file as written.

The entries not in the memo are checked in worker processes when there are many
(:func:`kanalregister.workers.map_items`, the same :func:`check_chunk`).

``memo`` (entry text digest → :class:`kanalregister.validate.Entry`) lets a build keep the
result of every entry it checked, warnings included: a rebuild reads and checks again only
the entries whose text changed. The memo is valid for one :func:`context` (code, policy
and ``today``); the caller keeps it (:mod:`kanalregister.cache`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from ..errors import KanalregisterError
from ..i18n import language
from ..workers import map_items
from . import internal as internal_file
from .read import LocDict, LocList, parse_bytes, read_bytes, source_name
from .sections import check_sections
from .validate import Placed, Result, assemble, check_entry, validate

_TOP_KEY = re.compile(rb"\n[^\s#]")  # both start with a newline: found at memchr speed
_ITEM = re.compile(rb"\n  - ")
#: A line that neither starts an entry nor belongs in one: content indented by less than four.
_SHALLOW = re.compile(rb"\n(?!  - ) {0,3}[^ \n#]")


@dataclass(frozen=True)
class Split:
    """A register's bytes cut at its channel entries.

    Attributes:
        frame: the bytes with every entry's lines left blank (same line numbers).
        chunks: (first line, 1-based; the entry's bytes) for each entry, in order.
    """

    frame: bytes
    chunks: tuple[tuple[int, bytes], ...]


def split_register(raw: bytes) -> Split | None:
    """Cut ``raw`` into frame and entries, or None when the layout is not the plain one."""
    if raw.startswith(b"channels:\n"):
        raw_at = b"\n" + raw
        offset = 1
    else:
        raw_at, offset = raw, 0
    start = raw_at.find(b"\nchannels:\n")
    if start < 0:
        return None
    body_start = start + len(b"\nchannels:\n")
    m = _TOP_KEY.search(raw_at, body_start - 1)
    body_end = m.start() + 1 if m else len(raw_at)
    starts = [mm.start() + 1 for mm in _ITEM.finditer(raw_at, body_start - 1, body_end)]
    if not starts or raw_at[body_start:starts[0]].strip(b" \n"):
        return None
    if _SHALLOW.search(raw_at, starts[0], body_end) is not None:
        return None
    line = raw_at.count(b"\n", 0, starts[0]) + 1 - offset
    chunks = []
    for s, e in zip(starts, starts[1:] + [body_end], strict=True):
        chunk = raw_at[s:e]
        chunks.append((line, chunk))
        line += chunk.count(b"\n")
    blank = b"\n" * raw_at.count(b"\n", starts[0], body_end)
    frame = raw_at[offset:starts[0]] + blank + raw_at[body_end:]
    return Split(frame, tuple(chunks))


def digest(data: bytes) -> str:
    """SHA-256 of ``data``, hex, first 32 characters."""
    return hashlib.sha256(data).hexdigest()[:32]


def context(policy, today: dt.date, code: str) -> str:
    """The key a memo of entries is valid under: the code's digest (its catalogues with it),
    the language of messages (:func:`kanalregister.i18n.language`: an entry keeps its
    diagnostics' text), the policy and ``today``."""
    return digest("\x00".join((code, language(), repr(sorted(policy.levels.items())), repr(sorted(
        (k, sorted(v.items())) for k, v in policy.params.items())), today.isoformat())).encode())


@dataclass
class Loaded:
    """Result of :func:`load`.

    Attributes:
        result: the validation result (:class:`kanalregister.validate.Result`).
        keys: channel id → digest of its entry's text (empty when the register was not
            split); a build keys its per-channel caches by it.
        memo: entry digest → :class:`kanalregister.validate.Entry` for every entry read
            this time or taken from the memo given (empty when not split).
        context: the :func:`context` the memo is valid under ("" when not split).
        reused: how many entries came from the memo given.
        frame: digest of the register's text other than its entries ("" when not split).
    """

    result: Result
    keys: dict = field(default_factory=dict)
    memo: dict = field(default_factory=dict)
    context: str = ""
    reused: int = 0
    frame: str = ""


#: ``load(internal=BESIDE)``: the internal file beside the register, when it exists.
BESIDE = "beside"


def load(source, today: dt.date | None = None, *, name: str | None = None, memo: dict | None = None,
         memo_context: str = "", code: str = "", internal=BESIDE) -> Loaded:
    """Read and validate a register.

    Args:
        source: a path (str or :class:`pathlib.Path`; ``"-"`` reads standard input) or the
            register's bytes.
        today: the date the policy's date rules count from (default: the current date).
        name: the file's name in diagnostics (default: the path, or ``<stdin>``).
        memo: entries of an earlier load (:attr:`Loaded.memo`), or None; used only when
            ``memo_context`` equals this load's :func:`context`.
        code: a digest of the code and schema (:func:`kanalregister.cache.code_digest`),
            part of the context.
        internal: the internal file (:mod:`kanalregister.register.internal`): a path (str or
            Path), its ``(name, bytes)``, None for none, or :data:`BESIDE` (the default): the
            file beside a register read from a path, when it exists (a register given as bytes
            has none). Read by the same reader, checked against the internal table.

    Returns:
        A :class:`Loaded`.

    Raises:
        RegisterSyntaxError: the file cannot be read, or cannot be read as safe YAML.
    """
    today = today or dt.date.today()
    if isinstance(source, bytes):
        raw, name = source, name or "<register>"
    else:
        name = source_name(source, name)
        raw = read_bytes(source, name)
    if internal is BESIDE:
        given = None if isinstance(source, bytes) else internal_file.read(source)
    elif isinstance(internal, tuple) or internal is None:
        given = internal
    else:
        given = internal_file.read(source, internal)
    facts = internal_file.check_file(parse_bytes(given[1], given[0])) if given is not None else None
    internal_name = given[0] if given is not None else (
        str(internal_file.default_path(source)) if not isinstance(source, bytes) and str(source) != "-"
        else "channels.internal.yaml")
    split = None
    if not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw:  # YAML breaks lines at CR too
        split = split_register(raw)
    if split is not None:
        loaded = _load_split(split, name, today, memo, memo_context, code, facts, internal_name)
        if loaded is not None:
            return loaded
    return Loaded(validate(parse_bytes(raw, name), today, facts, internal_name))


def _load_split(split: Split, name: str, today: dt.date, memo: dict | None, memo_context: str,
                code: str, facts=None, internal_name: str = "") -> Loaded | None:
    try:
        frame = parse_bytes(split.frame, name)
    except KanalregisterError:
        return None  # the whole file gives the messages
    root = frame.data
    if not isinstance(root, LocDict) or root.get("channels") is not None:
        return None
    sections = check_sections(frame, channels_split=True)
    ctx = context(sections.policy, today, code)
    old = memo if memo is not None and memo_context == ctx else {}
    digests = [digest(chunk) for _line, chunk in split.chunks]
    fresh = {d: chunk for d, (_line, chunk) in zip(digests, split.chunks, strict=True) if d not in old}
    checked = list(map_items(lambda chunk: check_chunk(chunk, name, sections.policy, today), list(fresh.values())))
    if any(entry is None for entry in checked):
        return None
    new_memo = dict(zip(fresh, checked, strict=True))
    keys, placed, reused = {}, [], 0
    for i, ((line, _chunk), d) in enumerate(zip(split.chunks, digests, strict=True)):
        entry = new_memo.get(d)
        if entry is None:
            entry = new_memo[d] = old[d]
            reused += 1
        placed.append(Placed(entry, i, line - 1))
        if entry.row is not None:
            keys.setdefault(entry.row["id"], d)
    return Loaded(assemble(sections, placed, today, facts, internal_name), keys, new_memo, ctx, reused,
                  digest(split.frame))


def check_chunk(chunk: bytes, name: str, pol, today: dt.date):
    """The :class:`kanalregister.validate.Entry` of one entry's text, or None when the text
    does not read by itself as exactly one list item with nothing reported."""
    try:
        doc = parse_bytes(chunk, name)
    except KanalregisterError:
        return None
    data = doc.data
    if doc.warnings or not isinstance(data, LocList) or len(data) != 1:
        return None
    return check_entry(data[0], data.pos[0], pol, today)
