"""``diff``: a reviewer's summary of a pull request's change to the register."""

from __future__ import annotations

import pytest
from conftest import MINIMAL, git, run_cli


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "channels.yaml").write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    git(tmp_path, "add", "channels.yaml")
    git(tmp_path, "commit", "-q", "-m", "start")
    git(tmp_path, "checkout", "-q", "-b", "ny-kanal")
    return tmp_path


NEW_CHANNEL = """  - id: bibliotek-tiktok
    name: Testby bibliotek
    platform: tiktok
    url: https://www.tiktok.com/@testbybibliotek
    department: Kultur- och fritidsförvaltningen
    responsible_role: Bibliotekschef
    contact_email: bibliotek@testby.example
    purpose: Tipsa unga om böcker.
    target_groups: [Unga]
    monitoring: Vardagar
    status: active
    approved_by: Kulturchef
    approved_on: 2026-11-01
    administrators:
      - {name: Hemlig Admin, email: hemlig.admin@testby.example}
      - {name: Annan Admin, email: annan.admin@testby.example}
    substitute: {name: Sara Ersättare, email: sara.e@testby.example}

party_channels:"""


@pytest.fixture(autouse=True)
def swedish(monkeypatch):
    """The summary in its readers' language: these tests read it in Swedish (issue 17)."""
    monkeypatch.setenv("KANALREGISTER_LANG", "sv")


def _table(out: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split("|")] for line in out.splitlines()
            if line.startswith("| `")]


def test_diff_against_merge_base_lists_every_kind_of_change(repo):
    text = (repo / "channels.yaml").read_text(encoding="utf-8")
    text = text.replace("\nparty_channels:", "\n" + NEW_CHANNEL, 1)
    text = text.replace("purpose: Berätta om skolans vardag för vårdnadshavare.",
                        "purpose: Berätta om skolans vardag.")
    text = text.replace("    substitute: {name: Cilla Ersättare, email: cilla.ersattare@testby.example, "
                        "phone: 0123-45 01 03}", "    substitute: {name: Ny Person, email: ny.person@testby.example}")
    text = text.replace("  - {party: Testpartiet, platform: facebook, url: \"https://www.facebook.com/testpartiet\"}\n",
                        "  - {party: Tredje partiet, platform: x, url: \"https://x.com/tredje\"}\n")
    (repo / "channels.yaml").write_text(text, encoding="utf-8")
    r = run_cli("diff", "-r", str(repo / "channels.yaml"))
    assert r.code == 0, r.err
    out = r.out
    assert "Kanaler: 1 tillagda, 0 borttagna, 0 avslutade, 0 återöppnade, 2 ändrade." in out
    assert "**Testby bibliotek** `bibliotek-tiktok` tiktok <https://www.tiktok.com/@testbybibliotek>" in out
    assert ["`skolan-instagram`", "Syfte (purpose)", "`Berätta om skolans vardag för vårdnadshavare.`",
            "`Berätta om skolans vardag.`"] in _table(out)
    assert ["`kommunen-facebook`", "Ersättare (substitute)", "*(internt, visas inte)*", "*(ändrat)*"] in _table(out)
    assert "- tillagd: **Tredje partiet** x <https://x.com/tredje>" in out
    assert "- borttagen: **Testpartiet** facebook <https://www.facebook.com/testpartiet>" in out
    # internal values are never shown
    for secret in ("Hemlig Admin", "hemlig.admin", "Ny Person", "Cilla", "ny.person"):
        assert secret not in out


def test_closed_reopened_and_removed(repo):
    text = (repo / "channels.yaml").read_text(encoding="utf-8")
    text = text.replace("    status: active\n    start_date: 2021-08-01",
                        "    status: closed\n    start_date: 2021-08-01\n    closing_date: 2026-11-01")
    text = text.replace("    status: closed\n    start_date: 2012-01-01\n    closing_date: 2018-06-30\n"
                        "    successor: kommunen-facebook\n", "    status: active\n    start_date: 2012-01-01\n")
    (repo / "channels.yaml").write_text(text, encoding="utf-8")
    out = run_cli("diff", "main", "-r", str(repo / "channels.yaml")).out
    assert "### Avslutade kanaler\n\n- `skolan-instagram`" in out
    assert "### Återöppnade kanaler\n\n- `gamla-x`" in out
    start = text.index("  - id: skolan-instagram")
    end = text.index("  - id: gamla-x")
    (repo / "channels.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    out = run_cli("diff", "main", "-r", str(repo / "channels.yaml")).out
    assert "### Borttagna kanaler" in out and "`skolan-instagram`" in out and "status: closed" in out


def test_no_change(repo):
    r = run_cli("diff", "-r", str(repo / "channels.yaml"))
    assert r.code == 0 and "Inga ändringar i förteckningen." in r.out


def test_output_appends_to_step_summary(repo, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("# Tidigare steg\n", encoding="utf-8")
    run_cli("diff", "-r", str(repo / "channels.yaml"), "--output", str(summary))
    assert summary.read_text(encoding="utf-8").startswith("# Tidigare steg\n## Ändringar i förteckningen")


def test_bad_ref_is_a_clear_error(repo):
    r = run_cli("diff", "finns-inte", "-r", str(repo / "channels.yaml"))
    assert r.code == 1 and "git" in r.err and "Traceback" not in r.err


def test_diff_in_english(repo):
    text = (repo / "channels.yaml").read_text(encoding="utf-8")
    text = text.replace("purpose: Berätta om skolans vardag för vårdnadshavare.", "purpose: Berätta om skolans vardag.")
    (repo / "channels.yaml").write_text(text, encoding="utf-8")
    out = run_cli("diff", "-r", str(repo / "channels.yaml"), "--lang", "en").out
    assert "Channels: 0 added, 0 removed, 0 closed, 0 reopened, 1 changed." in out
    assert ["`skolan-instagram`", "Purpose (purpose)", "`Berätta om skolans vardag för vårdnadshavare.`",
            "`Berätta om skolans vardag.`"] in _table(out)
    assert "| channel | field | before | after |" in out and "Ändr" not in out
