"""Cross-field rules and safety rules that no policy can turn off.

Cross-field rules (beside the schema, since a Table Schema cannot say them):

* a closed channel has a closing date, on or after its start date (against today: :mod:`.dates`);
* a successor names another channel of the register;
* every URL is an https address without credentials, and its host belongs to the platform;
* names do not mix scripts like look-alike fakes do (:func:`kanalregister.text.lookalike`).

Safety rules (always errors; the guidelines hand credentials and personal data to the
informatör, never to a published file — Gullspång Bilaga 1 question 5, Botkyrka
"Administrera konto", and GDPR / Avesta 4 for personal data):

* no login credentials: values that look like passwords, tokens or keys;
* no personnummer, private-looking (mobile) phone numbers or free-mail addresses in
  published fields, and no internal person's name, e-mail or phone there either.
"""

from __future__ import annotations

import re
import urllib.parse

from ..i18n import _
from .addresses import check_tracking
from .fields import suggest
from .platforms import PLATFORMS
from .schema import field_label, table
from .text import char_position, lookalike, lookalike_index

_SPACE = re.compile(r"\s")
_PNR = re.compile(r"(?<![\d-])(?:19|20)?(\d{6})[-+ ]?(\d{4})(?![\d-])")
#: A Swedish mobile number (07x…, +467x…, 00467x…), as written for reading; :data:`_MOBILE`
#: is the form searched.
MOBILE_SPEC = r"(?<!\d)(?:\+46|0046|0)\s?7[02369](?:[\s-]?\d){7}(?!\d)"
# The same matches at the same places as MOBILE_SPEC, written to begin with a character set:
# then the regex engine skips at C speed to the next "+" or "0" (a leading look-behind hides
# that from it; three times faster over the text of 10,000 channels). The look-behind
# "no digit before" moves behind the first character, and the alternatives keep their order.
# tests/test_properties.py compares the two on random texts.
_MOBILE = re.compile(r"[+0](?<!\d[+0])(?:(?<=\+)46|(?<=0)046|(?<=0))\s?7[02369](?:[\s-]?\d){7}(?!\d)")
_FREEMAIL = re.compile(r"@(gmail|googlemail|hotmail|outlook|live|yahoo|icloud|me|msn|aol|protonmail|proton)\.",
                       re.I)
_SECRET_KEYWORD = r"(?i:(?:password|passwd|lösenord|losenord|lösen|pwd|api[_ -]?key|secret|token)\s*[:=]\s*\S)"
_SECRET_TOKENS = (r"ghp_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}"
                  r"|EAA[A-Za-z0-9]{30,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|sk-[A-Za-z0-9]{32,}")
_SECRET = re.compile(f"{_SECRET_KEYWORD}|{_SECRET_TOKENS}")


def url_problem(url: str, platform: str | None) -> tuple[str, str, str | None] | None:
    """Check one published URL.

    Args:
        url: the address as written.
        platform: platform key whose hosts the URL must use, or None for any host.

    Returns:
        ``(code, message, hint)`` for the first problem, or None when the URL is fine.
    """
    if _SPACE.search(url):
        return ("url.space", _("the address contains spaces"), _("copy the address from the browser"))
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return ("url.invalid", _("'{url}' is not a valid web address").format(url=url), None)
    scheme = parts.scheme.lower()
    if scheme == "http":
        return ("url.https", _("the address must use https"),
                _("write https://{rest}").format(rest=url.split("://", 1)[1]))
    if scheme != "https":
        return ("url.scheme", _("'{scheme}' addresses are not allowed; use an https:// web address").format(
            scheme=scheme or url), None)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return ("url.credentials", _("the address contains a user name or password"),
                _("remove the part before '@' in the host"))
    if not host or "." not in host:
        return ("url.host", _("the address has no valid host"), None)
    if platform and not PLATFORMS[platform].host_fits(host):
        hosts = ", ".join(PLATFORMS[platform].hosts)
        return ("url.platform", _("the host '{host}' is not a {platform} address").format(
            host=host, platform=PLATFORMS[platform].label),
                _("a {platform} address is on {hosts}; or correct the platform").format(platform=platform, hosts=hosts))
    return None


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, d in enumerate(digits):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


_SIX_DIGITS = re.compile(r"\d{6}")


