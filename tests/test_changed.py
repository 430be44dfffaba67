"""``check``'s summary by rule, and ``check --changed-since REF`` for a pull request (issue 18, point 4)."""

from __future__ import annotations

import collections
import json
import re

import pytest
from conftest import MINIMAL, TODAY, git, run_cli


def _without_monitoring(text: str) -> str:
    """Both active channels of the minimal register lose their monitoring (a warning each)."""
    text = text.replace("    monitoring: Vardagar, svar inom 48 timmar\n", "")
    return text.replace("    monitoring: Skoldagar\n", "")


#: The base register: two warnings per active channel's missing monitoring, and an error in
#: gamla-x (a successor that does not exist), which the pull request does not touch.
BASE = _without_monitoring(MINIMAL.read_text(encoding="utf-8")).replace(
    "    successor: kommunen-facebook\n", "    successor: finns-inte\n")

NEW_CHANNEL = """  - id: bibliotek-tiktok
    name: Testby bibliotek
    platform: tiktok
    url: https://www.tiktok.com/@testbybibliotek
    department: Kultur- och fritidsförvaltningen
    responsible_role: Bibliotekschef
    contact_email: bibliotek@testby.example
    purpose: Tipsa unga om nya böcker på biblioteket.
    target_groups: [Unga]
    status: active
    approved_by: Kulturchef
    approved_on: 2026-11-01
    last_archived: 2026-11-01
    last_reviewed: 2026-11-01
    administrators:
      - {name: Hemlig Admin, email: hemlig.admin@testby.example}
      - {name: Annan Admin, email: annan.admin@testby.example}
    substitute: {name: Sara Ersättare, email: sara.e@testby.example}

party_channels:"""


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "channels.yaml").write_text(BASE, encoding="utf-8")
    git(tmp_path, "add", "channels.yaml")
    git(tmp_path, "commit", "-q", "-m", "start")
    git(tmp_path, "checkout", "-q", "-b", "ny-kanal")
    return tmp_path


def _check_json(path, *extra) -> dict:
    r = run_cli("check", "-r", str(path), "--today", TODAY.isoformat(), "--format", "json", *extra)
    return json.loads(r.out)


def _ids(path) -> list[str]:
    return re.findall(r"^  - id: (\S+)", path.read_text(encoding="utf-8"), re.M)


def _channel_id(diag: dict, ids: list[str]) -> str | None:
    m = re.match(r"channels\[(\d+)\]", diag["path"])
    return ids[int(m.group(1))] if m else None


def _pull_request(repo):
    """The change: a new channel (with a warning: no monitoring) and kommunen-facebook's
    address edited (with a tracking parameter: one more warning); skolan-instagram and
    gamla-x untouched."""
    path = repo / "channels.yaml"
    text = path.read_text(encoding="utf-8").replace("\nparty_channels:", "\n" + NEW_CHANNEL, 1)
    text = text.replace("url: https://www.facebook.com/testbykommun\n",
                        "url: https://www.facebook.com/testbykommun?ref=bookmarks\n")
    path.write_text(text, encoding="utf-8")
    return path


def test_changed_since_shows_every_error_but_only_the_touched_entries_warnings(repo):
    path = _pull_request(repo)
    ids = _ids(path)
    full = _check_json(path)
    pr = _check_json(path, "--changed-since", "main")
    full_warnings = [d for d in full["diagnostics"] if d["severity"] == "warning"]
    # the untouched entry has warnings in the full check: the split has something to hide
    assert {_channel_id(d, ids) for d in full_warnings} >= {"skolan-instagram", "kommunen-facebook",
                                                           "bibliotek-tiktok"}
    shown_warnings = [d for d in pr["diagnostics"] if d["severity"] == "warning"]
    assert {_channel_id(d, ids) for d in shown_warnings} == {"kommunen-facebook", "bibliotek-tiktok"}
    assert "url.tracking" in {d["code"] for d in shown_warnings}
    # every error is shown, also the one in gamla-x, which the change did not touch
    assert [d for d in pr["diagnostics"] if d["severity"] == "error"] == \
        [d for d in full["diagnostics"] if d["severity"] == "error"]
    assert any(d["code"] == "rule.successor" and _channel_id(d, ids) == "gamla-x" for d in pr["diagnostics"])
    hidden = [d for d in full_warnings if _channel_id(d, ids) not in ("kommunen-facebook", "bibliotek-tiktok")]
    assert hidden and pr["summary"]["not_shown_warnings"] == len(hidden)
    assert pr["summary"]["by_rule"] == full["summary"]["by_rule"]  # the counts are of everything


