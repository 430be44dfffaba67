"""Incremental builds: validate and render again only the channels whose text changed.

A rebuild after editing one channel of 10,000 should take well under a second (issue #6),
so a build keeps a cache beside the output folder (:mod:`kanalregister.cache`) and the next
build reuses what did not change:

1. :func:`split_register` cuts the register text into a *head* (everything up to and
   including ``channels:``), one *chunk* per channel entry, and a *tail* (the sections after
   the list). Each chunk is keyed by the SHA-256 of its text.
2. :func:`load_incremental` validates again only the head, the tail and the chunks not in
   the cache, in a register of their own, with the ids and contacts of the cached channels
   passed in so that cross-channel rules see the whole register. The checks that span
   every channel — unique ids and addresses, successors, internal contacts in published
   text — then run over small per-channel summaries kept in the cache.
3. Only a register that comes out of this with no diagnostic at all is taken; anything
   else (an error, a warning, a layout the splitter does not recognise) is validated again
   as a whole by :func:`kanalregister.validate.check_file`, so messages and their line and
   column numbers are always those of a full check.

The cache is valid only for the same kanalregister code, the same head (organisation and
policy) and the same ``today``; :func:`context_key` covers those. A test compares the
incremental result with a full build after random edits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
import operator
import pickle
import re
from collections.abc import Mapping
from dataclasses import dataclass

from . import forking, model
from .cache import code_digest
from .errors import KanalregisterError
from .load import _fast_unsafe, parse_bytes, parse_fast, read_bytes
from .rules import published_tokens
from .schema import table
from .validate import Result, check_file, unique_key, validate

# Both start with a literal newline, which the regex engine looks for at memchr speed
# (with ``^`` and re.M it would try every position of a 100 MB register).
_TOP_KEY = re.compile(rb"\n[^\s#]")
_ITEM = re.compile(rb"\n  - ")


@dataclass(frozen=True)
class Split:
    """A register text cut at its channel entries.

    Attributes:
        head: text up to the first entry: ``channels:`` and any blank lines after it (str).
        chunks: one (first line number, 1-based; UTF-8 bytes as a memoryview of the
            register's bytes) per channel entry, in order.
            A chunk runs from its ``  - `` line up to the next one, comments and blank lines
            included.
        tail: the rest of the text, from the first top-level key after the list (str).
    """

    head: str
    chunks: tuple[tuple[int, memoryview], ...]
    tail: str


def split_register(raw: bytes) -> Split | None:
    """Cut the register's bytes (valid UTF-8) into head, channel chunks and tail; None when the
    layout is not the plain one (``channels:`` at the start of a line, entries indented by
    two spaces as ``fmt`` writes them). Works on bytes: the chunks are hashed as they are."""
    start = raw.find(b"\nchannels:\n")
    if start < 0:
        return None
    body_start = start + len(b"\nchannels:\n")
    m = _TOP_KEY.search(raw, body_start - 1)
    body_end = m.start() + 1 if m else len(raw)
    starts = [mm.start() + 1 for mm in _ITEM.finditer(raw, body_start - 1, body_end)]
    if not starts or raw[body_start:starts[0]].strip(b" \n"):
        return None
    line = raw.count(b"\n", 0, starts[0]) + 1
    chunks = []
    ends = starts[1:] + [body_end]
    view = memoryview(raw)  # slices share the register's bytes: no copy of a 100 MB file
    for s, e in zip(starts, ends):  # noqa: B905 - same length
        chunks.append((line, view[s:e]))
        line += raw.count(b"\n", s, e)
    return Split(raw[:starts[0]].decode("utf-8"), tuple(chunks), raw[body_end:].decode("utf-8"))


def digest(data: bytes | memoryview | str) -> str:
    """SHA-256 of ``data`` (str as UTF-8), hex, first 32 characters."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()[:32]


def _codec(cls):
    """(field names, indices of date fields) of a model dataclass, for :func:`encode_entries`."""
    names = [f.name for f in dataclasses.fields(cls)]
    return names, [i for i, n in enumerate(names) if n in _DATE_FIELDS]


_DATE_FIELDS = {f.name for t in ("channel",) for f in table(t).fields if f.type == "date"}
_CH_NAMES, _CH_DATES = _codec(model.Channel)
_IN_NAMES, _IN_DATES = _codec(model.ChannelInternal)
_ch_get = operator.attrgetter(*_CH_NAMES)
_in_get = operator.attrgetter(*_IN_NAMES)
_ADMINS, _SUBST = _IN_NAMES.index("administrators"), _IN_NAMES.index("substitute")
_LINE = _CH_NAMES.index("line")


_UNIQUE = tuple(f.name for f in table("channel").fields if f.unique)
_PUBLISHED = tuple(f.name for f in table("channel").fields if not f.internal)
# Positions in an entry tuple (see entry_for).
ID, CHANNEL, INTERNAL, UNIQUE, SUCCESSOR, CONTACTS, TOKENS = range(7)


def _person(p):
    return (p.name, p.email, p.phone) if p is not None else None


def _h(value: str) -> bytes:
    """An 8-byte hash of ``value`` (BLAKE2b); equal strings, equal hashes."""
    return hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()


def public_tokens(values) -> bytes:
    """Hashes (:func:`token_hashes`) of the e-mail-like tokens (lower case) and the digit runs
    (digits only) in the strings of ``values`` (str, tuples of str, anything else skipped) —
    what :func:`kanalregister.rules._personal_data` compares with the internal contacts.
    (Validation finds the same tokens of every channel at once: :attr:`Result.tokens`.)"""
    strings = [s for v in values for s in (v if isinstance(v, tuple) else (v,)) if isinstance(s, str)]
    return token_hashes(published_tokens(["\x00".join(strings)])[0])


def token_hashes(tokens) -> bytes:
    """The 8-byte hashes (:func:`_h`) of ``tokens`` (an iterable of str), sorted and concatenated."""
    return b"".join(sorted(_h(t) for t in tokens))


def entry_for(channel: model.Channel, internal: model.ChannelInternal, tokens=None) -> tuple:
    """What the cache keeps of one valid channel entry: a tuple of a few plain values that
    :mod:`marshal` writes and reads fast. ``tokens``: the channel's published tokens as
    validation found them (:attr:`kanalregister.validate.Result.tokens`), or None to find
    them here (:func:`public_tokens`; the same).

    Returns:
        (id, channel values without ``line`` pickled to bytes — dates and all —, internal
        values marshalled to bytes with dates as ordinals and people as (name, e-mail,
        phone) — read only when asked for —, hashes of the unique keys (field and
        :func:`unique_key`), successor id or None, hashes of the contacts, hashes of the
        tokens). Hashes are 8 bytes each, concatenated (:func:`_h`): the contacts are its
        internal people's e-mails (lower case) and phones (digits only), the tokens those
        found in its published text (:func:`public_tokens`), which must not equal any
        internal contact of the register (:mod:`kanalregister.rules`). A hash collision
        can only send the build to the full check, never let a problem through.
    """
    it = list(_in_get(internal))
    for i in _IN_DATES:
        if it[i] is not None:
            it[i] = it[i].toordinal()
    it[_ADMINS] = tuple(_person(p) for p in it[_ADMINS])
    it[_SUBST] = _person(it[_SUBST])
    people = list(internal.administrators) + ([internal.substitute] if internal.substitute else [])
    contacts = set()
    for p in people:
        contacts.add(p.email.lower())
        if p.phone:
            contacts.add(re.sub(r"\D", "", p.phone))
    unique = b"".join(_h(f"{f}\x00{unique_key(f, getattr(channel, f))}") for f in _UNIQUE
                      if getattr(channel, f) is not None)
    values = _ch_get(channel)[:_LINE]
    return (channel.id, pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL), marshal.dumps(tuple(it)), unique,
            channel.successor, b"".join(sorted(_h(c) for c in contacts)),
            public_tokens(getattr(channel, n) for n in _PUBLISHED) if tokens is None else token_hashes(tokens))


