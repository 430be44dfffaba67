"""The DCAT-AP-SE catalogue (``dcat.rdf``) that Sveriges dataportal harvests (issue 19).

Validated as DIGG's own processor (diggsweden/DCAT-AP-SE-Processor, ``RDFValidator`` and
``RDFVocabularyBuilder``) validates: the catalogue is loaded together with the EU
vocabularies in ``shared/data/dcat-ap-se/vocabularies``, with the processor's bridges between
those vocabularies and the shapes (concepts of a scheme get the class the shapes ask for, a
scheme's skos:prefLabel is its dcterms:title, the ADMS publisher types are skos:Concepts,
values of dcterms:license / spatial / conformsTo get their class); then both shape files run
with pyshacl and the results that ``dcat-ap-se-overrides.json`` lists are dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from functools import cache

import pytest
from conftest import DEMO, MINIMAL, ROOT, TODAY, run_cli, soup
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SH, SKOS

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # not rdflib's DCAT: pytest's collection probes it and it warns

DCAT_AP_SE = ROOT.parent / "shared" / "data" / "dcat-ap-se"
EU = "http://publications.europa.eu/resource/authority/"
VCARD_HAS_EMAIL = URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")

#: scheme → the class its concepts must have for the shapes (the processor's bridge table)
SCHEME_CLASSES = {
    EU + "language": DCTERMS.LinguisticSystem,
    EU + "access-right": DCTERMS.RightsStatement,
    EU + "frequency": DCTERMS.Frequency,
    EU + "licence": DCTERMS.LicenseDocument,
    EU + "file-type": DCTERMS.MediaTypeOrExtent,
    EU + "data-theme": SKOS.Concept,
    EU + "distribution-status": SKOS.Concept,
}
ADMS_TYPES = {"Academia-ScientificOrganisation": "Academia/Scientific organisation", "Company": "Company",
              "IndustryConsortium": "Industry consortium", "LocalAuthority": "Local Authority",
              "NationalAuthority": "National authority", "NonGovernmentalOrganisation": "Non-Governmental Organisation",
              "NonProfitOrganisation": "Non-Profit Organisation", "PrivateIndividual": "Private Individual(s)",
              "RegionalAuthority": "Regional authority", "StandardisationBody": "Standardisation body",
              "SupraNationalAuthority": "Supra-national authority"}
VALUE_CLASSES = {DCTERMS.conformsTo: DCTERMS.Standard, DCTERMS.spatial: DCTERMS.Location,
                 DCTERMS.license: DCTERMS.LicenseDocument}


@cache
def _vocabularies() -> Graph:
    g = Graph()
    for path in sorted((DCAT_AP_SE / "vocabularies").glob("*.rdf")):
        g.parse(path, format="xml")
    for scheme, cls in SCHEME_CLASSES.items():
        for concept in list(g.subjects(SKOS.inScheme, URIRef(scheme))):
            g.add((concept, RDF.type, cls))
        for label in list(g.objects(URIRef(scheme), SKOS.prefLabel)):
            g.add((URIRef(scheme), DCTERMS.title, label))
    for key, label in ADMS_TYPES.items():
        g.add((URIRef("http://purl.org/adms/publishertype/" + key), RDF.type, SKOS.Concept))
        g.add((URIRef("http://purl.org/adms/publishertype/" + key), SKOS.prefLabel, Literal(label, lang="en")))
    return g


@cache
def _shapes() -> Graph:
    return Graph().parse(DCAT_AP_SE / "dcat-ap-SHACL.ttl").parse(DCAT_AP_SE / "dcat-ap-se-additions.ttl")


@cache
def _overrides() -> frozenset:
    doc = json.loads((DCAT_AP_SE / "dcat-ap-se-overrides.json").read_text(encoding="utf-8"))
    return frozenset((o["path"], c) for o in doc["overrides"] for c in o["ignoreConstraints"])


def validate_as_digg(catalogue: Graph) -> tuple[list[dict], int]:
    """Validate ``catalogue`` as DIGG's processor does.

    Returns:
        (the results left after the overrides, each a dict of severity, path, constraint,
        focus node and message; the number of results the overrides dropped).
    """
    from pyshacl import validate

    data = Graph()
    for t in catalogue:
        data.add(t)
    for t in _vocabularies():
        data.add(t)
    for predicate, cls in VALUE_CLASSES.items():
        for value in list(data.objects(None, predicate)):
            if isinstance(value, URIRef):
                data.add((value, RDF.type, cls))
    _conforms, report, _text = validate(data, shacl_graph=_shapes(), inference="none", allow_warnings=True)
    kept, dropped = [], 0
    for result in report.subjects(RDF.type, SH.ValidationResult):
        component = str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        path = str(report.value(result, SH.resultPath))
        if (path, component) in _overrides():
            dropped += 1
            continue
        kept.append({"severity": str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1], "path": path,
                     "constraint": component, "focus": str(report.value(result, SH.focusNode)),
                     "message": str(report.value(result, SH.resultMessage))})
    return kept, dropped


def _violations(results: list[dict]) -> list[dict]:
    return [r for r in results if r["severity"] == "Violation"]


@pytest.fixture(scope="module")
def demo_catalogue(demo_site) -> Graph:
    return Graph().parse(demo_site / "dcat.rdf", format="xml")


def test_demo_catalogue_passes_diggs_shapes(demo_catalogue):
    results, dropped = validate_as_digg(demo_catalogue)
    assert _violations(results) == []
    assert dropped > 0  # the overrides were applied to real results (accessURL, format …)


CATALOG = URIRef("https://kanaler.exempelby.example/dcat.rdf")
CHANNELS = URIRef("https://kanaler.exempelby.example/dcat.rdf#channels")
PUBLISHER = URIRef("http://dataportal.se/organisation/SE2120009994")
CSV_DIST = URIRef("https://kanaler.exempelby.example/dcat.rdf#channels-csv")


@pytest.mark.parametrize(("subject", "predicate", "path"), [
    (CATALOG, DCTERMS.license, DCTERMS.license),            # DCAT-AP-SE addition: licence on the catalogue
    (CATALOG, DCTERMS.title, DCTERMS.title),
    (CHANNELS, DCTERMS.publisher, DCTERMS.publisher),       # DCAT-AP-SE addition: publisher on every dataset
    (CHANNELS, DCTERMS.description, DCTERMS.description),
    (PUBLISHER, DCTERMS.type, DCTERMS.type),                 # DCAT-AP-SE 3.0.1 addition: type on the agent
    (PUBLISHER, FOAF.name, FOAF.name),
    (CSV_DIST, DCAT.accessURL, DCAT.accessURL),
])
def test_removing_a_required_property_is_a_violation(demo_catalogue, subject, predicate, path):
    broken = Graph()
    for t in demo_catalogue:
        broken.add(t)
    assert (subject, predicate, None) in broken
    broken.remove((subject, predicate, None))
    violations = _violations(validate_as_digg(broken)[0])
    assert any(v["path"] == str(path) and v["focus"] == str(subject) for v in violations), violations


def test_a_wrong_theme_is_a_violation(demo_catalogue):
    broken = Graph()
    for t in demo_catalogue:
        broken.add(t)
    broken.set((CHANNELS, DCAT.theme, URIRef(EU + "data-theme/NOT-A-THEME")))
    assert any(v["path"] == str(DCAT.theme) for v in _violations(validate_as_digg(broken)[0]))


def test_catalogue_says_what_the_issue_asks(demo_site, demo_catalogue):
    g = demo_catalogue
    assert (CATALOG, RDF.type, DCAT.Catalog) in g
    titles = {t.language: str(t) for t in g.objects(CATALOG, DCTERMS.title)}
    assert set(titles) == {"sv", "en"} and {t.language for t in g.objects(CATALOG, DCTERMS.description)} == {"sv", "en"}
    assert g.value(CATALOG, DCTERMS.publisher) == PUBLISHER  # …/organisation/SE + org number 212000-9994
    assert g.value(CATALOG, DCTERMS.license) == URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
    assert g.value(CATALOG, FOAF.homepage) == URIRef("https://kanaler.exempelby.example/oppna-data.html")
    datasets = sorted(g.objects(CATALOG, DCAT.dataset))
    assert [str(d).rsplit("#", 1)[1] for d in datasets] == ["channels", "party_channels"]
    build_day = dt.datetime.fromtimestamp(1795000000, dt.UTC).date()  # demo_site's SOURCE_DATE_EPOCH
    for ds in datasets:
        assert g.value(ds, DCTERMS.modified) == Literal(build_day)
        assert g.value(ds, DCAT.theme) == URIRef(EU + "data-theme/GOVE")
        assert g.value(ds, DCTERMS.language) == URIRef(EU + "language/SWE")
        assert g.value(ds, DCTERMS.spatial) == URIRef("http://sws.geonames.org/2661886")
        assert {k.language for k in g.objects(ds, DCAT.keyword)} == {"sv", "en"}
        contact = g.value(ds, DCAT.contactPoint)
        assert g.value(contact, VCARD_HAS_EMAIL) == URIRef("mailto:kommun@exempelby.example")
        dists = list(g.objects(ds, DCAT.distribution))
        media = sorted(str(g.value(d, DCAT.mediaType)).rsplit("/", 2)[-2] + "/" +
                       str(g.value(d, DCAT.mediaType)).rsplit("/", 1)[-1] for d in dists)
        assert media == ["application/json", "application/json", "text/csv"]
        for d in dists:
            assert g.value(d, DCTERMS.license) == URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
            download = str(g.value(d, DCAT.downloadURL))
            assert download.startswith("https://kanaler.exempelby.example/")
            assert (demo_site / download.removeprefix("https://kanaler.exempelby.example/")).is_file()
            assert g.value(d, DCAT.accessURL) is not None
    assert all(isinstance(s, URIRef) for s in g.subjects())  # no blank nodes (DIGG's harvesting guide)


def test_catalogue_is_the_same_in_every_process(tmp_path):
    """The same input gives the same bytes, whatever Python's hash seed (golden digests)."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"site{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1795000000"}
        subprocess.run([sys.executable, "-c", "import sys; from kanalregister.commands.cli import main; "
                        "sys.exit(main(sys.argv[1:]))", "build", "-r", str(DEMO), "--out",
                        str(out), "--today", TODAY.isoformat(), "--no-cache"], env=env, check=True,
                       capture_output=True)
        outputs.append((out / "dcat.rdf").read_bytes())
    assert outputs[0] == outputs[1]


