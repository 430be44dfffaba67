"""The data of the "Är kontot officiellt?" page (``kontrollera.html``): the public addresses of
every channel and party channel, as JSON inside the page, for its script to look up."""

from __future__ import annotations

from ..cache.blocks import BlockStore, memo_join
from ..register.dates import planned
from ..register.model import Register
from .swedish import date_sv


def verify_data(reg: Register, keys: dict | None = None, rows: BlockStore | None = None) -> str:
    """The JSON embedded in the verification page (safe inside a ``<script type=application/json>``).

    Holds only public fields: for each channel its name, platform, addresses, handle,
    förvaltning, contact, status, page, and for a planned channel the day it starts
    (``starts``); for each party channel its party and address.
    The text is that of one ``json.dumps(…, sort_keys=True)`` of ``{"channels", "org",
    "parties"}``, put together from per-channel parts so that ``rows`` (a
    :class:`kanalregister.cache.BlockStore`) can keep blocks of them between builds, keyed by the
    channels' digests in ``keys`` (id → digest).
    """
    import json

    def dumps(v) -> str:
        text = json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def one(c) -> str:
        item = {"id": c.id, "name": c.name, "platformLabel": c.platform_label, "url": c.url,
                "aliases": list(c.aliases), "handle": c.handle, "department": c.department,
                "unit": c.unit, "contact": c.contact_email, "status": c.status,
                "closing": date_sv(c.closing_date) if c.closing_date else None,
                "page": f"kanal/{c.id}.html"}
        if planned(c, reg.as_of):
            item["starts"] = date_sv(c.start_date)
        return dumps(item)

    key_of = keys.__getitem__ if keys is not None else None
    channels = memo_join(reg.channels, lambda c: key_of(c.id), rows, "verify.json", one, ",") \
        if key_of is not None and rows is not None else ",".join(one(c) for c in reg.channels)
    org = dumps({"name": reg.organisation.name, "email": reg.organisation.email, "phone": reg.organisation.phone})
    parties = dumps([{"party": p.party, "url": p.url, "platformLabel": p.platform_label} for p in reg.party_channels])
    return '{"channels":[' + channels + '],"org":' + org + ',"parties":' + parties + "}"
