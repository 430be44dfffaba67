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

from ..register.model import Channel, Register
from ..register.policy import RULE_BY_KEY, Finding, add_months, evaluate
from ..site.swedish import sv_key

STATUS_SV = {"overdue": "försenad", "missing": "saknas", "due": "snart"}
RULE_SV = {
    "responsible": "Ansvarig och kontakt", "purpose_target_group": "Syfte och målgrupp",
    "administrators": "Administratörer", "substitute": "Ersättare", "approval": "Godkännande",
    "monitoring": "Bevakning", "archive": "Skärmdump till arkivet", "review": "Granskning",
    "passive": "Passivt konto: stäng eller återuppliva", "closed_archive": "Slutlig skärmdump vid avslut",
}
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
    return [i.channel.id, RULE_SV.get(f.rule, f.rule), STATUS_SV[f.kind] + ("" if f.kind == "due" else
                                                                         f" ({f.severity})"),
            f.due.isoformat() if f.due else "", f.message]


HEADERS = ["Kanal", "Regel", "Status", "Datum", "Vad"]


def to_text(groups, today: dt.date) -> str:
    """A plain terminal table per förvaltning."""
    if not groups:
        return f"Inget är försenat eller förfaller inom kort ({today}).\n"
    lines = [f"Att göra per {today}:", ""]
    for dep, items in groups:
        rows = [HEADERS] + [_row(i) for i in items]
        widths = [min(max(len(r[c]) for r in rows), 60) for c in range(len(HEADERS))]
        lines.append(dep)
        for n, r in enumerate(rows):
            lines.append("  " + "  ".join(cell[:widths[c]].ljust(widths[c]) for c, cell in enumerate(r)).rstrip())
            if n == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        lines.append("")
    return "\n".join(lines)


def to_markdown(groups, today: dt.date) -> str:
    """Markdown, one table per förvaltning."""
    lines = [f"# Förteckningen: att göra per {today}", ""]
    if not groups:
        return "\n".join(lines + ["Inget är försenat eller förfaller inom kort.", ""])
    for dep, items in groups:
        lines += [f"## {dep}", "", "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
        for i in items:
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in _row(i)) + " |")
        lines.append("")
    return "\n".join(lines)


def to_html(groups, today: dt.date, env, organisation) -> str:
    """HTML from the ``report.html`` template (autoescaped)."""
    rows = [(dep, [(_row(i), i) for i in items]) for dep, items in groups]
    return env.get_template("report.html").render(groups=rows, headers=HEADERS, today=today,
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
    cal.add("x-wr-calname", f"Förteckningen: {register.organisation.name}")
    pol = register.policy
    for ch in register.active:
        internal = register.internal[ch.id]
        duties = []
        if pol.level("archive") != "off":
            base = ch.last_archived or ch.approved_on or ch.start_date
            if base:
                duties.append(("archive", add_months(base, pol.param("archive", "months")),
                               f"Skärmdump till arkivet: {ch.name} ({ch.platform_label})"))
        if pol.level("review") != "off":
            base = internal.last_reviewed or ch.approved_on or ch.start_date
            if base:
                duties.append(("review", add_months(base, pol.param("review", "months")),
                               f"Granska kanalen: {ch.name} ({ch.platform_label})"))
        for rule, due, summary in duties:
            ev = Event()
            ev.add("uid", f"{uuid.uuid5(uuid.NAMESPACE_URL, f'kanalregister:{ch.id}:{rule}')}@kanalregister")
            ev.add("dtstamp", dt.datetime.combine(stamp, dt.time(0, 0), tzinfo=dt.UTC))
            ev.add("dtstart", due)
            ev.add("dtend", due + dt.timedelta(days=1))
            ev.add("summary", summary + (" (försenad)" if due <= today else ""))
            ev.add("description", f"{ch.department}. Regel '{rule}': {RULE_BY_KEY[rule].source}. Kanal-id {ch.id}.")
            ev.add("categories", [ch.department])
            cal.add_component(ev)
    return cal.to_ical()