def test_without_site_url_no_catalogue_and_check_says_why(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8")
    assert "site_url" not in text
    reg = tmp_path / "channels.yaml"
    reg.write_text(text, encoding="utf-8")
    r = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat())
    assert r.code == 0
    line = next(n for n, s in enumerate(text.splitlines(), 1) if s.startswith("organisation:")) + 1
    assert f"channels.yaml:{line}:3: warning: organisation: organisation has no site_url" in r.err + r.out
    out = tmp_path / "site"
    assert run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    assert not (out / "dcat.rdf").exists()


@pytest.mark.parametrize(("value", "code"), [
    ("http://kanaler.testby.se/", "url.https"),
    ("https://kanaler.testby.se/?x=1", "rule.site-url"),
    ("kanaler.testby.se", "url.scheme"),
])
def test_a_bad_site_url_is_an_error_with_position(tmp_path, value, code):
    text = MINIMAL.read_text(encoding="utf-8").replace("  register_keeper:", f"  site_url: {value}\n  register_keeper:")
    reg = tmp_path / "channels.yaml"
    reg.write_text(text, encoding="utf-8")
    r = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat(), "--format", "json")
    found = [d for d in json.loads(r.out)["diagnostics"] if d["path"] == "organisation.site_url"]
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "site_url" in s)
    assert [(d["code"], d["severity"], d["line"]) for d in found] == [(code, "error", line)]
    assert r.code != 0


