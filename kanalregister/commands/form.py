"""``kanalregister form``: one self-contained HTML page (inline CSS and JavaScript, no network,
not part of the public site) in which a register keeper who never edits YAML answers the
aktivitetsplan questions (Gullspång Bilaga 1, Botkyrka) and gets the channel entry as YAML,
ready to paste into ``channels.yaml``, with a link that opens the register in GitHub's or
GitLab's web editor (a pull request for those who may not commit).

Everything the page knows is derived here, never written twice:

* the fields, their Swedish titles, descriptions, types and order: the Table Schema
  (:func:`kanalregister.register.schema.table`);
* the constraints checked in the browser: the editor's JSON Schema
  (:func:`kanalregister.register.editor.json_schema`), including its cross-field rules
  (the platform's hosts for the address; a closing date exactly when the channel is closed);
* which optional fields the guidelines make required, per status: found by running the
  policy (:func:`kanalregister.register.validate.check_entry`) on the schema's example
  channel with each field left out in turn; the number of administrators is the policy's
  ``administrators.minimum``;
* the platforms' names and the register's förvaltningar, ids and addresses (with
  ``--register``): offered as choices, and ids and addresses already taken are refused;
* the Swedish alphabetical order ``fmt`` sorts by (:func:`kanalregister.site.swedish.sv_key`),
  as a table of letters, so the page can say where the entry goes.

Rules that compare free text with code (look-alike letters, personal data in published
fields, passwords, a closing date before the start date, placeholders such as "TBD") are
not in the page: ``check`` in the pull request reports them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..errors import UsageError, file_diagnostic
from ..i18n import _
from ..register import policy as policy_rules
from ..register.editor import HTTPS_URL, SAFE_LINE, SAFE_MULTILINE, json_schema
from ..register.fields import DATE_RE, EMAIL_RE
from ..register.platforms import PLATFORMS
from ..register.read import parse_bytes
from ..register.schema import raw_schema, table
from ..register.validate import check_entry
from ..site.swedish import sv_key
from ..site.templating import make_env
from .edit import build_entry, dump

FORM_DIR = Path(__file__).parent / "form_files"

#: The questions' groups, in the aktivitetsplan's order (Gullspång Bilaga 1). A field the
#: schema has and no group names lands in the last group, so no field is ever left out.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("account", ("platform", "url", "handle", "name", "aliases", "id")),
    ("responsibility", ("department", "unit", "responsible_role", "contact_email", "administrators",
                        "substitute", "approved_by", "approved_on")),
    ("purpose", ("purpose", "target_groups", "languages", "monitoring", "hours_per_week")),
    ("status", ("status", "start_date", "closing_date", "successor", "last_changed", "change_note",
                "last_archived", "last_reviewed", "last_activity")),
    ("other", ("notes",)),
)


@dataclass(frozen=True)
class Repository:
    """Where the register lives: ``url`` (https://github.com/ORG/REPO or a GitLab project),
    ``gitlab`` (bool), ``branch`` and ``path`` of ``channels.yaml`` in it."""

    url: str
    gitlab: bool = False
    branch: str = "main"
    path: str = "channels.yaml"

    def edit_url(self) -> str:
        """The web editor's address of the register file (GitHub ``/edit/``, GitLab ``/-/edit/``)."""
        base = self.url.rstrip("/")
        if base.endswith(".git"):
            base = base[:-4]
        return f"{base}/{'-/' if self.gitlab else ''}edit/{self.branch}/{self.path.lstrip('/')}"


def grouped_fields() -> list[tuple[str, list]]:
    """The channel's fields (:class:`~kanalregister.register.schema.FieldSpec`) in the
    groups of :data:`GROUPS`; every schema field exactly once."""
    specs = table("channel").by_name
    seen: set[str] = set()
    out = []
    for key, names in GROUPS:
        fields = [specs[n] for n in names if n in specs]
        seen.update(f.name for f in fields)
        out.append((key, fields))
    rest = [f for f in table("channel").fields if f.name not in seen]
    out[-1][1].extend(rest)
    return out


def _example_values(status: str, minimum: int) -> dict:
    values = {f.name: f.example for f in table("channel").fields if f.example is not None}
    values["status"] = status
    person = table("channel").by_name["administrators"].example[0]
    values["administrators"] = [{**person, "name": f"{person['name']} {chr(65 + i)}",
                                 "email": f"{chr(97 + i)}.{person['email']}"} for i in range(max(minimum, 1))]
    return values


def _errors(values: dict, pol, today: dt.date) -> set[tuple[str, str]]:
    """(code, field) of every error ``check_entry`` reports for a channel of ``values``."""
    text = dump(CommentedMap({"channels": CommentedSeq([build_entry(values)])}))
    seq = parse_bytes(text.encode(), "form").data["channels"]
    entry = check_entry(seq[0], seq.pos[0], pol, today)
    return {(d.code, d.path.split(".")[0].split("[")[0])
            for d in (*entry.diagnostics, *entry.findings) if d.severity == "error"}


def policy_required(pol, today: dt.date) -> dict[str, list[str]]:
    """Status (``active``/``closed``) → the optional fields whose absence the policy reports
    as an error, found by leaving each out of the schema's example channel in turn."""
    minimum = pol.param("administrators", "minimum")
    out = {}
    for status in table("channel").by_name["status"].enum:
        base = _example_values(status, minimum)
        for _code, name in _errors(base, pol, today):  # fields whose example breaks a rule here
            if not table("channel").by_name[name].required:
                base.pop(name, None)
        before = _errors(base, pol, today)
        need = []
        for f in table("channel").fields:
            if f.required or f.name not in base:
                continue
            after = _errors({k: v for k, v in base.items() if k != f.name}, pol, today) - before
            if any(code.startswith("policy.") and name == f.name for code, name in after):
                need.append(f.name)
        out[status] = need
    return out


def _sv_letters() -> dict[str, str]:
    """The letters :func:`sv_key` sorts other than by their code point, with what it sorts them as."""
    out = {}
    for code in range(0xC0, 0x250):
        ch = chr(code).lower()
        key = sv_key(ch)[0]
        if key != ch:
            out[ch] = key
    return out


def form_data(register=None, pol=None, today: dt.date | None = None) -> dict:
    """Everything the page's script needs, as JSON-ready data.

    Args:
        register: a loaded :class:`kanalregister.register.model.Register` or None.
        pol: its :class:`~kanalregister.register.policy.Policy` (default: the default policy).
        today: the date for the policy's date rules (default: today).

    Returns:
        dict with ``schema`` (the channel's JSON Schema), ``person`` (the person's), ``required``
        (status → fields the policy requires), ``minAdministrators``, ``platforms`` (key →
        hosts), ``delimiter`` (list fields), ``email``, ``date`` (patterns), ``svLetters``,
        ``entries`` (the register's channels as [sort key, förvaltning, id] in ``fmt``'s
        order), ``ids`` and ``urls`` (taken).
    """
    pol = pol or policy_rules.Policy()
    today = today or dt.date.today()
    js = json_schema()
    channels = register.channels if register is not None else ()
    entries = sorted((sv_key(c.department)[0], c.department, c.id) for c in channels)
    return {
        "schema": js["properties"]["channels"]["items"],
        "person": js["$defs"]["person"],
        "required": policy_required(pol, today),
        "minAdministrators": pol.param("administrators", "minimum") if pol.level("administrators") != "off" else 0,
        "platforms": {p.key: list(p.hosts) for p in PLATFORMS.values()},
        "platformLabels": {p.key: p.label for p in PLATFORMS.values()},
        "delimiter": {f["name"]: f["delimiter"] for f in raw_schema("channel")["fields"] if "delimiter" in f},
        "email": EMAIL_RE.pattern.removesuffix("\\Z"),
        "date": DATE_RE.pattern.removesuffix("\\Z"),
        "svLetters": _sv_letters(),
        "entries": [list(e) for e in entries],
        "ids": sorted(c.id for c in channels),
        "urls": sorted({u for c in channels for u in (c.url, *c.aliases)}),
        "order": [f.name for f in table("channel").fields],
        "personOrder": [f.name for f in table("person").fields],
        "patterns": {"safeLine": SAFE_LINE, "safeMultiline": SAFE_MULTILINE, "https": HTTPS_URL},
    }


def render_form(register=None, pol=None, today: dt.date | None = None, repo: Repository | None = None,
                organisation: str | None = None) -> str:
    """The form page (HTML text). Values from the schema and the register are escaped."""
    env = make_env([FORM_DIR])
    departments = sorted({c.department for c in register.channels}, key=sv_key) if register is not None else []
    person = table("person")
    return env.get_template("form.html").render(
        groups=grouped_fields(), data=form_data(register, pol, today),
        platform_labels={p.key: p.label for p in PLATFORMS.values()},
        script=Markup((FORM_DIR / "form.js").read_text(encoding="utf-8")),
        departments=departments, person_fields=person.fields, describe=_, repo=repo,
        edit_url=repo.edit_url() if repo else None, organisation=organisation,
        min_admins=max(pol.param("administrators", "minimum") if pol else 2, 1))


def write_form(out: Path, register_path: str | None, today: dt.date | None, repo: Repository | None) -> Path:
    """Write the form to ``out`` (a file; the folder must exist).

    Args:
        register_path: the register whose förvaltningar, ids, addresses and policy the form
            uses, or None for the schema and the default policy alone.
        today: for the policy's date rules.
        repo: where the pull request goes, or None (the page then offers only the YAML).

    Raises:
        UsageError: the register has errors other than the policy's, or ``out`` is a folder.
    """
    register = None
    pol = None
    if register_path is not None:
        from ..register.loader import load

        res = load(register_path, today or dt.date.today()).result
        if res.model is None:  # errors beyond the policy's (which the register's keepers are fixing)
            raise UsageError([file_diagnostic(register_path, "form.register",
                                              _("the register has errors; the form needs a register that "
                                                "'kanalregister check' reads (only policy findings may remain)"),
                                              _("run 'kanalregister check' and correct the errors first"))])
        register, pol = res.model, res.model.policy
    if out.is_dir():
        raise UsageError([file_diagnostic(str(out), "form.output", _("the output is a folder, not a file"),
                                          _("name a file, e.g. --output kanalformular.html"))])
    org = register.organisation.name if register is not None else None
    out.write_text(render_form(register, pol, today, repo, org), encoding="utf-8")
    return out
