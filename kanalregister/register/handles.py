"""Handles (user names) per platform: which text can be one, and the handle an address names
(issue 18, point 6: ``import`` tells a handle from a display name).

:data:`HANDLE_RULES` is the one table of the platforms' own rules for user names, as their
help pages state them; a platform without an entry takes the register schema's rule for
``handle`` (no spaces, at most one ``@``).
"""

from __future__ import annotations

import re
import urllib.parse

#: Platform key → the platform's rule for a handle (a full-match regular expression; ``\w``
#: is any letter, digit or underscore, in any alphabet). The rules are the platforms' own,
#: widened where old accounts still carry names that newer rules refuse (Facebook pages
#: with hyphens and short names, LinkedIn pages with letters like å, ä, ö): what matters
#: here is to tell a user name from a display name, which has spaces or punctuation.
#: Facebook: letters, digits, dots (old pages: hyphens, underscores); Instagram and
#: Threads: up to 30 letters, digits, dots and underscores; X: up to 15 letters, digits
#: and underscores; TikTok: up to 24 letters, digits, dots and underscores; YouTube: a
#: handle or channel id; LinkedIn: a page's public address; Bluesky: a domain name;
#: Mastodon: ``user@server``.
HANDLE_RULES: dict[str, str] = {
    "facebook": r"[\w.-]{1,100}",
    "instagram": r"[\w.]{1,30}",
    "threads": r"[\w.]{1,30}",
    "x": r"\w{1,15}",
    "tiktok": r"[\w.]{2,24}",
    "youtube": r"[\w.-]{3,100}",
    "linkedin": r"[\w%.-]{1,100}/?",
    "bluesky": r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+",
    "mastodon": r"\w{1,30}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
}
_SCHEMA_RULE = r"[^\s@]+(@[^\s@]+)?"
#: Address path prefixes after which the next path segment is the handle (lower case).
_PREFIXES = {"linkedin": ("company", "school", "showcase", "in"), "youtube": ("user", "c"),
             "bluesky": ("profile",), "snapchat": ("add",), "flickr": ("photos", "people")}
#: First path segments that never name an account.
_NOT_NAMES = {"profile.php", "pages", "groups", "watch", "channel", "playlist", "p", "reel", "hashtag", "share",
              "sharer", "intent", "home", "search", "explore", "events", "people", "pg"}


def is_handle(platform: str, text: str) -> bool:
    """Whether ``text`` (a leading ``@`` ignored) can be a handle on ``platform`` (a key of
    :data:`kanalregister.register.platforms.PLATFORMS`); a text with spaces never is."""
    t = text.strip().removeprefix("@")
    if not t or any(ch.isspace() for ch in t):
        return False
    return re.fullmatch(HANDLE_RULES.get(platform, _SCHEMA_RULE), t) is not None


def handle_from_url(platform: str, url: str) -> str | None:
    """The handle that the account address ``url`` names on ``platform``, or None.

    ``https://x.com/Testby`` → ``Testby``; ``https://www.tiktok.com/@testby`` → ``testby``;
    ``https://www.linkedin.com/company/testby/`` → ``testby``; ``https://mastodon.social/@testby``
    → ``testby@mastodon.social``; an address by number (``profile.php?id=…``,
    ``youtube.com/channel/UC…``) names none.
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    segs = [urllib.parse.unquote(s) for s in parts.path.split("/") if s]
    if not segs or platform == "blog":
        return None
    first = segs[0]
    if platform in _PREFIXES and first.lower() in _PREFIXES[platform]:
        candidate = segs[1] if len(segs) > 1 else ""
    elif first.lower() in _NOT_NAMES:
        return None
    else:
        candidate = first
    candidate = candidate.removeprefix("@")
    if platform == "mastodon":
        candidate = f"{candidate}@{parts.hostname}" if first.startswith("@") and parts.hostname else ""
    return candidate if candidate and is_handle(platform, candidate) else None
