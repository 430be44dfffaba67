"""Dates in the future (issue 18, point 5): never stated as past events.

``start_date`` ahead: a planned channel ("Planerad: startar den …"), not in the change log
until that day. ``closing_date`` ahead on an active channel: a planned closing ("Kontot
avslutas den …"). Any other future date, or a closed channel closing in the future, is an
error; an active channel past its closing date too.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import MINIMAL, TODAY, run_cli, soup

PLANNED = """  - id: bibliotek-tiktok
    name: Testby bibliotek
    platform: tiktok
    url: https://www.tiktok.com/@testbybibliotek
    department: Kultur- och fritidsförvaltningen
    responsible_role: Bibliotekschef
    contact_email: bibliotek@testby.example
    purpose: Tipsa unga om nya böcker på biblioteket.
    target_groups: [Unga]
    monitoring: Vardagar
    status: active
    start_date: 2026-12-01
    approved_by: Kulturchef
    approved_on: 2026-11-01
    last_archived: 2026-11-01
    last_reviewed: 2026-11-01
    administrators:
      - {name: Hemlig Admin, email: hemlig.admin@testby.example}
      - {name: Annan Admin, email: annan.admin@testby.example}
    substitute: {name: Sara Ersättare, email: sara.e@testby.example}

party_channels:"""


def _register(tmp_path):
    """The minimal register (TODAY 2026-11-22) with a channel starting on 1 December and
    kommunen-facebook closing on 30 November."""
    text = MINIMAL.read_text(encoding="utf-8").replace("\nparty_channels:", "\n" + PLANNED, 1)
    text = text.replace("    start_date: 2020-01-01\n", "    start_date: 2020-01-01\n    closing_date: 2026-11-30\n")
    path = tmp_path / "channels.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _text(node) -> str:
    return " ".join(node.get_text().split())


def _build(path, out, today: dt.date):
    r = run_cli("build", "-r", str(path), "--out", str(out), "--today", today.isoformat())
    assert r.code == 0, r.err


def test_before_the_days_the_site_says_planned_and_closing(tmp_path):
    path, out = _register(tmp_path), tmp_path / "site"
    _build(path, out, TODAY)
    page = soup(out / "kanal" / "bibliotek-tiktok.html")
    verdict = page.select_one("p.verdict")
    assert "planned" in verdict["class"] and "official" not in verdict["class"]
    assert _text(verdict).startswith("Kontot är planerat och startar den 1 december 2026.")
    assert verdict.time["datetime"] == "2026-12-01"
    index = soup(out / "index.html")
    assert _text(index.find("tr", id="bibliotek-tiktok").select_one(".planned")) == \
        "Planerad: startar den 1 december 2026"
    closing = soup(out / "kanal" / "kommunen-facebook.html")
    verdict = closing.select_one("p.verdict")
    assert "official" in verdict["class"]
    assert "Kontot avslutas den 30 november 2026." in _text(verdict)
    assert "avslutat" not in _text(closing.select_one("main") or closing)
    facts = {_text(dt_): _text(dt_.find_next_sibling("dd")) for dt_ in closing.select("dl.facts dt")}
    assert facts["Avslutas"] == "30 november 2026" and "Avslutad" not in facts
    assert _text(index.find("tr", id="kommunen-facebook").select_one(".closing")) == \
        "Avslutas den 30 november 2026"
    assert soup(out / "avslutade.html").find("tr", id="kommunen-facebook") is None
    log = [_text(li) for li in soup(out / "andringslogg.html").select("ol.changelog li")]
    assert not [t for t in log if "Testby bibliotek" in t]  # not yet started: no "Ny kanal"
    assert not [t for t in log if "Avslutad" in t and "Testby kommun (Facebook)" in t]
    assert not [t for t in log if "2026-12" in t or "december 2026" in t]
    script = (out / "kontrollera-data.js").read_text(encoding="utf-8")
    data = json.loads(script.split(" = ", 1)[1].rstrip().rstrip(";"))
    by_id = {c["id"]: c for c in data["channels"]}
    assert by_id["bibliotek-tiktok"]["starts"] == "1 december 2026"
    assert "starts" not in by_id["skolan-instagram"]


def test_after_the_days_the_same_output_folder_tells_the_new_truth(tmp_path):
    path, out = _register(tmp_path), tmp_path / "site"
    _build(path, out, TODAY)  # fills the build cache, which must not keep the planned pages
    later = dt.date(2026, 12, 5)
    r = run_cli("check", "-r", str(path), "--today", later.isoformat(), "--format", "json")
    [err] = [d for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error"]
    assert err["code"] == "rule.active-closed" and err["path"] == "channels[0] (kommunen-facebook).closing_date"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    status: active\n    start_date: 2020-01-01\n", "    status: closed\n    start_date: 2020-01-01\n", 1)
        .replace("    last_archived: 2026-06-30\n", "    last_archived: 2026-11-29\n", 1), encoding="utf-8")
    _build(path, out, later)
    verdict = soup(out / "kanal" / "bibliotek-tiktok.html").select_one("p.verdict")
    assert "official" in verdict["class"] and "planerat" not in _text(verdict)
    assert soup(out / "index.html").find("tr", id="bibliotek-tiktok").select_one(".planned") is None
    log = [_text(li) for li in soup(out / "andringslogg.html").select("ol.changelog li")]
    assert "1 december 2026: Ny kanal Testby bibliotek (TikTok), Kultur- och fritidsförvaltningen." in log
    assert any(t.startswith("30 november 2026: Avslutad Testby kommun (Facebook)") for t in log)
    assert "Kontot är avslutat sedan 30 november 2026" in _text(soup(out / "kanal" / "kommunen-facebook.html"))


@pytest.mark.parametrize(("edit", "code", "field"), [
    (("    status: active\n    start_date: 2020-01-01\n",
      "    status: closed\n    start_date: 2020-01-01\n    closing_date: 2026-11-30\n"), "rule.future-date",
     "closing_date"),
    (("    start_date: 2020-01-01\n", "    start_date: 2020-01-01\n    closing_date: 2026-11-21\n"),
     "rule.active-closed", "closing_date"),
    (("    start_date: 2020-01-01\n", "    start_date: 2020-01-01\n    last_changed: 2026-11-23\n"
      "    change_note: Ny profilbild.\n"), "rule.future-date", "last_changed"),
    (("    approved_on: 2019-12-01\n", "    approved_on: 2026-12-24\n"), "rule.future-date", "approved_on"),
    (("    last_archived: 2026-06-30\n", "    last_archived: 2027-01-01\n"), "rule.future-date", "last_archived"),
    (("    last_activity: 2026-11-01\n", "    last_activity: 2026-11-23\n"), "rule.future-date", "last_activity"),
])
def test_a_future_date_that_cannot_be_is_an_error_at_its_line(write, edit, code, field):
    text = MINIMAL.read_text(encoding="utf-8").replace(*edit, 1)
    r = run_cli("check", "-r", str(write(text)), "--today", TODAY.isoformat(), "--format", "json")
    assert r.code == 1
    [d] = [d for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error" and d["code"].startswith("rule.")]
    assert (d["code"], d["path"]) == (code, f"channels[0] (kommunen-facebook).{field}")
    assert text.splitlines()[d["line"] - 1].strip().startswith(f"{field}:")


def test_the_same_dates_on_the_day_itself_are_fine(write):
    text = MINIMAL.read_text(encoding="utf-8").replace("    approved_on: 2019-12-01\n",
                                                       f"    approved_on: {TODAY.isoformat()}\n", 1)
    assert run_cli("check", "-r", str(write(text)), "--today", TODAY.isoformat()).code == 0
