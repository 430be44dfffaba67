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
value; one run reports all of them. Policy findings are reported only when nothing else is
an error (until then they would be noise), as before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import Diagnostic
from . import model, policy, rules
from .fields import Checker, clip, describe
from .read import Document, LocDict, LocList
from .schema import table

SECTIONS = {
    "organisation": "the municipality or body that publishes the register",
    "policy": "the guideline rules and their levels",
    "channels": "the list of official channels",
    "party_channels": "the channels of parties in kommunfullmäktige",
}
_PUBLIC = model.model_field_names(model.Channel)
_UNIQUE = tuple(f.name for f in table("channel").fields if f.unique)


@dataclass(frozen=True)
class Result:
    """Outcome of validation.

    Attributes:
        register: the model, or ``None`` when there was any error.
        diagnostics: every error and warning, sorted by position (list[Diagnostic]).
        model: the model even when only policy rules failed (for ``report``), else None.
    """

    register: model.Register | None
    diagnostics: list[Diagnostic]
    model: model.Register | None = None

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
        pos: field → (line, col) of its value, and ``""`` → the entry's start.
        tokens: published field → e-mail-like tokens and digit runs in it
            (:func:`kanalregister.rules.field_tokens`).
        flagged: published fields already reported for personal data (frozenset[str]).
        contacts: the entry's internal e-mails and phone digits (frozenset[str]).
    """

    row: dict | None
    diagnostics: tuple
    findings: tuple
    pos: dict
    tokens: dict
    flagged: frozenset
    contacts: frozenset

    def __reduce__(self):  # pickled as its values: the build cache keeps one per channel
        return (Entry, (self.row, self.diagnostics, self.findings, self.pos, self.tokens, self.flagged,
                        self.contacts))


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
    row = ck.row(table("channel"), node, pos, "", "channel")
    places = {"": pos}
    if isinstance(node, LocDict):
        places.update(node.pos)
    if row is None:
        return Entry(None, tuple(ck.c.items), (), places, {}, frozenset(), frozenset())
    flagged = rules.check_channel(ck, row, node)
    own = tuple(ck.c.items)
    ck.c.items = []
    channel = model.Channel(line=pos[0], **{k: v for k, v in row.items() if k in _PUBLIC})
    internal = model.ChannelInternal(**{k: v for k, v in row.items() if k not in _PUBLIC})
    for f in policy.evaluate_channel(pol, channel, internal, today):
        if f.kind == "due":
            continue
        where = node.pos.get(f.field) or node.kpos.get("id") or node.start
        ck.err(where, f"policy.{f.rule}", f.field, f.message,
               f"policy '{f.rule}': {policy.RULE_BY_KEY[f.rule].source}", severity=f.severity)
    return Entry(row, own, tuple(ck.c.items), places, rules.field_tokens(row), flagged, rules.contacts_of(row))


@dataclass(frozen=True, slots=True)
class Placed:
    """An :class:`Entry` at its place in the register: index ``i`` in ``channels`` and the
    number of lines (``shift``) to add to its positions."""

    entry: Entry
    i: int
    shift: int


class Sections:
    """The register's sections other than the channel entries, checked (step 2's first half).

    Built by :func:`check_sections` from the document; holds the checker with their
    diagnostics, the clean organisation row, the policy and the party rows.
    """

    def __init__(self, ck: Checker, root, org_row: dict | None, pol: policy.Policy, parties: list):
        self.ck, self.root, self.org_row, self.policy, self.parties = ck, root, org_row, pol, parties


def check_sections(doc: Document, channels_split: bool = False) -> Sections | None:
    """Check the document's top level, organisation, policy and party channels.

    Args:
        doc: the register as read (for a split register, the text without its entries).
        channels_split: True when the entries were cut out of ``doc`` (so its ``channels``
            is empty by construction and is not checked here).

    Returns:
        :class:`Sections`, or None when the root is not a mapping (then ``doc``'s
        diagnostics and that error are in the result of :func:`assemble` with no sections).
    """
    ck = Checker(doc.file)
    ck.c.items.extend(doc.warnings)
    root = doc.data
    if not isinstance(root, LocDict):
        what = "an empty file" if root is None else describe(root)
        ck.err(doc.root_pos, "schema.root", "", "the register must be a mapping with organisation and channels, "
               f"got {what}", "start from the example channels.yaml")
        return Sections(ck, None, None, policy.Policy(), [])
    ck.unknown_keys(root, SECTIONS, "", "the register")
    org_row = None
    if "organisation" not in root or root.get("organisation") is None:
        ck.err(root.start, "schema.required", "organisation", "the register has no 'organisation' section")
    else:
        org_row = ck.row(table("organisation"), root["organisation"], root.pos["organisation"], "organisation",
                         "organisation")
    pol = policy.parse(root.get("policy"), root.pos.get("policy", root.start), ck)
    if not channels_split:
        node = root.get("channels")
        if node is None and "channels" not in root:
            ck.err(root.start, "schema.required", "channels", "the register has no 'channels' list")
        elif node is not None and not isinstance(node, LocList):
            ck.err(root.pos["channels"], "schema.type", "channels", f"expected a list of channel, got {describe(node)}")
    parties = _party_rows(ck, root)
    return Sections(ck, root, org_row, pol, parties)


def _party_rows(ck: Checker, root: LocDict) -> list:
    node = root.get("party_channels")
    if node is None:
        return []
    if not isinstance(node, LocList):
        ck.err(root.pos["party_channels"], "schema.type", "party_channels",
               f"expected a list of party channel, got {describe(node)}")
        return []
    rows, seen = [], {f.name: {} for f in table("party_channel").fields if f.unique}
    for i, item in enumerate(node):
        path = f"party_channels[{i}]"
        r = ck.row(table("party_channel"), item, node.pos[i], path, "party channel")
        if r is None:
            continue
        if not _unique(ck, seen, r, item.pos, path):
            rows.append((r, item, path))
    return rows


class _Shifted:
    """An entry's positions (field → (line, col)) moved down by ``shift`` lines, on access."""

    __slots__ = ("pos", "shift")

    def __init__(self, pos: dict, shift: int):
        self.pos, self.shift = pos, shift

    def __getitem__(self, key):
        line, col = self.pos[key]
        return (line + self.shift, col)


