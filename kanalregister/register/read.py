"""Phase 1a: read ``channels.yaml`` safely into plain data that remembers where each value stood.

The loader walks libyaml's event stream itself instead of using ``yaml.safe_load`` so that it
can, in one pass and without recursion:

* refuse anchors and aliases (no alias-expansion bombs), custom tags (``!!python/...``) and
  merge keys, which the register never needs;
* refuse duplicate keys, which PyYAML silently accepts (the last one would win);
* stop at a nesting depth of :data:`MAX_DEPTH` before a hostile file can cost time;
* record the 1-based line and column of every key and value, for diagnostics.

Rule sources: YAML 1.1 (the PyYAML dialect), and the safe-loading practice of PyYAML's
``safe_load`` and yamllint (``key-duplicates``, no tabs for indentation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import Collector, Diagnostic, RegisterSyntaxError
from ..i18n import _
from .yamlerrors import explain_error

try:  # libyaml's C parser; PyYAML's pure-Python one is ~10x slower but equivalent.
    _Parser = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = yaml.SafeLoader

#: Deepest nesting of mappings and sequences accepted. The register needs 4.
MAX_DEPTH = 32
#: Largest register file accepted, in bytes (256 MiB: far above 100,000 channels).
MAX_BYTES = 256 * 1024 * 1024

_T = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT, _TS = (_T + s for s in ("str", "null", "bool", "int", "float", "timestamp"))
_MERGE = _T + "merge"
_SCALAR_TAGS = {_STR, _NULL, _BOOL, _INT, _FLOAT, _TS}

Pos = tuple[int, int]
#: A line indented with a tab before its content (not a comment, not blank).
_TAB_INDENT = re.compile(r"^([ \t]*\t[ \t]*)[^ \t\n#]", re.M)


class LocDict(dict):
    """A ``dict`` that also knows where its keys and values stood in the source.

    Attributes:
        start: (line, col) of the mapping, 1-based.
        pos: key → (line, col) of the value.
        kpos: key → (line, col) of the key itself.
        inline: key → offset, for values written on one line without escapes: the i-th
            character of the value stands at column ``pos[key][1] + offset + i`` (0 for plain,
            1 for quoted values).
    """

    __slots__ = ("start", "pos", "kpos", "inline")

    def __init__(self, start: Pos):
        super().__init__()
        self.start = start
        self.pos: dict[str, Pos] = {}
        self.kpos: dict[str, Pos] = {}
        self.inline: dict[str, int] = {}


class LocList(list):
    """A ``list`` that also knows where its items stood: ``start`` and ``pos[i]`` (line, col);
    ``inline``: index → offset of items written on one line (see :class:`LocDict`)."""

    __slots__ = ("start", "pos", "inline")

    def __init__(self, start: Pos):
        super().__init__()
        self.start = start
        self.pos: list[Pos] = []
        self.inline: dict[int, int] = {}


@dataclass(frozen=True)
class Document:
    """A loaded register file.

    Attributes:
        file: the path as given by the user (str), used in diagnostics.
        data: the root value: usually a :class:`LocDict`; ``None`` for an empty document.
            Scalars are str, None or bool only (YAML 1.2 core schema).
        root_pos: (line, col) where the root value starts, 1-based.
        warnings: non-fatal diagnostics found while reading (e.g. a byte-order mark).
    """

    file: str
    data: object
    warnings: tuple[Diagnostic, ...] = ()
    root_pos: tuple[int, int] = (1, 1)


def source_name(path: str | Path, display_name: str | None = None) -> str:
    """The register's name in diagnostics: ``display_name``, else ``<stdin>`` for ``"-"``,
    else the path as given (str)."""
    return display_name or ("<stdin>" if str(path) == "-" else str(path))


def read_bytes(path: str | Path, display_name: str | None = None, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a register file's bytes.

    Raises:
        RegisterSyntaxError: missing, unreadable, or larger than ``max_bytes`` bytes.
    """
    name = source_name(path, display_name)
    col = Collector(name)
    if str(path) == "-":  # the register on standard input
        import sys

        raw = sys.stdin.buffer.read(max_bytes + 1)
        if len(raw) > max_bytes:
            col.add(0, 0, "file.too-large", "",
                    _("the register may be at most {max_bytes} bytes").format(max_bytes=max_bytes))
            raise RegisterSyntaxError(col.items)
        return raw
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            col.add(0, 0, "file.too-large", "",
                    _("file is {size} bytes; the register may be at most {max_bytes} bytes").format(size=size,
                                                                                                    max_bytes=max_bytes))
            raise RegisterSyntaxError(col.items)
        return Path(path).read_bytes()
    except OSError as exc:
        hint = ("check the file name, or start a new register with 'kanalregister init FOLDER'"
                if isinstance(exc, FileNotFoundError) else None)
        col.add(0, 0, "file.unreadable", "",
                _("cannot read the register: {error}").format(error=exc.strerror or exc), hint)
        raise RegisterSyntaxError(col.items) from None


