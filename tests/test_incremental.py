"""Incremental builds (issue #6): a build that reuses the cache beside the output gives
exactly the files and messages of a build without it, after any kind of edit.

Each case builds a base register (which fills the cache), then an edited one into the same
folder, and compares that with a ``--no-cache`` build of the edited register in a fresh
folder: every file byte for byte, the exit status and the messages.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TODAY, run_cli

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

from kanalregister.cache.store import cache_path  # noqa: E402
from kanalregister.register.loader import split_register  # noqa: E402
from kanalregister.register.read import read_register  # noqa: E402

N = 40
BASE = generate(N, "clean")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _chunk(text: str, i: int) -> tuple[int, int]:
    """Start and end offsets of channel entry ``i`` in a generated register."""
    start = text.index(f"  - id: kanal-{i}\n")
    end = text.find("\n  - ", start + 1)
    return start, (end + 1 if end >= 0 else text.index("\nparty_channels:") + 1)


def _set(text: str, i: int, key: str, value: str) -> str:
    """Set field ``key`` of entry ``i`` (replace its line, or add one after the id)."""
    s, e = _chunk(text, i)
    entry = text[s:e]
    line = f"    {key}: {value}\n"
    new = re.sub(rf"^    {key}:.*\n", line, entry, count=1, flags=re.M) if re.search(rf"^    {key}:", entry,
                                                                                          re.M) \
        else entry.replace("\n", "\n" + line, 1)
    return text[:s] + new + text[e:]


def _get(text: str, i: int, key: str) -> str:
    s, e = _chunk(text, i)
    return re.search(rf"^    {key}: (.*)$", text[s:e], re.M).group(1)


def _drop(text: str, i: int, key: str) -> str:
    s, e = _chunk(text, i)
    return text[:s] + re.sub(rf"^    {key}:.*\n", "", text[s:e], flags=re.M) + text[e:]


def _delete(text: str, i: int) -> str:
    s, e = _chunk(text, i)
    return text[:s] + text[e:]


def _insert_copy(text: str, i: int, new_id: str) -> str:
    """Insert a copy of entry ``i`` before it, with a new id and address."""
    s, e = _chunk(text, i)
    entry = text[s:e].replace(f"id: kanal-{i}\n", f"id: {new_id}\n")
    entry = re.sub(r"^(    url: .*)\n", rf"\g<1>{new_id.replace('-', '')}\n", entry, flags=re.M)
    entry = re.sub(r"^    handle: .*\n", "", entry, flags=re.M)
    entry = re.sub(r"@exempel\.example", "@ny.example", entry)
    return text[:s] + entry + text[s:]


def _swap(text: str, i: int, j: int) -> str:
    (si, ei), (sj, ej) = _chunk(text, i), _chunk(text, j)
    assert ei <= sj
    return text[:si] + text[sj:ej] + text[ei:sj] + text[si:ei] + text[ej:]


def _admin_email(text: str, i: int) -> str:
    s, e = _chunk(text, i)
    return re.search(r"email: ([^,}]+)", text[s:e].split("administrators:")[1]).group(1)


EDITS = {
    # clean edits: the build must reuse every other channel
    "purpose": (lambda t: _set(t, 7, "purpose", "Ett nytt syfte."), True),
    "name (moves in the lists)": (lambda t: _set(t, 7, "name", "Aaaa först i listan"), True),
    "department": (lambda t: _set(t, 7, "department", "Förvaltning 0 för kultur"), True),
    "close a channel": (lambda t: _set(_set(_set(t, 8, "status", "closed"), 8, "closing_date", "2026-01-31"),
                                       8, "last_archived", "2026-01-31"), True),
    "successor to another channel": (lambda t: _set(t, 9, "successor", "kanal-3"), True),
    "insert a channel (lines below shift)": (lambda t: _insert_copy(t, 5, "kanal-ny"), True),
    "delete a channel": (lambda t: _delete(t, 12), True),
    "swap two channels": (lambda t: _swap(t, 2, 30), True),
    "party channel": (lambda t: t.replace("Parti 3", "Parti tre"), True),
    "nothing": (lambda t: t, True),
    # edits that span entries or break the register: the entries are still taken from the cache (their
    # results do not depend on the others), and the rules over all entries run again
    "organisation (the head)": (lambda t: t.replace("name: Exempelby kommun", "name: Exempelby stad"), True),
    "duplicate id": (lambda t: _set(t, 11, "id", "kanal-12"), True),
    "duplicate address": (lambda t: _set(t, 11, "url", _get(t, 12, "url")), True),
    "successor removed": (lambda t: _delete(_set(t, 9, "successor", "kanal-3"), 3), True),
    "another channel's administrator e-mail published": (
        lambda t: _set(t, 4, "contact_email", _admin_email(t, 20)), True),
    "a published contact made internal elsewhere": (
        lambda t: _set(t, 20, "substitute", "{name: Ny Person, email: " + _get(t, 4, "contact_email") + "}"), True),
    "schema error": (lambda t: _set(t, 6, "platform", "myspace"), True),
    "policy warning": (lambda t: _drop(t, 6, "approved_by"), True),
    # an entry that does not read by itself: the whole file is read as one document
    "quoted text spanning entries": (lambda t: _set(t, 6, "purpose", '"Början'), False),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_cached_build_after_an_edit_equals_a_full_build(tmp_path, name):
    edit, reusable = EDITS[name]
    base, edited = tmp_path / "base.yaml", tmp_path / "edited.yaml"
    base.write_text(BASE, encoding="utf-8")
    edited.write_text(edit(BASE), encoding="utf-8")
    out, ref = tmp_path / "site", tmp_path / "ref"
    assert run_cli("build", "-r", str(base), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    assert (cache_path(out) / "state").is_file()
    got = run_cli("build", "-r", str(edited), "--out", str(out), "--today", TODAY.isoformat())
    want = run_cli("build", "-r", str(edited), "--out", str(ref), "--today", TODAY.isoformat(), "--no-cache")
    assert got.code == want.code
    assert re.sub(r" to \S+/( \(.*\))?", "", got.err) == re.sub(r" to \S+/", "", want.err)
    if want.code == 0:
        assert _snapshot(out) == _snapshot(ref)
        reused = re.search(r"\((\d+) channels unchanged since the last build\)", got.err)
        if reusable:
            n = len(read_register(edited).data["channels"])
            assert reused and int(reused.group(1)) >= n - 2, got.err
        else:
            assert reused is None, got.err
    else:
        assert "error" in got.err
    assert not cache_path(ref).exists(), "--no-cache writes no cache"


def test_a_chain_of_random_edits_stays_identical_to_full_builds(tmp_path):
    """Twenty edits in a row, each built on the previous build's cache."""
    rng = random.Random(6)
    text = BASE
    out, ref = tmp_path / "site", tmp_path / "ref"
    reg = tmp_path / "channels.yaml"
    words = ["skola", "kultur", "<b>fet</b>", "Åre & Öland", "miljö", "a\u00e9b"]
    for step in range(20):
        i = rng.randrange(N - 5)
        kind = rng.choice(["purpose", "name", "department", "delete", "insert", "swap", "unit"])
        try:
            if kind == "delete":
                text = _delete(text, i)
            elif kind == "insert":
                text = _insert_copy(text, i, f"ny-{step}")
            elif kind == "swap":
                text = _swap(text, i, i + 3)
            elif kind == "department":
                text = _set(text, i, "department", f"Förvaltning {rng.randrange(3)} för {rng.choice(words)}")
            else:
                text = _set(text, i, kind, " ".join(rng.choice(words) for _ in range(4)))
        except (ValueError, AssertionError):
            continue  # the entry was deleted earlier
        reg.write_text(text, encoding="utf-8")
        got = run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat())
        want = run_cli("build", "-r", str(reg), "--out", str(ref), "--today", TODAY.isoformat(), "--no-cache")
        assert got.code == want.code == 0, (kind, got.err)
        assert _snapshot(out) == _snapshot(ref), (step, kind)