def channel_of(entry: tuple, line: int) -> model.Channel:
    """The :class:`model.Channel` of a cache entry, at register line ``line``."""
    return model.Channel(*pickle.loads(entry[CHANNEL]), line)


def internal_of(entry: tuple) -> model.ChannelInternal:
    """The :class:`model.ChannelInternal` of a cache entry."""
    it = list(marshal.loads(entry[INTERNAL]))
    for i in _IN_DATES:
        if it[i] is not None:
            it[i] = dt.date.fromordinal(it[i])
    it[_ADMINS] = tuple(model.Person(*p) for p in it[_ADMINS])
    if it[_SUBST] is not None:
        it[_SUBST] = model.Person(*it[_SUBST])
    return model.ChannelInternal(*it)


class LazyInternal(Mapping):
    """channel id → :class:`model.ChannelInternal`, built from cache entries on first access.

    An incremental build never reads internal fields after validation (the renderer and the
    exporter do not receive them), so tens of thousands of objects need not be made.
    ``entries`` maps id → entry tuple; ``built`` id → objects already made.
    """

    def __init__(self, entries: dict, built: dict):
        self._entries, self._built = entries, built

    def __getitem__(self, key):
        v = self._built.get(key)
        if v is None:
            v = self._built[key] = internal_of(self._entries[key])
        return v

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)




