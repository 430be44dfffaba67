"""The public pages, parsed as a reader would see them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from conftest import DEMO, TODAY, load_register, run_cli, soup


@pytest.fixture(scope="module")
def demo():
    register, _ = load_register(DEMO, today=TODAY)
    return register


def _text(el) -> str:
    return " ".join(el.get_text(" ").split())


def test_index_groups_every_active_channel_under_its_department(demo_site, demo):
    page = soup(demo_site / "index.html")
    sections = page.select("section.department")
    assert [_text(s.h2) for s in sections] == sorted({c.department for c in demo.active},
                                                     key=lambda d: d.lower().replace("å", "z{"))
    seen = set()
    for s in sections:
        department = _text(s.h2)
        for row in s.select("tbody tr"):
            c = next(c for c in demo.active if c.id == row["id"])
            assert c.department == department
            cells = {td["data-label"]: td for td in row.find_all("td")}
            link = cells["Kanal"].find("a")
            assert link["href"] == c.url and _text(link) == c.name
            assert _text(cells["Plattform"]) == c.platform_label
            assert c.unit in _text(cells["Ansvarig"]) and c.responsible_role in _text(cells["Ansvarig"])
            assert cells["Ansvarig"].find("a", href=f"mailto:{c.contact_email}")
            assert _text(cells["Syfte"]) == c.purpose
            assert _text(cells["Målgrupp"]) == ", ".join(c.target_groups)
            seen.add(c.id)
    assert seen == {c.id for c in demo.active}
    assert not any(c.id in seen for c in demo.closed)


def test_one_page_per_channel_with_its_facts(demo_site, demo):
    pages = {p.stem for p in (demo_site / "kanal").glob("*.html")}
    assert pages == {c.id for c in demo.channels}
    c = next(c for c in demo.active if c.platform == "instagram")
    page = soup(demo_site / "kanal" / f"{c.id}.html")
    assert "officiellt konto" in _text(page.select_one(".verdict"))
    facts = dict(zip([_text(d) for d in page.select("dl.facts dt")], [_text(d) for d in page.select("dl.facts dd")],
                     strict=True))
    assert facts["Adress"] == c.url
    assert facts["Förvaltning"] == c.department
    assert facts["Syfte"] == c.purpose
    assert facts["Kontoansvarig"] == c.responsible_role


def test_closed_channels_are_listed_apart_with_dates_and_successor(demo_site, demo):
    page = soup(demo_site / "avslutade.html")
    rows = page.select("tbody tr")
    assert [r["id"] for r in rows] == [c.id for c in demo.closed]
    assert len(rows) >= 3
    for r in rows:
        c = next(c for c in demo.closed if c.id == r["id"])
        cells = {td["data-label"]: td for td in r.find_all("td")}
        assert cells["Avslutad"].time["datetime"] == c.closing_date.isoformat()
        if c.successor:
            assert cells["Ersatt av"].a["href"] == f"kanal/{c.successor}.html"
    closed_page = soup(demo_site / "kanal" / f"{demo.closed[0].id}.html")
    assert "avslutat" in _text(closed_page.select_one(".verdict"))


def test_party_page_every_link_carries_the_disclaimer(demo_site, demo):
    page = soup(demo_site / "partier.html")
    items = page.select("section.party li")
    assert len(items) == len(demo.party_channels)
    assert len({p.party for p in demo.party_channels}) >= 5
    for li in items:
        a = li.find("a")
        party = _text(li.find_parent("section").h2)
        assert a["href"] in {p.url for p in demo.party_channels}
        assert f"Åsikterna är {party}s egna" in _text(li)
        assert set(a["rel"]) >= {"noopener", "noreferrer"}


def test_public_records_page_says_messages_are_allmanna_handlingar_and_gives_comment_rules(demo_site):
    page = soup(demo_site / "allmanna-handlingar.html")
    text = _text(page.main)
    assert "är allmänna handlingar" in text
    assert "gallras" in text.lower() or "gallring" in text.lower()
    rules = [_text(li) for li in page.select("main ol li")]
    assert len(rules) == 8
    assert any("förtal" in r for r in rules) and any("reklam" in r for r in rules)
    assert "avpubliceras eller raderas" in text


@pytest.mark.parametrize(("lang", "date", "example"), [
    ("sv", "18 november 2026", "Exempeldata"),
    ("en", "18 November 2026", "Example data"),
])
def test_common_parts_on_every_page(demo_site, lang, date, example):
    pages = sorted(p for p in demo_site.rglob("*.html") if p.name != "forteckning-fragment.html"
                   and (p.relative_to(demo_site).parts[0] == "en") == (lang == "en"))
    assert len(pages) > 30
    for p in pages:
        page = soup(p)
        assert page.html["lang"] == lang
        updated = page.select_one("footer time")
        assert updated["datetime"] == "2026-11-18" and _text(updated) == date
        footer_links = {a["href"].split("/")[-1] for a in page.select("footer nav a")}
        assert {"index.html", "partier.html", "avslutade.html", "allmanna-handlingar.html"} <= footer_links
        for script in page.find_all("script"):  # only our own files, and inert JSON data
            assert script.get("src", "").rsplit("/", 1)[-1] in ("filter.js", "verify.js", "kontrollera-data.js") or (
                script.get("type") == "application/json" and not script.get("src")), script
        assert page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert example in _text(page.select_one(".example-banner"))


def test_all_internal_links_are_relative_and_resolve(demo_site):
    for p in demo_site.rglob("*.html"):
        page = soup(p)
        for tag, attr in (("a", "href"), ("link", "href"), ("img", "src")):
            for el in page.find_all(tag):
                url = el.get(attr)
                if not url or url.startswith(("mailto:", "#")):
                    continue
                parts = urlsplit(url)
                if parts.scheme:
                    assert parts.scheme == "https", url
                    continue
                assert not url.startswith("/"), f"{p}: absolute link {url}"
                target = (p.parent / parts.path).resolve()
                assert target.exists(), f"{p}: broken link {url}"


def test_external_links_are_noopener_noreferrer(demo_site):
    for p in demo_site.rglob("*.html"):
        for a in soup(p).find_all("a", href=re.compile(r"^https://")):
            assert {"noopener", "noreferrer"} <= set(a.get("rel", [])), (p, a["href"])


def test_register_text_is_escaped(tmp_path, minimal_text):
    evil = minimal_text.replace("name: Testby skola", 'name: "<script>alert(1)</script> & <b>skola</b>"')
    evil = evil.replace("purpose: Berätta om skolans vardag för vårdnadshavare.",
                        'purpose: "**fet** [länk](javascript:alert(1)) <img src=x onerror=alert(1)>"')
    src = tmp_path / "channels.yaml"
    src.write_text(evil, encoding="utf-8")
    r = run_cli("build", "-r", str(src), "--out", str(tmp_path / "site"), "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    for name in ("index.html", "kanal/skolan-instagram.html"):
        html = (tmp_path / "site" / name).read_text(encoding="utf-8")
        page = soup(tmp_path / "site" / name)
        assert not [sc for sc in page.find_all("script") if not sc.get("src")]
        assert not page.find("img") and not page.find("b")
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;skola&lt;/b&gt;" in html
        assert "<strong>fet</strong>" not in html and 'href="javascript:' not in html
        assert "**fet** [länk](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt;" in html
    verify = soup(tmp_path / "site" / "kontrollera.html")
    scripts = verify.find_all("script")
    assert [s.get("src") for s in scripts] == ["kontrollera-data.js", "verify.js"]  # nothing escaped out
    import json as _json

    script = (tmp_path / "site" / "kontrollera-data.js").read_text(encoding="utf-8")
    prefix = "window.kanalregisterData = "
    assert script.startswith(prefix) and script.endswith(";\n")
    data = _json.loads(script[len(prefix):-2])
    assert "<script>alert(1)</script> & <b>skola</b>" in {c["name"] for c in data["channels"]}
    assert "</script>" not in script and "<" not in script


def test_channel_page_for_mastodon_has_rel_me(demo_site, demo):
    c = next(c for c in demo.channels if c.platform == "mastodon")
    a = soup(demo_site / "kanal" / f"{c.id}.html").find("a", href=c.url)
    assert "me" in a["rel"]
    other = next(c for c in demo.channels if c.platform == "facebook")
    assert "me" not in soup(demo_site / "kanal" / f"{other.id}.html").find("a", href=other.url)["rel"]


def test_templates_can_be_overridden(tmp_path):
    override = tmp_path / "profil"
    (override / "static").mkdir(parents=True)
    (override / "base.html").write_text(
        (DEMO.parent / "templates" / "base.html").read_text(encoding="utf-8").replace(
            '{% block logo %}', '{% block logo %}<p class="municipality-logo">Vår logga</p>'), encoding="utf-8")
    (override / "static" / "style.css").write_text("body { color: #123456; }\n", encoding="utf-8")
    out = tmp_path / "site"
    r = run_cli("build", "-r", str(DEMO), "--out", str(out), "--templates", str(override), "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    assert _text(soup(out / "index.html").select_one(".municipality-logo")) == "Vår logga"
    assert (out / "style.css").read_text() == "body { color: #123456; }\n"
    # templates not overridden still come from the defaults
    assert soup(out / "partier.html").select("section.party")


def test_a_row_template_that_sets_a_variable_sets_it_for_its_own_row_only(tmp_path, demo):
    """Rows share one template context (render.py); what one row sets must not leak into the next."""
    override = tmp_path / "profil"
    override.mkdir()
    (override / "_channel_row.html").write_text(
        '{% if c.platform == "facebook" %}{% set shown = c.platform_label %}{% endif %}'
        '<tr id="{{ c.id }}"><td class="shown">{{ shown | default("inget") }}</td></tr>\n', encoding="utf-8")
    out = tmp_path / "site"
    r = run_cli("build", "-r", str(DEMO), "--out", str(out), "--templates", str(override), "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    by_id = {c.id: c for c in demo.channels}
    tables = [[(tr["id"], _text(tr.select_one("td.shown"))) for tr in tbody.select("tr")]
              for tbody in soup(out / "index.html").select("tbody")]
    rows = [row for t in tables for row in t]
    assert rows == [(cid, by_id[cid].platform_label if by_id[cid].platform == "facebook" else "inget")
                    for cid, _ in rows]
    assert {cid for cid, _ in rows} == {c.id for c in demo.channels if c.status == "active"}
    # some table has a row that is not on Facebook right after one that is
    assert any(by_id[a].platform == "facebook" != by_id[b].platform
               for t in tables for (a, _), (b, _) in zip(t, t[1:], strict=False))


def test_change_log_page_and_atom_feed(demo_site, demo):
    import feedparser

    from kanalregister.register.model import change_log

    events = change_log(demo)
    items = soup(demo_site / "andringslogg.html").select("ol.changelog li")
    assert len(items) == len(events) > 30
    dates = [li.time["datetime"] for li in items]
    assert dates == sorted(dates, reverse=True)
    changed = [_text(li) for li in items if "Ändrad" in _text(li)]
    assert any("Ansvaret flyttades från trafikenheten" in t for t in changed)
    closed = [li for li in items if "Avslutad" in _text(li)]
    assert len(closed) == len(demo.closed)
    feed = feedparser.parse(str(demo_site / "andringslogg.xml"))
    assert not feed.bozo, feed.bozo_exception
    assert [e.updated[:10] for e in feed.entries] == dates
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    assert feed.entries[0].link.endswith(".html")


def test_embeddable_fragment_has_the_list_without_chrome(demo_site, demo):
    text = (demo_site / "forteckning-fragment.html").read_text(encoding="utf-8")
    frag = soup(demo_site / "forteckning-fragment.html")
    assert not frag.find(["html", "head", "body", "header", "footer", "nav", "script"])
    rows = frag.select("table.kanalregister-channels tbody tr")
    assert len(rows) == len(demo.active)
    hrefs = {a["href"] for a in frag.find_all("a")}
    assert all(h.startswith(("https://", "mailto:")) for h in hrefs)  # works wherever it is embedded
    assert {c.url for c in demo.active} <= hrefs
    assert "Exempeldata" in text
