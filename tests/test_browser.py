"""The public pages in a real browser (Debian's Chromium, driven by Playwright) and the
Nu Html Checker: accessibility (axe-core, WCAG 2.1 A/AA), valid HTML, the verification page,
filtering, no third-party requests or cookies, reflow at 320 px, focus, print, screenshots.

These tests never skip: in CI a missing browser or Java is a failure (.ci/run installs them).
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SHOTS = ROOT / "tests" / "out" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Every page type, and the states of the interactive ones.
PAGES = {
    "index": "index.html",
    "index-filtered": "index.html?plattform=instagram&malgrupp=Unga%20vuxna",
    "channel-active": "kanal/kommunen-mastodon.html",
    "channel-closed": "kanal/twitter-gamla.html",
    "parties": "partier.html",
    "closed": "avslutade.html",
    "public-records": "allmanna-handlingar.html",
    "open-data": "oppna-data.html",
    "change-log": "andringslogg.html",
    "verify": "kontrollera.html",
    "verify-official": "kontrollera.html?konto=https%3A%2F%2Fm.facebook.com%2Fexempelbykommun%2F",
    "verify-unknown": "kontrollera.html?konto=https%3A%2F%2Fwww.facebook.com%2Fexempelbykommun1",
    "verify-closed": "kontrollera.html?konto=https%3A%2F%2Fx.com%2Fexempelbykommun_old",
    "verify-party": "kontrollera.html?konto=https%3A%2F%2Fwww.facebook.com%2Fexempelpartiet.exempelby",
    "accessibility-statement": "tillganglighet.html",
    "fragment-in-cms": "cms-test.html",
}
#: The same pages in English (issue 17): every check on PAGES runs on them too.
PAGES.update({f"en-{name}": f"en/{path}" for name, path in list(PAGES.items()) if name != "fragment-in-cms"})


@pytest.fixture(scope="module")
def site(demo_site, tmp_path_factory) -> Path:
    """A copy of the demo site plus a page that embeds the fragment as a CMS would."""
    root = tmp_path_factory.mktemp("browser") / "site"
    shutil.copytree(demo_site, root)
    fragment = (root / "forteckning-fragment.html").read_text(encoding="utf-8")
    (root / "cms-test.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Kommunens CMS-sida</title>"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head><body><main>"
        f"<h1>Våra kanaler i sociala medier</h1>\n{fragment}</main></body></html>\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def base_url(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    pg = ctx.new_page()
    yield pg
    ctx.close()


# --- accessibility ---------------------------------------------------------------------------

def _axe(browser, url: str, width: int) -> list[dict]:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci`")
    ctx = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    try:
        pg = ctx.new_page()
        pg.goto(url)
        pg.wait_for_load_state("load")
        pg.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = pg.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    finally:
        ctx.close()
    return result


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_axe_finds_no_violations(browser, base_url, name, width):
    result = _axe(browser, base_url + PAGES[name], width)
    problems = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == []
    assert len(result["passes"]) > 10  # the rules really ran


def test_axe_catches_a_real_violation(browser, base_url, site):
    (site / "broken.html").write_text("<!DOCTYPE html><html><head><title>x</title></head><body>"
                                      "<img src='x.png'><a href='#'></a></body></html>", encoding="utf-8")
    ids = {v["id"] for v in _axe(browser, base_url + "broken.html", 1280)["violations"]}
    assert {"html-has-lang", "image-alt", "link-name"} <= ids


def test_axe_rules_cover_the_required_tags(browser, base_url):
    ctx = browser.new_context(bypass_csp=True)
    pg = ctx.new_page()
    pg.goto(base_url + "index.html")
    pg.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    rules = pg.evaluate("tags => axe.getRules(tags).map(r => r.ruleId)", AXE_TAGS)
    ctx.close()
    assert {"color-contrast", "document-title", "html-has-lang", "label", "link-name", "image-alt"} <= set(rules)
    out = ROOT / "tests" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "axe-rules.txt").write_text("\n".join(sorted(rules)) + "\n", encoding="utf-8")


# --- valid HTML ------------------------------------------------------------------------------

def test_nu_html_checker_reports_no_errors(site):
    if not VNU.exists():
        pytest.fail("vnu-jar is missing: run `npm ci`")
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: install a Java runtime (see .ci/run)")
    pages = sorted(str(p) for p in site.rglob("*.html") if p.name not in ("forteckning-fragment.html",
                                                                           "broken.html"))
    assert len(pages) > 35
    p = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--errors-only", *pages],
                       capture_output=True, text=True, timeout=600)
    messages = json.loads(p.stderr or "{\"messages\": []}")["messages"]
    errors = [(Path(m.get("url", "")).name, m.get("lastLine"), m["message"]) for m in messages if m["type"] == "error"]
    assert errors == []
    # the checker really checks: a broken page gets errors
    bad = site / "vnu-bad.html"
    bad.write_text("<!DOCTYPE html><html lang=sv><head></head><body><p><div></p></body></html>", encoding="utf-8")
    p = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--errors-only", str(bad)],
                       capture_output=True, text=True, timeout=120)
    assert any(m["type"] == "error" for m in json.loads(p.stderr)["messages"])
    bad.unlink()


# --- the verification page -------------------------------------------------------------------

VARIANTS = [
    # (input, verdict, channel id or None)
    ("https://www.facebook.com/exempelbykommun", "official", "kommunen-facebook"),
    ("http://facebook.com/exempelbykommun", "official", "kommunen-facebook"),
    ("https://m.facebook.com/ExempelbyKommun/?ref=share", "official", "kommunen-facebook"),
    ("https://mobile.facebook.com/exempelbykommun/", "official", "kommunen-facebook"),
    ("facebook.com/exempelbykommun/about", "official", "kommunen-facebook"),
    ("https://www.facebook.com/profile.php?id=100064000000001", "official", "kommunen-facebook"),
    ("https://web.facebook.com/profile.php?id=100064000000001&sk=about", "official", "kommunen-facebook"),
    ("https://www.facebook.com/pages/Exempelby-kommun/100064000000001", "official", "kommunen-facebook"),
    ("https://www.facebook.com/Exempelby-kommun-100064000000001", "official", "kommunen-facebook"),
    ("https://x.com/exempelby", "official", "kommunen-x"),
    ("https://twitter.com/exempelby", "official", "kommunen-x"),
    ("https://mobile.twitter.com/Exempelby?lang=sv", "official", "kommunen-x"),
    ("www.x.com/exempelby/status/1234567890", "official", "kommunen-x"),
    ("@exempelby", "official", "kommunen-x"),
    ("exempelby", "official", "kommunen-x"),
    ("https://www.youtube.com/@ExempelbyKommun/videos", "official", "kommunen-youtube"),
    ("https://m.youtube.com/channel/UCx3mp3lbyK0mmun0000ExAm", "official", "kommunen-youtube"),
    ("https://www.youtube.com/user/exempelbykommun", "official", "kommunen-youtube"),
    ("https://www.instagram.com/bibliotekenexempelby/reels/", "official", "bibliotek-instagram"),
    ("https://se.linkedin.com/company/exempelby-kommun/", "official", "kommunen-linkedin"),
    ("@kommunen@social.exempelby.example", "official", "kommunen-mastodon"),
    ("https://social.exempelby.example/@kommunen", "official", "kommunen-mastodon"),
    ("HTTPS://WWW.TIKTOK.COM/@EXEMPELBYGYMNASIUM", "official", "gymnasiet-tiktok"),
    ("https://x.com/exempelbykommun_old", "closed", "twitter-gamla"),
    ("https://www.facebook.com/exempelpartiet.exempelby", "party", None),
    ("https://www.facebook.com/exempelbykommun1", "unknown", "kommunen-facebook"),  # look-alike: near match shown
    ("https://www.faceb00k.com/exempelbykommun", "unknown", None),
    ("@exempeIbykommun", "unknown", None),
    ("https://x.com/exempelby_official", "unknown", None),
    ("https://www.youtube.com/c/exempelbykommun", "official", "kommunen-youtube"),  # /c/, /user/ and @ name one account
    ("https://www.youtube.com/channel/ucx3mp3lbyk0mmun0000exam", "unknown", None),  # channel ids keep their case
    ("https://www.facebook.com/profile.php?id=100064000000002", "unknown", None),
    # issue 16: platforms whose addresses name the account after a fixed word, and other spellings
    ("https://www.flickr.com/photos/exempelbykommun/", "official", "flickr-arkiv"),
    ("https://www.flickr.com/people/exempelbykommun/", "official", "flickr-arkiv"),
    ("https://www.flickr.com/photos/exempelby_fake/", "unknown", None),
    ("https://www.flickr.com/people/anyone-at-all/", "unknown", None),
    ("https://www.snapchat.com/add/tornetexempelby", "closed", "ungdomsgarden-snapchat"),
    ("https://www.snapchat.com/add/someone_else", "unknown", None),
    ("https://x.com/@exempelby", "official", "kommunen-x"),
    ("https://twitter.com/intent/user?screen_name=exempelby", "official", "kommunen-x"),
    ("https://twitter.com/intent/user?screen_name=someone_else", "unknown", None),
    ("https://www.instagram.com/@bibliotekenexempelby", "official", "bibliotek-instagram"),
    ("https://www.instagram.com/stories/bibliotekenexempelby/3456789012345678901/", "official",
     "bibliotek-instagram"),
    ("javascript:alert(1)", "unknown", None),
    ("<img src=x onerror=alert(1)>", "unknown", None),
]


@pytest.fixture(scope="module")
def demo_register():
    from conftest import DEMO, TODAY, load_register

    return load_register(DEMO, today=TODAY)[0]


@pytest.mark.parametrize("query,verdict,channel", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_verification(page, base_url, demo_register, query, verdict, channel):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base_url + "kontrollera.html")
    page.fill("#konto", query)
    page.click("#kontroll button[type=submit]")
    answer = page.locator("#svar .answer")
    answer.wait_for()
    assert verdict in answer.get_attribute("class").split()
    text = answer.inner_text()
    links = [a.get_attribute("href") for a in answer.locator("a").all()]
    c = next((x for x in demo_register.channels if x.id == channel), None)
    if verdict == "official":
        assert text.startswith("Ja: officiellt konto för Exempelby kommun")
        assert f"kanal/{channel}.html" in links
        # who runs it, the official address that matched, the contact as a link
        assert f"Drivs av {c.department}" in text
        matched = answer.locator("a.matched").first.get_attribute("href")
        assert matched in (c.url, *c.aliases)
        assert f"mailto:{c.contact_email or demo_register.organisation.email}" in links
        from kanalregister.register.identity import query_key

        if query_key(query).startswith("handle:"):  # a handle alone: the answer names the platform
            assert f"officiellt konto på {c.platform_label}" in text and "Klistra in hela adressen" in text
    elif verdict == "unknown":
        assert text.startswith("Finns inte i förteckningen")
        assert "mailto:kommun@exempelby.example" in links
        assert demo_register.organisation.register_keeper in text  # who keeps the register
        assert (f"kanal/{channel}.html" in links) == (channel is not None)
    elif verdict == "closed":
        assert text.startswith("Nej: kontot är avslutat") and f"kanal/{channel}.html" in links
        assert "Någon annan kan ha tagit över det" in text
        retired = answer.locator(".retired-address")
        assert retired.inner_text() == c.url and c.url not in links  # text, not a link
    else:
        assert "Exempelpartiet" in text and "inte Exempelby kommuns" in text
    assert dialogs == []
    assert "konto=" in page.url  # the answer can be linked


def test_verification_without_javascript_shows_the_full_list(browser, base_url, demo_site):
    from conftest import DEMO, TODAY, load_register

    register, _ = load_register(DEMO, today=TODAY)
    ctx = browser.new_context(java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(base_url + "kontrollera.html")
    assert not pg.locator("#kontroll").is_visible()
    assert pg.locator("#utan-javascript").is_visible()
    addresses = pg.locator("td.address").all_inner_texts()
    assert len(addresses) == len(register.active)
    assert all(c.url in "\n".join(addresses) for c in register.active)
    pg.goto(base_url + "index.html?plattform=instagram")
    rows = pg.locator("tr[data-platform]")
    assert rows.count() == len(register.active) and all(r.is_visible() for r in rows.all())
    assert not pg.locator("#filter").is_visible()
    ctx.close()


# --- filtering -------------------------------------------------------------------------------

def test_filter_by_platform_department_and_target_group(page, base_url):
    page.goto(base_url + "index.html")
    total = page.locator("tr[data-platform]").count()
    page.select_option("#filter-plattform", "instagram")
    visible = page.locator("tr[data-platform]:visible")
    assert 0 < visible.count() < total
    assert all(r.get_attribute("data-platform") == "instagram" for r in visible.all())
    assert "plattform=instagram" in page.url
    page.select_option("#filter-forvaltning", "Kultur- och fritidsförvaltningen")
    assert all(r.get_attribute("data-department") == "Kultur- och fritidsförvaltningen"
               for r in page.locator("tr[data-platform]:visible").all())
    assert page.locator("section.department:visible").count() == 1
    status = page.locator("#filter-status").inner_text()
    assert status == f"Visar {page.locator('tr[data-platform]:visible').count()} av {total} kanaler."
    linked, shown = page.url, page.locator("tr[data-platform]:visible").count()
    page.goto(base_url + "index.html")
    assert page.locator("tr[data-platform]:visible").count() == total
    page.goto(linked)  # a filtered view can be linked
    assert page.locator("#filter-plattform").input_value() == "instagram"
    assert page.locator("#filter-forvaltning").input_value() == "Kultur- och fritidsförvaltningen"
    assert page.locator("tr[data-platform]:visible").count() == shown
    page.click("#filter button[type=reset]")
    page.wait_for_function("n => document.querySelectorAll('tr[data-platform]:not([hidden])').length === n",
                           arg=total)
    page.goto(base_url + "index.html?malgrupp=Seniorer")
    groups = [json.loads(r.get_attribute("data-groups")) for r in page.locator("tr[data-platform]:visible").all()]
    assert groups and all("Seniorer" in g for g in groups)


# --- privacy: no third-party requests, no cookies -----------------------------------------------

def test_no_request_leaves_the_site_and_no_cookies(browser, base_url):
    ctx = browser.new_context()
    pg = ctx.new_page()
    requests, errors = [], []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in PAGES.values():
        pg.goto(base_url + path)
        pg.wait_for_load_state("networkidle")
    assert requests and all(u.startswith(base_url) for u in requests), [u for u in requests
                                                                       if not u.startswith(base_url)]
    assert ctx.cookies() == []
    assert errors == []  # including Content-Security-Policy violations
    ctx.close()


def test_every_page_has_a_content_security_policy(site):
    from bs4 import BeautifulSoup

    for p in site.rglob("*.html"):
        if p.name in ("forteckning-fragment.html", "cms-test.html", "broken.html"):
            continue
        meta = BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").find(
            "meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta and "default-src 'none'" in meta["content"] and "script-src 'self'" in meta["content"], p


# --- layout: reflow, focus, print, screenshots ---------------------------------------------------

@pytest.mark.parametrize("name", [n for n in sorted(PAGES) if n != "fragment-in-cms"])
def test_reflow_at_320_css_pixels(browser, base_url, name):
    ctx = browser.new_context(viewport={"width": 320, "height": 640})
    pg = ctx.new_page()
    pg.goto(base_url + PAGES[name])
    assert pg.evaluate("document.scrollingElement.scrollWidth") <= 320
    ctx.close()


def test_skip_link_and_visible_focus(page, base_url):
    page.goto(base_url + "index.html")
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")
    page.wait_for_function("document.activeElement && document.activeElement.className === 'skip'", timeout=5000)
    box = page.locator("a.skip").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 10
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main'", timeout=5000)  # a timeout fails the test
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_print_stylesheet(page, base_url):
    page.goto(base_url + "index.html")
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.toc')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('#filter')).display") == "none"
    after = page.evaluate("getComputedStyle(document.querySelector('td[data-label=Kanal] a'), '::after').content")
    assert "https://" in after


def test_lang_is_swedish_and_english_under_en(page, base_url):
    for path in PAGES.values():
        page.goto(base_url + path)
        assert page.evaluate("document.documentElement.lang") == ("en" if path.startswith("en/") else "sv")


#: (input, verdict, the answer's first words on the English page)
VARIANTS_EN = [
    ("https://www.facebook.com/exempelbykommun", "official", "Yes: an official account of Exempelby kommun"),
    ("https://x.com/exempelbykommun_old", "closed", "No: the account has been closed since 31 December 2014 and"),
    ("https://www.facebook.com/exempelpartiet.exempelby", "party", "No: it is a channel of Exempelpartiet"),
    ("https://www.facebook.com/exempelbykommun1", "unknown", "Not in the register."),
]


@pytest.mark.parametrize("query,verdict,start", VARIANTS_EN, ids=[v[1] for v in VARIANTS_EN])
def test_verification_in_english(page, base_url, query, verdict, start):
    """The English verify page answers in English (its script's texts come from the page), with
    links to the English channel pages."""
    page.goto(base_url + "en/kontrollera.html")
    page.fill("#konto", query)
    page.click("#kontroll button[type=submit]")
    answer = page.locator("#svar .answer")
    answer.wait_for()
    assert verdict in answer.get_attribute("class").split()
    text = answer.inner_text()
    assert text.startswith(start), text
    for swedish in ("Ja:", "Nej:", "Finns inte", "officiellt", "Kontakta", "Ansvarig", " på "):
        assert swedish not in text, (swedish, text)
    for a in answer.locator("a").all():
        href = a.get_attribute("href")
        if not href.startswith(("mailto:", "https://")):  # the official address that matched is a link too
            assert href.startswith("kanal/") and page.evaluate("h => new URL(h, location.href).pathname", href) \
                .startswith("/en/kanal/")
    if verdict == "official":
        assert "Run by " in text and "Official address: " in text and "Contact: " in text


def test_filter_status_in_english(page, base_url):
    page.goto(base_url + "en/index.html")
    total = page.locator("tr[data-platform]").count()
    page.select_option("#filter-plattform", "instagram")
    shown = page.locator("tr[data-platform]:visible").count()
    assert page.locator("#filter-status").inner_text() == f"Showing {shown} of {total} channels."


def test_language_switch_leads_to_the_twin_and_back(page, base_url):
    for path in ("kanal/kommunen-mastodon.html", "kontrollera.html", "index.html"):
        page.goto(base_url + path)
        page.click("nav.languages a[hreflang=en]")
        assert page.url == base_url + "en/" + path
        assert page.evaluate("document.documentElement.lang") == "en"
        page.click("nav.languages a[hreflang=sv]")
        assert page.url == base_url + path


def test_screenshots_for_review(browser, base_url):
    SHOTS.mkdir(parents=True, exist_ok=True)
    made = []
    for name, path in (("index", "index.html"), ("kontrollera", PAGES["verify-official"]),
                       ("kontrollera-okant", PAGES["verify-unknown"])):
        for width in (1280, 320):
            ctx = browser.new_context(viewport={"width": width, "height": 900})
            pg = ctx.new_page()
            pg.goto(base_url + path)
            out = SHOTS / f"{name}-{width}.png"
            pg.screenshot(path=str(out), full_page=True)
            ctx.close()
            assert out.stat().st_size > 10_000
            made.append(out.name)
    assert len(made) == 6


# --- dates ahead (issue 18) ------------------------------------------------------------------

def test_verification_tells_a_planned_start_and_a_planned_closing(browser, tmp_path):
    from conftest import TODAY, run_cli
    from test_dates import _register

    out = tmp_path / "site"
    r = run_cli("build", "-r", str(_register(tmp_path)), "--out", str(out), "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ctx = browser.new_context()
    try:
        pg = ctx.new_page()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for query, told in (("https://www.tiktok.com/@testbybibliotek", "Kontot är planerat och startar den "
                                                                        "1 december 2026."),
                            ("https://www.facebook.com/testbykommun", "Kontot avslutas den 30 november 2026.")):
            pg.goto(base + "kontrollera.html")
            pg.fill("#konto", query)
            pg.click("#kontroll button[type=submit]")
            answer = pg.locator("#svar .answer")
            answer.wait_for()
            assert "official" in answer.get_attribute("class").split()
            assert told in answer.inner_text()
            assert "avslutat" not in answer.inner_text()
        for path in ("index.html", "kanal/bibliotek-tiktok.html", "kanal/kommunen-facebook.html"):
            result = _axe(browser, base + path, 1280)
            assert result["violations"] == [], (path, [v["id"] for v in result["violations"]])
    finally:
        ctx.close()
        server.shutdown()
        server.server_close()