def context_key(code: str, head: str, today: dt.date) -> str:
    """The key under which chunk entries stay valid: code digest, head text and ``today``."""
    return digest("\x00".join((code, head, today.isoformat())))


@dataclass
class Loaded:
    """Result of :func:`load_incremental`.

    Attributes:
        result: the validation result, exactly as :func:`check_file` would give it.
        split: the split text, or None when the register was not split.
        entries: chunk digest → entry tuple (:func:`entry_for`) for every channel (empty unless the result is
            clean and the text was split).
        keys: channel id → chunk digest (same condition).
        reused: how many channels came from the cache (int).
        context: the :func:`context_key` the entries are valid under (str).
    """

    result: Result
    split: Split | None
    entries: dict
    keys: dict
    reused: int = 0
    context: str = ""


def load_incremental(path, today: dt.date, cache=None, display_name: str | None = None) -> Loaded:
    """Validate a register, reusing the cache's entries (digest → :func:`entry_for` tuple) when possible.

    Args:
        path: the register file.
        today: the date for the policy's date rules.
        cache: a :class:`kanalregister.cache.BuildCache`, or None; its entries are used only
            when its ``context`` is this register's :func:`context_key`.
        display_name: the file's name in diagnostics.

    Returns:
        A :class:`Loaded`. Its ``result`` equals ``check_file(path, today)``.

    Raises:
        RegisterSyntaxError: the file cannot be read as safe YAML.
    """
    name = display_name or str(path)
    raw = read_bytes(path, name)
    try:  # the entries are decoded where they are read (unchanged ones were valid before)
        split = None if raw.startswith(b"\xef\xbb\xbf") else split_register(raw)
    except UnicodeDecodeError:
        split = None
    context = context_key(code_digest(), split.head, today) if split is not None else ""
    if split is not None and cache is not None and cache.entries and cache.context == context:
        loaded = _incremental(split, today, cache.entries, name)
        if loaded is not None:
            loaded.context = context
            return loaded
    loaded = _parallel(split, today, name) if split is not None else None
    if loaded is None:
        loaded = _complete(check_file(path, today, display_name), split)
    loaded.context = context
    return loaded


