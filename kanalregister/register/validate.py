"""Phase 1b: check a read register against the schema, the rules and the policy; build the model.

The register is checked in two layers, so that a build can keep what did not change:

1. :func:`check_entry` checks one channel entry on its own: every field against the Table
   Schema (:class:`kanalregister.fields.Checker`), the rules that need no other entry
   (:func:`kanalregister.rules.check_channel`) and the policy's findings for it
   (:func:`kanalregister.policy.evaluate_channel`). Its :class:`Entry` depends only on the
   entry's text, the policy and ``today``, so :mod:`kanalregister.loader` can keep it in the
   build cache, diagnostics and all.
2. :func:`assemble` checks the sections (organisation, policy, party channels) and
   everything that spans entries — unique ids and addresses, successors, internal contacts
   in published text — over every entry, every time, then builds the immutable
   :class:`kanalregister.model.Register`.

Every problem is collected as a :class:`~kanalregister.errors.Diagnostic` at the offending
value; one run reports all of them, the policy's findings of every readable entry included,
whatever else is wrong (issue 18: an imported register's missing organisation facts hid
every per-channel finding).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import Diagnostic
from ..i18n import _
from . import dates, internal, model, policy, rules
from .fields import Checker
from .read import Document, LocList
from .schema import table
from .sections import Sections, check_sections, check_unique

_PUBLIC = model.model_field_names(model.Channel)
_INTERNAL = internal.INTERNAL_FIELDS
_INTERNAL_SET = frozenset(_INTERNAL)
_UNIQUE = tuple(f.name for f in table("channel").fields if f.unique)
_ID = table("channel").by_name["id"]


def channel_path(i: int, ident: str | None) -> str:
    """How diagnostics name the ``i``-th channel (0-based): ``channels[17] (bibliotek-tiktok)``,
    the id added so a person can search for it in the file; ``channels[17]`` without an id."""
    return f"channels[{i}] ({ident})" if ident else f"channels[{i}]"


@dataclass(frozen=True)
class Result:
    """Outcome of validation.

    Attributes:
        register: the model, or ``None`` when there was any error.
        diagnostics: every error and warning, sorted by position (list[Diagnostic]).
        model: the model even when only policy rules failed (for ``report``), else None.
        unchecked: the policy rules (tuple[str]) not checked because the register has no
            internal facts (:mod:`kanalregister.register.internal`, layout ``public``).
    """

    register: model.Register | None
    diagnostics: list[Diagnostic]
    model: model.Register | None = None
    unchecked: tuple = ()

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics of severity error."""
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The diagnostics of severity warning."""
        return [d for d in self.diagnostics if d.severity == "warning"]


@dataclass(frozen=True, slots=True)
class Entry:
    """What validation knows of one channel entry by itself.

    Positions are those of the node the entry was read from; paths are relative to the
    entry (``url``, ``aliases[0]``, ``""`` for the entry itself). :func:`assemble` moves
    them to the entry's place in the file.

    Attributes:
        row: field → clean value, or None when the entry had an error in its fields.
        diagnostics: the entry's own problems (tuple[Diagnostic]), policy findings aside.
        findings: the policy's findings as diagnostics (tuple[Diagnostic]).
        pos: field → (line, col) of the values that the rules over all entries may point
            at (unique fields, successor, published fields with tokens), of the keys of the
            internal fields the entry holds, and ``""`` → the entry's start.
        tokens: published field → e-mail-like tokens and digit runs in it (tuple[str],
            :func:`kanalregister.register.rules.field_tokens`).
        flagged: published fields already reported for personal data (frozenset[str]).
        contacts: the entry's internal e-mails and phone digits (tuple[str], sorted).
        ident: the entry's id as written when it is a valid id (even when other fields are
            wrong), else None; diagnostics name the channel by it (issue 17).
    """

    row: dict | None
    diagnostics: tuple
    findings: tuple
    pos: dict
    tokens: dict
    flagged: frozenset
    contacts: frozenset
    ident: str | None = None

    def __reduce__(self):  # worker processes send entries back as the plain form the cache keeps
        return (Entry.from_plain, (self.plain(),))

    def plain(self) -> tuple:
        """The entry as plain data that :mod:`marshal` writes (str, int, float, tuple, dict,
        None): dates as ordinals, people as tuples. :meth:`from_plain` reverses it. The build
        cache stores entries so: reading 10,000 of them takes a fifth of unpickling."""
        row = None
        if self.row is not None:
            row = dict(self.row)
            for k in _DATES.intersection(row):
                row[k] = row[k].toordinal()
            if "administrators" in row:
                row["administrators"] = tuple(tuple(p) for p in row["administrators"])
            if "substitute" in row:
                row["substitute"] = tuple(row["substitute"])
        return (row, tuple(_diag_plain(d) for d in self.diagnostics), tuple(_diag_plain(d) for d in self.findings),
                self.pos, self.tokens, tuple(self.flagged), self.contacts, self.ident)

    @classmethod
    def from_plain(cls, t: tuple) -> Entry:
        """The :class:`Entry` of :meth:`plain`'s ``t``."""
        row, diagnostics, findings, pos, tokens, flagged, contacts, ident = t
        if row is not None:
            for k in _DATES.intersection(row):
                row[k] = _FROM_ORDINAL(row[k])
            if "administrators" in row:
                row["administrators"] = tuple(model.Person(*p) for p in row["administrators"])
            if "substitute" in row:
                row["substitute"] = model.Person(*row["substitute"])
        return cls(row, tuple(Diagnostic(*d) for d in diagnostics), tuple(Diagnostic(*d) for d in findings), pos,
                   tokens, frozenset(flagged), contacts, ident)


