"""Swedish alphabetical order, for the site and the reports (dates: :mod:`.language`)."""

from __future__ import annotations


_SV_ORDER = str.maketrans({"å": "z{", "ä": "z|", "ö": "z}", "é": "e", "ü": "y", "æ": "z|", "ø": "z}"})


def sv_key(s: str) -> tuple[str, str]:
    """Sort key in Swedish alphabetical order (… x y z å ä ö), case-insensitive, stable."""
    return (s.lower().translate(_SV_ORDER), s)