def _complete(result: Result, split: Split | None) -> Loaded:
    """Entries and keys for a clean full result, so that the next build can reuse them."""
    reg = result.register
    # Every entry of the list starts with a line "  - ", so the split finds every entry; a
    # line like that which starts no entry (inside a quoted text spanning lines) would make
    # more chunks than entries. Equal counts therefore mean that chunks and entries align.
    if split is None or reg is None or result.diagnostics or len(reg.channels) != len(split.chunks):
        return Loaded(result, None, {}, {})
    entries, keys = {}, {}
    for (line, chunk), ch in zip(split.chunks, reg.channels, strict=True):
        if ch.line not in (0, line):  # 0: the fast reader, which knows no lines
            return Loaded(result, None, {}, {})
        d = digest(chunk)
        entries[d] = entry_for(ch, reg.internal[ch.id], result.tokens.get(ch.id) if result.tokens else None)
        keys[ch.id] = d
    if ch.line == 0:  # give the model the lines the fast reader could not
        channels = tuple(dataclasses.replace(c, line=line)
                         for (line, _t), c in zip(split.chunks, reg.channels, strict=True))
        reg = dataclasses.replace(reg, channels=channels)
        result = Result(reg, result.diagnostics, reg)
    return Loaded(result, split, entries, keys)


def _self_contained(chunk: memoryview, name: str) -> bool:
    """Whether ``chunk`` reads as exactly one list entry on its own, with every quote and
    bracket closed inside it, so that it reads the same next to any other entry. Refused:
    anything the fast reader's safety scan flags, and chunks the exact reader cannot read."""
    try:
        if _fast_unsafe(b"", "\n" + str(chunk, "utf-8")):
            return False
    except UnicodeDecodeError:
        return False
    try:
        doc = parse_bytes(b"channels:\n" + chunk, name)
    except KanalregisterError:
        return False
    data = doc.data
    return isinstance(data, dict) and list(data) == ["channels"] and isinstance(data["channels"], list) \
        and len(data["channels"]) == 1 and not doc.warnings


def _validate_part(split: Split, indices: list[int], today: dt.date, ids: set, name: str):
    """Validate the head, the entries ``indices`` and the tail as a register of their own.

    ``ids`` are the ids of the other entries (successors may name them). Returns the part's
    :class:`model.Register` with the entries' real lines and its channels' published tokens
    (:attr:`kanalregister.validate.Result.tokens`), or None when anything at all was
    reported or the entries did not read as one list item each.
    """
    part_raw = split.head.encode("utf-8") + b"".join(split.chunks[i][1] for i in indices) + split.tail.encode("utf-8")
    doc = parse_fast(part_raw, name)
    if doc is None:
        doc = parse_bytes(part_raw, name)
    part = validate(doc, today, (ids, set(), set()))
    reg = part.register
    if reg is None or part.diagnostics or len(reg.channels) != len(indices):
        return None
    channels = tuple(dataclasses.replace(ch, line=split.chunks[i][0]) for i, ch in zip(indices, reg.channels,
                                                                                       strict=True))
    return dataclasses.replace(reg, channels=channels), part.tokens


def _assemble(split: Split, digests: list[str], entries: dict, made: dict, part: model.Register,
              reused: int) -> Loaded | None:
    """Check what spans all entries, over their summaries, and build the register.

    Args:
        digests: the digest of each chunk, in order.
        entries: digest → entry tuple, for every chunk.
        made: chunk index → :class:`model.Channel` already built (the validated ones).
        part: a validated register with the organisation, party channels and policy, and
            the internal fields of the ``made`` channels.
        reused: how many entries came from the cache.
    """
    if len(entries) != len(digests):
        return None  # two identical entries
    values = entries.values()
    uniques = memoryview(b"".join(e[UNIQUE] for e in values)).cast("Q")
    if len(set(uniques)) != len(uniques):
        return None  # a duplicate id or address
    all_ids = {e[ID] for e in values}
    if not {e[SUCCESSOR] for e in values if e[SUCCESSOR] is not None} <= all_ids:
        return None  # a successor that is gone
    contacts = set(memoryview(b"".join(e[CONTACTS] for e in values)).cast("Q"))
    org, parties = part.organisation, part.party_channels
    published = b"".join(e[TOKENS] for e in values) + public_tokens(
        [getattr(org, f.name) for f in table("organisation").fields]
        + [getattr(p, n) for p in parties for n in ("party", "name", "url")])
    if not contacts.isdisjoint(memoryview(published).cast("Q")):
        return None  # an internal contact in published text
    channels, by_id, built, keys = [], {}, {}, {}
    for i, ((line, _chunk), d) in enumerate(zip(split.chunks, digests, strict=True)):
        e = entries[d]
        ch = made[i] if i in made else channel_of(e, line)
        channels.append(ch)
        by_id[ch.id] = e
        keys[ch.id] = d
    for ch in made.values():
        if ch.id in part.internal:
            built[ch.id] = part.internal[ch.id]
    register = model.Register(organisation=org, channels=tuple(channels), party_channels=parties,
                              internal=LazyInternal(by_id, built), policy=part.policy)
    return Loaded(Result(register, [], register), split, entries, keys, reused)