_DATES = frozenset(f.name for f in table("channel").fields if f.type == "date")
_FROM_ORDINAL = dt.date.fromordinal


def _diag_plain(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.col, d.severity, d.code, d.path, d.message, d.hint)


def check_entry(node, pos: tuple[int, int], pol: policy.Policy, today: dt.date) -> Entry:
    """Check one channel entry by itself (see the module docstring).

    Args:
        node: the entry as read (a :class:`kanalregister.load.LocDict`, or anything else,
            which is reported as not a mapping).
        pos: (line, col) of the entry, 1-based.
        pol: the register's policy; ``today`` the date its date rules count from.

    Returns:
        An :class:`Entry`. Raises nothing for bad data.
    """
    ck = Checker("")
    row = ck.row(table("channel"), node, pos, "", _("channel"))
    ident = node.get("id") if isinstance(node, dict) else None
    ident = ident if isinstance(ident, str) and _ID.pattern.match(ident) else None
    if row is None:
        return Entry(None, tuple(ck.c.items), (), {"": pos}, {}, frozenset(), (), ident)
    flagged = rules.check_channel(ck, row, node)
    dates.check_dates(ck, row, node, today)
    if not _INTERNAL_SET.isdisjoint(row):  # the combined layout: its internal fields checked too
        internal.check_private(ck, row, node, "", text_secrets=False)
    own = tuple(ck.c.items)
    ck.c.items = []
    channel = model.Channel(line=pos[0], **{k: v for k, v in row.items() if k in _PUBLIC})
    facts = model.ChannelInternal(**{k: v for k, v in row.items() if k not in _PUBLIC})
    for f in policy.evaluate_channel(pol, channel, facts, today):
        if f.kind == "due":
            continue
        where = node.pos.get(f.field) or node.kpos.get("id") or node.start
        ck.err(where, f"policy.{f.rule}", f.field, f.message,
               _("policy '{rule}': {source}").format(rule=f.rule, source=policy.RULE_BY_KEY[f.rule].source),
               severity=f.severity)
    tokens = rules.field_tokens(row)  # field → tuple of str
    # the positions that the rules over all entries may point at
    places = {k: node.kpos[k] if k in _INTERNAL else node.pos[k]
              for k in (*_UNIQUE, "successor", *tokens, *_INTERNAL) if k in node.pos}
    places[""] = pos
    return Entry(row, own, tuple(ck.c.items), places, tokens, flagged, rules.contacts_of(row), ident)


@dataclass(frozen=True, slots=True)
class Placed:
    """An :class:`Entry` at its place in the register: index ``i`` in ``channels`` and the
    number of lines (``shift``) to add to its positions."""

    entry: Entry
    i: int
    shift: int


