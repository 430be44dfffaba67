"""The safe loader: values, positions, and what it refuses."""

from __future__ import annotations

import pytest

from kanalregister.errors import RegisterSyntaxError
from kanalregister.register.read import LocDict, LocList, parse_bytes


def test_values_and_positions():
    doc = parse_bytes(b"a: 1\nb:\n  - x\n  - 'y'\nc: {d: 2024-01-02, e: no, f: ~}\n", "t.yaml")
    data = doc.data
    assert isinstance(data, LocDict)
    # YAML 1.2 core schema: only null/~ and true/false are special; the rest is text as written
    assert data == {"a": "1", "b": ["x", "y"], "c": {"d": "2024-01-02", "e": "no", "f": None}}
    assert data.pos["a"] == (1, 4) and data.kpos["b"] == (2, 1)
    assert isinstance(data["b"], LocList) and data["b"].pos == [(3, 5), (4, 5)]
    assert data["c"].pos["e"] == (5, 23)
    assert doc.root_pos == (1, 1)


def test_quoted_values_stay_text():
    data = parse_bytes(b"a: 'no'\nb: \"2024-01-01\"\nc: '0123'\nd: 'true'\n", "t.yaml").data
    assert data == {"a": "no", "b": "2024-01-01", "c": "0123", "d": "true"}


def test_plain_values_are_never_converted_behind_the_users_back():
    data = parse_bytes(b"a: 0123\nb: 1:30\nc: 0x1F\nd: yes\ne: true\nf: NULL\ng: .5\n", "t.yaml").data
    assert data == {"a": "0123", "b": "1:30", "c": "0x1F", "d": "yes", "e": True, "f": None, "g": ".5"}


def test_merge_looking_value_is_plain_text():
    assert parse_bytes(b"a: <<\n", "t.yaml").data == {"a": "<<"}


@pytest.mark.parametrize("src,code,pos", [
    (b"a: 1\na: 2\n", "yaml.duplicate-key", (2, 1)),
    (b"a: &x 1\n", "yaml.anchor", (1, 4)),
    (b"a: [1]\nb: *x\n", "yaml.alias", (2, 4)),
    (b"a: !!python/object:os.system x\n", "yaml.tag", (1, 4)),
    (b"a: !!str x\nb: !!set {x}\n", "yaml.tag", (2, 4)),
    (b"<<: {a: 1}\n", "yaml.merge", (1, 1)),
    (b"a:\n\t- x\n", "yaml.tab", (2, 1)),
    (b"a: b\n---\nc: d\n", "yaml.documents", (2, 1)),
    (b"true: x\n", "yaml.key", (1, 1)),
    (b"a: !!binary aGVq\n", "yaml.tag", (1, 4)),
])
def test_refused(src, code, pos):
    with pytest.raises(RegisterSyntaxError) as exc:
        parse_bytes(src, "t.yaml")
    d = [d for d in exc.value.diagnostics if d.code == code]
    assert d and (d[0].line, d[0].col) == pos
    assert d[0].file == "t.yaml"


def test_deep_nesting_stops_early_and_fast():
    import time

    src = ("a: " + "[" * 200_000 + "]" * 200_000 + "\n").encode()
    t = time.process_time()
    with pytest.raises(RegisterSyntaxError) as exc:
        parse_bytes(src, "t.yaml")
    assert exc.value.diagnostics[0].code == "yaml.depth"
    assert time.process_time() - t < 5  # libyaml alone would take minutes on this input


def test_alias_bomb_is_not_expanded():
    lines = ["a: &a [" + ", ".join(["lol"] * 10) + "]"]
    for i in range(1, 12):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(RegisterSyntaxError) as exc:
        parse_bytes("\n".join(lines).encode(), "t.yaml")
    assert {d.code for d in exc.value.diagnostics} == {"yaml.anchor", "yaml.alias"}

