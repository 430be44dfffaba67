"""The municipality's own guideline rules (the register's ``policy`` section).

The seed guidelines agree on the duties but not the numbers, so each rule has a level
(``error``, ``warning`` or ``off``) and parameters, with defaults taken from the guidelines.
:data:`RULES` is the single list of rules; the JSON Schema of the ``policy`` section, the
README's policy table and the validator all read it.

Dates are compared with ``today`` (a :class:`datetime.date`, from ``--today`` or the clock);
periods are in calendar months.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from ..i18n import _, ngettext
from .fields import suggest
from .read import LocDict
from .schema import field_label

LEVELS = ("error", "warning", "off")
PLACEHOLDERS = {"-", "--", "—", "–", "?", "??", "...", "…", "x", "xx", "xxx", "tbd", "todo", "n/a", "na",
                "saknas", "ej angivet", "ej angiven", "inget", "ingen", "okänt", "okänd", "fyll i",
                "lorem ipsum", "test", "placeholder", "se ovan", "diverse", "alla", "allmänt"}


@dataclass(frozen=True)
class RuleDef:
    """One configurable rule.

    Attributes:
        key: the name in the ``policy`` section (str).
        level: default level (``error``/``warning``/``off``).
        params: parameter name → default value (int; months, days or a count).
        title: one line saying what the rule demands (str, English).
        source: the guideline(s) that require it (str).
    """

    key: str
    level: str
    params: dict
    title: str
    source: str


RULES: tuple[RuleDef, ...] = (
    RuleDef("responsible", "error", {},
            "every channel states its responsible role (kontoansvarig) and a public contact",
            "Botkyrka, Redovisa sociala medier (the förteckning states who is responsible); "
            "Avesta 3 (the contact person shall be stated)"),
    RuleDef("purpose_target_group", "error", {"min_words": 3},
            "every channel states a meaningful purpose (syfte) as a sentence of at least `min_words` words, "
            "and a target group (målgrupp), not a placeholder",
            "Botkyrka, Redovisa sociala medier; Gullspång Bilaga 1 question 4 (describe the purpose)"),
    RuleDef("administrators", "error", {"minimum": 2},
            "an active channel has at least `minimum` administrators (internal)",
            "Gullspång Bilaga 1 question 5 (at least two); Botkyrka, Administrera konto (at least two)"),
    RuleDef("substitute", "error", {},
            "an active channel has an ersättare (internal)",
            "Avesta 5 (ersättare shall be appointed); Botkyrka, Gallra olämpliga inlägg"),
    RuleDef("approval", "error", {},
            "an active channel records who approved it (role) and when",
            "Gullspång Bilaga 1, Godkännande (verksamhetsansvarig chef); Botkyrka, Få ett tydligt uppdrag"),
    RuleDef("monitoring", "warning", {},
            "an active channel states its monitoring commitment (when it is watched, how fast it answers)",
            "Gullspång Bilaga 1 question 7; Botkyrka (answer within 48 hours); Avesta 5 (every weekday)"),
    RuleDef("archive", "warning", {"months": 12},
            "a screenshot of an active channel is archived at least every `months` months",
            "Norsjö 4.8, Avesta 6, Gullspång (yearly: 12); Botkyrka, Dokumentera (every half-year: 6)"),
    RuleDef("review", "warning", {"months": 12},
            "an active channel's entry is reviewed at least every `months` months",
            "Botkyrka, Planera och utvärdera (an evaluation at least once a year)"),
    RuleDef("passive", "warning", {"months": 6},
            "an active channel with no activity for `months` months is flagged: close or revive it",
            "Botkyrka, Stäng passiva konton"),
    RuleDef("closed_archive", "error", {"days_before": 31},
            "a closed channel has a final screenshot archived no earlier than `days_before` days before closing",
            "Avesta 6 (when a forum closes, its messages are saved and archived); Norsjö 4.8 "
            "(screenshots before large changes)"),
)
RULE_BY_KEY = {r.key: r for r in RULES}
#: A word of a purpose: a run of letters or digits (``purpose_target_group``'s ``min_words``).
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Policy:
    """The resolved policy: rule key → (level, params). Built by :func:`parse`."""

    levels: dict = field(default_factory=lambda: {r.key: r.level for r in RULES})
    params: dict = field(default_factory=lambda: {r.key: dict(r.params) for r in RULES})

    def level(self, key: str) -> str:
        """The level of rule ``key``."""
        return self.levels[key]

    def param(self, key: str, name: str) -> int:
        """A parameter of rule ``key``."""
        return self.params[key][name]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the informatör must do for one channel.

    Attributes:
        rule: the rule key.
        channel_id: the channel's id.
        severity: ``error`` or ``warning`` (the rule's level).
        kind: ``missing`` (data absent), ``overdue`` (a due date has passed) or ``due``
            (falls due within the report's horizon; not a diagnostic).
        due: the due date, when the rule has one.
        message: what is wrong or due (str, English).
        field: the register field to point at.
    """

    rule: str
    channel_id: str
    severity: str
    kind: str
    due: dt.date | None
    message: str
    field: str


