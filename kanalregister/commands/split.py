"""``split``: move the internal facts out of the public register into the internal file (issue 20).

Every channel entry's internal fields (``x-internal`` in ``schemas/channel.json``:
administrators, ersättare, notes, review and activity dates, hours) move, with their
comments, to ``channels.internal.yaml`` (:func:`kanalregister.register.internal.default_path`),
keyed by the channel's id. Both files are edited by a ruamel.yaml round trip, so every other
line, comment and quote of the register stays as it was.

How comments travel: a comment inside a moved value, and one at the end of a moved key's
line, move with it; the whole-line comments after a moved value (which ruamel.yaml keeps with
that value, but which stand before the next key or channel) stay in the public register.

Safety: nothing is written unless the two new files read back (:func:`kanalregister.register.loader.load`)
as the same register, with the same internal facts, and with no new error. The internal file
is created, never overwritten (an existing one is refused: kanalregister did not write it, or
the user has edited it since); the register is then replaced in one step (a temporary file
renamed over it). Should that fail, the internal file just made is removed again.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from ..errors import UsageError, file_diagnostic
from ..i18n import _
from ..register.internal import INTERNAL_FIELDS, default_path
from ..register.loader import load
from .edit import dump, encode, load_rt, write_atomic
from .spacing import space_entries

HEADER = ("Interna uppgifter om kanalerna i förteckningen: administratörer, ersättare, anteckningar,\n"
          "granskning och aktivitet. Publiceras aldrig. Förvara filen i ett internt förråd, som en\n"
          "CI-hemlighet eller krypterad (se docs/internal.md); checka aldrig in den i ett publikt förråd.")


def _slot(node, key):
    """(ca list, index) of the comment that ruamel.yaml keeps after ``node[key]``'s value, or None."""
    if isinstance(node, CommentedMap):
        return node.ca.items.setdefault(key, [None, None, None, None]), 2
    return node.ca.items.setdefault(key, [None, None, None, None]), 0


def _trailing(node, key):
    """The (ca list, index, line of ``node[key]``'s key, 0-based) holding the comment after
    ``node[key]``, descending into a block value whose last scalar holds it; None when there is none."""
    items, i = _slot(node, key)
    if items[i] is not None:
        line = node.lc.key(key)[0] if isinstance(node, CommentedMap) else node.lc.item(key)[0]
        return items, i, line
    value = node[key]
    if isinstance(value, CommentedMap) and len(value) and not value.fa.flow_style():
        return _trailing(value, list(value.keys())[-1])
    if isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
        return _trailing(value, len(value) - 1)
    return None


def _cut(node, key) -> str:
    """Cut the whole-line comments after ``node[key]`` off it, keeping its end-of-line comment;
    return the lines cut ("" when none)."""
    found = _trailing(node, key)
    if found is None:
        return ""
    items, i, line = found
    token = items[i]
    text = token.value
    mark = getattr(token, "start_mark", None)
    if text.startswith("#") and (mark is None or mark.line == line):  # a comment at the end of the key's line
        eol, _sep, rest = text.partition("\n")
        token.value = eol + "\n"
    else:  # the value's line ends without one: every line of it stands after the value
        rest = text[1:] if text.startswith("\n") else (" " * (mark.column if mark else 0) + text)
        items[i] = None
    return rest


def _append(node, key, lines: str) -> None:
    """Add whole-line comments ``lines`` after ``node[key]``'s value."""
    if not lines:
        return
    found = _trailing(node, key)
    if found is None:
        items, i = _slot(node, key)
        items[i] = CommentToken("\n" + lines, CommentMark(0), None)
    else:
        items, i, _line = found
        items[i].value += lines


def move_internal(data: CommentedMap) -> CommentedMap:
    """Move the internal fields of every channel in ``data`` (a round-trip register, changed in
    place) into a new round-trip internal document (``channels:`` id → fields), comments kept."""
    out = CommentedMap()
    chans = CommentedMap()
    for ch in data.get("channels") or ():
        if not isinstance(ch, CommentedMap) or not any(k in ch for k in INTERNAL_FIELDS):
            continue
        entry = CommentedMap()
        for key in [k for k in ch if k in INTERNAL_FIELDS]:
            keys = list(ch.keys())
            before = keys[keys.index(key) - 1] if keys.index(key) > 0 else None
            rest = _cut(ch, key)
            entry[key] = ch[key]
            token = ch.ca.items.pop(key, None)
            if token is not None and any(token):
                entry.ca.items[key] = token
            del ch[key]
            if before is not None:
                _append(ch, before, rest)
        chans[str(ch.get("id"))] = entry
    out["channels"] = chans
    out.yaml_set_start_comment(HEADER)
    return out


def split_file(register: Path, internal: Path | None = None) -> tuple[int, Path]:
    """Split ``register`` into itself (public facts) and the internal file ``internal`` (default
    :func:`kanalregister.register.internal.default_path`).

    Returns:
        (how many channels' facts moved, the internal file's path).

    Raises:
        RegisterSyntaxError: the register is not safe YAML.
        UsageError: the internal file exists, the register holds no internal facts, or the split
            would not read as the same register (nothing is written then).
    """
    target = internal or default_path(register)
    if target.exists():
        raise UsageError([file_diagnostic(str(target), "split.exists",
                                          _("the internal file exists already; split never overwrites it"),
                                          _("move the remaining internal fields into it by hand, or name another "
                                            "file with --internal"))])
    data, raw, newline = load_rt(register)
    before_text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    inner = move_internal(data)
    n = len(inner["channels"])
    if not n:
        raise UsageError([file_diagnostic(str(register), "split.nothing",
                                          _("the register holds no internal facts; there is nothing to move"))])
    public, private = space_entries(dump(data), before_text), dump(inner)
    _same_register(register, before_text, public, private, target)
    _write_new(target, encode(private, newline).decode("utf-8"))
    try:
        write_atomic(register, encode(public, newline))
    except BaseException:
        target.unlink()
        raise
    return n, target


def _same_register(register: Path, before_text: str, public: str, private: str, target: Path) -> None:
    """Refuse (UsageError) unless the split files read as the register did: the same channels,
    the same internal facts and no error that was not there before."""
    old = load(before_text.encode(), name=str(register), internal=None).result
    new = load(public.encode(), name=str(register), internal=(str(target), private.encode())).result
    old_errors = {(d.code, d.message) for d in old.errors}
    fresh = [d for d in new.errors if (d.code, d.message) not in old_errors]
    same = old.model is None or (new.model is not None and _public(old.model) == _public(new.model) and all(
        old.model.internal[i] == new.model.internal[i] for i in old.model.internal))
    if fresh or not same:
        raise UsageError(fresh or [file_diagnostic(str(register), "split.differs",
                                                   _("the split register would not read as the same register; "
                                                     "nothing was written"), _("report this as a bug"))])


def _public(register) -> list:
    """The register's channels without their line numbers (which a split changes)."""
    return [dataclasses.replace(ch, line=0) for ch in register.channels]


def _write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text``, all at once, and only when it does not exist (a hard link
    from a temporary file: the one step that fails when the name is taken)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.link(tmp, path)
    except FileExistsError:
        raise UsageError([file_diagnostic(str(path), "split.exists",
                                          _("the internal file exists already; split never overwrites it"))]) from None
    finally:
        os.unlink(tmp)

