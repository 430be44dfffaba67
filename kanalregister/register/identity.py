"""Account identity: which addresses name the same account, defined once as data.

The table is ``identity.json`` beside this module (host forms, path forms, which part of the
path names the account, case rules, ids versus handles, per platform). This module is its
Python interpreter; ``templates/static/verify.js`` holds the browser's, and the site writes
the same table into ``kontrollera-data.js`` for it (:func:`table`). Both are tested against one
table of cases (``tests/identity_cases.json``), so Python and JavaScript cannot disagree.

Users: the unique-account rule of the register (:func:`kanalregister.register.sections.unique_key`),
``kanalregister import`` (duplicates), ``kanalregister diff`` (party channels), and the
"Är kontot officiellt?" page (the keys of every registered address).

A key is ``PLATFORM:KIND:VALUE`` (str), e.g. ``x:name:exempelby`` or
``youtube:channel:UCx3mp3lbyK0mmun0000ExAm``; on hosts the table does not know it is
``HOST:KIND:VALUE`` or, for a fediverse account (Mastodon), ``fediverse:fedi:USER@SERVER``.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import urllib.parse
from pathlib import Path

_FILE = Path(__file__).resolve().parent / "identity.json"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_FEDI_HANDLE = re.compile(r"^@?([^@\s/]+)@([^@\s/]+\.[^@\s/]+)$")


@functools.cache
def table() -> dict:
    """The identity table as read from ``identity.json`` (a dict; do not change it)."""
    return json.loads(_FILE.read_text(encoding="utf-8"))


def platform_domains(platform: str) -> tuple[str, ...]:
    """The registrable domains of ``platform`` (a platform key), in table order; () for any host."""
    out: list[str] = []
    for entry in table()["platforms"]:
        if entry["platform"] == platform:
            out += entry["domains"]
    return tuple(out)


def _fold(s: str) -> str:
    return s.lower()


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _host_entry(host: str) -> tuple[dict | None, str, str]:
    """(platform entry or None, the host it names, the subdomain label before its domain or "")."""
    for entry in table()["platforms"]:
        for d in entry["domains"]:
            if host == d:
                return entry, d, ""
            if host.endswith("." + d):
                label = host[: -len(d) - 1].split(".")[-1]
                return entry, d, "" if label in table()["strip"] else label
    strip = table()["strip"]
    while "." in host and host.split(".", 1)[0] in strip and host.count(".") > 1:
        host = host.split(".", 1)[1]
    return None, host, ""


def _apply(rules: list, reserved: list, segs: list[str], query: dict, ns: str, host: str) -> str | None:
    for rule in rules:
        path = rule["path"]
        if len(segs) < len(path):
            continue
        value, fits = None, True
        for i, p in enumerate(path):
            if p == "*":
                value = segs[i]
            elif p != "+" and _fold(segs[i]) != p:
                fits = False
                break
        if not fits:
            continue
        if "query" in rule:
            value = query.get(rule["query"])
            if value is None:
                continue
        if value is None:
            value = ""
        if rule.get("at") and value.startswith("@"):
            value = value[1:]
        if rule.get("fold", True):
            value = _fold(value)
        if "match" in rule:
            m = re.search(rule["match"], value)
            if m is None:
                continue
            value = m.group(1) if m.groups() else m.group(0)
        if "*" in path and value in reserved:
            continue
        if rule["kind"] is None:
            return None
        if "*" in path or "query" in rule:
            if not value:
                continue
        if rule.get("host"):
            return f"fediverse:{rule['kind']}:{value}@{host}"
        return f"{ns}:{rule['kind']}:{value}"
    return None


def account_key(address: str) -> str | None:
    """The key of the account an address (or ``@user@server`` handle) names, or None.

    Args:
        address: a web address as written by a person, with or without ``https://``.

    Returns:
        ``PLATFORM:KIND:VALUE`` (see the module), or None when the text is not an http(s)
        address of an account (a video, a search page, a broken address).
    """
    s = _nfc((address or "").strip())
    m = _FEDI_HANDLE.match(s)
    if m:
        s = f"https://{m.group(2)}/@{m.group(1)}"
    if not _SCHEME.match(s):
        s = "https://" + s
    try:
        parts = urllib.parse.urlsplit(s)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    host = host.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    segs = [_nfc(urllib.parse.unquote(x)) for x in parts.path.split("/") if x]
    query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
    entry, host, label = _host_entry(host)
    if entry is None:
        return _apply(table()["other"]["rules"], [], segs, query, host, host)
    if label and entry.get("subdomain"):
        return f"{entry['platform']}:{entry['subdomain']}:{_fold(label)}"
    if entry.get("skip"):
        while segs and re.search(entry["skip"], _fold(segs[0])):
            segs = segs[1:]
    return _apply(entry["rules"], entry.get("reserved", []), segs, query, entry["platform"], host)


def handle_key(handle: str) -> str:
    """The key of a handle typed alone (``@name`` or ``name``): ``handle:name`` without case."""
    s = _nfc(handle.strip())
    return "handle:" + _fold(s[1:] if s.startswith("@") else s)


def query_key(text: str) -> str | None:
    """The key of what a citizen types into "Är kontot officiellt?": an address, a
    ``@user@server`` fediverse handle, or a handle alone (no ``/``, and an ``@`` first or no
    dot), as :func:`account_key` or :func:`handle_key`; None for neither."""
    s = _nfc((text or "").strip())
    if not s:
        return None
    if "/" not in s and not _FEDI_HANDLE.match(s) and (s.startswith("@") or "." not in s):
        return handle_key(s)
    return account_key(s)


def channel_keys(url: str, aliases=(), handle: str | None = None) -> list[str]:
    """Every key under which a registered account is found: its address, its aliases, and its
    handle (``handle:NAME``) when the handle is the name one of those addresses gives (a
    handle the addresses do not confirm, like ``m`` for ``facebook.com/m``, is not used).

    Returns the keys without repeats, in that order (list of str).
    """
    keys = [k for k in (account_key(a) for a in (url, *aliases)) if k]
    if handle:
        h = handle_key(handle)
        if any(k.split(":", 2)[2] == h[len("handle:"):] for k in keys):
            keys.append(h)
    return list(dict.fromkeys(keys))