def add_months(d: dt.date, months: int) -> dt.date:
    """Return ``d`` plus ``months`` calendar months, clamped to the month's last day."""
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def parse(node, pos, ck) -> Policy:
    """Read the ``policy`` section; report problems to ``ck``; return the resolved Policy.

    Accepts per rule either a level (``archive: warning``) or a mapping
    (``archive: {level: warning, months: 6}``). Unknown rules and parameters are errors.
    """
    pol = Policy()
    if node is None:
        return pol
    if not isinstance(node, LocDict):
        ck.err(pos, "policy.type", "policy", _("policy must be a mapping of rule: level"))
        return pol
    for key, value in node.items():
        path = f"policy.{key}"
        if key not in RULE_BY_KEY:
            ck.err(node.kpos[key], "policy.unknown-rule", path, _("unknown policy rule '{key}'").format(key=key),
                   suggest(key, RULE_BY_KEY) or "rules: " + ", ".join(RULE_BY_KEY))
            continue
        rule = RULE_BY_KEY[key]
        vpos = node.pos[key]
        if value is False:  # YAML reads a bare `off` as false
            value = "off"
        if isinstance(value, str):
            value = {"level": value}
            settings_pos = {"level": vpos}
        elif isinstance(value, LocDict):
            settings_pos = value.pos
            for k in value:
                if k != "level" and k not in rule.params:
                    ck.err(value.kpos[k], "policy.unknown-param", f"{path}.{k}",
                           _("rule '{key}' has no parameter '{k}'").format(key=key, k=k),
                           suggest(k, ["level", *rule.params]) or
                           ("parameters: " + ", ".join(["level", *rule.params])))
        else:
            ck.err(vpos, "policy.type", path, _("expected a level (error, warning, off) or a mapping"))
            continue
        level = value.get("level", rule.level)
        if level is False:
            level = "off"
        if level not in LEVELS:
            ck.err(settings_pos.get("level", vpos), "policy.level", f"{path}.level",
                   _("'{level}' is not a level").format(level=level), suggest(str(level),
                                                                              LEVELS) or "use error, warning or off")
        else:
            pol.levels[key] = level
        for p in rule.params:
            if p in value:
                v = value[p]
                if isinstance(v, str) and v.isdigit():
                    v = int(v)
                if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 120:
                    ck.err(settings_pos[p], "policy.param", f"{path}.{p}",
                           _("'{v}' must be a whole number 1–120").format(v=v))
                else:
                    pol.params[key][p] = v
    return pol


def meaningful(text: str | None) -> bool:
    """True when ``text`` says something: not empty, not a placeholder like ``-`` or ``TBD``."""
    if not text:
        return False
    t = text.strip().lower().rstrip(".!")
    return t not in PLACEHOLDERS and any(ch.isalpha() for ch in t) and len(t) >= 3


def evaluate(register, today: dt.date, horizon_days: int = 0) -> list[Finding]:
    """Apply every rule that is not ``off`` to every channel.

    Args:
        register: a :class:`kanalregister.model.Register` (its ``policy`` is used).
        today: the date to count from.
        horizon_days: also return ``due`` findings for dates within this many days (≥ 0).

    Returns:
        Findings in register order (list[Finding]).
    """
    out: list[Finding] = []
    for ch in register.channels:
        out.extend(evaluate_channel(register.policy, ch, register.internal[ch.id], today, horizon_days))
    return out