def test_edit_links_follow_lines_that_an_insertion_shifted(tmp_path):
    """With ``{line}`` in ``edit_url`` every page below an insertion links to its new line."""
    text = BASE.replace("  example_data: true\n",
                        "  example_data: true\n  edit_url: https://git.example/r/edit/main/channels.yaml#L{line}\n")
    base, edited = tmp_path / "base.yaml", tmp_path / "edited.yaml"
    base.write_text(text, encoding="utf-8")
    edited.write_text(_insert_copy(text, 5, "kanal-ny"), encoding="utf-8")
    out, ref = tmp_path / "site", tmp_path / "ref"
    assert run_cli("build", "-r", str(base), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    got = run_cli("build", "-r", str(edited), "--out", str(out), "--today", TODAY.isoformat())
    assert "channels unchanged since the last build" in got.err
    assert run_cli("build", "-r", str(edited), "--out", str(ref), "--today", TODAY.isoformat(), "--no-cache").code == 0
    assert _snapshot(out) == _snapshot(ref)
    line = edited.read_text(encoding="utf-8").splitlines().index("  - id: kanal-20") + 1
    assert f"#L{line}\"" in (out / "kanal" / "kanal-20.html").read_text(encoding="utf-8")


def test_a_page_changed_by_hand_is_written_again(tmp_path):
    """The cache trusts a page only while it is the very file the last build wrote."""
    reg = tmp_path / "r.yaml"
    reg.write_text(BASE, encoding="utf-8")
    out, ref = tmp_path / "site", tmp_path / "ref"
    assert run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    page = out / "kanal" / "kanal-3.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Förvaltning", "FEL"), encoding="utf-8")
    (out / "kanal" / "kanal-4.html").unlink()
    assert run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    assert run_cli("build", "-r", str(reg), "--out", str(ref), "--today", TODAY.isoformat(), "--no-cache").code == 0
    assert _snapshot(out) == _snapshot(ref)


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "no blocks"])
def test_a_damaged_cache_only_costs_time(tmp_path, damage):
    reg = tmp_path / "r.yaml"
    reg.write_text(BASE, encoding="utf-8")
    out, ref = tmp_path / "site", tmp_path / "ref"
    assert run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    state = cache_path(out) / "state"
    if damage == "garbage":
        state.write_bytes(b"\x00not marshal")
    elif damage == "empty":
        state.write_bytes(b"")
    elif damage == "truncated":
        state.write_bytes(state.read_bytes()[:1000])
    else:
        for f in (cache_path(out) / "blocks").iterdir():
            f.unlink()
    reg.write_text(_set(BASE, 3, "purpose", "Syftet är ändrat."), encoding="utf-8")
    r = run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat())
    assert r.code == 0 and "Traceback" not in r.err
    assert run_cli("build", "-r", str(reg), "--out", str(ref), "--today", TODAY.isoformat(), "--no-cache").code == 0
    assert _snapshot(out) == _snapshot(ref)


