"""The internal file: a channel's internal facts kept apart from the public register (issue 20).

The guidelines ask for facts that must not be published: at least two administrators and an
ersättare with names, e-mail and telephone (Gullspång Bilaga 1 question 5, Avesta 5,
Botkyrka "Administrera konto"), notes, activity and review dates. The public register
(``channels.yaml``) may live in a public repository; these facts then live in
``channels.internal.yaml`` (:func:`default_path`), kept in a private repository, a CI secret
or an encrypted file (docs/internal.md), in this layout::

    channels:
      kultur-instagram:            # the channel's id in the public register
        administrators:
          - {name: Anna Andersson, email: anna.andersson@kommun.se, phone: 0123-45 67 89}
        substitute: {name: …, email: …}
        last_reviewed: 2026-06-30

Which fields are internal is data: the fields marked ``x-internal`` in
``schemas/channel.json`` (:data:`kanalregister.register.schema.INTERNAL_TABLE`). The file is
read by the one reader (:func:`kanalregister.register.read.parse_bytes`) and checked by the
one field checker (:class:`kanalregister.register.fields.Checker`), so its diagnostics name
its own file, line and column. :func:`kanalregister.register.loader.load` reads it;
:func:`kanalregister.register.validate.assemble` joins it to the register.

Layouts, decided per register by :func:`layout`:

* ``split``: an internal file is given; every rule runs, the internal ones on its facts; an
  internal fact left in the public register is an error.
* ``combined``: no internal file, and the public register still holds internal facts (the
  layout before issue 20). Read as before, with one warning until :data:`MIGRATION_END`,
  refused (an error) after it.
* ``public``: no internal file and no internal facts: the rules of :data:`INTERNAL_RULES`
  are not checked, which the result says once (``Result.unchecked``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, RegisterSyntaxError, file_diagnostic
from ..i18n import _
from .fields import MISSING, Checker, describe
from .read import Document, LocDict, LocList, read_bytes, source_name
from .rules import MOBILE_SPEC, has_secret, near, personnummer_in
from .schema import INTERNAL_TABLE, table

#: The policy rules that read internal facts (:class:`kanalregister.register.model.ChannelInternal`).
INTERNAL_RULES = ("administrators", "substitute", "review", "passive")
#: The channel fields that are internal (``x-internal`` in ``schemas/channel.json``).
INTERNAL_FIELDS = tuple(f.name for f in table(INTERNAL_TABLE).fields)
#: The last day (inclusive) on which a public register that still holds internal facts is read
#: with a warning; from the day after, it is refused. Eighteen months after the split layout
#: came (2026-07 → 2027-12): one budget year and a half for every municipality to move.
MIGRATION_END = dt.date(2027, 12, 31)
_MOBILE = re.compile(MOBILE_SPEC)
_CREDENTIAL_HINT = "keep them in the central password store (Gullspång Bilaga 1, Botkyrka: Administrera konto)"


def default_path(register) -> Path:
    """The internal file that belongs to ``register`` (a path): ``<stem>.internal<suffix>``
    beside it, e.g. ``channels.yaml`` → ``channels.internal.yaml``."""
    p = Path(register)
    return p.with_name(f"{p.stem}.internal{p.suffix or '.yaml'}")


def read(register, given=None, *, beside: bool = True) -> tuple[str, bytes] | None:
    """The internal file's (name in diagnostics, bytes), or None when there is none.

    Args:
        register: the register's path (str or Path; ``"-"`` for standard input).
        given: the internal file named by the user (``--internal FILE``), or None.
        beside: when nothing is given, look for :func:`default_path` beside the register.

    Raises:
        RegisterSyntaxError: ``given`` is missing or unreadable (the file beside the register is
            taken only when it exists).
    """
    if given is not None:
        name = source_name(given)
        if str(given) != "-" and not Path(given).is_file():
            raise RegisterSyntaxError([file_diagnostic(
                name, "internal.missing", _("the internal file does not exist"),
                _("check the name given with --internal; without it, the file beside the register "
                  "({file}) is used when it exists").format(file=default_path(register).name
                                                            if str(register) != "-" else "channels.internal.yaml"))])
        return name, read_bytes(given, name)
    if not beside or str(register) == "-":
        return None
    p = default_path(register)
    if not p.is_file():
        return None
    return str(p), read_bytes(p, str(p))


@dataclass
class Facts:
    """The internal file, read and checked.

    Attributes:
        file: its name in diagnostics (str).
        diagnostics: its own problems (list[Diagnostic]).
        rows: channel id → clean row of internal fields (dict) for every entry without error.
        nodes: channel id → the entry as read (LocDict, for positions), every entry.
        keys: channel id → (line, col) of the id, every entry.
    """

    file: str
    diagnostics: list = field(default_factory=list)
    rows: dict = field(default_factory=dict)
    nodes: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)

    def where(self, ident: str, fld: str) -> tuple[int, int]:
        """(line, col) of field ``fld`` of channel ``ident``'s entry, else of its id."""
        node = self.nodes.get(ident)
        if isinstance(node, LocDict) and fld in node.pos:
            return node.pos[fld]
        return self.keys[ident]


