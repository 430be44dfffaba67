"""Tracking parameters in channel addresses (issue 18, point 5).

An address copied from a browser or a share button often carries parameters that say where
the click came from (``?ref=bookmarks``, ``?igsh=…``, ``?utm_source=…``). They are not part
of the account's address: published, they leak how the register keeper found the page and
make one account look like several. :data:`TRACKING_PARAMETERS` is the one list of them;
:func:`clean_url` is the one function that removes them (``fmt`` rewrites the register with
it, ``check`` warns with its result as the hint).
"""

from __future__ import annotations

import urllib.parse

from ..i18n import _
from .text import char_position

#: Query parameters that only track a visit (lower case), and prefixes of such names.
#: Sources: the platforms' share links (Facebook ``ref``, ``fbclid``, ``mibextid``,
#: ``__tn__``, ``__cft__``; Instagram ``igsh``, ``igshid``; YouTube and Spotify ``si``;
#: X ``ref_src``, ``ref_url``, ``twclid``; TikTok ``_t``, ``_r``, ``ttclid``; LinkedIn
#: ``trk``, ``trackingId``) and the advertising networks' click ids (Google ``gclid``,
#: ``gbraid``, ``wbraid``, ``dclid``, ``_ga``, ``_gl``; Microsoft ``msclkid``; Yandex
#: ``yclid``; Mailchimp ``mc_cid``, ``mc_eid``) and Urchin's ``utm_*``.
TRACKING_PARAMETERS: frozenset[str] = frozenset({
    "ref", "ref_src", "ref_url", "fbclid", "mibextid", "__tn__", "__cft__", "igsh", "igshid", "si",
    "twclid", "_t", "_r", "ttclid", "trk", "trackingid", "gclid", "gbraid", "wbraid", "dclid", "_ga", "_gl",
    "msclkid", "yclid", "mc_cid", "mc_eid",
})
#: Prefixes of tracking parameter names (lower case).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)


def is_tracking(name: str) -> bool:
    """Whether the query parameter ``name`` (as written, any case) only tracks a visit."""
    n = urllib.parse.unquote_plus(name).lower()
    return n in TRACKING_PARAMETERS or n.startswith(TRACKING_PREFIXES)


def tracking_in(url: str) -> tuple[list[str], int] | None:
    """The tracking parameters of ``url``: (their names as written, the index in ``url`` of
    the first one), or None when it has none (or is not an address with a query)."""
    if "?" not in url:
        return None
    start = url.index("?") + 1
    end = url.find("#", start)
    query = url[start:] if end < 0 else url[start:end]
    names, first, offset = [], None, start
    for part in query.split("&"):
        name = part.split("=", 1)[0]
        if name and is_tracking(name):
            names.append(name)
            first = offset if first is None else first
        offset += len(part) + 1
    return (names, first) if names else None


def clean_url(url: str) -> str:
    """``url`` without its tracking parameters (:data:`TRACKING_PARAMETERS`); everything
    else is kept exactly as written, in its order (the ``?`` goes when nothing is left). An
    address without any is returned as it is.

    >>> clean_url("https://www.facebook.com/testby?ref=bookmarks")
    'https://www.facebook.com/testby'
    >>> clean_url("https://www.facebook.com/profile.php?id=100064&mibextid=ZbWKwL")
    'https://www.facebook.com/profile.php?id=100064'
    """
    if tracking_in(url) is None:
        return url
    base, _, rest = url.partition("?")
    query, hash_, fragment = rest.partition("#")
    kept = [p for p in query.split("&") if p and not is_tracking(p.split("=", 1)[0])]
    return base + ("?" + "&".join(kept) if kept else "") + hash_ + fragment


def clean_register_addresses(data) -> int:
    """Remove tracking parameters from every channel's ``url`` and ``aliases`` and every
    party channel's ``url`` of a register read as mappings (in place; a ruamel round-trip
    document keeps its comments). Returns the number of addresses changed (int)."""
    changed = 0
    if not isinstance(data, dict):
        return 0
    for section in ("channels", "party_channels"):
        rows = data.get(section)
        for row in rows if isinstance(rows, list) else ():
            if not isinstance(row, dict):
                continue
            if isinstance(row.get("url"), str) and clean_url(row["url"]) != row["url"]:
                row["url"] = clean_url(row["url"])
                changed += 1
            aliases = row.get("aliases")
            for j, a in enumerate(aliases if isinstance(aliases, list) else ()):
                if isinstance(a, str) and clean_url(a) != a:
                    aliases[j] = clean_url(a)
                    changed += 1
    return changed


def check_tracking(ck, row: dict, node, prefix: str = "") -> None:
    """Warn about tracking parameters (:mod:`kanalregister.register.addresses`) in ``url`` and ``aliases``."""
    places = [("url", row["url"], node)] + [(j, a, node["aliases"]) for j, a in enumerate(row.get("aliases", ()))]
    for key, value, where in places:
        found = tracking_in(value)
        if found:
            ck.err(char_position(where, key, found[1]), "url.tracking",
                   prefix + (key if key == "url" else f"aliases[{key}]"),
                   _("the address contains tracking parameter(s) {names}, which are not part of the account's "
                     "address").format(names=", ".join(found[0])),
                   _("write {url} ('kanalregister fmt' removes them)").format(url=clean_url(value)),
                   severity="warning")
