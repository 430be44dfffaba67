"""``kanalregister form`` (issue 18, point 7): the page is made from the schema, works from disk
in a real browser (Debian's Chromium through Playwright), is filled with the keyboard alone,
refuses bad answers at the field they belong to, and produces an entry that ``check`` and
``fmt --check`` accept once pasted where the page says."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import MINIMAL, TODAY, run_cli
from test_browser import AXE, AXE_TAGS

from kanalregister.register.editor import json_schema
from kanalregister.register.policy import Policy
from kanalregister.register.schema import table

REPO = "https://github.com/testby/kanaler"


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, Path]:
    """(the register, formatted by fmt; the form made from it) in a fresh folder."""
    folder = tmp_path_factory.mktemp("form")
    register = folder / "channels.yaml"
    shutil.copy(MINIMAL, register)
    assert run_cli("fmt", "-r", str(register)).code == 0
    out = folder / "kanalformular.html"
    r = run_cli("form", "-r", str(register), "-o", str(out), "--repo", REPO, "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    return register, out


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _data(soup: BeautifulSoup) -> dict:
    return json.loads(soup.find("script", id="form-data").string)


# --- made from the schema -----------------------------------------------------------------

def test_every_channel_field_of_the_schema_is_asked_with_its_title(made):
    soup = _soup(made[1])
    for f in table("channel").fields:
        el = soup.find(id=f"f-{f.name}")
        assert el is not None, f"{f.name} is not in the form"
        if f.type in ("array", "object"):
            assert el.name == "fieldset" and el.legend.get_text().startswith(f.title)
            for p in table("person").fields:
                assert el.find("input", attrs={"data-sub": p.name}) is not None
        else:
            label = soup.find("label", attrs={"for": f"f-{f.name}"})
            assert label is not None and label.get_text().startswith(f.title)
        if f.enum:
            assert [o["value"] for o in el.find_all("option") if o["value"]] == list(f.enum)


def test_the_checks_in_the_page_are_the_editor_schema_and_the_policy(made):
    data = _data(_soup(made[1]))
    js = json_schema()
    assert data["schema"] == js["properties"]["channels"]["items"]
    assert data["person"] == js["$defs"]["person"]
    assert data["minAdministrators"] == Policy().param("administrators", "minimum")
    # the guidelines' demands, found by running the policy itself: an active channel needs its
    # kontoansvarig, contact, syfte, målgrupp, approval, administrators and ersättare
    assert set(data["required"]["active"]) == {"responsible_role", "contact_email", "purpose", "target_groups",
                                               "approved_by", "approved_on", "administrators", "substitute"}
    assert "last_archived" in data["required"]["closed"] and "substitute" not in data["required"]["closed"]
    assert data["ids"] == ["gamla-x", "kommunen-facebook", "skolan-instagram"]


def test_a_policy_that_turns_a_rule_off_no_longer_requires_its_fields(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace("channels:\n", "policy:\n  substitute: off\n"
                                                       "  administrators: {minimum: 3}\n\nchannels:\n", 1)
    register = tmp_path / "channels.yaml"
    register.write_text(text, encoding="utf-8")
    out = tmp_path / "f.html"
    assert run_cli("form", "-r", str(register), "-o", str(out), "--today", TODAY.isoformat()).code == 0
    data = _data(_soup(out))
    assert "substitute" not in data["required"]["active"] and "approved_by" in data["required"]["active"]
    assert data["minAdministrators"] == 3
    assert len(_soup(out).find(id="f-administrators").find_all(attrs={"data-person-row": "administrators"})) == 3


def test_values_from_the_register_are_escaped(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace("Barn- och utbildningsförvaltningen",
                                                       "Barn & <b>utbildning</b>")
    register = tmp_path / "channels.yaml"
    register.write_text(text, encoding="utf-8")
    out = tmp_path / "f.html"
    assert run_cli("form", "-r", str(register), "-o", str(out)).code == 0
    soup = _soup(out)
    assert soup.find("b") is None
    assert "Barn & <b>utbildning</b>" in [o["value"] for o in soup.find(id="departments").find_all("option")]


def test_a_register_with_errors_is_refused_with_a_message(tmp_path):
    register = tmp_path / "channels.yaml"
    register.write_text(MINIMAL.read_text(encoding="utf-8").replace("platform: x\n", "platform: xx\n"),
                        encoding="utf-8")
    r = run_cli("form", "-r", str(register), "-o", str(tmp_path / "f.html"))
    assert r.code == 1 and "kanalregister check" in r.err and "Traceback" not in r.err
    assert not (tmp_path / "f.html").exists()


@pytest.mark.parametrize(("args", "link"), [
    (["--repo", "https://github.com/org/reg"], "https://github.com/org/reg/edit/main/minimal.yaml"),  # the file's name
    (["--repo", "https://gitlab.com/kommun/reg.git", "--branch", "master"],
     "https://gitlab.com/kommun/reg/-/edit/master/minimal.yaml"),
    (["--repo", "https://git.kommun.se/kom/reg", "--gitlab", "--path", "data/kanaler.yaml"],
     "https://git.kommun.se/kom/reg/-/edit/main/data/kanaler.yaml"),
])
def test_the_link_opens_the_register_in_the_web_editor(tmp_path, args, link):
    out = tmp_path / "f.html"
    assert run_cli("form", "-r", str(MINIMAL), "-o", str(out), *args).code == 0
    assert _soup(out).find("a", id="pr")["href"] == link


def test_without_a_repository_the_page_offers_the_yaml_only(tmp_path):
    out = tmp_path / "f.html"
    assert run_cli("form", "-r", str(MINIMAL), "-o", str(out)).code == 0
    assert _soup(out).find("a", id="pr") is None


# --- in the browser -------------------------------------------------------------------------

@pytest.fixture
def page(browser, made):
    ctx = browser.new_context(viewport={"width": 1000, "height": 900}, locale="sv-SE")
    pg = ctx.new_page()
    requests: list[str] = []
    pg.on("request", lambda req: requests.append(req.url))
    pg.goto(made[1].as_uri())
    yield pg
    ctx.close()
    assert all(u.startswith(("file:", "data:")) for u in requests), requests  # nothing from the network


def _type(page, field: str, text: str) -> None:
    """Focus a field and type into it with the keyboard (select all first: replaces)."""
    page.focus(f"#f-{field}")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    if text:
        page.keyboard.type(text)


def _error(page, field: str) -> str:
    return page.locator(f"#e-{field}").inner_text().strip()


def _submit(page) -> None:
    page.focus("#submit")
    page.keyboard.press("Enter")


GOOD = {
    "url": "https://www.tiktok.com/@testbyskola",
    "handle": "testbyskola",
    "name": "Testby skola på TikTok",
    "unit": "Skolan",
    "responsible_role": "Rektor",
    "contact_email": "skolan@testby.example",
    "administrators-0-name": "Doris Drift",
    "administrators-0-email": "doris.drift@testby.example",
    "administrators-1-name": "Erik Ekonom",
    "administrators-1-email": "erik.ekonom@testby.example",
    "administrators-1-phone": "0123-45 01 09",
    "substitute-name": "Frida Fri",
    "substitute-email": "frida.fri@testby.example",
    "approved_by": "Skolchef",
    "approved_on": "2026-10-01",
    "target_groups": "Elever; Vårdnadshavare",
    "languages": "sv",
    "monitoring": "Skoldagar, svar inom 48 timmar",
    "start_date": "2026-11-01",
    "last_archived": "2026-11-15",
}


def test_fill_by_keyboard_see_errors_then_the_entry_passes_check(page, made, tmp_path):
    register = made[0]
    # a bad answer of each kind: an address on another platform's host, capitals in the id, no syfte
    page.focus("#f-platform")
    page.keyboard.type("tiktok")  # a select takes the typed option
    assert page.locator("#f-platform").input_value() == "tiktok"
    _type(page, "url", "https://www.instagram.com/testbyskola")
    _type(page, "department", "Barn- och utbildningsförvaltningen")
    for field, text in GOOD.items():
        if field != "url":
            _type(page, field, text)
    assert page.locator("#f-id").input_value() == "skolan-tiktok"  # proposed from the unit and the platform
    _type(page, "id", "Skolan-TikTok")
    _submit(page)

    assert page.locator("#summary").is_visible()
    assert page.evaluate("document.activeElement.id") == "summary"
    assert "inte på TikTok" in _error(page, "url") and "tiktok.com" in _error(page, "url")
    assert "små bokstäver" in _error(page, "id")
    assert _error(page, "purpose") == "Svaret saknas: riktlinjerna kräver det för en kanal med status aktiv."
    assert "Syfte: Svaret saknas" in page.locator("#summary").inner_text()
    for field in ("url", "id", "purpose"):
        el = page.locator(f"#f-{field}")
        assert el.get_attribute("aria-invalid") == "true"
        assert f"e-{field}" in el.get_attribute("aria-describedby").split()
    assert _error(page, "name") == "" and page.locator("#f-name").get_attribute("aria-invalid") is None
    assert page.locator("#result").is_hidden()
    # the summary's links lead to the fields, by keyboard
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id").startswith("f-")

    _type(page, "url", GOOD["url"])
    _type(page, "id", "skolan-tiktok")
    _type(page, "purpose", "Visa elever och vårdnadshavare vardagen i Testbys skolor.")
    assert _error(page, "url") == "" and _error(page, "id") == ""  # cleared as they are corrected
    _submit(page)

    assert page.locator("#result").is_visible()
    assert page.evaluate("document.activeElement.id") == "result-h"
    entry = page.locator("#yaml").input_value()
    before = page.locator("#where").get_attribute("data-before")
    assert page.locator("#pr").get_attribute("href") == f"{REPO}/edit/main/channels.yaml"

    lines = register.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index(f"  - id: {before}\n")
    changed = tmp_path / "channels.yaml"
    changed.write_text("".join(lines[:at]) + entry + "".join(lines[at:]), encoding="utf-8")
    r = run_cli("check", "-r", str(changed), "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    assert "4 channels" in r.err
    assert run_cli("fmt", "--check", "-r", str(changed)).code == 0  # in the layout and place fmt writes
    from kanalregister.register.loader import load

    ch = {c.id: c for c in load(str(changed), TODAY).result.register.channels}["skolan-tiktok"]
    assert (ch.platform, ch.url, ch.target_groups, ch.start_date) == (
        "tiktok", GOOD["url"], ("Elever", "Vårdnadshavare"), dt.date(2026, 11, 1))


@pytest.mark.parametrize(("field", "text", "expected"), [
    ("url", "www.tiktok.com/@testbyskola", "https://"),
    ("contact_email", "skolan at testby", "e-postadress"),
    ("start_date", "1/12/2026", "ÅÅÅÅ-MM-DD"),
    ("start_date", "2026-02-30", "riktigt datum"),
    ("hours_per_week", "ca 2", "tal"),
    ("hours_per_week", "200", "från 0 till 168"),
    ("languages", "Svenska", "språkkoder"),
    ("handle", "@testbyskola", "utan @"),
    ("id", "skolan-instagram", "finns redan"),
    ("closing_date", "2026-11-20", "avslutad"),
    ("purpose", "Rad ett\tmed tabb", "osynliga tecken"),
    ("name", "x" * 121, "högst 120 tecken"),
])
def test_a_bad_answer_is_named_at_its_field(page, field, text, expected):
    page.focus("#f-platform")
    page.keyboard.type("tiktok")
    _type(page, field, text)
    page.keyboard.press("Tab")  # leaving the field checks it
    assert expected in _error(page, field)
    assert page.locator(f"#f-{field}").get_attribute("aria-invalid") == "true"


def test_what_is_required_follows_the_status(page):
    def marked():
        return {el.get_attribute("data-req") for el in page.locator("[data-req]").all() if el.is_visible()}

    active = marked()
    assert {"id", "url", "purpose", "substitute", "administrators"} <= active and "closing_date" not in active
    page.focus("#f-status")
    page.keyboard.press("ArrowDown")  # avslutad
    closed = marked()
    assert {"closing_date", "last_archived", "purpose"} <= closed and not {"substitute", "administrators"} & closed


def test_an_error_in_a_person_names_the_person(page):
    _type(page, "administrators-1-email", "erik at testby")
    _submit(page)
    assert "Administratör 2, E-post: Skriv en e-postadress" in page.locator("#summary").inner_text()
    assert "e-postadress" in _error(page, "administrators-1-email")


def test_too_few_administrators_are_refused(page):
    _type(page, "administrators-0-name", "Alva Admin")
    _type(page, "administrators-0-email", "alva@testby.example")
    _submit(page)
    assert "minst 2 administratörer" in _error(page, "administrators")


def test_every_field_is_reached_with_the_tab_key(page):
    page.focus("#f-platform")
    seen = set()
    for _ in range(200):
        seen.add(page.evaluate("document.activeElement.id"))
        if "submit" in seen:
            break
        page.keyboard.press("Tab")
    wanted = {f"f-{f.name}" for f in table("channel").fields if f.type not in ("array", "object")}
    wanted |= {"f-substitute-name", "f-administrators-0-name", "f-administrators-1-email", "add-administrators"}
    assert wanted <= seen


def test_axe_finds_no_violations_in_the_form(browser, made):
    for state in ("empty", "errors", "done"):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        try:
            pg = ctx.new_page()
            pg.goto(made[1].as_uri())
            if state != "empty":
                pg.select_option("#f-platform", "tiktok")
                pg.fill("#f-url", "https://www.instagram.com/x" if state == "errors" else GOOD["url"])
                if state == "done":
                    pg.fill("#f-department", "Barn- och utbildningsförvaltningen")
                    pg.fill("#f-purpose", "Visa vardagen i skolan för elever och vårdnadshavare.")
                    for field, text in GOOD.items():
                        pg.fill(f"#f-{field}", text)
                pg.click("#submit")
                assert pg.locator("#result" if state == "done" else "#summary").is_visible()
            pg.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            result = pg.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        finally:
            ctx.close()
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == [], state


#: Values YAML would misread unless quoted, and text across lines.
TRICKY = {
    "name": "yes",
    "unit": "12:30",
    "responsible_role": "#1 på sociala medier",
    "monitoring": "- alla dagar: svar inom 2 dagar",
    "purpose": "Visa vardagen i skolan, för \"alla\".\nAndra raden: fler ord & tecken.",
    "target_groups": "Elever, unga; Födda 2010-01-01; [Vårdnadshavare]",
    "change_note": "Kontot bytte namn {ny} #2",
    "last_changed": "2026-11-02",
}


def test_what_yaml_would_misread_comes_back_as_written(page, made, tmp_path):
    register = made[0]
    page.select_option("#f-platform", "tiktok")
    page.fill("#f-department", "Barn- och utbildningsförvaltningen")
    for field, text in {**GOOD, **TRICKY, "unit": "Skolan"}.items():
        page.fill(f"#f-{field}", text)
    page.fill("#f-unit", TRICKY["unit"])
    page.fill("#f-id", "skolan-tiktok")
    page.click("#submit")
    entry = page.locator("#yaml").input_value()
    before = page.locator("#where").get_attribute("data-before")
    lines = register.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index(f"  - id: {before}\n")
    changed = tmp_path / "channels.yaml"
    changed.write_text("".join(lines[:at]) + entry + "".join(lines[at:]), encoding="utf-8")
    r = run_cli("check", "-r", str(changed), "--today", TODAY.isoformat())
    assert r.code == 0, r.err + entry
    assert run_cli("fmt", "--check", "-r", str(changed)).code == 0, entry
    from kanalregister.register.loader import load

    ch = {c.id: c for c in load(str(changed), TODAY).result.register.channels}["skolan-tiktok"]
    for field in ("name", "unit", "responsible_role", "monitoring", "purpose", "change_note"):
        assert getattr(ch, field) == TRICKY[field], field
    assert ch.target_groups == ("Elever, unga", "Födda 2010-01-01", "[Vårdnadshavare]")
    assert ch.last_changed == dt.date(2026, 11, 2)


def test_nu_html_checker_reports_no_errors_in_the_form(made):
    from test_browser import VNU

    java = shutil.which("java")
    assert java is not None and VNU.exists(), "java and vnu-jar (npm ci) are needed"
    p = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--errors-only", str(made[1])],
                       capture_output=True, text=True, timeout=300)
    messages = json.loads(p.stderr or '{"messages": []}')["messages"]
    assert [(m.get("lastLine"), m["message"]) for m in messages if m["type"] == "error"] == []
