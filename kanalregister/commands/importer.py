"""Turn a CSV list of accounts (organisation, platform, URL) into a register.

Built for the govdirectory / Wikidata export in ``shared/data`` (columns ``qid, org,
org_type, platform, wikidata_property, account, url``) and any other layout: the columns
are found by their header (:data:`HEADER_NAMES`: ``Department``, ``URL``, ``Platform``,
``Account`` …) or named with ``--columns org=Department,url=URL,account=Account``
(:func:`parse_columns`). Only an organisation and an address are needed; a missing platform
is told by the address's host.

An ``account`` value is a handle when the platform's rules for user names accept it
(:func:`kanalregister.register.handles.is_handle`), else a display name (``"Impact Canada"``):
then the handle comes from the address. ``name`` and ``handle`` columns are taken as what
they say.

What the file lacks stays empty — purpose, target group, responsible role, contact,
approval, administrators are never invented. The imported register's ``policy`` sets every
guideline rule to ``warning``, so ``check`` reports each gap per entry and the site still
builds. Each channel's ``department`` is its organisation, so the förteckning groups the
accounts by organisation.
"""

from __future__ import annotations

import csv
import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostic, UsageError, file_diagnostic
from ..i18n import _
from ..register.addresses import clean_url
from ..register.handles import handle_from_url, is_handle
from ..register.platforms import LABEL_TO_KEY, PLATFORMS
from ..register.policy import RULES
from ..register.rules import url_problem
from ..register.sections import unique_key
from ..register.text import slug

REQUIRED_COLUMNS = ("org", "url")
#: The fields a CSV column can give, and the header names (lower case) that give them when
#: ``--columns`` does not name the column: English, Swedish and French spellings.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "org": ("org", "organisation", "organization", "department", "förvaltning", "myndighet", "agency",
            "ministère", "organisme"),
    "platform": ("platform", "plattform", "plateforme", "service", "network"),
    "url": ("url", "address", "adress", "webbadress", "link", "länk", "lien"),
    "account": ("account", "konto", "compte"),
    "handle": ("handle", "username", "user name", "användarnamn", "screen_name"),
    "name": ("name", "namn", "display name", "account name", "nom"),
}
_REDIRECTOR = "wikidata-externalid-url.toolforge.org"


@dataclass(frozen=True)
class ImportResult:
    """The import's outcome.

    Attributes:
        text: the register as YAML text (str).
        channels: number of channels written.
        organisations: number of distinct organisations.
        findings: what the import noticed, one diagnostic per source row (list[Diagnostic]).
    """

    text: str
    channels: int
    organisations: int
    findings: list[Diagnostic]


def _q(s: str) -> str:
    """A YAML scalar for ``s``: plain when safe, else a double-quoted (JSON) string."""
    if (re.fullmatch(r"[A-Za-zÅÄÖåäöÉéÜü0-9][\w .,()/'+&–-]*", s) and not s.endswith((" ", ":"))
            and s.lower() not in {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}
            and not re.fullmatch(r"[\d._:+-]+", s) and ": " not in s and " #" not in s):
        return s
    return json.dumps(s, ensure_ascii=False)


def parse_columns(text: str) -> dict[str, str]:
    """``--columns``: ``"org=Department,url=URL,account=Account"`` → ``{"org": "Department", …}``.

    Raises:
        UsageError: an item is not ``FIELD=COLUMN`` or names an unknown field.
    """
    out = {}
    for item in (t.strip() for t in text.split(",")):
        key, sep, column = item.partition("=")
        key = key.strip().lower()
        if not item or not sep or not column.strip() or key not in HEADER_NAMES:
            raise UsageError([file_diagnostic("--columns", "import.columns",
                                              _("'{item}' is not FIELD=COLUMN").format(item=item),
                                              _("fields: {fields}; e.g. --columns org=Department,url=URL").format(
                                                  fields=", ".join(HEADER_NAMES)))])
        out[key] = column.strip()
    return out


def _columns(header: list[str], given: dict[str, str], name: str) -> dict[str, str]:
    """Field → column of ``header``: those ``given`` (``--columns``), then by :data:`HEADER_NAMES`."""
    found = {}
    lower = {h.strip().lower(): h for h in header}
    for key, column in given.items():
        if column not in header and column.strip().lower() not in lower:
            raise UsageError([Diagnostic(name, 1, 1, "error", "import.columns", "",
                                         _("--columns names '{column}', which is not in the header").format(
                                             column=column),
                                         _("the header has: {header}").format(header=", ".join(header)))])
        found[key] = column if column in header else lower[column.strip().lower()]
    for key, names in HEADER_NAMES.items():
        if key not in found:
            hit = next((lower[n] for n in names if n in lower and lower[n] not in found.values()), None)
            if hit is not None:
                found[key] = hit
    return found