def personnummer_in(text: str) -> str | None:
    """Return the first Swedish personnummer-like number (valid check digit) in ``text``."""
    if _SIX_DIGITS.search(text) is None:  # every match of _PNR holds six digits in a row
        return None
    for m in _PNR.finditer(text):
        digits = m.group(1) + m.group(2)
        mm, dd = int(digits[2:4]), int(digits[4:6])
        if 1 <= mm <= 12 and 1 <= dd <= 91 and _luhn_ok(digits):  # dd+60: samordningsnummer
            return m.group(0)
    return None


def check_organisation(ck, org: dict, node, contacts: tuple) -> None:
    """The rules of the ``organisation`` section: website and edit link, name, org number,
    no personal or internal data in its published text.

    Args:
        ck: a :class:`kanalregister.fields.Checker` collecting diagnostics.
        org: the clean organisation row; ``node`` its LocDict (for positions).
        contacts: (internal e-mails, internal phone digits) of the whole register.
    """
    _check_url(ck, org.get("website"), None, node, "organisation.website", "website")
    edit = org.get("edit_url")
    if edit is not None:
        unknown = set(re.findall(r"\{([^}]*)\}", edit)) - {"id", "line"}
        if unknown:
            ck.err(node.pos["edit_url"], "rule.edit-url", "organisation.edit_url",
                   _("unknown placeholder {{{name}}}").format(name=sorted(unknown)[0]),
                       _("use {id} and {line}"))
        else:
            _check_url(ck, edit.replace("{id}", "x").replace("{line}", "1"), None, node,
                       "organisation.edit_url", "edit_url")
    _check_name(ck, org["name"], node, "organisation.name", "name")
    if not org.get("example_data"):
        for key in ("website", "site_url", "email", "edit_url", "accessibility_contact"):
            value = org.get(key)
            if value and placeholder_host(value):
                ck.err(node.pos[key], "rule.placeholder", f"organisation.{key}",
                       _("'{value}' is on a reserved example domain, not the organisation's own").format(value=value),
                       _("write the organisation's real {key}, or set example_data: true while the register is an "
                         "example").format(key=field_label(key, "organisation")), severity="warning")
    orgnr = org.get("org_number")
    if orgnr and not _luhn_ok(orgnr.replace("-", "")):
        ck.err(node.pos["org_number"], "rule.org-number", "organisation.org_number",
               _("'{orgnr}' is not a valid organisationsnummer (check digit)").format(orgnr=orgnr),
               _("copy it from Bolagsverket or the municipality's letterhead"))
    _check_public_text(ck, org, node, "organisation", (*contacts, {}), (f.name for f in table("organisation").fields))


#: Domains reserved for examples (RFC 2606, RFC 6761): never an organisation's own.
_EXAMPLE_HOST = re.compile(r"(?:^|[.@/])(?:example|invalid|test|localhost)(?:$|[/:?#])|"
                           r"(?:^|[.@/])example\.(?:com|net|org)(?:$|[/:?#])", re.I)


def placeholder_host(value: str) -> bool:
    """Whether the web or e-mail address ``value`` is on a domain reserved for examples
    (``*.example``, ``example.com`` …; RFC 2606 and RFC 6761)."""
    host = value.rpartition("@")[2] if "@" in value and "://" not in value else \
        (urllib.parse.urlsplit(value).hostname or "")
    return _EXAMPLE_HOST.search("/" + host.lower() + "/") is not None


def check_channel(ck, row: dict, node) -> frozenset[str]:
    """The rules of one channel that need no other entry: its addresses fit its platform,
    names in one alphabet, status and dates agree, a change has its note, no credentials,
    and no personnummer, private phone or e-mail, or own administrator's name in published
    text. Paths in the diagnostics are relative to the entry (``url``, ``aliases[0]``).

    Rules that compare entries (unique ids and addresses, successors, internal contacts
    of other channels) are :func:`cross_channel_problems`'s.

    Returns:
        The published fields already reported for personal data (frozenset of str).
    """
    _check_url(ck, row["url"], row["platform"], node, "url", "url")
    for j, alias in enumerate(row.get("aliases", ())):
        p = url_problem(alias, row["platform"])
        if p:
            ck.err(node["aliases"].pos[j], p[0], f"aliases[{j}]", p[1], p[2])
    check_tracking(ck, row, node)
    _check_name(ck, row["name"], node, "name", "name")
    for key in ("handle", "url"):  # what identifies the account: no look-alike letters either
        if row.get(key):
            _check_name(ck, row[key], node, key, key)
    for j, alias in enumerate(row.get("aliases", ())):
        _check_name(ck, alias, node["aliases"], f"aliases[{j}]", j)
    status, start, closing = row["status"], row.get("start_date"), row.get("closing_date")
    if status == "closed" and closing is None:
        ck.err(node.pos.get("status"), "rule.closing-date", "closing_date",
               _("a closed channel needs its closing date (closing_date)"), _("add closing_date: YYYY-MM-DD"))
    if start and closing and closing < start:
        ck.err(node.pos["closing_date"], "rule.closing-before-start", "closing_date",
               _("closing date {closing} is before the start date {start}").format(closing=closing, start=start))
    if (row.get("last_changed") is None) != (row.get("change_note") is None):
        missing = "change_note" if row.get("change_note") is None else "last_changed"
        present = "last_changed" if missing == "change_note" else "change_note"
        ck.err(node.pos[present], "rule.change-note", missing,
               _("{present} needs {missing}: the change log shows both").format(present=present, missing=missing))
    flagged = _check_public_text(ck, row, node, "", (set(), set(), _own_names(row)), PUBLISHED)
    _check_secrets(ck, row, node, "")
    return flagged


