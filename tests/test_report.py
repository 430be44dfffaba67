"""``report``: the informatör's internal list of what is due, and its iCalendar file."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from conftest import DEMO, MINIMAL, TODAY, run_cli
from icalendar import Calendar

#: What the demo register was written to contain on 2026-11-22 (see channels.yaml's dates).
DEMO_DUE = {
    ("kommunen-youtube", "Skärmdump till arkivet", "försenad (varning)", "2026-09-01"),
    ("krisinfo-facebook", "Skärmdump till arkivet", "snart", "2026-12-10"),
    ("bibliotek-facebook", "Granskning", "försenad (varning)", "2026-03-01"),
    ("gullstensskolan-instagram", "Passivt konto: stäng eller återuppliva", "försenad (varning)", "2026-09-10"),
    ("flickr-arkiv", "Passivt konto: stäng eller återuppliva", "försenad (varning)", "2026-07-15"),
    ("sbf-x", "Passivt konto: stäng eller återuppliva", "försenad (varning)", "2026-08-28"),
}


@pytest.fixture(autouse=True)
def swedish(monkeypatch):
    """The report in its users' language: these tests read it in Swedish (issue 17)."""
    monkeypatch.setenv("KANALREGISTER_LANG", "sv")


def _markdown_rows(text: str) -> list[tuple]:
    return [tuple(c.strip() for c in line.strip("|").split("|"))[:4] for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| Kanal")]


def test_demo_report_lists_the_due_items_it_was_written_to_contain():
    r = run_cli("report", "-r", str(DEMO), "--today", TODAY.isoformat(), "--format", "markdown")
    assert r.code == 3
    assert set(_markdown_rows(r.out)) == DEMO_DUE


def test_grouped_by_department_and_sorted_by_urgency():
    r = run_cli("report", "-r", str(DEMO), "--today", TODAY.isoformat(), "--format", "markdown")
    sections = r.out.split("\n## ")[1:]
    heads = [s.splitlines()[0] for s in sections]
    assert heads[0] == "Kultur- och fritidsförvaltningen"  # holds the oldest overdue item (2026-03-01)
    kom = next(s for s in sections if s.startswith("Kommunledningsförvaltningen"))
    rows = _markdown_rows("\n" + kom)
    assert [row[2] for row in rows] == ["försenad (varning)", "snart"]  # overdue before due soon
    kof = _markdown_rows("\n" + sections[0])
    assert [row[3] for row in kof] == sorted(row[3] for row in kof)


def test_text_and_html_formats():
    text = run_cli("report", "-r", str(DEMO), "--today", TODAY.isoformat())
    assert text.code == 3 and "Kommunledningsförvaltningen" in text.out and "kommunen-youtube" in text.out
    html = run_cli("report", "-r", str(DEMO), "--today", TODAY.isoformat(), "--format", "html")
    page = BeautifulSoup(html.out, "html.parser")
    rows = {(tr.find_all("td")[0].get_text(), tr.find_all("td")[3].get_text()) for tr in page.select("tbody tr")}
    assert rows == {(r[0], r[3]) for r in DEMO_DUE}
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_exit_status_zero_when_nothing_is_due():
    r = run_cli("report", "-r", str(MINIMAL), "--today", "2026-11-22", "--within", "7")
    assert r.code == 0, r.out
    assert "Inget är försenat" in r.out
    later = run_cli("report", "-r", str(MINIMAL), "--today", "2027-12-01")
    assert later.code == 3


def test_report_works_even_when_the_policy_fails():
    text = MINIMAL.read_text(encoding="utf-8").replace("    approved_on: 2019-12-01\n", "")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "channels.yaml"
        p.write_text(text, encoding="utf-8")
        assert run_cli("check", "-r", str(p), "--today", TODAY.isoformat()).code == 1
        r = run_cli("report", "-r", str(p), "--today", TODAY.isoformat(), "--format", "markdown")
        assert r.code == 3
        assert ("kommunen-facebook", "Godkännande", "saknas (fel)", "") in _markdown_rows(r.out)


def test_ics_has_a_stable_event_per_duty(tmp_path):
    ics = tmp_path / "due.ics"
    r = run_cli("report", "-r", str(DEMO), "--today", TODAY.isoformat(), "--ics", str(ics), "--output",
                str(tmp_path / "r.txt"))
    assert r.code == 3
    cal = Calendar.from_ical(ics.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    from conftest import load_register

    register, _ = load_register(DEMO, today=TODAY)
    assert len(events) == 2 * len(register.active)  # archive and review for each active channel
    yt = next(e for e in events if "Skärmdump" in str(e["summary"]) and "kommunen-youtube" in str(e["description"]))
    assert yt["dtstart"].dt == dt.date(2026, 9, 1) and "(försenad)" in str(yt["summary"])
    assert len({str(e["uid"]) for e in events}) == len(events)
    ics2 = tmp_path / "again.ics"
    run_cli("report", "-r", str(DEMO), "--today", TODAY.isoformat(), "--ics", str(ics2), "--output",
            str(tmp_path / "r2.txt"))
    assert ics.read_bytes() == ics2.read_bytes()


@pytest.mark.parametrize("target", ["site/report.html", "site/kanal/x.ics"])
def test_report_is_never_written_into_site(tmp_path, target):
    out = tmp_path / target
    flag = "--ics" if target.endswith(".ics") else "--output"
    r = run_cli("report", "-r", str(DEMO), "--today", TODAY.isoformat(), flag, str(out), "--site",
                str(tmp_path / "site"))
    assert r.code == 1 and "intern" in r.err
    assert not out.exists()


def test_report_in_english():
    r = run_cli("report", "-r", str(DEMO), "--today", TODAY.isoformat(), "--format", "markdown", "--lang", "en")
    assert r.code == 3
    assert "| Channel | Rule | Status | Date | What |" in r.out
    assert "| kommunen-youtube | Screenshot for the archive | overdue (warning) | 2026-09-01 |" in r.out
    assert "försenad" not in r.out and "Skärmdump" not in r.out
