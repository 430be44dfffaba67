"""Cross-field rules and safety rules that no policy can turn off.

Cross-field rules (beside the schema, since a Table Schema cannot say them):

* a closed channel has a closing date, on or after its start date; an active one has none;
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

import bisect
import itertools
import re
import urllib.parse

from .platforms import PLATFORMS
from .schema import table
from .text import lookalike

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
        return ("url.space", "the address contains spaces", "copy the address from the browser")
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return ("url.invalid", f"'{url}' is not a valid web address", None)
    scheme = parts.scheme.lower()
    if scheme == "http":
        return ("url.https", "the address must use https", f"write https://{url.split('://', 1)[1]}")
    if scheme != "https":
        return ("url.scheme", f"'{scheme or url}' addresses are not allowed; use an https:// web address", None)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return ("url.credentials", "the address contains a user name or password",
                "remove the part before '@' in the host")
    if not host or "." not in host:
        return ("url.host", "the address has no valid host", None)
    if platform and not PLATFORMS[platform].host_fits(host):
        hosts = ", ".join(PLATFORMS[platform].hosts)
        return ("url.platform", f"the host '{host}' is not a {PLATFORMS[platform].label} address",
                f"a {platform} address is on {hosts}; or correct the platform")
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


def check(ck, org: dict | None, channels, parties, root, extra=None) -> dict[str, frozenset[str]]:
    """Run the cross-field and safety rules, adding diagnostics to ``ck`` (a validate checker).

    Args:
        ck: the ``validate._Checker`` collecting diagnostics.
        org: the clean organisation row, or None when it had errors.
        channels: list of (clean row dict, line, LocDict node) for valid channel rows.
        parties: the same for party channels.
        root: the register's root mapping (for positions).
        extra: optional ``(ids, emails, phones)`` of channels validated earlier and not
            part of ``channels`` (an incremental build, :mod:`kanalregister.incremental`):
            successors may name them, and their people's contacts count as internal.

    Returns:
        channel id → the tokens of its published text (:func:`published_tokens`), found by
        the same search that compares them with the internal contacts; the build cache
        keeps them (:func:`kanalregister.incremental.entry_for`).
    """
    ids = {row["id"] for row, _l, _n, _p in channels}
    emails, phones = _internal_contacts(channels)
    if extra is not None:
        ids |= extra[0]
        emails |= extra[1]
        phones |= extra[2]
    ch_table = table("channel")

    if org is not None:
        node = root["organisation"]
        _check_url(ck, org.get("website"), None, node, "organisation.website", "website")
        edit = org.get("edit_url")
        if edit is not None:
            unknown = set(re.findall(r"\{([^}]*)\}", edit)) - {"id", "line"}
            if unknown:
                ck.err(node.pos["edit_url"], "rule.edit-url", "organisation.edit_url",
                       f"unknown placeholder {{{sorted(unknown)[0]}}}", "use {id} and {line}")
            else:
                _check_url(ck, edit.replace("{id}", "x").replace("{line}", "1"), None, node,
                           "organisation.edit_url", "edit_url")
        _check_name(ck, org["name"], node, "organisation.name", "name")
        orgnr = org.get("org_number")
        if orgnr and not _luhn_ok(orgnr.replace("-", "")):
            ck.err(node.pos["org_number"], "rule.org-number", "organisation.org_number",
                   f"'{orgnr}' is not a valid organisationsnummer (check digit)",
                   "copy it from Bolagsverket or the municipality's letterhead")
        _check_public_text(ck, org, node, "organisation", (emails, phones, {}),
                           (f.name for f in table("organisation").fields))

    public = [f.name for f in ch_table.fields if not f.internal]
    text_clean, tokens = _all_clean(channels, public, (emails, phones))
    for row, _line, node, path in channels:
        _check_url(ck, row["url"], row["platform"], node, f"{path}.url", "url")
        for j, alias in enumerate(row.get("aliases", ())):
            p = url_problem(alias, row["platform"])
            if p:
                ck.err(node["aliases"].pos[j], p[0], f"{path}.aliases[{j}]", p[1], p[2])
        _check_name(ck, row["name"], node, f"{path}.name", "name")
        status, start, closing = row["status"], row.get("start_date"), row.get("closing_date")
        if status == "closed" and closing is None:
            ck.err(node.pos.get("status"), "rule.closing-date", f"{path}.closing_date",
                   "a closed channel needs its closing date (closing_date)",
                   "add closing_date: YYYY-MM-DD")
        if status == "active" and closing is not None:
            ck.err(node.pos["closing_date"], "rule.active-closed", f"{path}.closing_date",
                   "an active channel cannot have a closing date", "set status: closed, or remove closing_date")
        if start and closing and closing < start:
            ck.err(node.pos["closing_date"], "rule.closing-before-start", f"{path}.closing_date",
                   f"closing date {closing} is before the start date {start}")
        if (row.get("last_changed") is None) != (row.get("change_note") is None):
            missing = "change_note" if row.get("change_note") is None else "last_changed"
            present = "last_changed" if missing == "change_note" else "change_note"
            ck.err(node.pos[present], "rule.change-note", f"{path}.{missing}",
                   f"{present} needs {missing}: the change log shows both")
        succ = row.get("successor")
        if succ is not None:
            if succ not in ids or succ == row["id"]:
                ck.err(node.pos["successor"], "rule.successor", f"{path}.successor",
                       f"'{succ}' is not another channel in the register",
                       _near(succ, ids - {row['id']}))
            elif status == "active":
                ck.err(node.pos["successor"], "rule.successor-active", f"{path}.successor",
                       "only a closed channel can have a successor")
        if not text_clean:
            _check_public_text(ck, row, node, path, (emails, phones, _own_names(row)), public)
            _check_secrets(ck, row, node, path)

    for row, _line, node, path in parties:
        _check_url(ck, row["url"], row["platform"], node, f"{path}.url", "url")
        for key in ("party", "name"):
            if key in row:
                _check_name(ck, row[key], node, f"{path}.{key}", key)
        _check_public_text(ck, row, node, path, (emails, phones, {}), ("party", "name", "url"))
    return {row["id"]: t for (row, _l, _n, _p), t in zip(channels, tokens, strict=True)}


def _near(value, options) -> str | None:
    from .validate import suggest

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
        ck.err(node.pos[key], "text.lookalike", path, f"'{name}' {msg}",
               "write the name in one alphabet")


def _people(row: dict) -> list:
    return list(row.get("administrators", ())) + ([row["substitute"]] if row.get("substitute") else [])


def _internal_contacts(channels) -> tuple[set[str], set[str]]:
    """E-mails (lower case) and phone numbers (digits only) of every internal person."""
    emails, phones = set(), set()
    for row, _l, _n, _p in channels:
        for person in _people(row):
            emails.add(person.email.lower())
            if person.phone:
                phones.add(re.sub(r"\D", "", person.phone))
    return emails, phones


def _own_names(row: dict) -> dict[str, str]:
    """The channel's own internal people's names (lower case) → what they are."""
    return {p.name.lower(): "an administrator's name" for p in _people(row) if len(p.name) >= 5}


def _public_text(row: dict, names) -> str:
    """All of the row's published text in one string, fields apart by NUL (which no pattern
    of :func:`_personal_data` crosses, and which its look-arounds take for a text's end)."""
    return "\x00".join(s for n in names if n in row for s in (row[n] if isinstance(row[n], tuple) else (row[n],))
                       if isinstance(s, str))


