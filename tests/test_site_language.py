"""The public site in Swedish and English (issue 17, point 4 and the site half of point 5).

- Every site text (``{{ _("…") }}`` in the default templates, ``site_gettext("…")`` in the site
  code) has a non-empty English translation in ``kanalregister/locale/en/LC_MESSAGES/site.po``,
  and the catalogue has no text that nothing uses. The texts are extracted here, from the
  templates themselves (Jinja's Babel extractor) and from the Python code (Babel's).
- Every content page has an English version in ``content/en/`` with a title and a text.
- Every page exists in both languages, links to its twin (``hreflang`` and the language switch),
  and the twin links back; the English pages show no Swedish text from the catalogue.
- The register's own texts: the English text of a field where the register gives one, else the
  Swedish text marked ``lang="sv"``.

``python tests/test_site_language.py --update`` adds the texts the catalogue lacks (with an
empty translation, which the test then reports) and drops those nothing uses.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, TODAY, run_cli, soup

CATALOGUE = ROOT / "kanalregister" / "locale" / "en" / "LC_MESSAGES" / "site.po"
TEMPLATES = ROOT / "templates"
CONTENT = ROOT / "content"
#: The internal report (``kanalregister report --html``) is the tool's, not the site's.
NOT_SITE = {"report.html"}


def extract() -> dict[str, list[str]]:
    """Every site text → where it is used (``file:line``), from the templates and the site code."""
    from babel.messages.extract import extract_python
    from jinja2.ext import babel_extract

    found: dict[str, list[str]] = {}

    def add(msg, where):
        if isinstance(msg, tuple):  # _("… %(x)s", x=…) gives (text, None…): keyword arguments
            assert all(m is None for m in msg[1:]), (where, msg)  # no plural forms in the site
            msg = msg[0]
        assert isinstance(msg, str), f"{where}: a site text must be a literal string"
        found.setdefault(msg, []).append(where)

    opts = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
    for f in sorted(TEMPLATES.glob("*")):
        if f.is_file() and f.name not in NOT_SITE:
            with f.open("rb") as fh:
                for line, _func, msg, _c in babel_extract(fh, ["_", "gettext"], [], opts):
                    add(msg, f"{f.name}:{line}")
    for f in sorted((ROOT / "kanalregister" / "site").glob("*.py")):
        if f.name in ("language.py", "templating.py"):  # where site_gettext is defined and texts are passed on
            continue
        with f.open("rb") as fh:
            for line, _func, msg, _c in extract_python(fh, ["site_gettext"], [], {}):
                add(msg, f"{f.name}:{line}")
    return found


def read_catalogue() -> dict[str, str]:
    from babel.messages.pofile import read_po

    with CATALOGUE.open("rb") as f:
        return {m.id: m.string for m in read_po(f, domain="site") if m.id}


def test_extraction_finds_the_texts():
    """The extractor really reads the templates and the code (so the test below can fail)."""
    found = extract()
    assert "Hoppa till innehållet" in found and any(w.startswith("base.html:") for w in found["Hoppa till innehållet"])
    assert any(w.startswith("render.py:") for w in found["Tillgänglighet"])  # the footer's titles
    assert "Ja: officiellt konto för {org}." in found  # verify.js's texts, given by the page
    assert len(found) > 80


def test_every_site_text_has_an_english_translation():
    found, catalogue = extract(), read_catalogue()
    missing = {m: where for m, where in found.items() if not catalogue.get(m, "").strip()}
    assert missing == {}, "run python tests/test_site_language.py --update and translate"
    unused = sorted(set(catalogue) - set(found))
    assert unused == []


def test_translations_keep_their_placeholders():
    for msgid, msgstr in read_catalogue().items():
        for pattern in (r"%\(\w+\)s", r"\{\w+\}", r"<a [^>]*>"):
            assert sorted(re.findall(pattern, msgid)) == sorted(re.findall(pattern, msgstr)), (msgid, msgstr)


def test_every_content_page_has_an_english_version():
    from kanalregister.site.content import content_in, load_content

    swedish = load_content(CONTENT)
    assert swedish
    english = {p.slug: p for p in content_in(CONTENT, "en", swedish)}
    assert set(english) == {p.slug for p in swedish}
    for p in swedish:
        en = english[p.slug]
        assert en.lang == "en" and en.file.startswith(str(CONTENT / "en")), f"{p.file} has no English version"
        assert en.title and en.title != p.title and len(en.source.split()) > len(p.source.split()) / 2


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith("en/"))


def test_every_page_exists_in_english_and_links_to_its_twin_and_back(demo_site):
    pages = _pages(demo_site)
    assert len(pages) > 30
    for rel in pages:
        sv, en = demo_site / rel, demo_site / "en" / rel
        assert en.is_file(), f"no English version of {rel}"
        for here, there, lang in ((sv, en, "sv"), (en, sv, "en")):
            page = soup(here)
            if rel == "forteckning-fragment.html":  # no <html>: the fragment says its language
                assert page.select_one(".kanalregister-fragment")["lang"] == lang
                continue
            assert page.html["lang"] == lang
            alternates = {a["hreflang"]: a["href"] for a in page.select("link[rel=alternate][hreflang]")}
            assert set(alternates) == {"sv", "en"}
            for code, target in ((lang, here), ("en" if lang == "sv" else "sv", there)):
                href = alternates[code]
                assert not urlsplit(href).scheme and not href.startswith("/"), href  # relative: any path, file://
                assert (here.parent / href).resolve() == target.resolve(), (here, href)
            switch = page.select("nav.languages a[hreflang]")
            assert [a["hreflang"] for a in switch] == ["en" if lang == "sv" else "sv"]
            assert (here.parent / switch[0]["href"]).resolve() == there.resolve()
            assert page.select_one("nav.languages [aria-current]")["lang"] == lang


def test_english_pages_show_no_swedish_site_text(demo_site):
    """No catalogue text of several words is left in Swedish on an English page (the register's
    own texts are Swedish; the catalogue's are not)."""
    swedish = [m for m in read_catalogue() if len(m.split()) >= 3]
    plain = [re.split(r"%\(\w+\)s|\{\w+\}|<[^>]+>", m) for m in swedish]
    for p in sorted((demo_site / "en").rglob("*.html")):
        text = soup(p).get_text(" ")
        for parts in plain:
            longest = max((s.strip() for s in parts), key=len)
            if len(longest.split()) >= 3:
                assert longest not in text, (p, longest)


def test_english_pages_use_the_site_root_for_shared_files(demo_site):
    page = soup(demo_site / "en" / "oppna-data.html")
    links = {a["href"] for a in page.select("main a")}
    assert {"../channels.csv", "../channels.json", "../datapackage.json"} <= links
    assert not (demo_site / "en" / "channels.csv").exists()  # the open data are language-neutral: once
    scripts = [sc["src"] for sc in soup(demo_site / "en" / "kontrollera.html").select("script[src]")]
    assert scripts == ["kontrollera-data.js", "../verify.js"]  # the data (with its texts) in the page's language
    assert (demo_site / "en" / "kontrollera-data.js").read_text(encoding="utf-8") != \
        (demo_site / "kontrollera-data.js").read_text(encoding="utf-8")


def test_dates_and_numbers_by_babel_in_each_language():
    import datetime as dt

    from kanalregister.site.language import format_date, format_number, using_language

    d = dt.date(2026, 3, 5)
    assert format_date(d, lang="sv") == "5 mars 2026" and format_date(d, lang="en") == "5 March 2026"
    with using_language("en"):
        assert format_date(d) == "5 March 2026" and format_number(2153) == "2,153"
    assert format_number(2153) == "2\xa0153"  # Swedish outside a page


def test_register_text_in_english_where_the_register_gives_it(tmp_path, minimal_text):
    text = minimal_text.replace(
        "    purpose: Informera invånare om kommunens service.\n    target_groups: [Invånare]\n",
        "    purpose: Informera invånare om kommunens service.\n    target_groups: [Invånare]\n"
        "    purpose_en: Inform residents about the municipality's services.\n"
        "    target_groups_en: [Residents]\n", 1)
    assert text != minimal_text
    src = tmp_path / "channels.yaml"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    r = run_cli("build", "-r", str(src), "--out", str(out), "--today", TODAY.isoformat())
    assert r.code == 0, r.err

    def facts(rel):
        page = soup(out / rel)
        return {dt.get_text(): dd for dt, dd in zip(page.select("dl.facts dt"), page.select("dl.facts dd"),
                                                     strict=True)}

    sv, en = facts("kanal/kommunen-facebook.html"), facts("en/kanal/kommunen-facebook.html")
    assert sv["Syfte"].get_text() == "Informera invånare om kommunens service."
    assert sv["Målgrupp"].get_text() == "Invånare"
    assert en["Purpose"].get_text() == "Inform residents about the municipality's services."
    assert en["Target group"].get_text() == "Residents" and not en["Purpose"].select("[lang]")
    # a channel without English texts: its Swedish texts, marked as Swedish (WCAG 3.1.2)
    other = facts("en/kanal/skolan-instagram.html")
    span = other["Purpose"].select_one("span[lang=sv]")
    assert span is not None and span.get_text() == "Berätta om skolans vardag för vårdnadshavare."
    # the open data carry both, whatever the page language (language-neutral)
    import csv

    with (out / "channels.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["id"] == "kommunen-facebook")
    assert row["purpose"] == "Informera invånare om kommunens service."
    assert row["purpose_en"] == "Inform residents about the municipality's services."


def test_a_content_page_not_yet_translated_is_marked_swedish(tmp_path, minimal_text):
    content = tmp_path / "content"
    content.mkdir()
    (content / "om.md").write_text("---\ntitle: Om förteckningen\n---\nFörteckningen förs av kommunen.\n",
                                    encoding="utf-8")
    src = tmp_path / "channels.yaml"
    src.write_text(minimal_text, encoding="utf-8")
    out = tmp_path / "site"
    r = run_cli("build", "-r", str(src), "--out", str(out), "--content", str(content), "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    page = soup(out / "en" / "om.html")
    assert page.html["lang"] == "en" and page.select_one(".prose")["lang"] == "sv"
    assert "Förteckningen förs av kommunen." in page.select_one(".prose").get_text()
    (content / "en").mkdir()
    (content / "en" / "om.md").write_text("---\ntitle: About the register\n---\nThe municipality keeps it.\n",
                                          encoding="utf-8")
    r = run_cli("build", "-r", str(src), "--out", str(out), "--content", str(content), "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    page = soup(out / "en" / "om.html")
    assert not page.select_one(".prose").has_attr("lang") and "About the register" in page.title.get_text()
    assert "About the register" in [a.get_text() for a in page.select("footer nav a")]
    assert "Om förteckningen" in [a.get_text() for a in soup(out / "om.html").select("footer nav a")]


def _update() -> None:
    """Add the texts the catalogue lacks (empty translation) and drop those nothing uses."""
    from babel.messages.pofile import read_po, write_po

    found = extract()
    with CATALOGUE.open("rb") as f:
        cat = read_po(f, domain="site")
    old = CATALOGUE.read_text(encoding="utf-8")
    header = old[:old.index("\n\n", old.index('msgid ""')) + 2]  # the comments and header entry, as they are
    for m in list(cat):
        if m.id and m.id not in found:
            cat.delete(m.id)
    for msgid in found:
        if msgid not in cat:
            cat.add(msgid, "")
    import io

    buf = io.BytesIO()
    write_po(buf, cat, width=0, no_location=True, omit_header=False)
    body = buf.getvalue().decode("utf-8")
    body = body[body.index("\n\n", body.index('msgid ""')) + 2:]
    CATALOGUE.write_text(header + body, encoding="utf-8")
    print(f"wrote {CATALOGUE.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        sys.path.insert(0, str(Path(__file__).parent))
        _update()
    else:
        print(__doc__)


@pytest.mark.parametrize(("lang", "want"), [
    ("sv", ["Förteckning", "Förteckning", "Det här är ett officiellt konto för A &lt;b&gt; &amp; C.",
            'Hela förteckningen finns också som <a href="x.html">öppna data</a> i CSV- och JSON-format.',
            "Egen text", "Partiernas kanaler"]),
    ("en", ["Register", "Register", "This is an official account of A &lt;b&gt; &amp; C.",
            'The whole register is also available as <a href="x.html">open data</a> in CSV and JSON.',
            "Egen text", "Parties&#39; channels"]),
])
def test_texts_are_the_same_compiled_in_or_looked_up(tmp_path, lang, want):
    """A constant text put in when the template is compiled, one looked up (a content page,
    compiled from a string), one with values (escaped) and one with markup give the same as
    gettext; a text the catalogue lacks is shown as written."""
    from kanalregister.site.language import using_language
    from kanalregister.site.templating import make_env, template_name

    (tmp_path / "t.html").write_text(
        '{{ _("Förteckning") }}|{{ x }}|{{ _("Det här är ett officiellt konto för %(org)s.", org="A <b> & C") }}|'
        '{{ _(\'Hela förteckningen finns också som <a href="%(href)s">öppna data</a> i CSV- och JSON-format.\','
        ' href="x.html") }}|{{ _("Egen text") }}|{{ _("Partiernas kanaler") }}', encoding="utf-8")
    env = make_env([tmp_path])
    with using_language(lang):
        compiled = env.get_template(template_name(lang, "t.html")).render(x=env.from_string('{{ _("Förteckning") }}')
                                                                           .render())
    assert compiled.split("|") == want


def test_a_translation_of_no_page_is_an_error(tmp_path, minimal_text):
    content = tmp_path / "content"
    (content / "en").mkdir(parents=True)
    (content / "om.md").write_text("---\ntitle: Om förteckningen\n---\nText.\n", encoding="utf-8")
    (content / "en" / "about.md").write_text("---\ntitle: About\n---\nText.\n", encoding="utf-8")
    src = tmp_path / "channels.yaml"
    src.write_text(minimal_text, encoding="utf-8")
    out = tmp_path / "site"
    r = run_cli("build", "-r", str(src), "--out", str(out), "--content", str(content), "--today", TODAY.isoformat())
    assert r.code != 0 and not out.exists()
    assert f"{content / 'en' / 'about.md'}:1:1" in r.err and "slug 'about'" in r.err and "Traceback" not in r.err
