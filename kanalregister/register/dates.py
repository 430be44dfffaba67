"""A channel's dates against today (issue 18, point 5): the register never states a future
event as a past one.

Decided per field:

* ``start_date`` may lie ahead: the channel is *planned* (:func:`planned`). The site says
  "Planerad: startar den …" and the change log (Ändringslogg) lists the start only once
  the day has come.
* ``last_changed``, ``approved_on``, ``last_archived``, ``last_reviewed``, ``last_activity``
  record what has happened: a date after today is an error (``rule.future-date``); the
  change log would state a future change as a past one.
* ``closing_date`` may lie ahead while the channel is still ``active``: a planned closing.
  The site then says "Kontot avslutas den …" and keeps the channel in the förteckning
  (it is official until that day). Once the day has come the channel must be
  ``status: closed`` (``rule.active-closed``), and a ``closed`` channel's closing date
  cannot be after today (``rule.future-date``).

Dates are :class:`datetime.date`; ``today`` is the date of the check (``--today`` or the clock).
"""

from __future__ import annotations

import datetime as dt

from ..i18n import _

#: Dated fields of a channel that record a past event.
PAST_EVENTS: tuple[str, ...] = ("last_changed", "approved_on", "last_archived", "last_reviewed", "last_activity")


def planned(channel, today: dt.date | None) -> bool:
    """Whether ``channel`` (a :class:`kanalregister.register.model.Channel`) starts after
    ``today`` (None: the date is unknown, nothing is planned)."""
    return today is not None and channel.start_date is not None and channel.start_date > today


def check_dates(ck, row: dict, node, today: dt.date) -> None:
    """Report the dates of one channel row that contradict ``today`` (see the module docstring).

    Args:
        ck: a :class:`kanalregister.register.fields.Checker` collecting diagnostics.
        row: the clean channel row (dates as :class:`datetime.date`); ``node`` its LocDict.
        today: the date of the check.
    """
    for name in PAST_EVENTS:
        d = row.get(name)
        if d is not None and d > today:
            ck.err(node.pos[name], "rule.future-date", name,
                   _("{field} {date} is in the future; it records something that has happened").format(
                       field=name, date=d.isoformat()),
                   _("write the date it happened (only start_date and closing_date may lie ahead)"))
    closing = row.get("closing_date")
    if closing is None:
        return
    if row["status"] == "active" and closing <= today:
        ck.err(node.pos["closing_date"], "rule.active-closed", "closing_date",
               _("the channel closed on {date} but its status is active").format(date=closing.isoformat()),
               _("set status: closed (a closing date after today is a planned closing)"))
    elif row["status"] == "closed" and closing > today:
        ck.err(node.pos["closing_date"], "rule.future-date", "closing_date",
               _("closing date {date} is in the future, but the status is already closed").format(
                   date=closing.isoformat()),
               _("keep status: active until that day; the site then says when the channel closes"))
