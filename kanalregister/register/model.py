"""The validated, immutable register: what the render and export phases work from.

Public and internal data are kept apart by construction: :class:`Channel` holds only the
fields that may be published; the internal fields (administrators, ersättare, notes, review
and activity dates) live in :class:`ChannelInternal`, reachable only through
:attr:`Register.internal`, which the renderer and exporter never receive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import NamedTuple

from .platforms import PLATFORMS


@dataclass(frozen=True, slots=True)
class Organisation:
    """The body that publishes the register (``organisation`` section).

    Attributes mirror ``schemas/organisation.json``; optional ones are ``None`` when absent.
    """

    name: str
    website: str
    email: str
    register_keeper: str
    org_number: str | None = None
    phone: str | None = None
    site_url: str | None = None
    publisher_type: str | None = None
    spatial: str | None = None
    edit_url: str | None = None
    accessibility_status: str | None = None
    accessibility_shortcomings: tuple[str, ...] = ()
    accessibility_assessed_on: dt.date | None = None
    accessibility_method: str | None = None
    accessibility_contact: str | None = None
    example_data: bool = False

    def edit_link(self, channel: Channel) -> str | None:
        """The "Rapportera fel / föreslå ändring" address for ``channel``, or None when not configured."""
        if not self.edit_url:
            return None
        from urllib.parse import quote

        return self.edit_url.replace("{id}", quote(channel.id)).replace("{line}", str(channel.line))


@dataclass(frozen=True, slots=True)
class Channel:
    """One official channel, public fields only (``schemas/channel.json`` without x-internal).

    Dates are :class:`datetime.date`; list fields are tuples of str; absent optional values
    are ``None`` (or ``()`` for lists). ``line`` is the 1-based line of the entry in the
    register file, for reports.
    """

    id: str
    name: str
    platform: str
    url: str
    department: str
    status: str
    aliases: tuple[str, ...] = ()
    handle: str | None = None
    unit: str | None = None
    responsible_role: str | None = None
    contact_email: str | None = None
    purpose: str | None = None
    target_groups: tuple[str, ...] = ()
    purpose_en: str | None = None
    target_groups_en: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    monitoring: str | None = None
    start_date: dt.date | None = None
    closing_date: dt.date | None = None
    successor: str | None = None
    last_changed: dt.date | None = None
    change_note: str | None = None
    approved_by: str | None = None
    approved_on: dt.date | None = None
    last_archived: dt.date | None = None
    line: int = 0

    @property
    def platform_label(self) -> str:
        """The platform's display name, e.g. ``"X (Twitter)"``."""
        return PLATFORMS[self.platform].label

    @property
    def rel_me(self) -> bool:
        """True when links to this channel should carry ``rel="me"`` (Mastodon)."""
        return PLATFORMS[self.platform].rel_me

    @property
    def is_active(self) -> bool:
        """True while ``status`` is ``active``."""
        return self.status == "active"


class Person(NamedTuple):
    """An administrator or ersättare (internal): name, work e-mail, work phone.

    A named tuple (immutable, like the dataclasses here), so that the build cache reads
    the tens of thousands of them in a register as fast as tuples.
    """

    name: str
    email: str
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelInternal:
    """A channel's internal fields (``x-internal`` in the schema). Never published."""

    administrators: tuple[Person, ...] = ()
    substitute: Person | None = None
    notes: str | None = None
    last_reviewed: dt.date | None = None
    last_activity: dt.date | None = None
    hours_per_week: float | None = None


@dataclass(frozen=True, slots=True)
class PartyChannel:
    """A channel of a party in kommunfullmäktige (``party_channels``). Not the municipality's."""

    party: str
    platform: str
    url: str
    name: str | None = None

    @property
    def platform_label(self) -> str:
        """The platform's display name."""
        return PLATFORMS[self.platform].label

    @property
    def display_name(self) -> str:
        """The channel's name, or ``"<party> på <platform>"`` when none is given."""
        return self.name or f"{self.party} på {self.platform_label}"