def test_changed_since_text_counts_what_it_does_not_show(repo):
    path = _pull_request(repo)
    full = _check_json(path)
    r = run_cli("check", "-r", str(path), "--today", TODAY.isoformat(), "--changed-since", "main")
    assert r.code == 1  # gamla-x's error
    shown = [line for line in r.err.splitlines() if re.match(r"\S+:\d+:\d+: (error|warning): ", line)]
    m = re.search(r"^(\d+) warning\(s\) about entries this change did not touch", r.err, re.M)
    assert m
    assert len(shown) + int(m.group(1)) == len(full["diagnostics"])
    assert "skolan-instagram" not in "\n".join(shown) and "channels[1]" not in "\n".join(shown)


def test_a_changed_policy_touches_every_entry(repo):
    path = repo / "channels.yaml"
    text = path.read_text(encoding="utf-8").replace("\nchannels:\n", "\npolicy:\n  monitoring: warning\n"
                                                    "  review: {months: 6}\n\nchannels:\n", 1)
    path.write_text(text, encoding="utf-8")
    full = _check_json(path)
    pr = _check_json(path, "--changed-since", "main")
    assert pr["diagnostics"] == full["diagnostics"] and pr["summary"]["not_shown_warnings"] == 0


def test_nothing_changed_hides_every_warning_and_keeps_errors(repo):
    path = repo / "channels.yaml"
    full = _check_json(path)
    pr = _check_json(path, "--changed-since", "HEAD")
    assert [d["severity"] for d in pr["diagnostics"]] == ["error"]
    assert pr["summary"]["not_shown_warnings"] == sum(d["severity"] == "warning" for d in full["diagnostics"]) > 0


def test_an_unknown_ref_is_a_message_not_a_traceback(repo):
    r = run_cli("check", "-r", str(repo / "channels.yaml"), "--changed-since", "no-such-branch")
    assert r.code == 1
    assert "no-such-branch" in r.err and "Traceback" not in r.err


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_every_check_ends_with_a_summary_by_rule(write, fmt):
    path = write(_without_monitoring(MINIMAL.read_text(encoding="utf-8")).replace(
        "url: https://x.com/testby_gammal", "url: https://x.com/testby_gammal?s=20&utm_source=share"))
    data = _check_json(path)
    expected = collections.Counter((d["code"], d["severity"]) for d in data["diagnostics"])
    assert len({c for c, _s in expected}) >= 2
    r = run_cli("check", "-r", str(path), "--today", TODAY.isoformat(), "--format", fmt)
    tail = r.err.split("Summary by rule:\n", 1)[1].splitlines()
    rows = {}
    for line in tail:
        m = re.fullmatch(r"  (\S+)\s+(\d+) error\(s\), (\d+) warning\(s\)", line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    assert rows == {code: (expected[(code, "error")], expected[(code, "warning")]) for code, _s in expected}
    totals = f"{sum(v for (c, s), v in expected.items() if s == 'error')} error(s), " \
             f"{sum(v for (c, s), v in expected.items() if s == 'warning')} warning(s)"
    assert totals in tail[len(rows):][0]
    assert data["summary"]["by_rule"] == [
        {"code": c, "errors": rows[c][0], "warnings": rows[c][1]}
        for c in sorted(rows, key=lambda c: (-sum(rows[c]), c))]


def test_a_clean_check_still_ends_with_its_totals(write):
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  register_keeper:", "  site_url: https://kanaler.testby.example/\n  register_keeper:", 1)
    path = write(text)
    assert run_cli("split", "-r", str(path)).code == 0  # the internal facts in their own file (issue 20)
    r = run_cli("check", "-r", str(path), "--today", TODAY.isoformat())
    assert r.code == 0
    assert "0 error(s), 0 warning(s)" in r.err and r.err.rstrip().endswith("OK, 3 channels")