def check_file(doc: Document) -> Facts:
    """Check a read internal file (layout in the module docstring) against the internal table.

    Returns:
        :class:`Facts`. Raises nothing for bad data: every problem is a diagnostic.
    """
    ck = Checker(doc.file)
    ck.c.items.extend(doc.warnings)
    facts = Facts(doc.file, ck.c.items)
    root = doc.data
    if root is None:
        return facts  # an empty file: no internal facts yet
    if not isinstance(root, LocDict):
        ck.err(doc.root_pos, "internal.root", "", _("the internal file must be a mapping with 'channels', got "
               "{what}").format(what=describe(root)), _("start from the channels.internal.yaml that 'init' writes"))
        return facts
    ck.unknown_keys(root, {"channels": ""}, "", _("the internal file"))
    chans = root.get("channels")
    if chans is None:
        return facts
    if not isinstance(chans, LocDict):
        ck.err(root.pos["channels"], "schema.type", "channels",
               _("expected a mapping of channel id → internal facts, got {what}").format(what=describe(chans)),
               _("write each channel's id followed by ':' and its facts indented below it"))
        return facts
    spec_id = table("channel").by_name["id"]
    spec = table(INTERNAL_TABLE)
    for ident, node in chans.items():
        path = f"channels.{ident}"
        facts.keys[ident], facts.nodes[ident] = chans.kpos[ident], node
        if ck.value(spec_id, ident, chans.kpos[ident], path) is MISSING or node is None:
            continue
        row = ck.row(spec, node, chans.pos[ident], path, _("internal facts"))
        if row is not None:
            check_private(ck, row, node, path, text_secrets=True)
            facts.rows[ident] = row
    return facts


def check_private(ck: Checker, row: dict, node: LocDict, path: str, text_secrets: bool) -> None:
    """Personal data and credentials in a row's internal fields (GDPR, Avesta 4; Gullspång
    Bilaga 1 question 5): no personnummer anywhere, no credentials anywhere, and private
    telephone numbers only in the people's ``phone`` fields, never in text like ``notes``.

    Args:
        ck: the checker collecting diagnostics; ``row``: the clean row; ``node``: it as read.
        path: the row's path prefix in diagnostics (``""`` for an entry of the register).
        text_secrets: also look for credentials in the row's own text fields (the register's
            entries have them checked by :func:`kanalregister.register.rules.check_channel`).
    """
    def at(p: str) -> str:
        return f"{path}.{p}" if path else p

    for spec in table(INTERNAL_TABLE).fields:
        value, where = row.get(spec.name), node.pos.get(spec.name)
        if isinstance(value, str):
            _check_text(ck, value, where, at(spec.name), phone_ok=False, secrets=text_secrets)
        elif spec.type in ("array", "object") and value:
            raw = node[spec.name]
            people = [(raw[i], f"{spec.name}[{i}]") for i in range(len(raw))] if isinstance(raw, LocList) \
                else [(raw, spec.name)]
            for person, p in people:
                for key in ("name", "email", "phone"):
                    if isinstance(person.get(key), str):
                        _check_text(ck, person[key].strip(), person.pos[key], at(f"{p}.{key}"),
                                    phone_ok=key == "phone", secrets=True)


