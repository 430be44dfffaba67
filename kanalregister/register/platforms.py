"""The platforms a channel can be on: display names, the hosts their URLs may use.

The ``platform`` enum in ``schemas/channel.json`` is the list of keys; a test checks that
every key there has a :class:`Platform` here and vice versa. The hosts come from the identity
table (``identity.json``, :func:`kanalregister.register.identity.platform_domains`), which also
says which address names which account.
"""

from __future__ import annotations

from dataclasses import dataclass

from .identity import platform_domains


@dataclass(frozen=True, slots=True)
class Platform:
    """One platform.

    Attributes:
        key: the value written in the register's ``platform`` field (str).
        label: the name shown on the site (str).
        hosts: registrable domains the URL's host must equal or end with (``.`` + domain);
            empty for platforms that run on any host (a blog, Mastodon servers).
        rel_me: True when the platform verifies identity through ``rel="me"`` links
            (Mastodon shows a verified link when the page links back with ``rel="me"``).
    """

    key: str
    label: str
    hosts: tuple[str, ...]
    rel_me: bool = False

    def host_fits(self, host: str) -> bool:
        """Return True when ``host`` (lower-case, no port) belongs to the platform."""
        if not self.hosts:
            return True
        return any(host == h or host.endswith("." + h) for h in self.hosts)


PLATFORMS: dict[str, Platform] = {p.key: p for p in (
    Platform("facebook", "Facebook", platform_domains("facebook")),
    Platform("instagram", "Instagram", platform_domains("instagram")),
    Platform("x", "X (Twitter)", platform_domains("x")),
    Platform("youtube", "YouTube", platform_domains("youtube")),
    Platform("linkedin", "LinkedIn", platform_domains("linkedin")),
    Platform("tiktok", "TikTok", platform_domains("tiktok")),
    Platform("threads", "Threads", platform_domains("threads")),
    Platform("bluesky", "Bluesky", platform_domains("bluesky")),
    Platform("mastodon", "Mastodon", platform_domains("mastodon"), rel_me=True),
    Platform("flickr", "Flickr", platform_domains("flickr")),
    Platform("vimeo", "Vimeo", platform_domains("vimeo")),
    Platform("github", "GitHub", platform_domains("github")),
    Platform("snapchat", "Snapchat", platform_domains("snapchat")),
    Platform("pinterest", "Pinterest", platform_domains("pinterest")),
    Platform("soundcloud", "SoundCloud", platform_domains("soundcloud")),
    Platform("slideshare", "SlideShare", platform_domains("slideshare")),
    Platform("tumblr", "Tumblr", platform_domains("tumblr")),
    Platform("weibo", "Weibo", platform_domains("weibo")),
    Platform("spotify", "Spotify", platform_domains("spotify")),
    Platform("blog", "Blogg/webbplats", platform_domains("blog")),
)}

#: Platform labels as written in Wikidata / govdirectory data → platform key (for import).
LABEL_TO_KEY: dict[str, str] = {
    **{p.label.lower(): p.key for p in PLATFORMS.values()},
    **{p.key: p.key for p in PLATFORMS.values()},
    "twitter": "x",
    "x": "x",
}
