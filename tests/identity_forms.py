"""Address forms of an account, from its identity key: the real ways people write (and paste)
the address of one account, and near misses (another account on the same platform).
Used by the property tests in Python (test_identity.py) and in the browser (test_verify_scale.py).
"""

from __future__ import annotations

from urllib.parse import quote

#: (platform, kind) → address templates naming the account whose key value is {v}.
FORMS: dict[tuple[str, str], list[str]] = {
    ("facebook", "name"): ["https://www.facebook.com/{v}", "http://facebook.com/{V}/", "https://m.facebook.com/{v}?ref=share",
                           "facebook.com/{v}/about", "https://web.facebook.com/{v}/"],
    ("facebook", "id"): ["https://www.facebook.com/profile.php?id={v}", "https://www.facebook.com/people/Namn/{v}/",
                         "https://www.facebook.com/pages/Namn/{v}", "https://www.facebook.com/Namn-{v}",
                         "https://www.facebook.com/{v}"],
    ("instagram", "name"): ["https://www.instagram.com/{v}/", "https://instagram.com/@{V}", "instagram.com/{v}/reels/",
                            "https://www.instagram.com/stories/{v}/3456789012345678901/"],
    ("x", "name"): ["https://x.com/{v}", "https://twitter.com/{V}?lang=sv", "https://mobile.twitter.com/{v}/status/1",
                    "https://x.com/@{v}", "https://twitter.com/intent/user?screen_name={v}"],
    ("youtube", "name"): ["https://www.youtube.com/@{v}", "https://www.youtube.com/c/{V}", "https://www.youtube.com/user/{v}",
                          "https://m.youtube.com/@{v}/videos"],
    ("youtube", "channel"): ["https://www.youtube.com/channel/{v}", "https://m.youtube.com/channel/{v}/videos"],
    ("linkedin", "org"): ["https://www.linkedin.com/company/{v}", "https://se.linkedin.com/company/{V}/",
                          "https://www.linkedin.com/company/{q}/about/", "https://www.linkedin.com/school/{v}",
                          "https://www.linkedin.com/showcase/{V}"],
    ("linkedin", "orgid"): ["https://www.linkedin.com/company/{v}", "https://se.linkedin.com/company/{v}/posts/"],
    ("tiktok", "name"): ["https://www.tiktok.com/@{v}", "https://tiktok.com/@{V}/video/1"],
    ("threads", "name"): ["https://www.threads.net/@{v}", "https://www.threads.com/@{V}/post/abc"],
    ("bluesky", "handle"): ["https://bsky.app/profile/{v}", "https://bsky.app/profile/{V}/post/3k"],
    ("bluesky", "did"): ["https://bsky.app/profile/{v}"],
    ("fediverse", "fedi"): ["@{v}", "https://{host}/@{user}", "https://{host}/@{USER}/123", "https://{host}/users/{user}"],
    ("flickr", "name"): ["https://www.flickr.com/photos/{v}/", "https://www.flickr.com/people/{V}"],
    ("flickr", "nsid"): ["https://www.flickr.com/photos/{V}/albums", "https://www.flickr.com/people/{v}/"],
    ("snapchat", "name"): ["https://www.snapchat.com/add/{v}", "https://snapchat.com/add/{V}?share_id=1"],
    ("vimeo", "name"): ["https://vimeo.com/{v}", "https://www.vimeo.com/{V}/videos"],
    ("pinterest", "name"): ["https://www.pinterest.com/{v}/", "https://www.pinterest.se/{V}/tavla/"],
    ("github", "name"): ["https://github.com/{v}", "https://github.com/{V}/repo", "https://github.com/orgs/{v}/people"],
    ("soundcloud", "name"): ["https://soundcloud.com/{v}", "https://m.soundcloud.com/{V}/tracks"],
    ("slideshare", "name"): ["https://www.slideshare.net/{v}", "https://slideshare.net/{V}/deck"],
    ("tumblr", "name"): ["https://{v}.tumblr.com/", "https://www.tumblr.com/{V}"],
    ("weibo", "name"): ["https://weibo.com/{v}", "https://www.weibo.com/{V}?refer=1"],
    ("weibo", "id"): ["https://weibo.com/u/{v}", "https://weibo.com/{v}"],
}


def parse(key: str) -> tuple[str, str, str]:
    ns, kind, value = key.split(":", 2)
    return ns, kind, value


def forms(key: str) -> list[str]:
    """Addresses that name the account of ``key`` (empty when the table above has no forms)."""
    ns, kind, v = parse(key)
    if kind == "site":  # a website or blog on a host of its own: the host names it
        return [f"https://{ns}/", f"https://www.{ns}", f"http://{ns.upper()}/"]
    if kind == "path":
        return [f"https://{ns}/{v}", f"https://www.{ns}/{v}/"]
    templates = FORMS.get((ns, kind), [])
    user, _, host = v.partition("@")
    return [t.format(v=v, V=v.upper() if kind not in ("channel", "did") else v, q=quote(v.upper()),
                     user=user, USER=user.upper(), host=host) for t in templates]


def near_misses(key: str) -> list[str]:
    """Addresses of other accounts on the same platform: the value one character longer,
    shorter or changed, with the platform's own forms."""
    ns, kind, v = parse(key)
    if kind == "fedi":
        user, _, host = v.partition("@")
        others = [f"{user}x@{host}", f"{user}@x{host}"] + ([f"{user[:-1]}@{host}"] if len(user) > 1 else [])
    elif kind == "did":
        others = [v + "x"]
    elif kind == "site":
        return [f"https://x{ns}/", f"https://{ns}.example/"]
    elif not v:
        return []
    else:
        swap = ("a" if v[-1] != "a" else "b")
        others = [v + "x", v[:-1] + swap] + ([v[:-1]] if len(v) > 1 else [])
    out = []
    for o in others:
        out += forms(f"{ns}:{kind}:{o}")
    return out
