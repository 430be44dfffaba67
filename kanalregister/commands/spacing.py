"""The blank lines between the entries of a register's lists, as text: ``fmt`` keeps the
file's own (:func:`space_entries`) and ``new`` writes an entry into a file in ``fmt``'s
layout with them (:func:`splice_channel`)."""

from __future__ import annotations

import re

_KEEP_CHOMPING = re.compile(r"[|>][1-9]?\+")


def _between(line: str) -> bool:
    """A line that may stand between two entries: blank, or a comment indented by less than four."""
    stripped = line.lstrip()
    return not stripped or (stripped.startswith("#") and len(line) - len(stripped) < 4)


def _gaps(lines: list[str], first: int, end: int):
    """(start, stop, follows an entry) of the runs of :func:`_between` lines before each entry
    of the block ``lines[first:end]`` (possibly empty) and after the last one (then False),
    from the last to the first."""
    items = [k for k in range(first, end) if lines[k].startswith("  - ")]
    if not items:
        return
    stop = end
    while stop > items[-1] + 1 and _between(lines[stop - 1]):
        stop -= 1
    yield stop, end, False
    for j in reversed(items[1:]):
        i = j
        while _between(lines[i - 1]):
            i -= 1
        yield i, j, True


def _blocks(lines: list[str]):
    """(section, first line, past the last) of ``channels`` and ``party_channels``."""
    for section in ("channels", "party_channels"):
        if f"{section}:" not in lines:
            continue
        first = lines.index(f"{section}:") + 1
        end = next((k for k in range(first, len(lines)) if lines[k][:1] not in ("", " ", "#")), len(lines))
        yield section, first, end


def _spacing(lines: list[str]) -> dict:
    """section → (fewest, most blank lines between two entries, blank lines after the last) in ``lines``."""
    style = {}
    for section, first, end in _blocks(lines):
        counts, after = [], 0
        for i, j, inner in _gaps(lines, first, end):
            blank = sum(1 for line in lines[i:j] if not line.strip())
            if inner:
                counts.append(blank)
            else:
                after = blank
        style[section] = (min(counts, default=0), max(counts, default=0), after)
    return style


def space_entries(text: str, original: str) -> str:
    """``text`` (dumped) with the blank lines between the entries of ``channels`` and
    ``party_channels`` kept as ``original`` has them. ruamel.yaml keeps a blank line with
    the value before it, or after an entry that ends in a flow mapping with the next entry,
    so sorting can double or drop one: each gap between entries keeps its blank lines within
    the fewest and most the original has between two entries, and the gap after the last
    entry has the original's. Comments before an entry stay after the blank lines. Lines
    inside entries are untouched; a file with a block scalar that keeps its trailing lines
    (``|+``) is returned as it is."""
    if _KEEP_CHOMPING.search(text):
        return text
    style = _spacing(original.split("\n"))
    lines = text.split("\n")
    for section, first, end in reversed(list(_blocks(lines))):
        fewest, most, after = style.get(section, (0, 0, 0))
        for i, j, inner in list(_gaps(lines, first, end)):
            comments = [line for line in lines[i:j] if line.strip()]
            blank = len(lines[i:j]) - len(comments)
            lines[i:j] = [""] * (min(max(blank, fewest), most) if inner else after) + comments
    return "\n".join(lines)


def splice_channel(original: str, items: list, key: tuple, entry: str) -> tuple[str, int]:
    """The text of a register in ``fmt``'s layout with ``entry`` written in where ``fmt`` would
    put it, every other line as it was; and the entry's index. What ruamel.yaml would write
    (:func:`kanalregister.commands.edit.insert_channel` and ``dump``), without reading and writing the whole file
    (seconds for thousands of channels).

    Args:
        original: the register's text, lines ending in ``"\\n"``.
        items: (1-based line of the entry's ``  - ``, its :func:`channel_key`) for each
            channel in file order (at least one).
        key: the new channel's :func:`kanalregister.commands.edit.channel_key`; ``entry`` its
            text (:func:`kanalregister.commands.edit.entry_text`).
    """
    lines = original.split("\n")
    pos = next((i for i, (_line, k) in enumerate(items) if k > key), len(items))
    between = _spacing(lines).get("channels", (1, 1, 0))[0] if len(items) > 1 else 1
    new = entry.rstrip("\n").split("\n")
    if pos == 0:
        at = items[0][0] - 1
        lines[at:at] = new + [""] * between
        return "\n".join(lines), pos
    at = items[pos][0] - 1 if pos < len(items) else next(e for s, _f, e in _blocks(lines) if s == "channels")
    while at > items[pos - 1][0] and _between(lines[at - 1]):
        at -= 1
    lines[at:at] = [""] * between + new
    return "\n".join(lines), pos
