"""Phase 2b, open data: the DCAT-AP-SE catalogue ``dcat.rdf`` that Sveriges dataportal harvests.

Öppna datalagen (2022:818) asks public bodies to describe the data they publish; Sveriges
dataportal (DIGG) harvests each organisation's catalogue as RDF/XML described with DCAT-AP-SE
3.0.1. This module describes the site's open data (the tables of :mod:`.export`) as such a
catalogue, written with rdflib (a graph, serialised; never a string template).

What follows DIGG's rules (``shared/data/dcat-ap-se/docs/harvesting.md``): every IRI is
absolute (hence ``organisation.site_url``), no blank nodes for the catalogue, datasets,
distributions, publisher or contact point; the publisher is
``http://dataportal.se/organisation/SE`` + the 10-digit organisationsnummer without a hyphen;
CC0 is ``http://creativecommons.org/publicdomain/zero/1.0/`` (http, trailing slash). What the
shapes require (DCAT-AP 3.0 plus DCAT-AP-SE additions): titles and descriptions, a licence on
the catalogue, a publisher with a type on every dataset, access URLs on distributions.
``tests/test_dcat.py`` validates the output with DIGG's shapes, as DIGG's processor does.
"""

from __future__ import annotations

import datetime as dt

from ..register.model import Organisation, Register

#: The catalogue's file name in the site; the organisation registers ``site_url`` + this with
#: the portal (admin.dataportal.se), or redirects ``/datasets/dcat`` to it.
CATALOGUE_PATH = "dcat.rdf"

#: The open-data page of the site (the catalogue's and datasets' landing page).
OPEN_DATA_PAGE = "oppna-data.html"

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
EU = "http://publications.europa.eu/resource/authority/"
PUBLISHER_BASE = "http://dataportal.se/organisation/SE"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
IANA = "https://www.iana.org/assignments/media-types/"
DATA_PACKAGE_SPEC = "https://specs.frictionlessdata.io/data-package/"

#: format → (EU file type, IANA media type, Swedish and English description of the distribution)
_FORMATS = {
    "csv": ("CSV", "text/csv", "CSV-fil (UTF-8, listor avgränsade med semikolon)",
            "CSV file (UTF-8, lists separated by semicolons)"),
    "json": ("JSON", "application/json", "JSON-fil med alla uppgifter: organisationen, kanalerna och "
             "partiernas kanaler", "JSON file with everything: the organisation, the channels and the "
                                   "parties' channels"),
    "datapackage": ("JSON", "application/json", "Frictionless Data Package: filerna och deras fält beskrivna",
                    "Frictionless Data Package: the files and their fields described"),
}

#: dataset key → (CSV file, Swedish title, English title, Swedish description, English description)
_DATASETS = {
    "channels": ("channels.csv", "Officiella kanaler i sociala medier", "Official social media channels",
                 "Förteckningen över organisationens officiella konton i sociala medier: plattform, adress, "
                 "ansvarig förvaltning, syfte, målgrupp, status och datum.",
                 "The register of the organisation's official social media accounts: platform, address, "
                 "responsible department, purpose, target groups, status and dates."),
    "party_channels": ("party_channels.csv", "Partiernas kanaler i sociala medier",
                       "Social media channels of the political parties",
                       "Länkar till kanalerna i sociala medier för partierna i kommunfullmäktige. Partierna "
                       "ansvarar själva för dem.",
                       "Links to the social media channels of the parties in the municipal council. The "
                       "parties are responsible for them."),
}

_KEYWORDS = (("sociala medier", "sv"), ("officiella konton", "sv"), ("förteckning", "sv"),
             ("kommunikation", "sv"), ("social media", "en"), ("official accounts", "en"),
             ("register", "en"), ("communication", "en"))


def site_base(org: Organisation) -> str | None:
    """``organisation.site_url`` ending with one ``/`` (the base of every IRI), or None."""
    if not org.site_url:
        return None
    return org.site_url if org.site_url.endswith("/") else org.site_url + "/"


def catalogue_url(org: Organisation) -> str | None:
    """The catalogue's absolute address, which the organisation registers with Sveriges
    dataportal (e.g. ``https://kanaler.exempelby.se/dcat.rdf``), or None without ``site_url``."""
    base = site_base(org)
    return None if base is None else base + CATALOGUE_PATH


def publisher_iri(org: Organisation, base: str) -> str:
    """The publisher's IRI: ``http://dataportal.se/organisation/SE`` + organisationsnummer
    (10 digits, no hyphen; DIGG's harvesting guide, "Identifierare för utgivande
    organisationer"), or ``<site_url>dcat.rdf#publisher`` when the register has no number
    (``check`` warns about that: ``rule.dcat-publisher``)."""
    if org.org_number:
        return PUBLISHER_BASE + org.org_number.replace("-", "")
    return f"{base}{CATALOGUE_PATH}#publisher"


def catalogue(register: Register, build_date: dt.date) -> str | None:
    """The DCAT-AP-SE catalogue of the site's open data, as RDF/XML.

    Args:
        register: the validated model; ``organisation.site_url`` gives the base of every IRI.
        build_date: the build date (:func:`kanalregister.site.build.build_date`, which
            honours SOURCE_DATE_EPOCH), written as ``dcterms:modified`` (xsd:date).

    Returns:
        The RDF/XML text (UTF-8, deterministic for the same input), or None when the register
        has no ``site_url`` (RDF needs absolute IRIs; ``check`` says so: ``rule.site-url``).
    """
    org = register.organisation
    if not org.site_url:
        return None
    from rdflib import Graph  # imported only when a catalogue is written (rdflib takes 0.3-0.9 s to load)

    graph = Graph(store="SimpleMemory", bind_namespaces="core")  # SimpleMemory keeps insertion order
    _describe(graph, org, build_date)
    return graph.serialize(format="xml", encoding="utf-8").decode("utf-8")


