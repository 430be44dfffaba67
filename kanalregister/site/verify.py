"""The data of the "Är kontot officiellt?" page (``kontrollera.html``): the public addresses of
every channel and party channel, as JSON inside the page, for its script to look up."""

from __future__ import annotations

from ..cache.blocks import BlockStore, memo_join
from ..register.model import Register
from .language import format_date


def verify_data(reg: Register, keys: dict | None = None, rows: BlockStore | None = None, lang: str = "sv") -> str:
    """The JSON embedded in the verification page (safe inside a ``<script type=application/json>``).

    Holds only public fields: for each channel its name, platform, addresses, handle,
    förvaltning, contact, status and page; for each party channel its party and address.
    The text is that of one ``json.dumps(…, sort_keys=True)`` of ``{"channels", "org",
    "parties"}``, put together from per-channel parts so that ``rows`` (a
    :class:`kanalregister.cache.BlockStore`) can keep blocks of them between builds, keyed by the
    channels' digests in ``keys`` (id → digest). ``lang`` (``"sv"``, ``"en"``) is the page's
    language: a closing date is written in it (Babel), and it is part of the blocks' key.
    """
    import json

    def dumps(v) -> str:
        text = json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def one(c) -> str:
        return dumps({"id": c.id, "name": c.name, "platformLabel": c.platform_label, "url": c.url,
                      "aliases": list(c.aliases), "handle": c.handle, "department": c.department,
                      "unit": c.unit, "contact": c.contact_email, "status": c.status,
                      "closing": format_date(c.closing_date, lang=lang) if c.closing_date else None,
                      "page": f"kanal/{c.id}.html"})

    key_of = keys.__getitem__ if keys is not None else None
    channels = memo_join(reg.channels, lambda c: key_of(c.id), rows, f"verify.json@{lang}", one, ",") \
        if key_of is not None and rows is not None else ",".join(one(c) for c in reg.channels)
    org = dumps({"name": reg.organisation.name, "email": reg.organisation.email, "phone": reg.organisation.phone})
    parties = dumps([{"party": p.party, "url": p.url, "platformLabel": p.platform_label} for p in reg.party_channels])
    return '{"channels":[' + channels + '],"org":' + org + ',"parties":' + parties + "}"