@dataclass(frozen=True, slots=True)
class Register:
    """The whole validated register.

    Attributes:
        organisation: the publishing body.
        channels: every channel in register order (tuple[Channel]), active and closed.
        party_channels: the parties' channels (tuple[PartyChannel]).
        internal: channel id → :class:`ChannelInternal` (a read-only Mapping, made on access).
        policy: the resolved policy (``kanalregister.policy.Policy``).
        as_of: the date the register was checked against (``--today`` or the clock), or
            None; a channel whose ``start_date`` is later is planned, and the change log
            holds nothing after it.
    """

    organisation: Organisation
    channels: tuple[Channel, ...]
    party_channels: tuple[PartyChannel, ...]
    internal: Mapping
    policy: object
    as_of: dt.date | None = None

    @property
    def active(self) -> tuple[Channel, ...]:
        """The active channels, in register order."""
        return tuple(c for c in self.channels if c.is_active)

    @property
    def closed(self) -> tuple[Channel, ...]:
        """The closed channels, newest closing date first."""
        return tuple(sorted((c for c in self.channels if not c.is_active),
                            key=lambda c: (c.closing_date or dt.date.min, c.id), reverse=True))


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the public change log (Ändringslogg), derived from a channel's dated fields.

    Attributes:
        date: when it happened (start_date, last_changed or closing_date).
        kind: ``added``, ``changed`` or ``closed``.
        channel: the channel.
        note: the change_note for ``changed``; the successor's id for ``closed``; else None.
    """

    date: dt.date
    kind: str
    channel: Channel
    note: str | None = None


def change_log(register: Register) -> list[Event]:
    """The change log: every dated event of every channel, newest first (then by id, kind).

    Derived from the register's own dated fields (``start_date``, ``last_changed``,
    ``closing_date``), not from git history: the dates are those of the events themselves,
    reviewed in the pull request, and the log is the same from a tarball, a shallow clone or
    any host. A channel without dates contributes nothing. A planned closing (an active
    channel's ``closing_date``, after the day of the check: :mod:`kanalregister.register.dates`)
    has not happened and is not in the log; nor is any event dated after ``register.as_of``
    (a planned channel's start).
    """
    events = []
    for c in register.channels:
        if c.start_date:
            events.append(Event(c.start_date, "added", c))
        if c.last_changed:
            events.append(Event(c.last_changed, "changed", c, c.change_note))
        if c.closing_date and not c.is_active:
            events.append(Event(c.closing_date, "closed", c, c.successor))
    order = {"closed": 0, "changed": 1, "added": 2}
    if register.as_of is not None:
        events = [e for e in events if e.date <= register.as_of]
    return sorted(events, key=lambda e: (-e.date.toordinal(), e.channel.id, order[e.kind]))


def model_field_names(cls) -> set[str]:
    """Names of a model class's fields, without bookkeeping (``line``); for schema tests."""
    names = cls._fields if hasattr(cls, "_fields") else [f.name for f in fields(cls)]
    return set(names) - {"line"}


def fast_pickling(cls) -> None:
    """Pickle ``cls`` (a frozen, slotted dataclass) as its class and field values.

    The dataclass default for slotted classes builds a field list per object in Python; the
    build cache (:mod:`kanalregister.cache`) pickles tens of thousands of these, so the
    values are read with one C-level ``attrgetter`` and the object is rebuilt through its
    ``__init__`` (which keeps it validated and frozen).
    """
    import operator

    names = [f.name for f in fields(cls)]
    get = operator.attrgetter(*names)

    def __reduce__(self):
        return (cls, get(self))

    cls.__reduce__ = __reduce__


for _cls in (Channel, ChannelInternal):
    fast_pickling(_cls)


class InternalByID(Mapping):
    """channel id → :class:`kanalregister.register.model.ChannelInternal`, made from the
    channel's clean row on first access: the site never reads internal fields, so a build
    of 10,000 channels need not make 10,000 of them (``report`` and the policy do read them)."""

    def __init__(self, rows: dict, public: frozenset):
        self._rows, self._public, self._made = rows, public, {}

    def __getitem__(self, key):
        made = self._made.get(key)
        if made is None:
            row = self._rows[key]
            made = self._made[key] = ChannelInternal(**{k: v for k, v in row.items() if k not in self._public})
        return made

    def __iter__(self):
        return iter(self._rows)

    def __len__(self):
        return len(self._rows)
