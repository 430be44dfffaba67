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
    assert per_channel.pop("organisation") == {"rule.site-url"}  # no site_url: no DCAT catalogue, and check says so
    assert len(per_channel) == 2151
    for codes in per_channel.values():
        assert {"policy.purpose_target_group", "policy.responsible"} <= codes
        assert "policy.administrators" not in codes  # issue 20: a register without internal facts …
    assert "administrators" in report["unchecked"]  # … says once that their rules were not checked
    empty = d / "empty.internal.yaml"  # with an (empty) internal file, every channel's gap is reported
    empty.write_text("channels:\n", encoding="utf-8")
    r = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat(), "--format", "json", "--internal", str(empty))
    inner: dict[str, set[str]] = {}
    for diag in json.loads(r.out)["diagnostics"]:
        inner.setdefault(diag["path"].split(".")[0], set()).add(diag["code"])
    assert inner.pop("organisation") == {"rule.site-url"}
    assert all({"policy.administrators", "internal.no-entry"} <= codes for codes in inner.values())
    assert len(inner) == 2151
    channels_part = reg.read_text(encoding="utf-8").split("\nchannels:\n", 1)[1]
    for invented in ("purpose:", "target_groups:", "responsible_role:", "contact_email:", "administrators:"):
        assert invented not in channels_part
    # the import's own findings: two case-duplicates merged, two redirector URLs resolved
    codes = sorted(d["code"] for d in import_report["diagnostics"])
    assert codes == ["import.duplicate", "import.duplicate", "import.redirector", "import.redirector"]


def test_import_requires_the_columns(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("namn,adress\nA,https://x.com/a\n", encoding="utf-8")
    r = run_cli("import", str(p))
    assert r.code == 1
    assert "missing column(s): org" in r.err and "--columns" in r.err and "Traceback" not in r.err


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


#: The Canadian government's list of accounts (its shape: Department, Account with display
#: names, URL, Platform).
CANADA = """Department,Account,URL,Platform
Employment and Social Development Canada,Impact Canada,https://twitter.com/ImpactCanada,Twitter
Privy Council Office,Prime Minister of Canada,https://www.facebook.com/CanadianPM?ref=bookmarks,Facebook
Privy Council Office,@CanadianPM,https://www.instagram.com/canadianpm/,Instagram
Health Canada,Healthy Canadians,https://www.youtube.com/user/HealthyCdns,YouTube
Health Canada,Health Canada,https://www.linkedin.com/company/health-canada/,LinkedIn
Canadian Heritage,Canadian Heritage,https://www.facebook.com/profile.php?id=100064,Facebook
"""


def _imported(tmp_path, csv_text: str, *args: str):
    src = tmp_path / "list.csv"
    src.write_text(csv_text, encoding="utf-8")
    reg = tmp_path / "register.yaml"
    r = run_cli("import", str(src), "-o", str(reg), *args)
    assert r.code == 0, r.err
    r = run_cli("check", "-r", str(reg), "--today", TODAY.isoformat(), "--format", "json")
    from kanalregister.register.read import read_register

    return read_register(reg).data, json.loads(r.out), r


def test_import_of_another_layout_tells_handles_from_display_names(tmp_path):
    data, report, _ = _imported(tmp_path, CANADA)
    got = [(c["name"], c.get("handle"), c["platform"], c["department"], c["url"]) for c in data["channels"]]
    assert got == [
        ("Impact Canada", "ImpactCanada", "x", "Employment and Social Development Canada",
         "https://twitter.com/ImpactCanada"),
        ("Prime Minister of Canada", "CanadianPM", "facebook", "Privy Council Office",
         "https://www.facebook.com/CanadianPM"),  # the tracking parameter is not imported
        ("CanadianPM", "CanadianPM", "instagram", "Privy Council Office", "https://www.instagram.com/canadianpm/"),
        ("Healthy Canadians", "HealthyCdns", "youtube", "Health Canada", "https://www.youtube.com/user/HealthyCdns"),
        ("Health Canada", "health-canada", "linkedin", "Health Canada",
         "https://www.linkedin.com/company/health-canada/"),
        ("Canadian Heritage", None, "facebook", "Canadian Heritage", "https://www.facebook.com/profile.php?id=100064"),
    ]
    # no handle errors, and every channel gets its own findings although the organisation is empty
    assert not [d for d in report["diagnostics"] if ".handle" in d["path"]]
    org_errors = {d["path"] for d in report["diagnostics"] if d["severity"] == "error"}
    assert {"organisation.name", "organisation.website"} <= org_errors
    per_channel = {d["path"].split(" ")[0].split(".")[0] for d in report["diagnostics"]
                   if d["code"].startswith("policy.")}
    assert per_channel == {f"channels[{i}]" for i in range(len(data["channels"]))}


def test_columns_named_on_the_command_line(tmp_path):
    text = "Ministère;Compte;Lien\nSanté Canada;Santé Canada;https://x.com/GouvCanSante\n".replace(";", ",")
    src = tmp_path / "l.csv"
    src.write_text(text.replace("Lien", "Adresse web").replace("Compte", "Libellé"), encoding="utf-8")
    r = run_cli("import", str(src))
    assert r.code == 1 and "missing column(s): url" in r.err
    data, report, _ = _imported(tmp_path, text.replace("Lien", "Adresse web").replace("Compte", "Libellé"),
                                "--columns", "url=Adresse web,name=Libellé")
    [c] = data["channels"]
    assert (c["name"], c["handle"], c["platform"], c["department"]) == ("Santé Canada", "GouvCanSante", "x",
                                                                        "Santé Canada")


@pytest.mark.parametrize("columns,message", [
    ("url", "'url' is not FIELD=COLUMN"),
    ("adress=URL", "'adress=URL' is not FIELD=COLUMN"),
    ("url=Saknas", "--columns names 'Saknas', which is not in the header"),
])
def test_bad_columns_are_explained(tmp_path, columns, message):
    src = tmp_path / "l.csv"
    src.write_text(CANADA, encoding="utf-8")
    r = run_cli("import", str(src), "--columns", columns)
    assert r.code == 1 and message in r.err and "Traceback" not in r.err


def test_organisation_errors_no_longer_hide_the_channels_findings(tmp_path):
    # before issue 18 the check of this import printed only the organisation's errors
    p = tmp_path / "x.csv"
    p.write_text("org,platform,url\nÖrebro kommun,Instagram,https://www.instagram.com/orebro\n"
                 "Örebro kommun,Facebook,https://www.facebook.com/orebrokommun\n", encoding="utf-8")
    out = tmp_path / "r.yaml"
    assert run_cli("import", str(p), "-o", str(out)).code == 0
    report = json.loads(run_cli("check", "-r", str(out), "--format", "json").out)
    diags = report["diagnostics"]
    assert "administrators" in report["unchecked"]  # no internal file: said once (issue 20)
    for i in (0, 1):
        assert {"policy.responsible", "policy.purpose_target_group"} <= {
            d["code"] for d in diags if d["path"].startswith((f"channels[{i}].", f"channels[{i}] ("))}