def read_register(path: str | Path, display_name: str | None = None,
                  max_bytes: int = MAX_BYTES) -> Document:
    """Read and safely parse a register file.

    Args:
        path: file to read.
        display_name: how to name the file in diagnostics (default: ``str(path)``).
        max_bytes: refuse files larger than this many bytes.

    Returns:
        A :class:`Document`.

    Raises:
        RegisterSyntaxError: the file is missing, too large, not UTF-8, not valid YAML, or
            uses a YAML feature the register forbids. Every problem found is reported.
    """
    name = display_name or str(path)
    return parse_bytes(read_bytes(path, name, max_bytes), name, max_bytes=max_bytes)


def parse_bytes(raw: bytes, name: str, max_bytes: int = MAX_BYTES) -> Document:
    """Parse register bytes (UTF-8) into a :class:`Document`; see :func:`read_register`.

    Raises:
        RegisterSyntaxError: as for :func:`read_register`.
    """
    col = Collector(name)
    if len(raw) > max_bytes:
        col.add(0, 0, "file.too-large", "",
                _("file is {size} bytes; the register may be at most {max_bytes} bytes").format(size=len(raw),
                                                                                                   max_bytes=max_bytes))
        raise RegisterSyntaxError(col.items)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        col.add(1, 1, "file.bom", "", _("file starts with a byte-order mark (BOM); it was ignored"),
                _("save the file as UTF-8 without BOM"), severity="warning")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        col.add(line, column, "file.encoding", "",
                _("byte 0x{byte:02x} is not valid UTF-8").format(byte=raw[exc.start]),
                    _("save the file as UTF-8"))
        raise RegisterSyntaxError(col.items) from None
    if "\t" in text:
        for m in _TAB_INDENT.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            col.add(line, m.group(1).index("\t") + 1, "yaml.tab", "",
                    _("tab character used for indentation"), _("indent with spaces"))
    if col.errors:
        raise RegisterSyntaxError(col.items)
    root_pos: list = []
    data = _build(text, col, root_pos)
    if col.errors:
        raise RegisterSyntaxError(col.items)
    return Document(name, data, tuple(col.items), root_pos[0] if root_pos else (1, 1))


def _p(mark) -> Pos:
    return (mark.line + 1, mark.column + 1)


_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def _scalar(ev, col: Collector, path: str, loader) -> object:
    """Turn a scalar event into str / None / bool, or report a forbidden tag.

    Plain scalars follow the YAML 1.2 core schema, as editors and ruamel.yaml do: only
    null/~/empty are null and only true/false are booleans; everything else is the text as
    written (``no``, ``sv``, ``0123``, ``2024-01-01``). The schema then says how a field's
    text is read (a date, a number), so ``0123`` never becomes 83 and ``no`` never False.
    """
    tag = ev.tag
    if tag is None or tag == "!":
        if not ev.implicit[0]:  # quoted or block scalar: always text
            return ev.value
        v = ev.value
        if v in _NULLS:
            return None
        return _BOOLS.get(v, v)
    if tag in _SCALAR_TAGS or tag == _MERGE:  # an explicit standard tag: the text as written
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _BOOLS.get(ev.value, ev.value)
        return ev.value
    line, c = _p(ev.start_mark)
    col.add(line, c, "yaml.tag", path,
            _("YAML tag {tag} is not allowed in the register").format(tag=_short(tag)),
            _("remove the tag; write plain text"))
    return None


def _short(tag: str) -> str:
    return "!!" + tag[len(_T):] if tag.startswith(_T) else tag