def check_party(ck, row: dict, node, path: str, contacts: tuple) -> None:
    """The rules of one party channel (``party_channels[i]``): address, names, no personal data."""
    _check_url(ck, row["url"], row["platform"], node, f"{path}.url", "url")
    check_tracking(ck, row, node, f"{path}.")
    for key in ("party", "name"):
        if key in row:
            _check_name(ck, row[key], node, f"{path}.{key}", key)
    _check_public_text(ck, row, node, path, (*contacts, {}), ("party", "name", "url"))


#: The channel fields that are published (not ``x-internal``).
PUBLISHED = tuple(f.name for f in table("channel").fields if not f.internal)


def contacts_of(row: dict) -> tuple[str, ...]:
    """The internal people's e-mails (lower case) and phone numbers (digits only) of a channel row."""
    out = set()
    for person in _people(row):
        out.add(person.email.lower())
        if person.phone:
            out.add(re.sub(r"\D", "", person.phone))
    return tuple(sorted(out))


def field_tokens(row: dict) -> dict[str, tuple[str, ...]]:
    """Published field → the e-mail-like tokens (lower case) and digit runs (digits only) in
    its text: what is compared with the register's internal contacts. Fields without any
    are left out."""
    out = {}
    for name in PUBLISHED:
        v = row.get(name)
        if v is None or isinstance(v, bool):
            continue
        values = v if isinstance(v, tuple) else (v,)
        found = set()
        for s in values:
            if not isinstance(s, str):
                continue
            if "@" in s:
                found.update(m.group(0).lower() for m in _EMAIL_TOKEN.finditer(s))
            if _TWO_DIGITS.search(s) is not None:
                found.update(_NOT_DIGIT.sub("", m.group(0)) for m in _DIGIT_RUN.finditer(s))
        if found:
            out[name] = tuple(sorted(found))
    return out


def internal_contact_message(tokens: tuple[str, ...], contacts: set[str]) -> str | None:
    """The message when ``tokens`` (:func:`field_tokens`) hold an internal contact, else None."""
    hit = contacts.intersection(tokens)
    if not hit:
        return None
    if any("@" in t for t in hit):
        return _("contains an administrator's e-mail, which is internal")
    return _("contains an administrator's phone number, which is internal")


def near(value, options) -> str | None:
    """A "did you mean …?" hint for ``value`` among ``options``, or None."""
    return suggest(value, sorted(options))


def _check_url(ck, url, platform, node, path, key) -> None:
    if url is None:
        return
    p = url_problem(url, platform)
    if p:
        ck.err(node.pos[key], p[0], path, p[1], p[2])


def _check_name(ck, name, node, path, key) -> None:
    msg = lookalike(name)
    if msg:
        ck.err(char_position(node, key, lookalike_index(name)), "text.lookalike", path, f"'{name}' {msg}",
               _("write it in one alphabet, as the platform shows it"))


def _people(row: dict) -> list:
    return list(row.get("administrators", ())) + ([row["substitute"]] if row.get("substitute") else [])


def _own_names(row: dict) -> dict[str, str]:
    """The channel's own internal people's names (lower case) → what they are."""
    return {p.name.lower(): _("an administrator's name") for p in _people(row) if len(p.name) >= 5}


def _public_text(row: dict, names) -> str:
    """All of the row's published text in one string, fields apart by NUL (which no pattern
    of :func:`_personal_data` crosses, and which its look-arounds take for a text's end)."""
    return "\x00".join(s for n in names if n in row for s in (row[n] if isinstance(row[n], tuple) else (row[n],))
                       if isinstance(s, str))


