"""The register's sections other than the channel entries: the top level, ``organisation``,
``policy`` and ``party_channels``, checked by :func:`check_sections` (the first half of
:func:`kanalregister.register.validate.assemble`'s step 2)."""

from __future__ import annotations

import urllib.parse

from ..i18n import _
from . import policy
from .addresses import clean_url
from .fields import Checker, clip, describe
from .identity import account_key
from .read import Document, LocDict, LocList
from .rules import url_problem
from .schema import table

SECTIONS = {
    "organisation": "the municipality or body that publishes the register",
    "policy": "the guideline rules and their levels",
    "channels": "the list of official channels",
    "party_channels": "the channels of parties in kommunfullmäktige",
}


class Sections:
    """The register's sections other than the channel entries, checked (step 2's first half).

    Built by :func:`check_sections` from the document; holds the checker with their
    diagnostics, the clean organisation row, the policy and the party rows.
    """

    def __init__(self, ck: Checker, root, org_row: dict | None, pol: policy.Policy, parties: list):
        self.ck, self.root, self.org_row, self.policy, self.parties = ck, root, org_row, pol, parties


def check_sections(doc: Document, channels_split: bool = False) -> Sections | None:
    """Check the document's top level, organisation, policy and party channels.

    Args:
        doc: the register as read (for a split register, the text without its entries).
        channels_split: True when the entries were cut out of ``doc`` (so its ``channels``
            is empty by construction and is not checked here).

    Returns:
        :class:`Sections`, or None when the root is not a mapping (then ``doc``'s
        diagnostics and that error are in the result of :func:`assemble` with no sections).
    """
    ck = Checker(doc.file)
    ck.c.items.extend(doc.warnings)
    root = doc.data
    if not isinstance(root, LocDict):
        what = _("an empty file") if root is None else describe(root)
        ck.err(doc.root_pos, "schema.root", "",
               _("the register must be a mapping with organisation and channels, got {what}").format(what=what),
                   _("start from the example channels.yaml"))
        return Sections(ck, None, None, policy.Policy(), [])
    ck.unknown_keys(root, SECTIONS, "", _("the register"))
    org_row = None
    if "organisation" not in root or root.get("organisation") is None:
        ck.err(root.start, "schema.required", "organisation", _("the register has no 'organisation' section"))
    else:
        org_row = ck.row(table("organisation"), root["organisation"], root.pos["organisation"], "organisation",
                         _("organisation"))
        if org_row is not None:
            check_catalogue(ck, org_row, root["organisation"])
    pol = policy.parse(root.get("policy"), root.pos.get("policy", root.start), ck)
    if not channels_split:
        node = root.get("channels")
        if node is None and "channels" not in root:
            ck.err(root.start, "schema.required", "channels", _("the register has no 'channels' list"))
        elif node is not None and not isinstance(node, LocList):
            ck.err(root.pos["channels"], "schema.type", "channels",
                   _("expected a list of channel, got {got}").format(got=describe(node)))
    parties = _party_rows(ck, root)
    return Sections(ck, root, org_row, pol, parties)


def check_catalogue(ck: Checker, org: dict, node: LocDict) -> None:
    """Check what the open data's DCAT-AP-SE catalogue (``dcat.rdf``) needs from ``organisation``.

    Sveriges dataportal harvests RDF/XML whose IRIs are all absolute (DIGG, "Skördning av
    DCAT-AP-SE", in ``shared/data/dcat-ap-se/docs/harvesting.md``), so the catalogue is written
    only when ``site_url`` gives the site's public https address; its publisher is
    ``http://dataportal.se/organisation/SE`` + the organisationsnummer (same guide).

    Args:
        ck: the section checker collecting diagnostics.
        org: the clean organisation row (dict: field → value); ``node`` its LocDict (positions).

    Reports (never raises): a warning ``rule.site-url`` when ``site_url`` is absent, and
    ``rule.dcat-publisher`` when it is given without ``org_number``; an error for a
    ``site_url`` that is not a plain https address (``spatial``'s form is the Table Schema's
    pattern).
    """
    site = org.get("site_url")
    if site is None:
        ck.err(node.start, "rule.site-url", "organisation",
               _("organisation has no site_url, so the open data's DCAT-AP-SE catalogue (dcat.rdf) "
                 "for Sveriges dataportal is not written"),
               _("add site_url: the site's public address, e.g. https://kanaler.exempelby.se/"), severity="warning")
    else:
        problem = url_problem(site, None)
        parts = urllib.parse.urlsplit(site) if problem is None else None
        if problem is not None:
            ck.err(node.pos["site_url"], problem[0], "organisation.site_url", problem[1], problem[2])
        elif parts.query or parts.fragment:
            ck.err(node.pos["site_url"], "rule.site-url", "organisation.site_url",
                   _("the site's address cannot have a query (?) or fragment (#)"),
                   _("write the address of the site's start page folder, e.g. https://kanaler.exempelby.se/"))
        if not org.get("org_number"):
            ck.err(node.pos["site_url"], "rule.dcat-publisher", "organisation.site_url",
                   _("the catalogue's publisher needs org_number: Sveriges dataportal names Swedish "
                     "organisations http://dataportal.se/organisation/SE followed by the organisationsnummer"),
                   _("add org_number (NNNNNN-NNNN)"), severity="warning")


def _party_rows(ck: Checker, root: LocDict) -> list:
    node = root.get("party_channels")
    if node is None:
        return []
    if not isinstance(node, LocList):
        ck.err(root.pos["party_channels"], "schema.type", "party_channels",
               _("expected a list of party channel, got {got}").format(got=describe(node)))
        return []
    rows, seen = [], {f.name: {} for f in table("party_channel").fields if f.unique}
    for i, item in enumerate(node):
        path = f"party_channels[{i}]"
        r = ck.row(table("party_channel"), item, node.pos[i], path, _("party channel"))
        if r is None:
            continue
        if not check_unique(ck, seen, r, item.pos, path):
            rows.append((r, item, path))
    return rows


def check_unique(ck: Checker, seen: dict, row: dict, pos, path: str) -> bool:
    """Report a value of a unique field seen before (``seen``: field → {key: (path, line)});
    return whether any was. ``pos`` maps a field to its (line, col)."""
    bad = False
    for fname, index in seen.items():
        if fname not in row:
            continue
        k = unique_key(fname, row[fname])
        if k in index:
            first_path, first_line = index[k]
            ck.err(pos[fname], "schema.unique", f"{path}.{fname}",
                   _("'{value}' is already used by {first_path} (line {first_line})").format(
                       value=clip(row[fname]), first_path=first_path, first_line=first_line))
            bad = True
        else:
            index[k] = (path, pos[fname][0])
    return bad


def unique_key(field: str, value: str) -> str:
    """Key under which uniqueness is checked (str): ids compare without case; a URL by the
    account it names (:func:`kanalregister.register.identity.account_key`: two spellings of one
    account are one account, ``youtube.com/c/NAME`` and ``youtube.com/@NAME`` too), after
    tracking parameters are removed (:func:`kanalregister.register.addresses.clean_url`), and an
    address that names no account by its text without case, trailing slash or ``www.``."""
    if field == "url":
        value = clean_url(value)
        key = account_key(value)
        if key is not None:
            return key
        return value.lower().rstrip("/").replace("://www.", "://", 1)
    return value.lower()