def _incremental(split: Split, today: dt.date, cached: dict, name: str) -> Loaded | None:
    digests = [digest(chunk) for _line, chunk in split.chunks]
    fresh = [i for i, d in enumerate(digests) if d not in cached]
    if len(fresh) * 4 > len(digests):
        return None  # most entries changed: a full check is as fast
    if not fresh:
        fresh = [0]  # validate the head and tail together with one entry
    for i in fresh:
        if not _self_contained(split.chunks[i][1], name):
            return None
    fresh_set = set(fresh)
    validated = _validate_part(split, fresh, today,
                               {cached[d][ID] for i, d in enumerate(digests) if i not in fresh_set}, name)
    if validated is None:
        return None
    part, tokens = validated
    entries = dict(zip(digests, (cached.get(d) for d in digests)))  # noqa: B905 - same length
    made = {}
    for i, ch in zip(fresh, part.channels, strict=True):
        entries[digests[i]] = entry_for(ch, part.internal[ch.id], tokens[ch.id])
        made[i] = ch
    return _assemble(split, digests, entries, made, part, len(digests) - len(made))


#: Registers with at least this many entries are validated in two forked processes.
PARALLEL_MIN = 2000
# Only a chunk's first line starts with "  - " (the split cuts at every such line), so an id
# written first in its entry is matched at the chunk's start.
_ID_LINE = re.compile(rb"  - id: *['\"]?([^\s'\"#]+)")


def _parallel(split: Split, today: dt.date, name: str) -> Loaded | None:
    """A full validation in two forked processes, one per half of the entries.

    Each process validates the head, its half and the tail (successors may name any id the
    text seems to hold; the real ids are checked in :func:`_assemble`) and sends back the
    entry tuples. None (and a full check by the caller) when fork is missing, a part
    reports anything, or the halves do not read as whole entries.
    """
    n = len(split.chunks)
    if n < PARALLEL_MIN or not forking.can_fork():
        return None
    ids = {m.group(1).decode("utf-8", "replace") for m in map(_ID_LINE.match, (c for _line, c in split.chunks)) if m}

    def half_work(half: list[int]):
        def work():
            try:
                validated = _validate_part(split, half, today, ids, name)
            except Exception:  # noqa: BLE001 - the parent falls back to the full check
                return 0, None
            if validated is None:
                return 0, None
            part, tokens = validated
            return 0, [entry_for(ch, part.internal[ch.id], tokens[ch.id]) for ch in part.channels]
        return work

    children = [forking.start(half_work(h)) for h in (list(range(0, n // 2)), list(range(n // 2, n)))]
    validated = _validate_part(split, [], today, ids, name)  # the head and tail, meanwhile
    digests = [digest(chunk) for _line, chunk in split.chunks]  # meanwhile too
    results = [forking.finish(c) if c is not None else None for c in children]
    if validated is None or any(x is None for x in results):
        return None
    part = validated[0]
    entries = dict(zip(digests, (e for half in results for e in half)))  # noqa: B905 - checked in _assemble
    return _assemble(split, digests, entries, {}, part, 0)
