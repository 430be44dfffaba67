"""`kanalregister init DIR`: a register repository that a municipality can use at once.

Each test runs the real command (in a subprocess with no terminal, or in-process through
``main``) and then the real tools on what it wrote: check, fmt, build, git, pre-commit's
config loader, and in the slow test a wheel installed into a fresh virtual environment.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli, soup

import kanalregister
from kanalregister.commands import init as init_cmd
from kanalregister.commands import scaffold
from kanalregister.site.render import default_dir

ORG = ["--name", "Norsjö kommun", "--website", "https://www.norsjo.se", "--email", "kommun@norsjo.se"]
#: Everything init writes (posix paths relative to the new folder).
EXPECTED = {
    "channels.yaml", "channels.internal.yaml", "schema/channels.schema.json", "content/allmanna-handlingar.md",
    "README.md", "content/en/allmanna-handlingar.md",  # the English version (issue 17)
    ".github/workflows/kanalregister.yml", ".github/pull_request_template.md", ".gitlab-ci.yml",
    ".pre-commit-config.yaml", ".gitignore",
}
CLI = [sys.executable, "-c", "from kanalregister.commands.cli import entry; entry()"]


@pytest.fixture(autouse=True)
def swedish(monkeypatch):
    """init speaks its users' language: these tests read it in Swedish (issue 17)."""
    monkeypatch.setenv("KANALREGISTER_LANG", "sv")


def kr(*args: str, cwd: Path, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    """Run the kanalregister command line in a subprocess, with no terminal on stdin, in Swedish
    (the language init speaks to its users by default; issue 17)."""
    return subprocess.run([*CLI, *args], cwd=cwd, stdin=stdin, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "KANALREGISTER_LANG": "sv"})


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: posix path → bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """A register repository made by init (non-interactively) into a folder that did not exist."""
    folder = tmp_path_factory.mktemp("init") / "norsjo-kanaler"
    r = kr("init", str(folder), *ORG, cwd=folder.parent)
    assert r.returncode == 0, r.stderr
    assert "Nästa steg" in r.stdout and "channels.yaml" in r.stdout
    return folder


def test_init_writes_every_scaffold_file(made):
    assert set(tree(made)) == EXPECTED
    assert EXPECTED == set(scaffold.plan(scaffold.Organisation()))


def test_the_new_register_checks_formats_and_builds(made, tmp_path):
    work = tmp_path / "repo"
    work.mkdir()
    for rel, data in tree(made).items():  # a copy: the other tests see the folder as init left it
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_bytes(data)
    check = kr("check", cwd=work)
    assert check.returncode == 0, check.stderr
    assert "OK, 0 kanaler" in check.stderr  # the example is commented out: nothing invented is published
    fmt = kr("fmt", "--check", cwd=work)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr  # CI runs fmt --check on every pull request
    build = kr("build", cwd=work)  # content/ beside the register is used without --content
    assert build.returncode == 0, build.stderr
    index = soup(work / "site" / "index.html")
    assert "Norsjö kommun" in index.title.get_text()
    assert "Norsjö kommun" in index.h1.get_text()
    # A real organisation is not marked as made up (example_data would say it does not exist).
    assert "finns inte på riktigt" not in index.get_text()
    records = soup(work / "site" / "allmanna-handlingar.html").get_text()
    assert "Norsjö kommuns officiella kanaler" in records  # the copied content page, filled in
    data = json.loads((work / "site" / "channels.json").read_text(encoding="utf-8"))
    assert data["channels"] == [] and data["example_data"] is False
    assert not list((work / "site" / "kanal").glob("*.html")) if (work / "site" / "kanal").exists() else True
    # The example, uncommented, is a valid channel: check and build take it as it is.
    text = (work / "channels.yaml").read_text(encoding="utf-8")
    head, _, example = text.partition("\nchannels:\n")
    example = "\n".join(line.replace("  # ", "  ", 1) if re.match(r"  # (- |  )", line) else line
                         for line in example.splitlines())
    (work / "channels.yaml").write_text(head + "\nchannels:\n" + example + "\n", encoding="utf-8")
    inner = (work / "channels.internal.yaml").read_text(encoding="utf-8")  # and its internal facts
    inner = "\n".join(line.replace("  # ", "  ", 1) if re.match(r"  # (kommunen-facebook:|  )", line) else line
                      for line in inner.splitlines())
    (work / "channels.internal.yaml").write_text(inner + "\n", encoding="utf-8")
    check = kr("check", cwd=work)
    assert check.returncode == 0 and "OK, 1 kanal\n" in check.stderr, check.stderr
    assert kr("build", cwd=work).returncode == 0
    data = json.loads((work / "site" / "channels.json").read_text(encoding="utf-8"))
    assert [c["url"] for c in data["channels"]] == ["https://www.facebook.com/norsjokommun"]
    site_text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in (work / "site").rglob("*")
                        if p.is_file())
    assert "anna.andersson" not in site_text  # the example administrators stay internal


