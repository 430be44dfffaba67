"""The förteckning at national scale: when a register has many organisations (förvaltningar,
bolag, myndigheter), the index lists them compactly and each gets a page of its own,
``organisation/<slug>.html``, so that no page grows with the whole register (issue 16: the
real national list of 2,151 accounts in 609 organisations made a 1.7 MB index).

A register with fewer than :data:`COMPACT_FROM` förvaltningar (a municipality) keeps the
one-page förteckning.
"""

from __future__ import annotations

from ..register.text import slug

#: From this many förvaltningar/organisations on, the site uses one page per organisation.
COMPACT_FROM = 30


def is_compact(groups: list) -> bool:
    """Whether ``groups`` (as from :func:`kanalregister.site.render.group_by_department`) are
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
