"""Rendered blocks of rows kept between builds: content-defined chunks of a list, rendered once
and reused while their items and the render key stay the same."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class BlockStore:
    """The ``blocks/`` folder: rendered texts by key, valid under one render key.

    A new text is written to its file at once (temporary file, then rename), so that a large
    build does not hold every rendered block in memory until the end; :meth:`save` then only
    deletes the files this build did not use. File names embed the render key, so texts of
    other templates or content are never read.

    Args:
        folder: the folder, or None for a store that keeps nothing.
        render: the render key the texts belong to (str).
    """

    def __init__(self, folder: Path | None, render: str):
        self.folder, self.render = folder, render
        self.used: set[str] = set()
        self._made = False

    def name(self, key) -> str:
        """The file name of ``key`` (a tuple of str) under this render key."""
        return hashlib.sha256("\x00".join((self.render, *key)).encode()).hexdigest()[:40]

    def get(self, key) -> str | None:
        """The text stored for ``key`` by this build or the last one, or None."""
        if self.folder is None:
            return None
        name = self.name(key)
        try:
            with open(self.folder / name, "rb") as fh:
                text = fh.read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        self.used.add(name)
        return text

    def __setitem__(self, key, text: str) -> None:
        if self.folder is None:
            return
        name = self.name(key)
        try:
            if not self._made:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._made = True
            tmp = self.folder / f".{name}.{os.getpid()}.tmp"
            tmp.write_bytes(text.encode("utf-8"))
            os.replace(tmp, self.folder / name)
        except OSError:
            self.folder = None  # cannot keep blocks: the build goes on without
            return
        self.used.add(name)

    def save(self) -> None:
        """Delete the blocks (and leftover temporary files) this build did not use."""
        if self.folder is None or not self.folder.is_dir():
            return
        for name in set(os.listdir(self.folder)) - self.used:
            try:
                os.unlink(self.folder / name)
            except OSError:
                pass


#: A block ends after an item whose key starts with one of these (4 of 256: ~64 items a block).
_BOUNDARY = frozenset({"00", "01", "02", "03"})


def blocks(items, key_of):
    """Cut ``items`` into content-defined blocks: yield (list of items, block key).

    A block ends after an item whose key (a hex digest first) starts with ``00`` to ``03``,
    so blocks hold about 64 items and an edit, insertion or removal changes only the block
    around it — the blocks after it keep their keys (content-defined chunking, as in rsync
    and backup tools). The block key is a digest of the item keys. With ``key_of`` None the
    whole list is one block with key None.
    """
    items = list(items)
    if key_of is None:
        yield items, None
        return
    keys = [key_of(x) for x in items]
    start = 0
    for end in [i + 1 for i, k in enumerate(keys) if k[:2] in _BOUNDARY] + [len(keys)]:
        if end > start:
            yield items[start:end], hashlib.sha256("\x00".join(keys[start:end]).encode()).hexdigest()[:32]
            start = end


def memo_join(items, key_of, memo, tag: str, render_one, sep: str = "") -> str:
    """``sep.join(render_one(item) for item in items)``, reusing whole blocks from ``memo``.

    Args:
        items: the sequence to render.
        key_of: item → key (hex digest first), or None for no reuse.
        memo: a :class:`BlockStore` (or None), keyed ``(tag, block key)``.
        tag: what is rendered (a template name, ``"csv"``…), part of the memo key.
        render_one: item → text.
        sep: the separator between items (and so between blocks).
    """
    parts = []
    for block, key in blocks(items, key_of if memo is not None else None):
        text = memo.get((tag, key)) if key is not None else None
        if text is None:
            text = sep.join(render_one(x) for x in block)
            if key is not None:
                memo[(tag, key)] = text
        parts.append(text)
    return sep.join(parts)