def evaluate_channel(pol: Policy, ch, internal, today: dt.date, horizon_days: int = 0) -> list[Finding]:
    """The findings of one channel under ``pol`` (see :func:`evaluate`).

    Args:
        pol: the resolved policy.
        ch: a :class:`kanalregister.model.Channel`; ``internal`` its
            :class:`kanalregister.model.ChannelInternal`.
        today, horizon_days: as for :func:`evaluate`.
    """
    out: list[Finding] = []
    soon = today + dt.timedelta(days=horizon_days)

    def add(rule, ch, kind, message, fld, due=None):
        out.append(Finding(rule, ch.id, pol.level(rule), kind, due, message, fld))

    def dated(rule, ch, last, fld, months, words):
        none, first, overdue, coming = words
        if last is None:
            base = ch.approved_on or ch.start_date
            due = add_months(base, months) if base else None
            if due is None or due <= today:
                add(rule, ch, "missing", none, fld, due)
            elif due <= soon:
                add(rule, ch, "due", first.format(due=due), fld, due)
            return
        due = add_months(last, months)
        if due <= today:
            add(rule, ch, "overdue", overdue.format(due=due, last=last, months=months), fld, due)
        elif due <= soon:
            add(rule, ch, "due", coming.format(due=due, last=last), fld, due)

    def fields(names):
        return _(" and ").join(field_label(f) for f in names)

    on = {k for k, v in pol.levels.items() if v != "off"}
    active = ch.is_active
    if "responsible" in on:
        missing = [f for f in ("responsible_role", "contact_email") if getattr(ch, f) is None]
        if missing:
            add("responsible", ch, "missing", _("missing {fields}").format(fields=fields(missing)), missing[0])
    if "purpose_target_group" in on:
        words, need = len(_WORD.findall(ch.purpose or "")), pol.param("purpose_target_group", "min_words")
        if not meaningful(ch.purpose):
            add("purpose_target_group", ch, "missing", (_("{field} says nothing: write what the channel is for")
                if ch.purpose else _("missing {fields}")).format(field=field_label("purpose"),
                                                                 fields=field_label("purpose")), "purpose")
        elif words < need:
            add("purpose_target_group", ch, "missing",
                _("{field} has {n} word(s); write a sentence of at least {need} words on why the "
                  "channel exists").format(field=field_label("purpose"), n=words, need=need), "purpose")
        if not ch.target_groups or not all(meaningful(t) for t in ch.target_groups):
            add("purpose_target_group", ch, "missing", (_("{field} says nothing: write whom the channel is for")
                if ch.target_groups else _("missing {fields}")).format(field=field_label("target_groups"),
                                                                       fields=field_label("target_groups")),
                "target_groups")
    if active and "administrators" in on:
        n, need = len(internal.administrators), pol.param("administrators", "minimum")
        if n < need:
            add("administrators", ch, "missing", ngettext("{n} administrator; at least {need} required",
                                                          "{n} administrators; at least {need} required", n).format(
                n=n, need=need), "administrators")
    if active and "substitute" in on and internal.substitute is None:
        add("substitute", ch, "missing", _("no {field} appointed").format(field=field_label("substitute")),
            "substitute")
    if active and "approval" in on:
        missing = [f for f in ("approved_by", "approved_on") if getattr(ch, f) is None]
        if missing:
            add("approval", ch, "missing", _("approval not recorded: missing {fields}").format(fields=fields(missing)),
                missing[0])
    if active and "monitoring" in on and not meaningful(ch.monitoring):
        add("monitoring", ch, "missing", _("no monitoring commitment: {field} says nothing").format(
            field=field_label("monitoring")), "monitoring")
    if active and "archive" in on:
        dated("archive", ch, ch.last_archived, "last_archived", pol.param("archive", "months"),
              (_("no archived screenshot recorded"), _("first archived screenshot due {due}"),
               _("archived screenshot overdue since {due} (last {last}, every {months} months)"),
               _("archived screenshot due {due} (last {last})")))
    if active and "review" in on:
        dated("review", ch, internal.last_reviewed, "last_reviewed", pol.param("review", "months"),
              (_("no review recorded"), _("first review due {due}"),
               _("review overdue since {due} (last {last}, every {months} months)"),
               _("review due {due} (last {last})")))
    if active and "passive" in on and internal.last_activity is not None:
        months = pol.param("passive", "months")
        due = add_months(internal.last_activity, months)
        if due <= today:
            add("passive", ch, "overdue", _("no activity since {last} (over {months} months): close or revive the "
                                            "channel").format(last=internal.last_activity, months=months),
                "last_activity", due)
    if not active and "closed_archive" in on and ch.closing_date is not None:
        earliest = ch.closing_date - dt.timedelta(days=pol.param("closed_archive", "days_before"))
        if ch.last_archived is None or ch.last_archived < earliest:
            add("closed_archive", ch, "missing", _("no final screenshot archived at closing ({field} on or after "
                                                   "{earliest})").format(field=field_label("last_archived"),
                                                                         earliest=earliest),
                "last_archived", ch.closing_date)
    return out


def policy_json_schema() -> dict:
    """JSON Schema of the ``policy`` section, from :data:`RULES`."""
    props = {}
    for r in RULES:
        level = {"enum": list(LEVELS) + [False]}
        obj = {"type": "object", "additionalProperties": False,
               "properties": {"level": level, **{p: {"type": "integer", "minimum": 1, "maximum": 120,
                                                     "default": d} for p, d in r.params.items()}}}
        props[r.key] = {"description": f"{r.title}. Source: {r.source}. Default: {r.level}.",
                        "anyOf": [level, obj]}
    return {"type": "object", "additionalProperties": False, "properties": props}


def policy_docs_markdown() -> str:
    """The README/docs table of rules: key, default level, parameters, what, source."""
    lines = ["| rule | default | parameters | what it demands | source |", "|---|---|---|---|---|"]
    for r in RULES:
        params = ", ".join(f"`{k}: {v}`" for k, v in r.params.items()) or "–"
        lines.append(f"| `{r.key}` | {r.level} | {params} | {r.title} | {r.source} |")
    return "\n".join(lines)