class _Shifted:
    """An entry's positions (field → (line, col)) moved down by ``shift`` lines, on access."""

    __slots__ = ("pos", "shift")

    def __init__(self, pos: dict, shift: int):
        self.pos, self.shift = pos, shift

    def __getitem__(self, key):
        line, col = self.pos[key]
        return (line + self.shift, col)


def _moved(d: Diagnostic, file: str, shift: int, prefix: str) -> Diagnostic:
    path = prefix + ("." + d.path if d.path and not d.path.startswith("[") else d.path)
    return Diagnostic(file, d.line + shift if d.line else d.line, d.col, d.severity, d.code, path, d.message, d.hint)


def assemble(sections: Sections, placed: list[Placed], today: dt.date,
             facts: internal.Facts | None = None, internal_name: str = "channels.internal.yaml") -> Result:
    """Check what spans the entries and build the model (step 2 of the module docstring).

    Args:
        sections: from :func:`check_sections`.
        placed: every channel entry in register order, with its place.
        today: the date the policy's date rules count from (the internal facts' rules and the
            migration period of :mod:`kanalregister.register.internal`; the entries carry their
            own findings already).
        facts: the internal file, checked (:func:`kanalregister.register.internal.check_file`),
            or None when there is none; ``internal_name`` names the file in messages.

    Returns:
        A :class:`Result`; ``register`` is None when any diagnostic is an error.
    """
    ck = sections.ck
    if sections.root is None:
        return Result(None, sorted(ck.c.items, key=Diagnostic.sort_key))
    file = ck.c.file
    items = ck.c.items
    valid: list[Placed] = []
    seen = {f: {} for f in _UNIQUE}
    ids = set()
    for p in placed:
        e = p.entry
        prefix = channel_path(p.i, e.ident)
        for d in e.diagnostics:
            items.append(_moved(d, file, p.shift, prefix))
            if d.severity == "error":
                ck.c.n_errors += 1
        if e.row is None:
            continue
        if not check_unique(ck, seen, e.row, _Shifted(e.pos, p.shift), prefix):
            valid.append(p)
        ids.add(e.row["id"])
    holding = [(channel_path(p.i, p.entry.ident),
                [(k, _Shifted(p.entry.pos, p.shift)[k]) for k in _INTERNAL if k in p.entry.pos])
               for p in placed if p.entry.row is not None and any(k in p.entry.pos for k in _INTERNAL)]
    layout = internal.layout(facts, holding)
    internal.public_keys(ck, facts, holding, today, facts.file if facts else internal_name)
    contacts = set()
    for p in placed:
        contacts.update(p.entry.contacts)
    if facts is not None:
        items.extend(facts.diagnostics)
        ick = Checker(facts.file)
        internal.relate(ick, facts, ids, file)
        for p in valid:
            if p.entry.row["id"] not in facts.keys and p.entry.row["status"] == "active":
                ident = p.entry.row["id"]
                ck.err(_Shifted(p.entry.pos, p.shift)["id"], "internal.no-entry",
                       f"{channel_path(p.i, p.entry.ident)}.id",
                       _("channel '{id}' has no entry in {file}: its internal facts are not recorded").format(
                           id=ident, file=facts.file),
                       _("add an entry '{id}:' under 'channels:' in {file}").format(id=ident, file=facts.file),
                       severity="warning")
        items.extend(ick.c.items)
        ck.c.n_errors += ick.c.n_errors + sum(d.severity == "error" for d in facts.diagnostics)
        for row in facts.rows.values():
            contacts.update(rules.contacts_of(row))
    emails = {c for c in contacts if "@" in c}
    phones = contacts - emails
    for p in valid:
        e = p.entry
        prefix = channel_path(p.i, e.ident)
        row = e.row
        succ = row.get("successor")
        where = e.pos.get("successor")
        if succ is not None:
            at = (where[0] + p.shift, where[1])
            if succ not in ids or succ == row["id"]:
                ck.err(at, "rule.successor", f"{prefix}.successor",
                       _("'{succ}' is not another channel in the register").format(succ=succ),
                       rules.near(succ, ids - {row['id']}))
            elif row["status"] == "active":
                ck.err(at, "rule.successor-active", f"{prefix}.successor",
                       _("only a closed channel can have a successor"))
        for name, toks in e.tokens.items():
            if name in e.flagged:
                continue
            message = rules.internal_contact_message(toks, contacts)
            if message:
                at = e.pos[name]
                ck.err((at[0] + p.shift, at[1]), "safety.internal-data", f"{prefix}.{name}", message,
                       rules.privacy_hint())
    if sections.org_row is not None:
        rules.check_organisation(ck, sections.org_row, sections.root["organisation"], (emails, phones))
    for row, node, path in sections.parties:
        rules.check_party(ck, row, node, path, (emails, phones))
    unchecked = internal.unchecked(sections.policy) if layout == "public" and valid else ()
    broken = ck.c.n_errors
    skip = frozenset(f"policy.{r}" for r in internal.INTERNAL_RULES) if layout != "combined" else frozenset()
    for p in valid:
        for d in p.entry.findings:
            if d.code in skip:
                continue
            items.append(_moved(d, file, p.shift, channel_path(p.i, p.entry.ident)))
            if d.severity == "error":
                ck.c.n_errors += 1
    if broken:
        return Result(None, sorted(items, key=Diagnostic.sort_key), None, unchecked)
    register = _build(sections, valid, today, facts)
    if facts is not None:
        ck.c.n_errors += _internal_findings(register, facts, valid, today, items, file)
    return Result(None if ck.c.n_errors else register, sorted(items, key=Diagnostic.sort_key), register, unchecked)


