"""The platforms a channel can be on: display names, the hosts their URLs may use.

The ``platform`` enum in ``schemas/channel.json`` is the list of keys; a test checks that
every key there has a :class:`Platform` here and vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    Platform("facebook", "Facebook", ("facebook.com", "fb.com", "fb.me")),
    Platform("instagram", "Instagram", ("instagram.com",)),
    Platform("x", "X (Twitter)", ("x.com", "twitter.com")),
    Platform("youtube", "YouTube", ("youtube.com", "youtu.be")),
    Platform("linkedin", "LinkedIn", ("linkedin.com",)),
    Platform("tiktok", "TikTok", ("tiktok.com",)),
    Platform("threads", "Threads", ("threads.net", "threads.com")),
    Platform("bluesky", "Bluesky", ("bsky.app",)),
    Platform("mastodon", "Mastodon", (), rel_me=True),
    Platform("flickr", "Flickr", ("flickr.com",)),
    Platform("vimeo", "Vimeo", ("vimeo.com",)),
    Platform("github", "GitHub", ("github.com",)),
    Platform("snapchat", "Snapchat", ("snapchat.com",)),
    Platform("pinterest", "Pinterest", ("pinterest.com", "pinterest.se")),
    Platform("soundcloud", "SoundCloud", ("soundcloud.com",)),
    Platform("slideshare", "SlideShare", ("slideshare.net",)),
    Platform("tumblr", "Tumblr", ("tumblr.com",)),
    Platform("weibo", "Weibo", ("weibo.com",)),
    Platform("spotify", "Spotify", ("spotify.com",)),
    Platform("blog", "Blogg/webbplats", ()),
)}

#: Platform labels as written in Wikidata / govdirectory data → platform key (for import).
LABEL_TO_KEY: dict[str, str] = {
    **{p.label.lower(): p.key for p in PLATFORMS.values()},
    **{p.key: p.key for p in PLATFORMS.values()},
    "twitter": "x",
    "x": "x",
}
