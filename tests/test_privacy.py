"""Internal fields never reach site/: every internal value of the demo register is searched
for in every file of the built site, raw and HTML-escaped."""

from __future__ import annotations

import html

from conftest import DEMO, TODAY, load_register


def _internal_values(register) -> set[str]:
    values = set()
    for internal in register.internal.values():
        people = list(internal.administrators) + ([internal.substitute] if internal.substitute else [])
        for p in people:
            values |= {p.name, p.email}
            if p.phone:
                values.add(p.phone)
        if internal.notes:
            values.add(internal.notes)
    return values


def test_no_internal_value_anywhere_in_site(demo_site):
    register, _ = load_register(DEMO, today=TODAY)
    values = _internal_values(register)
    assert len(values) > 50  # the demo really has internal data to leak
    files = [p for p in demo_site.rglob("*") if p.is_file()]
    assert len(files) > 30
    for f in files:
        text = f.read_text(encoding="utf-8")
        for v in values:
            assert v not in text and html.escape(v) not in text, f"{v!r} leaked into {f}"


def test_internal_dates_are_not_published(demo_site):
    register, _ = load_register(DEMO, today=TODAY)
    text = (demo_site / "channels.json").read_text(encoding="utf-8")
    assert "last_reviewed" not in text and "last_activity" not in text and "hours_per_week" not in text
    assert all(i.last_reviewed is not None for c, i in register.internal.items()
               if next(x for x in register.channels if x.id == c).is_active)
