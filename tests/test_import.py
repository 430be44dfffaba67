"""Import of real data: ../shared/data/sweden-public-bodies-social-accounts.csv (2,153 accounts)."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import REAL_CSV, TODAY, run_cli, soup

from kanalregister.commands.importer import import_csv, slug
from kanalregister.register.sections import unique_key

ORG = ["--name", "Sveriges offentliga organisationer", "--website", "https://www.wikidata.org",
       "--email", "info@govdirectory.org", "--register-keeper", "Sammanställd ur Wikidata (govdirectory)"]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not REAL_CSV.exists():
        pytest.fail(f"{REAL_CSV} is missing: the tests need ../shared beside the repository")
    d = tmp_path_factory.mktemp("real")
    reg = d / "real.yaml"
    r = run_cli("import", str(REAL_CSV), "-o", str(reg), *ORG, "--format", "json")
    assert r.code == 0, r.err
    return d, reg, json.loads(r.out)


def test_every_real_account_builds_into_the_site_under_its_organisation(real):
    d, reg, _ = real
    out = d / "site"
    r = run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    with open(REAL_CSV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2153
    # 609 organisations: the index lists them with their channels, each has a page of its own
    by_org: dict[str, set[str]] = {}
    for item in soup(out / "index.html").select("li[data-org]"):
        org = " ".join(item.select_one("a.org").get_text().split())
        page = soup(out / item.select_one("a.org")["href"])
        assert " ".join(page.h1.get_text().split()) == org
        by_org[org] = {unique_key("url", a["href"]) for a in page.select("td[data-label=Kanal] > a:first-child")}
        assert by_org[org] == {unique_key("url", a["href"]) for a in item.select("a:not(.org)")}
    assert len(by_org) == 609
    for row in rows:
        url = row["url"]
        if "toolforge.org" in url:  # the Wikidata redirector is resolved to its target
            url = url.split("url_prefix=")[1].split("&id=")[0] + url.split("&id=")[1]
        assert unique_key("url", url) in by_org[row["org"]], row


def test_gaps_are_reported_per_entry_never_invented(real):
    d, reg, import_report = real
    r = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat(), "--format", "json")
    assert r.code == 0
    report = json.loads(r.out)
    assert report["errors"] == 0
    per_channel: dict[str, set[str]] = {}
    for diag in report["diagnostics"]:
        per_channel.setdefault(diag["path"].split(".")[0], set()).add(diag["code"])
    assert len(per_channel) == 2151
    for codes in per_channel.values():
        assert {"policy.purpose_target_group", "policy.responsible", "policy.administrators"} <= codes
    channels_part = reg.read_text(encoding="utf-8").split("\nchannels:\n", 1)[1]
    for invented in ("purpose:", "target_groups:", "responsible_role:", "contact_email:", "administrators:"):
        assert invented not in channels_part
    # the import's own findings: two case-duplicates merged, two redirector URLs resolved
    codes = sorted(d["code"] for d in import_report["diagnostics"])
    assert codes == ["import.duplicate", "import.duplicate", "import.redirector", "import.redirector"]


def test_import_requires_the_columns(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("namn,url\nA,https://x.com/a\n", encoding="utf-8")
    r = run_cli("import", str(p))
    assert r.code == 1
    assert "missing column(s): org, platform" in r.err


def test_import_leaves_organisation_empty_when_not_given(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("org,platform,url\nÖrebro kommun,Instagram,https://www.instagram.com/orebro\n", encoding="utf-8")
    res = import_csv(p)
    assert "  name:  # fill in" in res.text
    out = tmp_path / "r.yaml"
    out.write_text(res.text, encoding="utf-8")
    r = run_cli("check", "-r", str(out), "--format", "json")
    assert r.code == 1
    assert {d["path"] for d in json.loads(r.out)["diagnostics"] if d["severity"] == "error"} >= {
        "organisation.name", "organisation.website"}


def test_slug():
    assert slug("Växjö kommun – X") == "vaxjo-kommun-x"
    assert slug("!!!") == "x"