def _all_clean(channels, public: list[str], contacts: tuple) -> tuple[bool, list[frozenset[str]]]:
    """Whether no channel row has personal data in its published fields (``public``) nor a
    credential in any field: then :func:`_check_public_text` and :func:`_check_secrets`
    would report nothing for any of them. Also returns each row's :func:`published_tokens`.

    One search per pattern over all rows' text at once, apart by NUL: no pattern of
    :func:`_personal_data` or ``_SECRET`` matches across a NUL, and their look-arounds see a
    NUL as they see a text's start or end, so a pattern matches there iff it matches in some
    row's text alone (a NUL after "password:" counts as a non-space there: that only sends
    the rows to the row-by-row check). The tests are those of :func:`_personal_data`, with
    its e-mail and phone comparisons made over the tokens found. Each row's own
    administrators' names are looked for in its own text.
    """
    texts = [_public_text(row, public) for row, _l, _n, _p in channels]
    joined = "\x00".join(texts)
    tokens = published_tokens(texts, joined)
    emails, phones = contacts
    if _TWO_DIGITS.search(joined) is not None and (personnummer_in(joined) or _MOBILE.search(joined)):
        return False, tokens
    if "@" in joined and _FREEMAIL.search(joined):
        return False, tokens
    if not all(t.isdisjoint(emails) and t.isdisjoint(phones) for t in tokens):
        return False, tokens  # (an e-mail token holds "@", a digit run only digits: no mix-ups)
    for text, (row, _l, _n, _p) in zip(texts, channels, strict=True):
        names = _own_names(row)
        if names:
            low = text.lower()
            if any(value in low for value in names):
                return False, tokens
    clean = not _has_secret("\x00".join(v for row, _l, _n, _p in channels for v in row.values()
                                        if isinstance(v, str)))
    return clean, tokens