def _internal_findings(register: model.Register, facts: internal.Facts, valid: list[Placed], today: dt.date,
                       items: list, file: str) -> int:
    """Add the findings of the internal rules, run on the internal file's facts, to ``items``;
    return how many are errors. A finding points into the internal file, or at the channel
    in the register when the file has no entry for it."""
    errors = 0
    rules_on = frozenset(internal.INTERNAL_RULES)
    for p, ch in zip(valid, register.channels, strict=True):
        for f in policy.evaluate_channel(register.policy, ch, register.internal[ch.id], today):
            if f.kind == "due" or f.rule not in rules_on:
                continue
            if ch.id in facts.keys:
                where, at, path = facts.where(ch.id, f.field), facts.file, f"channels.{ch.id}.{f.field}"
            else:
                where, at, path = (_Shifted(p.entry.pos, p.shift)["id"], file,
                                   f"{channel_path(p.i, p.entry.ident)}.id")
            items.append(internal.diagnostic_of(at, where, path, f, policy.RULE_BY_KEY[f.rule].source))
            errors += f.severity == "error"
    return errors


def _build(sections: Sections, valid: list[Placed], today: dt.date,
           facts: internal.Facts | None = None) -> model.Register:
    chans, rows = [], {}
    public = _PUBLIC
    for p in valid:
        row = p.entry.row
        chans.append(model.Channel(line=p.entry.pos[""][0] + p.shift, **{k: v for k, v in row.items() if k in public}))
        rows[row["id"]] = row if facts is None else facts.rows.get(row["id"], {})
    return model.Register(
        organisation=model.Organisation(**sections.org_row),
        channels=tuple(chans),
        party_channels=tuple(model.PartyChannel(**r) for r, _n, _p in sections.parties),
        internal=model.InternalByID(rows, _PUBLIC),
        policy=sections.policy,
        as_of=today,
    )


def validate(doc: Document, today: dt.date | None = None, facts: internal.Facts | None = None,
             internal_name: str = "channels.internal.yaml") -> Result:
    """Validate a whole read document (not split into entries) and build the model.

    :func:`kanalregister.loader.load` is the entry point that reads and validates a
    register; this is its path for a register whose layout is not split, and the same
    functions as for a split one.

    Args:
        doc: from :func:`kanalregister.load.parse_bytes`.
        today: the date that date rules (archive, review, passive) count from; defaults to
            the current date.
        facts, internal_name: the internal file, as for :func:`assemble`.

    Returns:
        A :class:`Result`. Raises nothing for bad data: every problem is a diagnostic.
    """
    today = today or dt.date.today()
    sections = check_sections(doc)
    placed = []
    node = sections.root.get("channels") if sections.root is not None else None
    if isinstance(node, LocList):
        for i, item in enumerate(node):
            placed.append(Placed(check_entry(item, node.pos[i], sections.policy, today), i, 0))
    return assemble(sections, placed, today, facts, internal_name)