def test_changed_templates_are_used(tmp_path):
    reg = tmp_path / "r.yaml"
    reg.write_text(BASE, encoding="utf-8")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    row = (ROOT / "templates" / "_channel_row.html").read_text(encoding="utf-8")
    (tpl / "_channel_row.html").write_text(row, encoding="utf-8")
    out = tmp_path / "site"
    args = ["build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat(), "-t", str(tpl)]
    assert run_cli(*args).code == 0
    (tpl / "_channel_row.html").write_text(row.replace('<td data-label="{{ _("Syfte") }}"',
                                                           '<td data-label="{{ _("Syfte") }}" class="syfte"'),
                                           encoding="utf-8")
    assert run_cli(*args).code == 0
    assert (out / "index.html").read_text(encoding="utf-8").count('class="syfte"') == sum(
        1 for c in read_register(reg).data["channels"] if c["status"] == "active")


def test_the_split_matches_the_parser_on_the_demo_and_generated_registers():
    for path_or_text in (ROOT / "channels.yaml", BASE):
        raw = path_or_text.read_bytes() if isinstance(path_or_text, Path) else path_or_text.encode("utf-8")
        split = split_register(raw)
        assert split is not None
        from kanalregister.register.read import parse_bytes

        doc = parse_bytes(raw, "x")
        lines = [doc.data["channels"].pos[i][0] for i in range(len(doc.data["channels"]))]
        assert [line for line, _chunk in split.chunks] == lines
        # the frame keeps every line of the file, with the entries' lines left blank
        assert split.frame.count(b"\n") == raw.count(b"\n")
        body = b"".join(c for _l, c in split.chunks)
        i = raw.index(body)
        assert split.frame == raw[:i] + b"\n" * body.count(b"\n") + raw[i + len(body):]


def test_two_builds_of_one_output_at_once_take_turns(tmp_path):
    """Builds of the same output lock its cache folder, so the cache and the spare copy
    stay consistent when, say, ``serve`` and a manual build run together."""
    import os
    import subprocess

    regs = []
    for k in range(2):
        p = tmp_path / f"r{k}.yaml"
        p.write_text(_set(BASE, 5 + k, "purpose", f"Samtidigt ändrat syfte {k}."), encoding="utf-8")
        regs.append(p)
    out, ref = tmp_path / "site", tmp_path / "ref"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "CI": "true"}
    assert run_cli("build", "-r", str(regs[0]), "--out", str(out), "--today", TODAY.isoformat()).code == 0
    procs = [subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "-r", str(r), "--out", str(out),
                               "--today", TODAY.isoformat()], env=env, stderr=subprocess.PIPE) for r in regs * 2]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    last = tmp_path / "last.yaml"
    last.write_text(_set(BASE, 9, "purpose", "Till sist ändrat."), encoding="utf-8")
    got = run_cli("build", "-r", str(last), "--out", str(out), "--today", TODAY.isoformat())
    assert got.code == 0 and "channels unchanged since the last build" in got.err
    assert run_cli("build", "-r", str(last), "--out", str(ref), "--today", TODAY.isoformat(), "--no-cache").code == 0
    assert _snapshot(out) == _snapshot(ref)


def test_the_recorded_manifest_is_the_output_as_published(tmp_path):
    """The last-build record keeps the publisher's account of every file (not a walk of the
    output): it must equal what a walk of the output reads, after a full build and a rebuild."""
    from kanalregister.cache.store import output_manifest, read_last_build
    from kanalregister.site.build import inputs_digest, sources

    reg = tmp_path / "r.yaml"
    reg.write_text(BASE, encoding="utf-8")
    out = tmp_path / "site"
    for text in (BASE, _set(BASE, 7, "purpose", "Ett nytt syfte.")):
        reg.write_text(text, encoding="utf-8")
        assert run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat()).code == 0
        inputs = inputs_digest(str(reg), reg.read_bytes(), sources(reg), TODAY, out)
        last = read_last_build(out, inputs)
        assert last is not None and last["manifest"] == output_manifest(out)
    again = run_cli("build", "-r", str(reg), "--out", str(out), "--today", TODAY.isoformat())
    assert "nothing changed since the last build" in again.err
