"""``report``: the internal compliance report for the informatör (never published in site/).

For each channel it lists what is overdue, missing or falls due soon under the register's
policy, grouped by förvaltning and sorted by urgency; as a terminal table, Markdown or
HTML, plus an iCalendar file of due dates (archive, review) to subscribe to.

Urgency order: overdue (oldest due date first), then missing data that the policy treats
as an error, then missing data treated as a warning, then items due within the horizon
(nearest first).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from ..i18n import _
from ..register.model import Channel, Register
from ..register.policy import RULE_BY_KEY, Finding, add_months, evaluate
from ..site.swedish import sv_key


def status_name(kind: str) -> str:
    """A finding's kind (``overdue``, ``missing``, ``due``) in the language of messages."""
    return {"overdue": _("overdue"), "missing": _("missing"), "due": _("due soon")}[kind]


def rule_name(rule: str) -> str:
    """A policy rule's name in the language of messages (the key when it has none)."""
    return {
        "responsible": _("Account owner and contact"), "purpose_target_group": _("Purpose and target group"),
        "administrators": _("Administrators"), "substitute": _("Substitute"), "approval": _("Approval"),
        "monitoring": _("Monitoring"), "archive": _("Screenshot for the archive"), "review": _("Review"),
        "passive": _("Passive account: close or revive"), "closed_archive": _("Final screenshot at closing"),
    }.get(rule, rule)
#: Exit status of ``report`` when anything is overdue or missing.
EXIT_DUE = 3


@dataclass(frozen=True)
class Item:
    """One row of the report: a channel, a finding and its urgency rank (lower = sooner)."""

    channel: Channel
    finding: Finding

    @property
    def rank(self) -> tuple:
        f = self.finding
        kind = {"overdue": 0, "missing": 1 if f.severity == "error" else 2, "due": 3}[f.kind]
        return (kind, f.due or dt.date.max, self.channel.id, f.rule)


def build(register: Register, today: dt.date, horizon_days: int = 30) -> list[tuple[str, list[Item]]]:
    """Group every finding by förvaltning, most urgent first.

    Args:
        register: the model (may have policy errors: that is what the report is for).
        today: the date to count from.
        horizon_days: also list items due within this many days.

    Returns:
        [(department, [Item, …])], departments ordered by their most urgent item.
    """
    by_id = {c.id: c for c in register.channels}
    groups: dict[str, list[Item]] = {}
    for f in evaluate(register, today, horizon_days):
        ch = by_id[f.channel_id]
        groups.setdefault(ch.department, []).append(Item(ch, f))
    out = [(dep, sorted(items, key=lambda i: i.rank)) for dep, items in groups.items()]
    return sorted(out, key=lambda g: (g[1][0].rank[:2], sv_key(g[0])))


def needs_action(groups) -> bool:
    """True when any item is overdue or missing (not merely due soon)."""
    return any(i.finding.kind != "due" for _d, items in groups for i in items)


def _row(i: Item) -> list[str]:
    f = i.finding
    severity = _("error") if f.severity == "error" else _("warning")
    return [i.channel.id, rule_name(f.rule), status_name(f.kind) + ("" if f.kind == "due" else f" ({severity})"),
            f.due.isoformat() if f.due else "", f.message]


def headers() -> list[str]:
    """The report's column headings in the language of messages."""
    return [_("Channel"), _("Rule"), _("Status"), _("Date"), _("What")]


def to_text(groups, today: dt.date) -> str:
    """A plain terminal table per förvaltning."""
    if not groups:
        return _("Nothing is overdue or due soon ({today}).").format(today=today) + "\n"
    lines = [_("To do as of {today}:").format(today=today), ""]
    for dep, items in groups:
        rows = [headers()] + [_row(i) for i in items]
        widths = [min(max(len(r[c]) for r in rows), 60) for c in range(len(headers()))]
        lines.append(dep)
        for n, r in enumerate(rows):
            lines.append("  " + "  ".join(cell[:widths[c]].ljust(widths[c]) for c, cell in enumerate(r)).rstrip())
            if n == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        lines.append("")
    return "\n".join(lines)


def to_markdown(groups, today: dt.date) -> str:
    """Markdown, one table per förvaltning."""
    lines = ["# " + _("The register: to do as of {today}").format(today=today), ""]
    if not groups:
        return "\n".join(lines + [_("Nothing is overdue or due soon."), ""])
    for dep, items in groups:
        lines += [f"## {dep}", "", "| " + " | ".join(headers()) + " |", "|" + "---|" * len(headers())]
        for i in items:
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in _row(i)) + " |")
        lines.append("")
    return "\n".join(lines)


def to_html(groups, today: dt.date, env, organisation) -> str:
    """HTML from the ``report.html`` template (autoescaped)."""
    rows = [(dep, [(_row(i), i) for i in items]) for dep, items in groups]
    return env.get_template("report.html").render(groups=rows, headers=headers(), today=today,
                                                  organisation=organisation, rules=RULE_BY_KEY)


def to_ics(register: Register, today: dt.date, stamp: dt.date) -> bytes:
    """An iCalendar (RFC 5545) file with the next due date of each dated duty (archive, review).

    One all-day event per active channel and duty, with a stable UID so that a subscribed
    calendar updates instead of duplicating; ``stamp`` (the build date) is the DTSTAMP, so
    the same input gives the same file.
    """
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//kanalregister//förteckning//SV")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Register of channels: {name}").format(name=register.organisation.name))
    pol = register.policy
    for ch in register.active:
        internal = register.internal[ch.id]
        duties = []
        if pol.level("archive") != "off":
            base = ch.last_archived or ch.approved_on or ch.start_date
            if base:
                duties.append(("archive", add_months(base, pol.param("archive", "months")),
                               _("Screenshot for the archive: {name} ({platform})").format(name=ch.name,
                                                                                         platform=ch.platform_label)))
        if pol.level("review") != "off":
            base = internal.last_reviewed or ch.approved_on or ch.start_date
            if base:
                duties.append(("review", add_months(base, pol.param("review", "months")),
                               _("Review the channel: {name} ({platform})").format(
                                   name=ch.name, platform=ch.platform_label)))
        for rule, due, summary in duties:
            ev = Event()
            ev.add("uid", f"{uuid.uuid5(uuid.NAMESPACE_URL, f'kanalregister:{ch.id}:{rule}')}@kanalregister")
            ev.add("dtstamp", dt.datetime.combine(stamp, dt.time(0, 0), tzinfo=dt.UTC))
            ev.add("dtstart", due)
            ev.add("dtend", due + dt.timedelta(days=1))
            ev.add("summary", summary + (_(" (overdue)") if due <= today else ""))
            ev.add("description", _("{department}. Rule '{rule}': {source}. Channel id {id}.").format(
                department=ch.department, rule=rule, source=RULE_BY_KEY[rule].source, id=ch.id))
            ev.add("categories", [ch.department])
            cal.add_component(ev)
    return cal.to_ical()
