"""Turn a CSV list of accounts (organisation, platform, URL) into a register.

Built for the govdirectory / Wikidata export in ``shared/data`` (columns ``qid, org,
org_type, platform, wikidata_property, account, url``) and any CSV with at least ``org``,
``platform`` and ``url`` columns (``account`` optional).

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
from ..register.platforms import LABEL_TO_KEY, PLATFORMS
from ..register.policy import RULES
from ..register.rules import url_problem
from ..register.sections import unique_key
from ..register.text import slug

REQUIRED_COLUMNS = ("org", "platform", "url")
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


def import_csv(path: str | Path, organisation: dict | None = None) -> ImportResult:
    """Read a CSV of accounts and return a register.

    Args:
        path: the CSV file (UTF-8, header row).
        organisation: values for the register's ``organisation`` section (name, website,
            email, register_keeper…); keys left out are written empty for the user to fill.

    Returns:
        An :class:`ImportResult`.

    Raises:
        UsageError: the file cannot be read, is not UTF-8 CSV, or lacks a required column.
    """
    name = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            columns = reader.fieldnames or []
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise UsageError([Diagnostic(name, 1, 1, "error", "import.columns", "",
                                             f"missing column(s): {', '.join(missing)}",
                                             f"the header has: {', '.join(columns)}")])
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError([file_diagnostic(name, "import.read", f"cannot read the CSV: {exc}")]) from None

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
        if not org or not url:
            note(i, "row has no organisation or no URL; skipped", "import.incomplete", "error")
            continue
        platform = LABEL_TO_KEY.get(label.lower())
        if platform is None:
            note(i, f"unknown platform '{label}'; imported as 'blog' (any website)", "import.platform")
            platform = "blog"
        parts = urllib.parse.urlsplit(url)
        if parts.hostname == _REDIRECTOR:
            q = urllib.parse.parse_qs(parts.query)
            if q.get("url_prefix") and q.get("id"):
                resolved = q["url_prefix"][0] + q["id"][0]
                note(i, f"URL was a Wikidata redirector; replaced by its target {resolved}", "import.redirector")
                url = resolved
        problem = url_problem(url, platform)
        if problem:
            note(i, f"URL problem, fix it before publishing: {problem[1]}", "import.url", "error")
        key = unique_key("url", url)
        if key in seen_url:
            first_line, first_org = seen_url[key]
            if first_org == org:
                note(i, f"same account as line {first_line} (the URL differs only in case or a slash); merged",
                     "import.duplicate")
            else:
                note(i, f"account also listed for {first_org} (line {first_line}); kept there only",
                     "import.duplicate")
            continue
        seen_url[key] = (i, org)
        base = slug(f"{org}-{platform}-{account or parts.path}")[:72].strip("-")
        cid, n = base, 2
        while cid in seen_id:
            cid, n = f"{base}-{n}", n + 1
        seen_id.add(cid)
        orgs.add(org)
        entries.append((cid, org, platform, url, account))

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
    for cid, org, platform, url, account in entries:
        out.append(f"  - id: {cid}")
        out.append(f"    name: {_q(account or org)}")
        out.append(f"    platform: {platform}")
        out.append(f"    url: {_q(url)}")
        if account and PLATFORMS[platform].key != "blog":
            out.append(f"    handle: {_q(account.lstrip('@'))}")
        out.append(f"    department: {_q(org)}")
        out.append("    status: active")
    out.append("")
    return ImportResult("\n".join(out), len(entries), len(orgs), findings)
