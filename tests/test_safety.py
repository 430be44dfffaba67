"""Issue 15: kanalregister never deletes a user's files, never runs code from content, and
shows no traceback for what a user or the machine causes. Each case was a failure on main
before the fix: a folder deleted, a command run, a live link, or a traceback."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import pytest
from conftest import DEMO, ROOT, TODAY, run_cli, soup

from kanalregister.site.render import default_dir


def _tree(folder):
    """path → sha256 of every file under ``folder`` (symlinks as their target text)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A municipality's register repository: channels.yaml, content/, a notes file; cwd is it."""
    proj = tmp_path / "proj"
    proj.mkdir()
    shutil.copy(DEMO, proj / "channels.yaml")
    shutil.copytree(default_dir("content"), proj / "content")
    (proj / "anteckningar.txt").write_text("mina anteckningar\n", encoding="utf-8")
    monkeypatch.chdir(proj)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    return proj


def _build(*args):
    return run_cli("build", "-r", "channels.yaml", "--today", TODAY.isoformat(), *args)


def _user_folder(tmp_path):
    folder = tmp_path / "mapp-med-filer"
    (folder / "Dokument").mkdir(parents=True)
    (folder / "notes.txt").write_text("viktigt\n", encoding="utf-8")
    (folder / ".bashrc").write_text("export X=1\n", encoding="utf-8")
    (folder / "Dokument" / "budget.ods").write_bytes(b"PK\x03\x04budget")
    return folder


@pytest.mark.parametrize("out", [".", "PROJECT", "content", ".."])
@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_the_project_and_its_folders_are_never_the_output(project, tmp_path, out, cache):
    before = _tree(tmp_path)
    target = str(project) if out == "PROJECT" else out
    for _ in range(2):  # built twice: the second build used to delete what the first replaced
        r = _build("--out", target, *cache)
        assert r.code == 1, r.err
        assert "output.protected" not in r.err  # the text, not the code, is what a person reads
        assert "would replace" in r.err and "holds your own files" in r.err and "--out site" in r.err
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_a_folder_with_someone_elses_files_is_refused(project, tmp_path, cache):
    folder = _user_folder(tmp_path)
    before = _tree(folder)
    for _ in range(2):
        r = _build("--out", str(folder), *cache)
        assert r.code == 1
        assert str(folder) in r.err and "did not build" in r.err
    assert _tree(folder) == before
    assert not list(tmp_path.glob(".mapp-med-filer*"))  # no spare, no cache, no temporary copy


def test_a_symlink_to_a_folder_with_user_files_is_refused_and_left_a_link(project, tmp_path):
    folder = _user_folder(tmp_path)
    link = project / "site"
    link.symlink_to(folder)
    before = _tree(folder)
    for _ in range(2):
        r = _build("--out", "site")
        assert r.code == 1 and "did not build" in r.err
    assert link.is_symlink() and os.readlink(link) == str(folder)
    assert _tree(folder) == before


def test_a_site_that_is_a_symlink_is_published_through_and_stays_a_link(project, tmp_path):
    webroot = tmp_path / "www" / "kanaler"
    webroot.mkdir(parents=True)
    (project / "site").symlink_to(webroot)
    for _ in range(3):  # the first build into the empty folder, then rebuilds of its own site
        r = _build("--out", "site")
        assert r.code == 0, r.err
        assert (project / "site").is_symlink() and os.readlink(project / "site") == str(webroot)
        assert (webroot / "index.html").is_file() and (webroot / ".kanalregister-site").is_file()
    # a web root that holds other files is refused, and they are kept
    (webroot.parent / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    (project / "root").symlink_to(webroot.parent)
    before = _tree(webroot.parent)
    r = _build("--out", "root")
    assert r.code == 1 and "did not build" in r.err
    assert _tree(webroot.parent) == before


def test_a_site_built_before_the_marker_can_be_rebuilt(project):
    assert _build("--out", "site").code == 0
    (project / "site" / ".kanalregister-site").unlink()  # as a site of version 0.1 looked
    assert _build("--out", "site").code == 0  # its build cache beside it says it is ours
    assert (project / "site" / ".kanalregister-site").is_file()


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ organisation.__class__.__init__.__globals__ }}",
])
def test_content_pages_cannot_run_code(project, payload):
    assert _build("--out", "site").code == 0
    before = _tree(project / "site")
    page = project / "content" / "allmanna-handlingar.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n" + payload + "\n", encoding="utf-8")
    r = _build("--out", "site")
    assert r.code == 1
    assert "allmanna-handlingar.md" in r.err and "not allowed in a content page" in r.err
    assert not (project / "PWNED").exists()
    assert _tree(project / "site") == before