def _platform_of(url: str) -> str | None:
    """The platform whose hosts the address ``url`` is on, or None."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return next((p.key for p in PLATFORMS.values() if p.hosts and p.host_fits(host)), None)


def import_csv(path: str | Path, organisation: dict | None = None, columns: dict[str, str] | None = None
               ) -> ImportResult:
    """Read a CSV of accounts and return a register.

    Args:
        path: the CSV file (UTF-8, header row).
        organisation: values for the register's ``organisation`` section (name, website,
            email, register_keeper…); keys left out are written empty for the user to fill.
        columns: field (``org``, ``platform``, ``url``, ``account``, ``handle``, ``name``) →
            header of its column (see :func:`parse_columns`); fields left out are found by
            :data:`HEADER_NAMES`.

    Returns:
        An :class:`ImportResult`.

    Raises:
        UsageError: the file cannot be read, is not UTF-8 CSV, or lacks a required column.
    """
    name = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            cols = _columns(header, columns or {}, name)
            missing = [c for c in REQUIRED_COLUMNS if c not in cols]
            if missing:
                raise UsageError([Diagnostic(name, 1, 1, "error", "import.columns", "",
                                             _("missing column(s): {names}").format(names=", ".join(missing)),
                                             _("the header has: {header}; name the columns with --columns "
                                               "org=COLUMN,url=COLUMN").format(header=", ".join(header)))])
            rows = [{k: row.get(c) for k, c in cols.items()} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError([file_diagnostic(name, "import.read",
                                          _("cannot read the CSV: {exc}").format(exc=exc))]) from None

    findings: list[Diagnostic] = []

    def note(line, message, code, severity="warning"):
        findings.append(Diagnostic(name, line, 1, severity, code, "", message))

    entries, seen_url, seen_id = [], {}, set()
    orgs = set()
    for i, row in enumerate(rows, start=2):  # line 1 is the header
        org = (row.get("org") or "").strip()
        label = (row.get("platform") or "").strip()
        url = (row.get("url") or "").strip()
        account = (row.get("account") or "").strip()
        handle, display = (row.get("handle") or "").strip().removeprefix("@"), (row.get("name") or "").strip()
        if not org or not url:
            note(i, _("row has no organisation or no URL; skipped"), "import.incomplete", "error")
            continue
        platform = LABEL_TO_KEY.get(label.lower()) or (None if label else _platform_of(url))
        if platform is None:
            note(i, _("unknown platform '{label}'; imported as 'blog' (any website)").format(label=label),
                 "import.platform")
            platform = "blog"
        parts = urllib.parse.urlsplit(url)
        if parts.hostname == _REDIRECTOR:
            q = urllib.parse.parse_qs(parts.query)
            if q.get("url_prefix") and q.get("id"):
                resolved = q["url_prefix"][0] + q["id"][0]
                note(i, _("URL was a Wikidata redirector; replaced by its target {url}").format(url=resolved),
                     "import.redirector")
                url = resolved
        if clean_url(url) != url:
            note(i, _("tracking parameters removed from the address: {url}").format(url=clean_url(url)),
                 "import.tracking")
            url = clean_url(url)
        if account and not handle and is_handle(platform, account):
            handle = account.removeprefix("@")
        elif account and not display:
            display = account  # spaces, or not a user name on the platform: a display name
        handle = handle or handle_from_url(platform, url) or ""
        problem = url_problem(url, platform)
        if problem:
            note(i, _("URL problem, fix it before publishing: {problem}").format(problem=problem[1]), "import.url",
                 "error")
        key = unique_key("url", url)
        if key in seen_url:
            first_line, first_org = seen_url[key]
            if first_org == org:
                note(i, _("same account as line {line} (the URL differs only in case or a slash); merged").format(
                    line=first_line), "import.duplicate")
            else:
                note(i, _("account also listed for {org} (line {line}); kept there only").format(
                    org=first_org, line=first_line), "import.duplicate")
            continue
        seen_url[key] = (i, org)
        base = slug(f"{org}-{platform}-{handle or display or parts.path}")[:72].strip("-")
        cid, n = base, 2
        while cid in seen_id:
            cid, n = f"{base}-{n}", n + 1
        seen_id.add(cid)
        orgs.add(org)
        entries.append((cid, org, platform, url, display or handle, handle))

    org_values = organisation or {}
    out = ["# Imported by `kanalregister import` from " + Path(name).name + ".",
           "# What the source lacks (purpose, target group, responsible role, contact, approval,",
           "# administrators) is left empty: `kanalregister check` lists each gap per channel.", "",
           "organisation:"]
    for key in ("name", "website", "email", "register_keeper"):
        v = org_values.get(key)
        out.append(f"  {key}: {_q(v)}" if v else f"  {key}:  # fill in")
    out += ["", "# Every guideline rule is a warning until the entries are complete.", "policy:"]
    out += [f"  {r.key}: warning" for r in RULES]
    out += ["", "channels:"]
    for cid, org, platform, url, shown, handle in entries:
        out.append(f"  - id: {cid}")
        out.append(f"    name: {_q(shown or org)}")
        out.append(f"    platform: {platform}")
        out.append(f"    url: {_q(url)}")
        if handle and platform != "blog":
            out.append(f"    handle: {_q(handle)}")
        out.append(f"    department: {_q(org)}")
        out.append("    status: active")
    out.append("")
    return ImportResult("\n".join(out), len(entries), len(orgs), findings)
