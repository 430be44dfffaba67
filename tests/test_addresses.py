"""Tracking parameters in addresses: ``check`` warns at their place, ``fmt`` removes them (issue 18, point 5)."""

from __future__ import annotations

import json

import pytest
from conftest import MINIMAL, TODAY, run_cli

from kanalregister.register.addresses import TRACKING_PARAMETERS, clean_url, tracking_in


@pytest.mark.parametrize(("url", "clean"), [
    ("https://www.facebook.com/testby?ref=bookmarks", "https://www.facebook.com/testby"),
    ("https://www.facebook.com/profile.php?id=100064&mibextid=ZbWKwL", "https://www.facebook.com/profile.php?id=100064"),
    ("https://www.instagram.com/testby/?igsh=MWx0a2V4&utm_source=qr", "https://www.instagram.com/testby/"),
    ("https://www.instagram.com/testby?igshid=YmMyMTA2M2Y=", "https://www.instagram.com/testby"),
    ("https://youtube.com/@testby?si=AbC123", "https://youtube.com/@testby"),
    ("https://www.facebook.com/testby?fbclid=IwAR0x&__tn__=kC-R", "https://www.facebook.com/testby"),
    ("https://example.se/blogg?UTM_Campaign=vinter&sida=2#nytt", "https://example.se/blogg?sida=2#nytt"),
    ("https://example.se/?gclid=x&a=1&msclkid=y&b=2", "https://example.se/?a=1&b=2"),
    ("https://x.com/testby", "https://x.com/testby"),
    ("https://example.se/sok?reference=1&si_x=2", "https://example.se/sok?reference=1&si_x=2"),  # not tracking
    ("https://example.se/a?#ref=x", "https://example.se/a?#ref=x"),  # a fragment is not a query
])
def test_clean_url(url, clean):
    assert clean_url(url) == clean
    assert (tracking_in(url) is None) == (url == clean)


def test_the_list_is_data_with_the_names_the_issue_gives():
    assert {"ref", "fbclid", "igsh", "igshid", "si", "mibextid", "gclid"} <= TRACKING_PARAMETERS


def _register(tmp_path, url_line: str):
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "    url: https://www.facebook.com/testbykommun\n", url_line, 1)
    path = tmp_path / "channels.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_check_warns_at_the_parameter_with_the_clean_address_as_hint(tmp_path):
    line = "    url: https://www.facebook.com/testbykommun?ref=bookmarks&v=1  # kopierad ur webbläsaren\n"
    path, text = _register(tmp_path, line)
    r = run_cli("check", "-r", str(path), "--today", TODAY.isoformat(), "--format", "json")
    assert r.code == 0  # a warning: the register still publishes
    [d] = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "url.tracking"]
    lineno = text.splitlines().index(line.rstrip("\n")) + 1
    assert (d["line"], d["severity"], d["path"]) == (lineno, "warning", "channels[0] (kommunen-facebook).url")
    assert line[d["col"] - 1:].startswith("ref=bookmarks")
    assert "ref" in d["message"] and "https://www.facebook.com/testbykommun?v=1" in d["hint"]


def test_check_warns_about_an_alias_too(tmp_path):
    path, _ = _register(tmp_path, "    url: https://www.facebook.com/testbykommun\n"
                                  "    aliases: [\"https://fb.com/testbykommun?utm_source=ig\"]\n")
    r = run_cli("check", "-r", str(path), "--today", TODAY.isoformat(), "--format", "json")
    found = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "url.tracking"]
    assert [d["path"] for d in found] == ["channels[0] (kommunen-facebook).aliases[0]"]


def test_fmt_removes_them_keeping_comments_and_check_is_then_quiet(tmp_path):
    path, _ = _register(tmp_path, "    url: https://www.facebook.com/testbykommun?ref=bookmarks  # från webbläsaren\n"
                                  "    aliases: [\"https://fb.com/testbykommun?utm_source=ig&x=1\"]\n")
    assert run_cli("fmt", "--check", "-r", str(path)).code == 1  # not canonical while they are there
    assert run_cli("fmt", "-r", str(path)).code == 0
    after = path.read_text(encoding="utf-8")
    assert "ref=bookmarks" not in after and "utm_source" not in after
    assert "url: https://www.facebook.com/testbykommun " in after and "# från webbläsaren" in after
    assert "https://fb.com/testbykommun?x=1" in after
    assert run_cli("fmt", "--check", "-r", str(path)).code == 0
    r = run_cli("check", "-r", str(path), "--today", TODAY.isoformat(), "--format", "json")
    assert r.code == 0 and not [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "url.tracking"]


def test_an_address_with_tracking_parameters_is_the_same_account(write):
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "    platform: instagram\n    url: https://www.instagram.com/testbyskola\n",
        "    platform: facebook\n    url: https://www.facebook.com/testbykommun/?ref=bookmarks\n", 1)
    r = run_cli("check", "-r", str(write(text)), "--today", TODAY.isoformat(), "--format", "json")
    assert r.code == 1
    [d] = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "schema.unique"]
    assert d["path"] == "channels[1] (skolan-instagram).url" and "channels[0]" in d["message"]


def test_a_party_channel_address_is_checked_and_cleaned_too(write):
    text = MINIMAL.read_text(encoding="utf-8").replace('url: "https://www.facebook.com/testpartiet"',
                                                       'url: "https://www.facebook.com/testpartiet?fbclid=IwAR0"')
    path = write(text)
    r = run_cli("check", "-r", str(path), "--today", TODAY.isoformat(), "--format", "json")
    [d] = [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "url.tracking"]
    assert d["path"] == "party_channels[0].url" and d["hint"].startswith("write https://www.facebook.com/testpartiet ")
    assert run_cli("fmt", "-r", str(path)).code == 0
    assert "fbclid" not in path.read_text(encoding="utf-8")