def _check_public_text(ck, row: dict, node, path: str, internal: tuple, names) -> frozenset[str]:
    """Report personal or internal data in the published fields ``names`` of ``row``; return
    the fields reported."""
    names = [n for n in names if n in row]
    # One search per pattern over the joined text decides whether any field needs a closer look.
    if _personal_data(_public_text(row, names), internal) is None:
        return frozenset()
    flagged = set()
    for name in names:
        v = row.get(name)
        if v is None or isinstance(v, bool):
            continue
        values = v if isinstance(v, tuple) else (v,)
        for s in values:
            if not isinstance(s, str):
                continue
            problem = _personal_data(s, internal)
            if problem:
                ck.err(node.pos[name], problem[0], f"{path}.{name}" if path else name, problem[1], privacy_hint())
                flagged.add(name)
                break
    return frozenset(flagged)


def privacy_hint() -> str:
    """The hint of every personal-data diagnostic, in the language of messages."""
    return _("published fields are public on the website; personal data belongs in the "
             "internal fields (administrators, substitute)")


_TWO_DIGITS = re.compile(r"\d\d")
_NOT_DIGIT = re.compile(r"\D")
# A token can only start where a run of its characters starts (a match starting later in a
# run would start at the run's start too), so the look-behind changes no match; it spares the
# engine a try at every position inside long words.
_EMAIL_TOKEN = re.compile(r"(?<![^\s\x00@<>()\[\],;:\"'])[^\s\x00@<>()\[\],;:\"']+@[^\s\x00@<>()\[\],;:\"']+")
#: A run of digits that may be a phone number, as written for reading; :data:`_DIGIT_RUN` is
#: the form searched (the same matches, beginning with a character set, as ``_MOBILE``).
DIGIT_RUN_SPEC = r"\+?\d[\d\s()-]{5,}\d"
_DIGIT_RUN = re.compile(r"[+\d](?:(?<=\+)\d|(?<!\+))[\d\s()-]{5,}\d")


def _personal_data(s: str, internal: tuple) -> tuple[str, str] | None:
    """Return (code, message) when ``s`` holds personal or internal data, else None.

    ``internal`` is (internal e-mails, internal phone digits, this channel's names → what).
    """
    emails, phones, names = internal
    digits = _TWO_DIGITS.search(s) is not None
    if digits and personnummer_in(s):
        return ("safety.personnummer", _("looks like a personnummer; it must never be published"))
    if digits and _MOBILE.search(s):
        return ("safety.private-phone", _("looks like a private mobile number; publish a function number"))
    if "@" in s and _FREEMAIL.search(s):
        return ("safety.private-email", _("looks like a private e-mail address; publish a function mailbox"))
    if "@" in s and any(m.group(0).lower() in emails for m in _EMAIL_TOKEN.finditer(s)):
        return ("safety.internal-data", _("contains an administrator's e-mail, which is internal"))
    if digits and phones and any(re.sub(r"\D", "", m.group(0)) in phones for m in _DIGIT_RUN.finditer(s)):
        return ("safety.internal-data", _("contains an administrator's phone number, which is internal"))
    low = s.lower()
    for value, what in names.items():
        if value in low:
            return ("safety.internal-data", _("contains {what}, which is internal").format(what=what))
    return None


#: Necessary for a match of _SECRET's keyword part: every keyword ends in d, n, y or t (in
#: either case; IGNORECASE knows no other letters equal to these), followed by optional space
#: and ':' or '='. Cheap to search; the full pattern runs only where this finds something.
_SECRET_HINT = re.compile(r"[dDnNyYtT]\s*[:=]")
#: _SECRET's case-sensitive alternatives alone (their first characters let re skip fast).
_SECRET_LITERAL = re.compile(_SECRET_TOKENS)


def has_secret(text: str) -> bool:
    """Whether ``_SECRET`` matches in ``text``, with the cheap necessary patterns first."""
    if _SECRET_HINT.search(text) is None and _SECRET_LITERAL.search(text) is None:
        return False
    return _SECRET.search(text) is not None


def _check_secrets(ck, row: dict, node, path: str) -> None:
    if not has_secret("\x00".join(v for v in row.values() if isinstance(v, str))):
        return
    for name, v in row.items():
        if isinstance(v, str) and _SECRET.search(v):
            ck.err(node.pos[name], "safety.credential", f"{path}.{name}" if path else name,
                   _("looks like a password, token or key; credentials never go in the register"),
                   _("keep them in the central password store (Gullspång Bilaga 1, Botkyrka: Administrera konto)"))