def test_without_org_number_the_publisher_is_local_and_check_warns(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace("  org_number: 212000-9994\n", "").replace(
        "  register_keeper:", "  site_url: https://kanaler.testby.se\n  register_keeper:")
    reg = tmp_path / "channels.yaml"
    reg.write_text(text, encoding="utf-8")
    r = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat(), "--format", "json")
    warnings = [d["code"] for d in json.loads(r.out)["diagnostics"] if d["severity"] == "warning"]
    assert [w for w in warnings if not w.startswith("internal.")] == ["rule.dcat-publisher"]
    out = tmp_path / "site"
    assert run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    g = Graph().parse(out / "dcat.rdf", format="xml")
    catalog = URIRef("https://kanaler.testby.se/dcat.rdf")  # site_url without a final slash still joins
    assert g.value(catalog, DCTERMS.publisher) == URIRef("https://kanaler.testby.se/dcat.rdf#publisher")
    assert _violations(validate_as_digg(g)[0]) == []


def test_open_data_page_names_every_file_the_licence_and_the_harvest_address(demo_site):
    main = soup(demo_site / "oppna-data.html").find("main")
    files = [a["href"] for a in main.select("dl a")]
    assert files == ["channels.csv", "party_channels.csv", "channels.json", "channels.schema.json",
                     "datapackage.json", "dcat.rdf"]
    assert all((demo_site / f).is_file() for f in files)
    assert main.find("a", rel="license")["href"] == "https://creativecommons.org/publicdomain/zero/1.0/deed.sv"
    harvest = main.find("code")
    assert harvest.get_text() == "https://kanaler.exempelby.example/dcat.rdf"
    assert harvest.parent["href"] == "dcat.rdf"
    assert "admin.dataportal.se" in main.get_text()


def test_open_data_page_without_site_url_says_no_catalogue(tmp_path):
    out = tmp_path / "site"
    assert run_cli("build", "-r", str(MINIMAL), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    main = soup(out / "oppna-data.html").find("main")
    assert not main.select('a[href$="dcat.rdf"]')
    assert "site_url" in main.get_text()
