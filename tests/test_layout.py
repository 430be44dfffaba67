"""The package's layout rules (docs/architecture.md): stages import only downwards, no module
imports another's private name, there is no import cycle, and every module stays readable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PKG = ROOT / "kanalregister"
#: Stages from the bottom up; a module may import its own stage and those below it.
LAYERS = ["i18n", "errors", "workers", "register", "cache", "site", "commands"]
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every import in the module,
    at the top or inside a function."""
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names if a.name.startswith("kanalregister")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("kanalregister"):
                continue
            names = [a.name for a in node.names]
            # `from . import model`: each name may be a module of its own
            subs = [f"{mod}.{n}" for n in names if f"{mod}.{n}" in MODULES]
            if subs:
                found += [(s, [], node.lineno) for s in subs]
            else:
                found.append((mod, names, node.lineno))
    return found


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return -1  # the package itself (__version__)
    return LAYERS.index(parts[1])


def test_every_module_is_in_a_stage():
    for name in MODULES:
        parts = name.split(".")
        assert len(parts) == 1 or parts[1] in LAYERS, f"{name} is in no stage of {LAYERS}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_downwards_and_take_no_private_names(name):
    mine = _layer(name)
    for mod, names, line in _imports(name, MODULES[name]):
        assert _layer(mod) <= mine, f"{name}:{line} imports {mod}, a later stage"
        # ``_`` is gettext's name (kanalregister.i18n), not a private one
        private = [n for n in names if n.startswith("_") and not n.startswith("__") and n != "_"]
        assert not private, f"{name}:{line} imports private names {private} from {mod}"
        assert not any(part.startswith("_") and not part.startswith("__") for part in mod.split(".")), \
            f"{name}:{line} imports a private module {mod}"


def test_no_import_cycle():
    graph = {n: {m for m, _names, _l in _imports(n, p) if m in MODULES and m != n} for n, p in MODULES.items()}
    # a package's __init__ importing nothing is the rule here; a cycle through one would show too
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                cycle = stack[stack.index(m):] + [m]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)


def test_the_checks_above_can_fail(tmp_path):
    """The import scanner sees relative imports, function-level imports and private names."""
    mod = tmp_path / "m.py"
    mod.write_text("def f():\n    from ..site.render import _private\n", encoding="utf-8")
    MODULES["kanalregister.register.m"] = mod
    try:
        found = _imports("kanalregister.register.m", mod)
    finally:
        del MODULES["kanalregister.register.m"]
    assert found == [("kanalregister.site.render", ["_private"], 2)]
    assert _layer("kanalregister.site.render") > _layer("kanalregister.register.m")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_are_readable_in_one_sitting(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines (at most {MAX_LINES})"


def test_build_py_stays_a_thin_entry_point():
    code = [line for line in (ROOT / "build.py").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    assert len(code) <= 12


#: import name → distribution name, for the packages runtime code imports
DISTRIBUTIONS = {"yaml": "pyyaml", "jinja2": "jinja2", "markupsafe": "markupsafe", "markdown": "markdown",
                 "babel": "babel", "ruamel": "ruamel.yaml", "icalendar": "icalendar"}


def test_runtime_dependencies_are_exactly_what_runtime_code_imports():
    import sys
    import tomllib

    imported = set()
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                imported.add((node.module or "").split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"kanalregister", "__future__"}
    assert third_party <= DISTRIBUTIONS.keys(), f"unknown imports: {third_party - DISTRIBUTIONS.keys()}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {d.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower()
                for d in project["dependencies"]}
    assert declared == {DISTRIBUTIONS[m] for m in third_party}