def _build(text: str, col: Collector, root_pos: list) -> object:
    """Consume the event stream into LocDict/LocList/scalars; report problems to ``col``."""
    loader = _Parser(text)
    # Each frame: [container, path, pending key (name, pos) or _BadKey or None, is_mapping, is_key]
    stack: list[list] = []
    root: object = None
    docs = 0
    try:
        while True:
            ev = loader.get_event()
            if ev is None:
                break
            et = type(ev)
            if et is yaml.StreamStartEvent or et is yaml.StreamEndEvent or et is yaml.DocumentEndEvent:
                continue
            if et is yaml.DocumentStartEvent:
                docs += 1
                if docs > 1:
                    line, c = _p(ev.start_mark)
                    col.add(line, c, "yaml.documents", "", _("the register must be one YAML document"),
                            _("remove the second '---'"))
                    break
                continue
            if et is yaml.MappingEndEvent or et is yaml.SequenceEndEvent:
                done = stack.pop()
                value = done[0]
                if not stack:
                    root = value
                elif not done[4]:  # a container used as a key was reported; its value is dropped
                    _attach(stack[-1], value, value.start, col)
                continue

            # a node: scalar, alias, mapping start or sequence start
            frame = stack[-1] if stack else None
            is_key = frame is not None and frame[3] and frame[2] is None
            path = _child_path(frame) if frame is not None and not is_key else (frame[1] if frame else "")
            start = _p(ev.start_mark)
            if frame is None:
                root_pos.append(start)
            if et is not yaml.AliasEvent and ev.anchor is not None:
                col.add(*start, "yaml.anchor", path,
                        _("anchor &{name} is not allowed in the register").format(name=ev.anchor),
                        _("write each value out in full"))
            if et is yaml.AliasEvent:
                col.add(*start, "yaml.alias", path,
                        _("alias *{name} is not allowed in the register").format(name=ev.anchor),
                        _("write each value out in full"))
                value: object = None
            elif et is yaml.ScalarEvent:
                value = _scalar(ev, col, path, loader)
            else:
                tag = ev.tag
                is_map = et is yaml.MappingStartEvent
                want = _T + ("map" if is_map else "seq")
                if tag not in (None, "!", want):
                    col.add(*start, "yaml.tag", path,
                            _("YAML tag {tag} is not allowed in the register").format(tag=_short(tag)),
                            _("remove the tag"))
                if len(stack) >= MAX_DEPTH:
                    col.add(*start, "yaml.depth", path,
                            _("nesting deeper than {max_depth} levels; the register needs at most "
                              "4").format(max_depth=MAX_DEPTH))
                    return None
                if is_key:
                    col.add(*start, "yaml.key", path, _("a key must be plain text, not a mapping or list"))
                container = LocDict(start) if is_map else LocList(start)
                # keys that are containers are recorded as an invalid key placeholder
                stack.append([container, path, None, is_map, is_key])
                if is_key:
                    frame[2] = _BadKey(start)
                continue
            if frame is None:
                root = value
            elif is_key:
                if et is yaml.ScalarEvent and ev.value == "<<" and ev.implicit[0] and ev.tag is None:
                    col.add(*start, "yaml.merge", frame[1], _("merge keys (<<) are not allowed in the register"),
                            _("write each value out in full"))
                    frame[2] = _BadKey(start)
                elif not isinstance(value, str):
                    if et is not yaml.AliasEvent:
                        col.add(*start, "yaml.key", frame[1],
                                _("key {key!r} must be text").format(key=ev.value), _("put the key in quotes"))
                    frame[2] = _BadKey(start)
                else:
                    frame[2] = (value, start)
            else:
                _attach(frame, value, start, col, _inline(ev) if et is yaml.ScalarEvent else None)
    except yaml.MarkedYAMLError as exc:
        e = explain_error(text, exc, MAX_DEPTH)
        col.add(e.line, e.col, e.code, "", e.message, e.hint)
        return None
    except yaml.YAMLError as exc:  # e.g. ReaderError: a character YAML does not allow
        mark = getattr(exc, "position", None)
        if isinstance(mark, int) and _Parser is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes
            mark = len(text.encode("utf-8")[:mark].decode("utf-8", "replace"))
        text_before = text[: mark] if isinstance(mark, int) else ""
        line = text_before.count("\n") + 1 if text_before else 0
        c = len(text_before) - text_before.rfind("\n") if text_before else 0
        col.add(line, c, "yaml.character", "",
                _("character not allowed in YAML: {reason}").format(reason=getattr(exc, "reason", exc)))
        return None
    finally:
        loader.dispose()
    return root


class _BadKey:
    """Placeholder for a key that was reported as invalid; its value is dropped."""

    __slots__ = ("start",)

    def __init__(self, start: Pos):
        self.start = start


def _child_path(frame: list) -> str:
    container, path, key, is_map, _ = frame
    if is_map:
        k = key[0] if isinstance(key, tuple) else "?"
        return f"{path}.{k}" if path else k
    return f"{path}[{len(container)}]"


def _inline(ev) -> int | None:
    """For a scalar written on one line with no escapes: how many columns its text starts after
    the scalar (0 plain, 1 quoted), so that character i is at column start + offset + i; else None."""
    if ev.start_mark.line != ev.end_mark.line or ev.style not in ("", None, "'", '"'):
        return None
    offset = 1 if ev.style in ("'", '"') else 0
    written = ev.end_mark.column - ev.start_mark.column - 2 * offset
    return offset if written == len(ev.value) else None


def _attach(frame: list, value: object, start: Pos, col: Collector, inline: int | None = None) -> None:
    container, path, key, is_map, _is_key = frame
    if not is_map:
        if inline is not None:
            container.inline[len(container)] = inline
        container.append(value)
        container.pos.append(start)
        return
    frame[2] = None
    if isinstance(key, _BadKey):
        return
    name, kstart = key
    if name in container:
        first = container.kpos[name]
        col.add(*kstart, "yaml.duplicate-key", f"{path}.{name}" if path else name,
                _("duplicate key '{name}' (first at line {line}, column {col})").format(
                    name=name, line=first[0], col=first[1]),
                _("keep one of them: YAML would silently use the last"))
        return
    container[name] = value
    container.pos[name] = start
    container.kpos[name] = kstart
    if inline is not None:
        container.inline[name] = inline
