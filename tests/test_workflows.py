"""The ready-made CI files validate against their published schemas (vendored by
check-jsonschema; pre-commit's own manifest loader for .pre-commit-hooks.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import check_jsonschema
import jsonschema
import yaml
from conftest import ROOT
from ruamel.yaml import YAML

VENDOR = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"


def _validate(doc_path: Path, schema_name: str):
    schema = json.loads((VENDOR / f"{schema_name}.json").read_text(encoding="utf-8"))
    doc = YAML(typ="safe").load(doc_path.read_text(encoding="utf-8"))  # YAML 1.2, like GitHub: `on` is text
    cls = jsonschema.validators.validator_for(schema)
    return [e.message for e in cls(schema).iter_errors(doc)]


def test_github_workflow_is_valid():
    path = ROOT / ".github" / "workflows" / "kanalregister.yml"
    assert _validate(path, "github-workflows") == []
    wf = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = " ".join(s.get("run", "") for s in wf["jobs"]["check"]["steps"])
    assert "kanalregister check --format github" in steps and "GITHUB_STEP_SUMMARY" in steps
    assert "deploy-pages" in json.dumps(wf["jobs"]["publish"])


def test_a_broken_workflow_is_caught_by_the_same_check(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n", encoding="utf-8")
    assert _validate(bad, "github-workflows") != []


def test_gitlab_ci_is_valid():
    path = ROOT / ".gitlab-ci.yml"
    assert _validate(path, "gitlab-ci") == []
    ci = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "public" in ci["pages"]["artifacts"]["paths"]


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