def _describe(g, org: Organisation, build_date: dt.date) -> None:
    """Add the catalogue's triples to the rdflib graph ``g`` (IRIs only, no blank nodes)."""
    from rdflib import Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

    VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

    g.bind("dcat", DCAT)
    g.bind("dcterms", DCTERMS)
    g.bind("foaf", FOAF)
    g.bind("vcard", VCARD)
    base = site_base(org)
    here = Namespace(f"{base}{CATALOGUE_PATH}#")
    page = URIRef(base + OPEN_DATA_PAGE)
    modified = Literal(build_date.isoformat(), datatype=XSD.date)
    cc0, swe = URIRef(CC0), URIRef(EU + "language/SWE")
    example = " EXEMPELDATA." if org.example_data else ""
    example_en = " EXAMPLE DATA." if org.example_data else ""

    catalog = URIRef(base + CATALOGUE_PATH)
    publisher = URIRef(publisher_iri(org, base))
    contact = here["contact"]
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(f"Öppna data från {org.name}: kanaler i sociala medier", lang="sv")))
    g.add((catalog, DCTERMS.title, Literal(f"Open data from {org.name}: social media channels", lang="en")))
    g.add((catalog, DCTERMS.description, Literal(
        f"Förteckningen över {org.name}s officiella kanaler i sociala medier och partiernas kanaler, "
        f"som öppna data (CC0).{example}", lang="sv")))
    g.add((catalog, DCTERMS.description, Literal(
        f"The register of the official social media channels of {org.name} and the parties' channels, "
        f"as open data (CC0).{example_en}", lang="en")))
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, cc0))
    g.add((catalog, FOAF.homepage, page))
    g.add((catalog, DCTERMS.language, swe))
    g.add((catalog, DCTERMS.modified, modified))
    g.add((catalog, DCAT.themeTaxonomy, URIRef(EU + "data-theme")))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(org.name)))
    g.add((publisher, DCTERMS.type, URIRef(ADMS_PUBLISHER_TYPE + (org.publisher_type or "LocalAuthority"))))

    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(f"{org.register_keeper}, {org.name}")))
    g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{org.email}")))

    g.add((cc0, RDF.type, DCTERMS.LicenseDocument))
    if org.spatial:
        g.add((URIRef(org.spatial), RDF.type, DCTERMS.Location))

    for key, (csv_file, title_sv, title_en, desc_sv, desc_en) in _DATASETS.items():
        ds = here[key]
        g.add((catalog, DCAT.dataset, ds))
        g.add((ds, RDF.type, DCAT.Dataset))
        g.add((ds, DCTERMS.title, Literal(f"{title_sv} – {org.name}", lang="sv")))
        g.add((ds, DCTERMS.title, Literal(f"{title_en} – {org.name}", lang="en")))
        g.add((ds, DCTERMS.description, Literal(desc_sv + example, lang="sv")))
        g.add((ds, DCTERMS.description, Literal(desc_en + example_en, lang="en")))
        g.add((ds, DCTERMS.publisher, publisher))
        g.add((ds, DCAT.contactPoint, contact))
        g.add((ds, DCAT.theme, URIRef(EU + "data-theme/GOVE")))
        g.add((ds, DCTERMS.language, swe))
        g.add((ds, DCTERMS.accessRights, URIRef(EU + "access-right/PUBLIC")))
        g.add((ds, DCTERMS.modified, modified))
        g.add((ds, DCAT.landingPage, page))
        for word, lang in _KEYWORDS:
            g.add((ds, DCAT.keyword, Literal(word, lang=lang)))
        if org.spatial:
            g.add((ds, DCTERMS.spatial, URIRef(org.spatial)))
        for fmt, file in (("csv", csv_file), ("json", "channels.json"), ("datapackage", "datapackage.json")):
            file_type, media_type, about_sv, about_en = _FORMATS[fmt]
            dist = here[f"{key}-{fmt}"]
            g.add((ds, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.title, Literal(file, lang="sv")))
            g.add((dist, DCTERMS.description, Literal(about_sv, lang="sv")))
            g.add((dist, DCTERMS.description, Literal(about_en, lang="en")))
            g.add((dist, DCAT.accessURL, page))
            g.add((dist, DCAT.downloadURL, URIRef(base + file)))
            g.add((dist, DCAT.mediaType, URIRef(IANA + media_type)))
            g.add((URIRef(IANA + media_type), RDF.type, DCTERMS.MediaType))  # no vocabulary types IANA's
            g.add((dist, DCTERMS.format, URIRef(EU + "file-type/" + file_type)))
            g.add((dist, DCTERMS.license, cc0))
            g.add((dist, DCTERMS.modified, modified))
            if fmt == "datapackage":
                g.add((dist, DCTERMS.conformsTo, URIRef(DATA_PACKAGE_SPEC)))
                g.add((URIRef(DATA_PACKAGE_SPEC), RDF.type, DCTERMS.Standard))