def _check_text(ck: Checker, s: str, where, path: str, phone_ok: bool, secrets: bool) -> None:
    if personnummer_in(s):
        ck.err(where, "safety.personnummer", path,
               _("looks like a personnummer; personal identity numbers never go in the register, "
                 "not even in its internal file"), _("remove it; refer to the person by name and role"))
    elif not phone_ok and _MOBILE.search(s):
        ck.err(where, "safety.private-phone", path,
               _("looks like a private mobile number; telephone numbers belong only in the phone of an "
                 "administrator or the ersättare"), _("move it to the person's phone field, or remove it"))
    if secrets and has_secret(s):
        ck.err(where, "safety.credential", path,
               _("looks like a password, token or key; credentials never go in the register"), _CREDENTIAL_HINT)


def layout(facts: Facts | None, holding: list) -> str:
    """``split``, ``combined`` or ``public`` (module docstring): ``holding`` lists the public
    entries that hold internal fields."""
    if facts is not None:
        return "split"
    return "combined" if holding else "public"


def public_keys(ck: Checker, facts: Facts | None, holding: list, today: dt.date, internal_name: str) -> None:
    """Report internal fields in the public register.

    Args:
        ck: the register's checker.
        facts: the internal file, or None.
        holding: (path prefix, [(field, (line, col))]) of each public entry holding internal fields,
            in register order.
        today: the date the migration period (:data:`MIGRATION_END`) is counted at.
        internal_name: the internal file's name, for the message.
    """
    if not holding:
        return
    if facts is not None:
        for prefix, keys in holding:
            ck.err(keys[0][1], "internal.in-public", f"{prefix}.{keys[0][0]}",
                   _("internal facts ({fields}) must not be in the public register; move them to {file}").format(
                       fields=", ".join(k for k, _w in keys), file=internal_name),
                   _("move the lines to this channel's entry in {file}").format(file=internal_name))
        return
    found = sorted({k for _p, keys in holding for k, _w in keys}, key=INTERNAL_FIELDS.index)
    prefix, keys = holding[0]
    late = today > MIGRATION_END
    ck.err(keys[0][1], "internal.combined", f"{prefix}.{keys[0][0]}",
           _("the public register holds internal facts ({fields}) in {n} channel(s); they belong in {file}").format(
               fields=", ".join(found), n=len(holding), file=internal_name),
           (_("run 'kanalregister split' to move them, comments kept; the combined layout was read until {date}")
            if late else _("run 'kanalregister split' to move them, comments kept; until {date} the combined "
                           "layout is still read, with this warning")).format(date=MIGRATION_END.isoformat()),
           severity="error" if late else "warning")


def relate(ck_internal: Checker, facts: Facts, ids: set, register_name: str) -> None:
    """Report the internal file's entries for ids that are not channels of the register."""
    for ident, where in facts.keys.items():
        if ident not in ids:
            ck_internal.err(where, "internal.unknown-id", f"channels.{ident}",
                            _("'{id}' is not a channel of {register}").format(id=ident, register=register_name),
                            near(ident, ids) or _("remove the entry, or correct the id"))


def unchecked(pol) -> tuple[str, ...]:
    """The rules of :data:`INTERNAL_RULES` that ``pol`` has on: not checked without internal facts."""
    return tuple(r for r in INTERNAL_RULES if pol.level(r) != "off")


def diagnostic_of(file: str, where, path: str, finding, source: str) -> Diagnostic:
    """A policy finding on internal facts as a diagnostic at ``where`` in ``file``."""
    return Diagnostic(file, where[0], where[1], finding.severity, f"policy.{finding.rule}", path, finding.message,
                      _("policy '{rule}': {source}").format(rule=finding.rule, source=source))
