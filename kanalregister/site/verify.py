"""The data of the "Är kontot officiellt?" page (``kontrollera.html``), written as the script
``kontrollera-data.js`` beside it: the identity table (``register/identity.json``), the keys of
every public address of every channel and party channel (computed here, by
:mod:`kanalregister.register.identity`), what the answer shows of each, and the answer's texts."""

from __future__ import annotations

import json

from ..cache.blocks import BlockStore, memo_join
from ..register.dates import planned
from ..register.identity import channel_keys, table
from ..register.model import Register
from .language import format_date, site_gettext, using_language


def _dumps(v) -> str:
    text = json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def answer_texts(lang: str = "sv") -> dict[str, str]:
    """The texts of the answer in ``lang`` (Swedish source strings through :func:`site_gettext`),
    by name; ``{name}`` marks where verify.js puts a value."""
    with using_language(lang):
        return _texts()


def _texts() -> dict[str, str]:
    return {
        "official": site_gettext("Ja: officiellt konto för {org}."),
        "officialDept": site_gettext("Ja: officiellt konto för {org}, {department}."),
        "runBy": site_gettext("Drivs av {department}."),
        "address": site_gettext("Officiell adress: "),
        "contact": site_gettext("Kontakt: "),
        "on": site_gettext("{name} på {platform}"),
        "handleOn": site_gettext("@{handle} är ett officiellt konto på {platforms}."),
        "handleOnly": site_gettext("Svaret gäller bara de plattformar som står här: samma användarnamn kan höra "
                                   "till någon annan på en annan plattform. Klistra in hela adressen om du menar en annan plattform."),
        "closed": site_gettext("Nej: kontot är avslutat och används inte längre av {org}."),
        "closedSince": site_gettext("Nej: kontot är avslutat sedan {date} och används inte längre av {org}."),
        "closedWarn": site_gettext("Kontot är inte längre {department}s. Någon annan kan ha tagit över det: lita "
                                   "inte på det som publiceras där."),
        "retired": site_gettext("Avslutad adress (ingen länk): "),
        "closedMore": site_gettext("Mer om det avslutade kontot {name}"),
        "party": site_gettext("Nej: det är {party}s kanal, inte {org}s. Åsikterna där är partiets egna."),
        "unknown": site_gettext("Finns inte i förteckningen."),
        "unknownLead": site_gettext("Kontot är inte ett officiellt konto för {org}. Så här gör du:"),
        "step1": site_gettext("Lita inte på innehållet, klicka inte på länkar och lämna inga uppgifter till "
                              "kontot."),
        "step2": site_gettext("Anmäl kontot till plattformen om det utger sig för att vara {org}."),
        "step3": site_gettext("Tror du att kontot borde finnas i förteckningen? Skriv till {keeper}, som för "
                              "förteckningen: "),
        "phone": site_gettext(", telefon {phone}"),
        "near": site_gettext("Det liknar det officiella kontot "),
        "nearTail": site_gettext(". Kontrollera adressen noga: falska konton har ofta nästan samma namn."),
        "and": site_gettext(" och "),
        "planned": site_gettext("Kontot är planerat och startar den {date}."),
        "closingOn": site_gettext("Kontot avslutas den {date}."),
    }


def verify_data(reg: Register, keys: dict | None = None, rows: BlockStore | None = None,
                lang: str = "sv") -> str:
    """The JSON of ``kontrollera-data.js`` (safe inside a script: ``<``, ``>``, ``&`` escaped).

    Holds only public fields: for each channel its id, name, platform, förvaltning, unit,
    contact, status, closing date and, for a planned channel, the day it starts (``starts``)
    (dates as text; a field without a value is left out), its
    ``addresses`` (url, then aliases) and ``keys``, a list of ``[identity key, index of the
    address it is the key of]`` (:func:`channel_keys`); for each party
    channel its party, platform and keys; the organisation (name, e-mail, phone, register
    keeper); the identity table; the answer's texts. The text is that of one
    ``json.dumps(…, sort_keys=True)``, put together from per-channel parts so that ``rows`` (a
    :class:`kanalregister.cache.BlockStore`) can keep blocks of them between builds, keyed by the
    channels' digests in ``keys`` (id → digest). ``lang`` (``"sv"``, ``"en"``) is the page's
    language: a closing date is written in it (Babel), and it is part of the blocks' key.
    """
    def pairs(url, aliases, handle) -> tuple[list, list]:
        addresses = [url, *aliases]
        out = []
        for k in channel_keys(url, aliases, handle):
            at = 0 if k.startswith("handle:") else next(i for i, a in enumerate(addresses) if channel_keys(a) == [k])
            out.append([k, at])
        return addresses, out

    def one(c) -> str:
        addresses, ks = pairs(c.url, c.aliases, c.handle)
        row = {"id": c.id, "name": c.name, "platformLabel": c.platform_label, "addresses": addresses, "keys": ks,
               "department": c.department, "unit": c.unit, "contact": c.contact_email, "status": c.status,
               "closing": format_date(c.closing_date, lang=lang) if c.closing_date else None,
               "starts": format_date(c.start_date, lang=lang) if planned(c, reg.as_of) else None}
        return _dumps({k: v for k, v in row.items() if v is not None})

    key_of = keys.__getitem__ if keys is not None else None
    channels = memo_join(reg.channels, lambda c: key_of(c.id), rows, f"verify.json@{lang}", one, ",") \
        if key_of is not None and rows is not None else ",".join(one(c) for c in reg.channels)
    o = reg.organisation
    org = _dumps({"name": o.name, "email": o.email, "phone": o.phone, "keeper": o.register_keeper})
    parties = _dumps([{"party": p.party, "addresses": [p.url], "keys": pairs(p.url, (), None)[1],
                       "platformLabel": p.platform_label} for p in reg.party_channels])
    return ('{"channels":[' + channels + '],"identity":' + _dumps(table()) + ',"org":' + org
            + ',"parties":' + parties + ',"texts":' + _dumps(answer_texts(lang)) + "}")


def verify_script(data: str) -> str:
    """The text of ``kontrollera-data.js``: ``data`` (from :func:`verify_data`) given to verify.js."""
    return "window.kanalregisterData = " + data + ";\n"
