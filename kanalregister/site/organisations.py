"""The förteckning at national scale: when a register has many organisations (förvaltningar,
bolag, myndigheter), the index lists them compactly and each gets a page of its own,
``organisation/<slug>.html``, so that no page grows with the whole register (issue 16: the
real national list of 2,151 accounts in 609 organisations made a 1.7 MB index).

A register with fewer than :data:`COMPACT_FROM` förvaltningar (a municipality) keeps the
one-page förteckning.
"""

from __future__ import annotations

from ..register.model import Channel
from ..register.text import slug
from .swedish import sv_key

#: From this many förvaltningar/organisations on, the site uses one page per organisation.
COMPACT_FROM = 30


def is_compact(groups: list) -> bool:
    """Whether ``groups`` (as from :func:`group_by_department`) are
    many enough for one page per organisation."""
    return len(groups) >= COMPACT_FROM


def organisation_slugs(groups: list) -> dict[str, str]:
    """Department name → its page's file name part (ASCII, unique: ``-2``, ``-3``… on clashes),
    in the order of ``groups``."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for department, _channels in groups:
        base = slug(department)[:60].strip("-") or "x"
        s, n = base, 2
        while s in taken:
            s, n = f"{base}-{n}", n + 1
        taken.add(s)
        out[department] = s
    return out


def group_by_department(channels, name_keys: dict | None = None) -> list[tuple[str, list[Channel]]]:
    """Group channels by förvaltning: [(department, channels sorted by name)], in Swedish order.

    ``name_keys`` may give each channel's :func:`sv_key` of its name by id, computed once
    for several sorts.
    """
    keys = name_keys if name_keys is not None else {c.id: sv_key(c.name) for c in channels}
    groups: dict[str, list[Channel]] = {}
    for c in sorted(channels, key=lambda c: (keys[c.id], c.id)):
        groups.setdefault(c.department, []).append(c)
    return [(d, groups[d]) for d in sorted(groups, key=sv_key)]