def test_register_text_is_never_markdown_in_content_pages(project):
    reg = project / "channels.yaml"
    evil = "Exempelby [kommun](javascript:alert(1)) [läs mer](https://evil.example/) *fet*"
    reg.write_text(reg.read_text(encoding="utf-8").replace("name: Exempelby kommun", f'name: "{evil}"', 1),
                   encoding="utf-8")
    r = _build("--out", "site")
    assert r.code == 0, r.err
    page = soup(project / "site" / "allmanna-handlingar.html")
    hrefs = [a.get("href", "") for a in page.find_all("a")]
    assert not any("evil.example" in h or h.startswith("javascript") for h in hrefs)
    assert not [e for e in page.find_all("em") if "fet" in e.get_text()]
    assert evil in page.get_text()  # shown as the text it is


@pytest.mark.parametrize("where", ["template", "content"])
def test_a_runtime_error_in_a_template_or_page_is_reported_not_raised(project, where):
    assert _build("--out", "site").code == 0
    before = _tree(project / "site")
    if where == "template":
        (project / "templates").mkdir()
        page = (default_dir("templates") / "parties.html").read_text(encoding="utf-8")
        (project / "templates" / "parties.html").write_text(page.replace("{% block main %}",
                                                                        "{% block main %}{{ 1/0 }}", 1),
                                                            encoding="utf-8")
        name = "parties.html"
    else:
        page = project / "content" / "allmanna-handlingar.md"
        page.write_text(page.read_text(encoding="utf-8") + "\n{{ 1/0 }}\n", encoding="utf-8")
        name = "allmanna-handlingar.md"
    p = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "-r", "channels.yaml", "--out", "site",
                        "--today", TODAY.isoformat()], cwd=project, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    assert name in p.stderr and "ZeroDivisionError: division by zero" in p.stderr
    line = p.stderr.split(name + ":", 1)[1].split(":", 1)[0]
    assert int(line) > 0, p.stderr  # the line of the error in the file
    assert _tree(project / "site") == before


def test_a_full_disk_gives_a_message_and_keeps_the_site(project, monkeypatch):
    import errno

    from kanalregister.site import publish

    assert _build("--out", "site").code == 0
    before = _tree(project / "site")
    real = publish._write_file
    calls = []

    def full(path, data):
        calls.append(path)
        if len(calls) > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        return real(path, data)

    monkeypatch.setattr(publish, "_write_file", full)
    reg = project / "channels.yaml"  # a changed register: every list page is written anew
    reg.write_text(reg.read_text(encoding="utf-8").replace("Exempelby kommun", "Exempelby stad"), encoding="utf-8")
    r = _build("--out", "site", "--no-cache")
    assert r.code == 1 and len(calls) > 5
    assert "No space left on device" in r.err and "previous output is unchanged" in r.err
    assert _tree(project / "site") == before
    assert not list(project.glob(".site.tmp-*"))


def test_concurrent_builds_take_turns_without_tracebacks(project):
    """Two builds of one output at once, with and without the cache: each takes the output's
    lock, so none fails and the site is whole afterwards."""
    assert _build("--out", "site").code == 0
    env = {**os.environ, "CI": "true"}
    for _round in range(3):
        procs = [subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "-r", "channels.yaml",
                                   "--out", "site", "--today", TODAY.isoformat(), *opts],
                                  cwd=project, env=env, stderr=subprocess.PIPE, text=True)
                 for opts in ([], ["--no-cache"], ["--no-cache"])]
        for p in procs:
            _out, err = p.communicate(timeout=120)
            assert p.returncode == 0 and "Traceback" not in err, err
        assert (project / "site" / "index.html").is_file()