def _unique(ck: Checker, seen: dict, row: dict, pos, path: str) -> bool:
    """Report a value of a unique field seen before (``seen``: field → {key: (path, line)});
    return whether any was. ``pos`` maps a field to its (line, col)."""
    bad = False
    for fname, index in seen.items():
        if fname not in row:
            continue
        k = unique_key(fname, row[fname])
        if k in index:
            first_path, first_line = index[k]
            ck.err(pos[fname], "schema.unique", f"{path}.{fname}",
                   f"'{clip(row[fname])}' is already used by {first_path} (line {first_line})")
            bad = True
        else:
            index[k] = (path, pos[fname][0])
    return bad


def unique_key(field: str, value: str) -> str:
    """Key under which uniqueness is checked: ids and URLs compare without case, URLs also
    without a trailing slash or ``www.`` (two spellings of one account are one account)."""
    v = value.lower()
    if field == "url":
        v = v.rstrip("/").replace("://www.", "://", 1)
    return v


def _moved(d: Diagnostic, file: str, shift: int, prefix: str) -> Diagnostic:
    path = prefix + ("." + d.path if d.path and not d.path.startswith("[") else d.path)
    return Diagnostic(file, d.line + shift if d.line else d.line, d.col, d.severity, d.code, path, d.message, d.hint)


def assemble(sections: Sections, placed: list[Placed], today: dt.date) -> Result:
    """Check what spans the entries and build the model (step 2 of the module docstring).

    Args:
        sections: from :func:`check_sections`.
        placed: every channel entry in register order, with its place.
        today: the date the policy's date rules count from (only to build the model's
            policy findings; the entries carry them already).

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
        e, prefix = p.entry, f"channels[{p.i}]"
        for d in e.diagnostics:
            items.append(_moved(d, file, p.shift, prefix))
            if d.severity == "error":
                ck.c.n_errors += 1
        if e.row is None:
            continue
        if not _unique(ck, seen, e.row, _Shifted(e.pos, p.shift), prefix):
            valid.append(p)
        ids.add(e.row["id"])
    contacts = set()
    for p in placed:
        contacts |= p.entry.contacts
    emails = {c for c in contacts if "@" in c}
    phones = contacts - emails
    for p in valid:
        e, prefix = p.entry, f"channels[{p.i}]"
        row = e.row
        succ = row.get("successor")
        where = e.pos.get("successor")
        if succ is not None:
            at = (where[0] + p.shift, where[1])
            if succ not in ids or succ == row["id"]:
                ck.err(at, "rule.successor", f"{prefix}.successor", f"'{succ}' is not another channel in the register",
                       rules.near(succ, ids - {row['id']}))
            elif row["status"] == "active":
                ck.err(at, "rule.successor-active", f"{prefix}.successor", "only a closed channel can have a successor")
        for name, toks in e.tokens.items():
            if name in e.flagged:
                continue
            message = rules.internal_contact_message(toks, contacts)
            if message:
                at = e.pos[name]
                ck.err((at[0] + p.shift, at[1]), "safety.internal-data", f"{prefix}.{name}", message,
                       rules.PRIVACY_HINT)
    if sections.org_row is not None:
        rules.check_organisation(ck, sections.org_row, sections.root["organisation"], (emails, phones))
    for row, node, path in sections.parties:
        rules.check_party(ck, row, node, path, (emails, phones))
    if ck.c.n_errors:
        return Result(None, sorted(items, key=Diagnostic.sort_key))
    register = _build(sections, valid)
    for p in valid:
        for d in p.entry.findings:
            items.append(_moved(d, file, p.shift, f"channels[{p.i}]"))
            if d.severity == "error":
                ck.c.n_errors += 1
    return Result(None if ck.c.n_errors else register, sorted(items, key=Diagnostic.sort_key), register)


def _build(sections: Sections, valid: list[Placed]) -> model.Register:
    chans, internal = [], {}
    for p in valid:
        row = p.entry.row
        line = p.entry.pos[""][0] + p.shift
        chans.append(model.Channel(line=line, **{k: v for k, v in row.items() if k in _PUBLIC}))
        internal[row["id"]] = model.ChannelInternal(**{k: v for k, v in row.items() if k not in _PUBLIC})
    return model.Register(
        organisation=model.Organisation(**sections.org_row),
        channels=tuple(chans),
        party_channels=tuple(model.PartyChannel(**r) for r, _n, _p in sections.parties),
        internal=internal,
        policy=sections.policy,
    )


def validate(doc: Document, today: dt.date | None = None) -> Result:
    """Validate a whole read document (not split into entries) and build the model.

    :func:`kanalregister.loader.load` is the entry point that reads and validates a
    register; this is its path for a register whose layout is not split, and the same
    functions as for a split one.

    Args:
        doc: from :func:`kanalregister.load.parse_bytes`.
        today: the date that date rules (archive, review, passive) count from; defaults to
            the current date.

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
    return assemble(sections, placed, today)

