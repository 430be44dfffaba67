"""``check --changed-since REF``: the warnings of a pull request are those of the entries it
touched (issue 18, point 4).

A pull request that adds one channel should not repeat the warnings about everyone else's
channels. Errors are always reported (nothing wrong may be published, whoever wrote it);
warnings are shown only for

* channels (by ``id``) that are new or whose entry differs from the register at ``REF``;
* the sections that changed (``organisation``, ``party_channels``); a changed ``policy``
  section touches every entry, since it changes what every entry is checked against;
* the file as a whole (diagnostics without a path in the data, e.g. a byte-order mark).

The others are counted (:class:`Split`). Entries are compared with
:func:`kanalregister.commands.diff.compare`, the comparison ``diff`` shows the reviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostic
from .diff import compare, read_both

_CHANNEL = re.compile(r"channels\[(\d+)\]")


@dataclass(frozen=True)
class Touched:
    """What a change touched: ``ids`` (set of channel ids, new or changed), ``sections``
    (set of top-level section names that changed) and ``everything`` (bool: the policy
    changed, so every entry counts as touched)."""

    ids: frozenset
    sections: frozenset
    everything: bool
    channel_ids: tuple  # the id of each entry of the working-tree register, by index (None if it has none)


@dataclass(frozen=True)
class Split:
    """Diagnostics split for a pull request: ``shown`` (every error, the touched entries'
    warnings; list[Diagnostic], in the input order) and ``hidden`` (the other warnings)."""

    shown: list
    hidden: list


def touched_since(register: Path, ref: str) -> Touched:
    """What the working-tree ``register`` changed since git ``ref``.

    Raises:
        UsageError: not a git repository, or an unknown ref (git's message).
        RegisterSyntaxError: the working-tree register is not safe YAML.
    """
    old, new, _shown = read_both(Path(register), ref)
    d = compare(old, new)
    ids = {r["id"] for r in d.added} | set(d.changed)
    sections = set()
    if d.organisation:
        sections.add("organisation")
    if d.parties_added or d.parties_removed or d.parties_changed:
        sections.add("party_channels")
    rows = new.get("channels") if isinstance(new, dict) else None
    by_index = tuple(r.get("id") if isinstance(r, dict) else None for r in rows) if isinstance(rows, list) else ()
    return Touched(frozenset(ids), frozenset(sections), bool(d.policy), by_index)


def split(diags: list[Diagnostic], touched: Touched) -> Split:
    """Keep every error and the warnings about what ``touched`` names; count the rest."""
    shown, hidden = [], []
    for d in diags:
        (shown if d.severity == "error" or _is_touched(d.path, touched) else hidden).append(d)
    return Split(shown, hidden)


def _is_touched(path: str, t: Touched) -> bool:
    if t.everything or not path:
        return True
    m = _CHANNEL.match(path)
    if m:
        i = int(m.group(1))
        cid = t.channel_ids[i] if i < len(t.channel_ids) else None
        return cid is None or cid in t.ids  # an entry without a readable id cannot be compared: shown
    section = re.split(r"[.\[]", path, maxsplit=1)[0]
    return section not in ("organisation", "party_channels") or section in t.sections