def published_tokens(texts: list[str], joined: str | None = None) -> list[frozenset[str]]:
    """For each text, the e-mail-like tokens in it (lower case) and its digit runs (digits
    only): what :func:`_personal_data` compares with the internal contacts.

    Args:
        texts: one published text per row (:func:`_public_text`: fields apart by NUL).
        joined: ``"\\x00".join(texts)``, if the caller has it.

    Returns:
        One frozenset of str per text, in order. Found by one search per pattern over the
        joined text (neither pattern matches a NUL, and the e-mail token's look-behind sees
        one as a text's start), each match given to the text it lies in.
    """
    if joined is None:
        joined = "\x00".join(texts)
    starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    found: list[set[str]] = [set() for _ in texts]
    where = bisect.bisect_right
    if "@" in joined:
        for m in _EMAIL_TOKEN.finditer(joined):
            found[where(starts, m.start()) - 1].add(m.group(0).lower())
    if _TWO_DIGITS.search(joined) is not None:
        for m in _DIGIT_RUN.finditer(joined):
            found[where(starts, m.start()) - 1].add(_NOT_DIGIT.sub("", m.group(0)))
    return [frozenset(f) for f in found]


def _check_public_text(ck, row: dict, node, path: str, internal: tuple, names) -> None:
    names = [n for n in names if n in row]
    # One search per pattern over the joined text decides whether any field needs a closer look.
    if _personal_data(_public_text(row, names), internal) is None:
        return
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
                ck.err(node.pos[name], problem[0], f"{path}.{name}", problem[1],
                       "published fields are public on the website; personal data belongs in the "
                       "internal fields (administrators, substitute)")
                break


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
        return ("safety.personnummer", "looks like a personnummer; it must never be published")
    if digits and _MOBILE.search(s):
        return ("safety.private-phone", "looks like a private mobile number; publish a function number")
    if "@" in s and _FREEMAIL.search(s):
        return ("safety.private-email", "looks like a private e-mail address; publish a function mailbox")
    if "@" in s and any(m.group(0).lower() in emails for m in _EMAIL_TOKEN.finditer(s)):
        return ("safety.internal-data", "contains an administrator's e-mail, which is internal")
    if digits and phones and any(re.sub(r"\D", "", m.group(0)) in phones for m in _DIGIT_RUN.finditer(s)):
        return ("safety.internal-data", "contains an administrator's phone number, which is internal")
    low = s.lower()
    for value, what in names.items():
        if value in low:
            return ("safety.internal-data", f"contains {what}, which is internal")
    return None


#: Necessary for a match of _SECRET's keyword part: every keyword ends in d, n, y or t (in
#: either case; IGNORECASE knows no other letters equal to these), followed by optional space
#: and ':' or '='. Cheap to search; the full pattern runs only where this finds something.
_SECRET_HINT = re.compile(r"[dDnNyYtT]\s*[:=]")
#: _SECRET's case-sensitive alternatives alone (their first characters let re skip fast).
_SECRET_LITERAL = re.compile(_SECRET_TOKENS)


def _has_secret(text: str) -> bool:
    """Whether ``_SECRET`` matches in ``text``, with the cheap necessary patterns first."""
    if _SECRET_HINT.search(text) is None and _SECRET_LITERAL.search(text) is None:
        return False
    return _SECRET.search(text) is not None


def _check_secrets(ck, row: dict, node, path: str) -> None:
    if not _has_secret("\x00".join(v for v in row.values() if isinstance(v, str))):
        return
    for name, v in row.items():
        if isinstance(v, str) and _SECRET.search(v):
            ck.err(node.pos[name], "safety.credential", f"{path}.{name}",
                   "looks like a password, token or key; credentials never go in the register",
                   "keep them in the central password store (Gullspång Bilaga 1, Botkyrka: Administrera konto)")
