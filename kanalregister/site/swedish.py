"""Swedish text for the site and the reports: alphabetical order and dates."""

from __future__ import annotations

import datetime as dt


_SV_ORDER = str.maketrans({"å": "z{", "ä": "z|", "ö": "z}", "é": "e", "ü": "y", "æ": "z|", "ø": "z}"})


def sv_key(s: str) -> tuple[str, str]:
    """Sort key in Swedish alphabetical order (… x y z å ä ö), case-insensitive, stable."""
    return (s.lower().translate(_SV_ORDER), s)


#: (ordinal, format) → formatted date; seeded from and saved to the build cache.
DATE_MEMO: dict[tuple[int, str], str] = {}


def date_sv(d: dt.date | None, fmt: str = "long") -> str:
    """Format a date in Swedish with Babel, e.g. ``22 november 2026``; ``""`` for None.

    Memoised in :data:`DATE_MEMO`: a register repeats the same dates many times, Babel takes
    ~20 µs a call, and loading its locale data ~80 ms (which a cached rebuild then skips).
    """
    if not d:
        return ""
    key = (d.toordinal(), fmt)
    text = DATE_MEMO.get(key)
    if text is None:
        from babel.dates import format_date  # imported on first use

        text = DATE_MEMO[key] = format_date(d, format=fmt, locale="sv_SE")
    return text