def test_register_starts_with_the_modeline_and_its_schema_is_written(made, cli):
    text = (made / "channels.yaml").read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first == scaffold.MODELINE
    schema_rel = first.split("$schema=", 1)[1]
    schema_file = made / schema_rel
    assert schema_file.is_file()
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["type"] == "object" and "channels" in schema["properties"]
    assert schema_file.read_text(encoding="utf-8") == cli("schema").out  # exactly `kanalregister schema`
    data = yaml.safe_load(text)
    assert data["organisation"]["name"] == "Norsjö kommun"
    assert data["organisation"]["website"] == "https://www.norsjo.se"
    assert data["organisation"]["email"] == "kommun@norsjo.se"
    assert "example_data" not in data["organisation"]
    assert data["channels"] is None  # the example channel is in comments


@pytest.mark.parametrize("rel", ["allmanna-handlingar.md", "en/allmanna-handlingar.md"])
def test_content_is_the_package_default(made, rel):
    default = default_dir("content")
    assert (made / "content" / rel).read_bytes() == (default / rel).read_bytes()


def test_ci_files_pin_this_version(made):
    version = kanalregister.__version__
    wf = yaml.safe_load((made / ".github/workflows/kanalregister.yml").read_text(encoding="utf-8"))
    runs = [s.get("run", "") for job in wf["jobs"].values() for s in job["steps"]]
    assert sum(f'pip install "kanalregister=={version}"' in r for r in runs) == 2
    ci = yaml.safe_load((made / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert f'pip install -q "kanalregister=={version}"' in ci["default"]["before_script"]


def test_pre_commit_config_uses_this_repositorys_hooks(made):
    from pre_commit.clientlib import load_config, load_manifest

    config = load_config(str(made / ".pre-commit-config.yaml"))  # pre-commit's own loader validates it
    [repo] = config["repos"]
    assert repo["repo"] == scaffold.REPOSITORY
    assert repo["rev"] == f"v{kanalregister.__version__}"
    offered = {h["id"] for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert {h["id"] for h in repo["hooks"]} == offered


def test_pull_request_template_is_this_repositorys(made):
    assert (made / ".github/pull_request_template.md").read_bytes() == \
        (ROOT / ".github/pull_request_template.md").read_bytes()
    assert "Aktivitetsplan" in (made / ".github/pull_request_template.md").read_text(encoding="utf-8")


def test_readme_is_swedish_and_explains_the_work(made):
    text = (made / "README.md").read_text(encoding="utf-8")
    for words in ("Lägga till en kanal", "kanalregister check", "Vad CI gör", "Var finns webbplatsen",
                  "Norsjö kommun", f"kanalregister=={kanalregister.__version__}"):
        assert words in text


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60)


def test_gitignore_keeps_the_builds_own_folders_out_of_git(tmp_path):
    repo = tmp_path / "repo"
    assert kr("init", str(repo), *ORG, cwd=tmp_path).returncode == 0
    assert _git("init", "-q", cwd=repo).returncode == 0
    assert kr("build", "--content", "content", cwd=repo).returncode == 0
    assert kr("build", "--content", "content", "--out", "public", cwd=repo).returncode == 0
    assert kr("build", "--content", "content", cwd=repo).returncode == 0  # a rebuild leaves a spare copy
    left = {p.name for p in repo.iterdir()}
    assert {"site", "public", ".site.kanalregister-cache"} <= left, left
    status = _git("status", "--porcelain", "--untracked-files=all", "--ignored=no", cwd=repo).stdout.split("\n")
    untracked = {line[3:] for line in status if line}
    assert untracked == EXPECTED - {"channels.internal.yaml"}  # nothing the build wrote, nor the internal file
    for built in ("site/index.html", ".site.kanalregister-cache/x", ".site.spare/x", ".site.tmp-ab12/x",
                  "public/index.html", ".public.kanalregister-cache/x", ".public.spare/x",
                  ".channels.yaml.new-answers.json"):  # the answers 'new' keeps until the channel is saved
        assert _git("check-ignore", "-q", built, cwd=repo).returncode == 0, built
    for source in EXPECTED - {"channels.internal.yaml"}:
        assert _git("check-ignore", "-q", source, cwd=repo).returncode == 1, source
    assert _git("check-ignore", "-q", "channels.internal.yaml", cwd=repo).returncode == 0  # issue 20: never committed


def test_a_second_init_refuses_and_changes_nothing(made):
    before = tree(made)
    stamps = {p: p.stat().st_mtime_ns for p in made.rglob("*")}
    r = kr("init", str(made), *ORG, cwd=made.parent)
    assert r.returncode == 1
    assert "finns redan" in r.stderr and "ingenting skrevs" in r.stderr
    assert "channels.yaml" in r.stderr and ".gitlab-ci.yml" in r.stderr
    assert "Traceback" not in r.stderr
    assert tree(made) == before
    assert {p: p.stat().st_mtime_ns for p in made.rglob("*")} == stamps


def test_one_existing_file_means_nothing_is_written(tmp_path):
    (tmp_path / "README.md").write_bytes(b"Our own readme\n")
    r = kr("init", str(tmp_path), *ORG, cwd=tmp_path)
    assert r.returncode == 1
    assert "README.md" in r.stderr and "finns redan" in r.stderr
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")] == ["README.md"]
    assert (tmp_path / "README.md").read_bytes() == b"Our own readme\n"


def test_a_file_where_a_folder_belongs_means_nothing_is_written(tmp_path):
    (tmp_path / ".github").write_text("not a folder\n", encoding="utf-8")
    r = kr("init", str(tmp_path), cwd=tmp_path)
    assert r.returncode == 1 and ".github" in r.stderr
    assert [p.name for p in tmp_path.iterdir()] == [".github"]


def test_a_file_as_the_target_is_refused(tmp_path):
    target = tmp_path / "channels"
    target.write_text("x", encoding="utf-8")
    r = kr("init", str(target), cwd=tmp_path)
    assert r.returncode == 1 and "inte en mapp" in r.stderr and "Traceback" not in r.stderr
    assert target.read_text(encoding="utf-8") == "x"


def test_a_failed_write_removes_what_init_wrote(tmp_path, monkeypatch):
    real_plan = scaffold.plan

    def plan_with_an_unwritable_file(*args, **kwargs):
        files = real_plan(*args, **kwargs)
        files["x" * 300 + ".md"] = b"a name longer than the file system allows"  # fails after the others
        return files

    monkeypatch.setattr(scaffold, "plan", plan_with_an_unwritable_file)
    target = tmp_path / "new"
    r = run_cli("init", str(target), *ORG)
    assert r.code == 1 and "ingenting skrevs" in r.err
    assert not target.exists()  # the folder init made is gone too; tmp_path is untouched
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("option", "value", "words"), [
    ("--website", "http://www.norsjo.se", "https"),
    ("--email", "kommun-at-norsjo.se", "går inte att använda"),
    ("--org-number", "12345", "går inte att använda"),
    ("--name", "Norsjö\nkommun", "styrtecken"),
])
def test_a_bad_option_is_named_and_nothing_is_written(tmp_path, option, value, words):
    target = tmp_path / "new"
    args = [a for pair in zip(ORG[::2], ORG[1::2], strict=True) if pair[0] != option for a in pair]
    r = kr("init", str(target), *args, option, value, cwd=tmp_path)
    assert r.returncode == 1, r.stdout
    assert f"{option}:" in r.stderr and "Traceback" not in r.stderr
    assert words in r.stderr
    assert not target.exists()


def test_without_options_and_without_a_terminal_placeholders_are_written(tmp_path):
    r = kr("init", "reg", cwd=tmp_path)  # stdin is /dev/null: nothing is asked, nothing hangs
    assert r.returncode == 0, r.stderr
    assert "organisation.name, organisation.website, organisation.email" in r.stdout
    text = (tmp_path / "reg" / "channels.yaml").read_text(encoding="utf-8")
    assert text.count("# ÄNDRA") >= 4
    data = yaml.safe_load(text)
    assert data["organisation"]["name"] == scaffold.PLACEHOLDERS["name"]
    assert data["organisation"]["example_data"] is True  # a made-up name is example data
    assert kr("check", cwd=tmp_path / "reg").returncode == 0
    assert kr("build", "--content", "content", cwd=tmp_path / "reg").returncode == 0


def test_in_a_terminal_it_asks_only_for_what_the_options_left_out(tmp_path):
    primary, secondary = pty.openpty()
    try:
        p = subprocess.Popen([*CLI, "init", "reg", "--name", "Testby kommun"], cwd=tmp_path, stdin=secondary,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        os.close(secondary)
        os.write(primary, b"https://www.testby.se\n\n")  # website; e-mail left empty
        out, err = p.communicate(timeout=120)
    finally:
        os.close(primary)
    assert p.returncode == 0, err
    assert "webbplats" in out and "funktionsbrevlåda" in out
    assert "Organisationens namn" not in out  # the option won: the name is not asked for
    data = yaml.safe_load((tmp_path / "reg" / "channels.yaml").read_text(encoding="utf-8"))
    assert data["organisation"]["name"] == "Testby kommun"
    assert data["organisation"]["website"] == "https://www.testby.se"
    assert data["organisation"]["email"] == scaffold.PLACEHOLDERS["email"]


def test_ask_missing_keeps_the_options():
    asked = []
    org = init_cmd.ask_missing(scaffold.Organisation(name="Testby kommun", email="a@testby.se"),
                               read=lambda prompt: asked.append(prompt) or "https://www.testby.se",
                               write=lambda message: None)
    assert len(asked) == 1 and "webbplats" in asked[0]
    assert org == scaffold.Organisation("Testby kommun", "https://www.testby.se", "a@testby.se")


@pytest.mark.parametrize("name", ["Region: Test", "Kommun #1", "true", "Citat \"x\" och \\", "123",
                                  "Ål-kommun (test) & co.", "- Bindestreck"])
def test_odd_names_stay_exactly_as_given(tmp_path, name):
    r = run_cli("init", str(tmp_path / "reg"), "--name", name)
    assert r.code == 0, r.err
    data = yaml.safe_load((tmp_path / "reg" / "channels.yaml").read_text(encoding="utf-8"))
    assert data["organisation"]["name"] == name
    assert run_cli("check", "-r", str(tmp_path / "reg" / "channels.yaml")).code == 0
    assert run_cli("fmt", "--check", "-r", str(tmp_path / "reg" / "channels.yaml")).code == 0


# --- one source for kanalregister's own CI files -------------------------------------------

def test_the_repositorys_ci_files_are_what_init_writes(made):
    for rel, data in scaffold.repo_copies().items():
        assert (ROOT / rel).read_bytes() == data, \
            f"{rel} differs from kanalregister init's: run python -m kanalregister.commands.init --sync"
        assert (made / rel).read_bytes() == data


def test_a_version_bump_without_sync_is_caught(tmp_path):
    for rel in scaffold.REPO_COPIES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((ROOT / rel).read_bytes())
    assert init_cmd.main(["--check", str(tmp_path)]) == 0
    stale = scaffold.repo_copies(version="0.0.1")  # the copies as they were before a bump
    for rel, data in stale.items():
        (tmp_path / rel).write_bytes(data)
    assert sorted(init_cmd.sync(tmp_path, write=False)) == \
        sorted(rel for rel in scaffold.REPO_COPIES if stale[rel] != scaffold.repo_copies()[rel])
    assert init_cmd.main(["--check", str(tmp_path)]) == 1
    assert init_cmd.main(["--sync", str(tmp_path)]) == 0
    assert init_cmd.main(["--check", str(tmp_path)]) == 0
    assert (tmp_path / ".gitlab-ci.yml").read_bytes() == (ROOT / ".gitlab-ci.yml").read_bytes()


# --- the released package -------------------------------------------------------------------

@pytest.mark.slow
def test_the_wheel_installs_and_init_works_from_it(tmp_path):
    dist = tmp_path / "dist"
    # From another folder: in the repository root, build.py would shadow the `build` package.
    # The sdist first, then the wheel built from it (python -m build's default): the sdist is complete.
    b = subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
                       cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert b.returncode == 0, b.stdout[-3000:] + b.stderr[-3000:]
    [wheel] = dist.glob("kanalregister-*.whl")
    [sdist] = dist.glob("kanalregister-*.tar.gz")
    twine = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
                           capture_output=True, text=True, timeout=300)
    assert twine.returncode == 0 and twine.stdout.count("PASSED") == 2, twine.stdout + twine.stderr
    names = set(zipfile.ZipFile(wheel).namelist())
    info = next(n for n in names if n.endswith(".dist-info/METADATA"))
    metadata = zipfile.ZipFile(wheel).read(info).decode("utf-8")
    assert "License-Expression: EUPL-1.2" in metadata and "Classifier: " in metadata and "Project-URL: " in metadata
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    runtime = {r.split(">")[0].split("<")[0].split("=")[0].strip().lower() for r in requires if "extra ==" not in r}
    assert runtime == {"jinja2", "markupsafe", "markdown", "pyyaml", "babel", "ruamel-yaml", "icalendar",
                       "rdflib"}, runtime
    assert "kanalregister/templates/base.html" in names
    assert "kanalregister/content/allmanna-handlingar.md" in names
    assert "kanalregister/commands/scaffold.py" in names
    assert {"kanalregister/commands/form_files/form.html", "kanalregister/commands/form_files/form.js"} <= names
    assert {f"kanalregister/locale/sv/LC_MESSAGES/messages.{ext}" for ext in ("po", "mo")} <= names
    shipped = {p.name for p in scaffold.FILES_DIR.iterdir() if p.is_file()}
    assert shipped and {f"kanalregister/commands/scaffold_files/{n}" for n in shipped} <= names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    pip = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
                         cwd=tmp_path, capture_output=True, text=True, env=env, timeout=900)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]

    def installed(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([str(bin_dir / "kanalregister"), *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=300)

    where = installed("--version", cwd=tmp_path)
    assert where.stdout.strip() == f"kanalregister {kanalregister.__version__}"
    empty = tmp_path / "kommunen"
    empty.mkdir()
    made = installed("init", *ORG, cwd=empty)  # DIR defaults to the current folder
    assert made.returncode == 0, made.stderr
    assert set(tree(empty)) == EXPECTED
    check = installed("check", cwd=empty)
    assert check.returncode == 0, check.stderr
    assert "OK, 0 kanaler" in check.stderr  # the installed catalogue speaks Swedish (KANALREGISTER_LANG=sv)
    build = installed("build", "--content", "content", cwd=empty)
    assert build.returncode == 0, build.stderr
    assert "Norsjö kommun" in soup(empty / "site" / "index.html").title.get_text()
    # The installed package writes the same files as the source tree.
    assert (empty / "channels.yaml").read_text(encoding="utf-8").splitlines()[0] == scaffold.MODELINE
    for rel, data in scaffold.repo_copies().items():
        assert (empty / rel).read_bytes() == data
    for rel in (".pre-commit-config.yaml", ".gitignore", "README.md", "content/allmanna-handlingar.md",
                "content/en/allmanna-handlingar.md"):
        assert (empty / rel).read_bytes() == scaffold.plan(scaffold.Organisation(*ORG[1::2]))[rel]
    assert "/site/" in (empty / ".gitignore").read_text(encoding="utf-8").split()


@pytest.mark.parametrize("value", ["Norsjö kommun", "123", "0o17", "2026-01-01", "yes", "No", "null", "~", ".inf",
                                   "a: b", "a #b", "x:", "[lista]", "{m}", "'q'", "*ref", "&anchor", "!tag", "% x",
                                   "@at", "`tick`", "|", ">", "-", "- x", "? x", "https://www.norsjo.se/a?b=1&c=2",
                                   "kommun@norsjo.se", "Malmö stad", "tab\there", "slut "])
def test_yaml_value_reads_back_as_the_same_text_in_yaml_1_1_and_1_2(value):
    from ruamel.yaml import YAML

    line = f"k: {scaffold.yaml_value(value)}\n"
    assert yaml.safe_load(line) == {"k": value}, line
    assert YAML(typ="safe").load(line) == {"k": value}, line
