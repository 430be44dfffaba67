"""The build cache beside the output folder, for fast incremental rebuilds (issue #6).

For an output folder ``site/`` the cache is the folder ``.site.kanalregister-cache/`` next
to it: never inside the published folder. It holds, from the last successful build:

* ``state`` (written with :mod:`marshal`: plain tuples, strings and numbers, far faster
  to read and write than pickled objects):

  * ``context``: the key (code, policy, ``today``) that ``entries`` are valid under;
  * ``pages``: output path → (page key, inode, modification time in ns, size in bytes) of
    each channel page, so an unchanged page is linked from the old output without
    rendering — and only when the old file is still exactly the file that build wrote;
  * ``render``: the render key (code, templates, content pages, register head, build date)
    that ``pages`` and the blocks are valid under.

* ``entries`` (marshalled, with the snapshot's serial; later additions in the journal): entry
  digest → :class:`kanalregister.validate.Entry`, the checked result of each channel entry,
  diagnostics included (:func:`kanalregister.loader.load`);

* ``blocks/``: rendered blocks of list rows, CSV and JSON lines (:func:`memo_join`), one
  file each, named by a digest of the render key and the block's content key. A build
  reads only the blocks it needs, writes only new ones and deletes the ones it no longer
  used.

A cache that is missing, unreadable, from another version or for another context is
ignored; the build is then a full one and writes a new cache. The cache is written only
after the site was published (``state`` atomically: temporary file, then rename). Delete
the folder, or pass ``--no-cache``, to force a full build.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path

from .. import __version__
from ..i18n import language
from ..register.validate import Entry
from .blocks import BlockStore

FORMAT = 5
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def cache_path(out: Path) -> Path:
    """The cache folder for output folder ``out``: ``<parent>/.<name>.kanalregister-cache``."""
    out = Path(out).absolute()
    return out.parent / f".{out.name}.kanalregister-cache"


def tree_digest(paths: list[Path]) -> str:
    """SHA-256 (hex) over the names and bytes of every file under ``paths`` (sorted)."""
    h = hashlib.sha256()
    for root in paths:
        root = Path(root)
        files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if root.is_dir() else ([root] if root.is_file() else [])
        for f in files:
            h.update(str(f.relative_to(root) if root.is_dir() else f.name).encode() + b"\x00")
            h.update(f.read_bytes())
            h.update(b"\x00")
    return h.hexdigest()


_CODE: str | None = None


def _dependencies() -> str:
    """Where and which the rendering libraries are (path, mtime in ns and size of each
    package's ``__init__.py``): an upgrade of Jinja, Babel or Markdown changes this."""
    import importlib.util

    parts = []
    for name in ("jinja2", "markupsafe", "babel", "markdown"):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            st = os.stat(origin) if origin else None
        except OSError:
            st = None
        parts.append(f"{name}={origin}:{st.st_mtime_ns if st else 0}:{st.st_size if st else 0}")
    return ";".join(parts)


def code_digest() -> str:
    """Digest of kanalregister's own code and schemas, the Python version and the rendering
    libraries (any change invalidates every cache)."""
    global _CODE
    if _CODE is None:
        _CODE = f"{__version__}:{sys.version}:{_dependencies()}:{tree_digest([PACKAGE_DIR])}"
    return _CODE


class BuildCache:
    """The cache of one output folder (see the module text).

    ``state`` is a base snapshot plus a journal: a build whose keys match the snapshot's
    appends only what it changed (new entries, pages it wrote, new dates) as one record to
    ``journal``; when the keys change, or the journal grows past a quarter of the
    snapshot, the snapshot is written anew. A record cut short by a crash is ignored (every
    cached fact is checked against its key before use, so a missing one only costs time).

    Attributes:
        path: the cache folder (Path), or None when caching is off.
        context: the validation context key the ``entries`` are valid under (str).
        entries: entry digest → :class:`kanalregister.validate.Entry`.
        render: the render key ``pages`` and the blocks are valid under (str).
        pages: output path → (page key, inode, mtime in ns, size in bytes).
        store: the :class:`BlockStore` of this build (from :meth:`blocks_for`), or None.
        dates: (ordinal, Babel format) → Swedish date text, so that a rebuild that formats
            no new date need not load Babel's locale data.
        spare: the record of the output's spare copy (:class:`kanalregister.publish.Publisher`),
            or None.
    """

    def __init__(self, path: Path | None, context: str = "", entries: dict | None = None, render: str = "",
                 pages: dict | None = None, dates: dict | None = None, spare: dict | None = None):
        self.path, self.context, self.render = path, context, render
        self.spare = spare
        self.entries = entries if entries is not None else {}
        self.pages = pages if pages is not None else {}
        self.dates = dates if dates is not None else {}
        self.store: BlockStore | None = None
        # what the snapshot plus journal on disk hold, to write only the difference
        self._disk = (context, render, set(self.entries), dict(self.pages), set(self.dates))
        self._sizes = (0, 0)  # (snapshot bytes, journal bytes)
        self._serial = ""  # the snapshot's random id, which its journal records repeat

    @classmethod
    def open(cls, out: Path, enabled: bool = True) -> BuildCache:
        """Read the cache of ``out``; an empty cache when off, missing or unreadable."""
        if not enabled:
            return cls(None)
        path = cache_path(out)
        try:
            with open(path / "state", "rb") as fh:
                raw = fh.read()
            data = marshal.loads(raw)  # loads() of bytes: far faster than load() of a file
            if data.get("format") != FORMAT or data.get("code") != code_digest():
                return cls(path)
            pages, dates, spare = data["pages"], data["dates"], data["spare"]
            entries = _read_entries(path, data["serial"])
            try:
                with open(path / "journal", "rb") as fh:
                    journal = fh.read()
            except FileNotFoundError:
                journal = b""
            for record in _records(journal, data["serial"]):
                entries.update(_entries_from(record["entries"]))
                pages.update(record["pages"])
                for rel in record["dropped"]:
                    pages.pop(rel, None)
                dates.update(record["dates"])
                spare = record["spare"]
            cache = cls(path, data["context"], entries, data["render"], pages, dates, spare)
            cache._sizes = (len(raw), len(journal))
            cache._serial = data["serial"]
            return cache
        except FileNotFoundError:
            return cls(path)
        except Exception:  # noqa: BLE001 - a damaged cache is only a slower build
            return cls(path)

    def blocks_for(self, render: str) -> BlockStore:
        """The block store of this build, for render key ``render``. When the key differs
        from the last build's, nothing old is read, and the page records are dropped."""
        if render != self.render:
            self.pages = {}
        self.store = BlockStore(self.path / "blocks" if self.path is not None else None, render)
        return self.store

    def save(self) -> None:
        """Write the cache; a failure to write only costs the next build time."""
        if self.path is None:
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            if self.store is not None:
                self.store.save()
            elif (self.path / "blocks").is_dir():
                shutil.rmtree(self.path / "blocks", ignore_errors=True)
            context, render, entries, pages, dates = self._disk
            snapshot, journal = self._sizes
            if (context, render) == (self.context, self.render) and snapshot and journal * 4 < snapshot \
                    and len(entries) < 2 * len(self.entries) + 100:
                self._append({
                    "entries": {d: e.plain() for d, e in self.entries.items() if d not in entries},
                    "pages": {rel: v for rel, v in self.pages.items() if pages.get(rel) != v},
                    "dropped": [rel for rel in pages if rel not in self.pages],
                    "dates": {k: v for k, v in self.dates.items() if k not in dates},
                    "spare": self.spare,
                })
            else:
                self._snapshot()
        except OSError:
            pass

    def _snapshot(self) -> None:
        serial = os.urandom(8).hex()
        data = {"format": FORMAT, "code": code_digest(), "serial": serial, "context": self.context,
                "render": self.render, "pages": self.pages, "dates": self.dates,
                "spare": self.spare}
        _write_entries(self.path / "entries", serial, self.entries)
        _write_atomic(self.path / "state", marshal.dumps(data))
        # a journal belongs to one snapshot (its serial): the old one is now stale
        try:
            os.unlink(self.path / "journal")
        except FileNotFoundError:
            pass

    def _append(self, record: dict) -> None:
        record["serial"] = self._serial
        data = marshal.dumps(record)
        with open(self.path / "journal", "ab") as fh:
            fh.write(len(data).to_bytes(8, "little") + data)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        os.unlink(tmp)
        raise


#: Entries per marshalled record of the entries file (so writing it needs little memory).
_RECORD = 2000


def _write_entries(path: Path, serial: str, entries: dict) -> None:
    """Write ``entries`` (digest → Entry) to ``path`` atomically: records of an 8-byte length
    and a marshalled value — first the snapshot's ``serial``, then dicts of up to
    :data:`_RECORD` entries in plain form (so writing needs little memory)."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            items = list(entries.items())
            records = [serial] + [{d: e.plain() for d, e in items[i:i + _RECORD]}
                                  for i in range(0, len(items), _RECORD)]
            for record in records:
                data = marshal.dumps(record)
                fh.write(len(data).to_bytes(8, "little") + data)
        os.replace(tmp, path)
    except OSError:
        os.unlink(tmp)
        raise


def _read_entries(path: Path, serial: str) -> dict:
    """The entries of the cache folder ``path`` written with snapshot ``serial`` (an empty
    dict when missing or of another snapshot), from :func:`_write_entries`'s file."""
    try:
        with open(path / "entries", "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return {}
    view, pos, values = memoryview(data), 0, []
    while pos + 8 <= len(data):
        n = int.from_bytes(view[pos:pos + 8], "little")
        values.append(marshal.loads(view[pos + 8:pos + 8 + n]))
        pos += 8 + n
    if not values or values[0] != serial:
        return {}
    entries: dict = {}
    for record in values[1:]:
        entries.update(_entries_from(record))
    return entries


def _entries_from(plain: dict) -> dict:
    """digest → :class:`kanalregister.register.validate.Entry` from digest → its plain form."""
    make = Entry.from_plain
    return {d: make(t) for d, t in plain.items()}


def _records(journal: bytes, serial: str):
    """The complete records of a journal that belong to snapshot ``serial``, in order."""
    i = 0
    while i + 8 <= len(journal):
        n = int.from_bytes(journal[i:i + 8], "little")
        if i + 8 + n > len(journal):
            return  # cut short by a crash
        record = marshal.loads(journal[i + 8:i + 8 + n])
        if record.get("serial") != serial:
            return
        yield record
        i += 8 + n


def output_manifest(out: Path) -> dict[str, tuple[int, int, int]] | None:
    """Every file under ``out``: posix path → (inode, modification time in ns, size in
    bytes); None when ``out`` is not a folder."""
    root = str(Path(out))
    if not os.path.isdir(root):
        return None
    found: dict[str, tuple[int, int, int]] = {}
    stack = [("", root)]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append((prefix + e.name + "/", e.path))
                else:
                    st = e.stat(follow_symlinks=False)
                    found[prefix + e.name] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def read_last_build(out: Path, inputs: str) -> dict | None:
    """What the last successful build of ``out`` recorded (:func:`write_last_build`), if it
    was made from the same ``inputs`` (a digest) by the same code in the same language of
    messages (its diagnostics are kept as text); else None. The record is
    read whole only then: it starts with its key."""
    key = f"{code_digest()}:{language()}:{inputs}\n".encode()
    try:
        with open(cache_path(out) / "last-build", "rb") as fh:
            if fh.read(len(key)) != key:
                return None
            return pickle.loads(fh.read())
    except Exception:  # noqa: BLE001 - missing or damaged: the build runs
        return None


def write_last_build(out: Path, inputs: str, diagnostics: list, channels: int, manifest: dict) -> None:
    """Record, after a successful build of ``out``: the digest of its inputs, its diagnostics,
    its channel count and the ``manifest`` of the output folder as published (as
    :func:`output_manifest` reads it). A failure to write only costs the next build time."""
    record = {"diagnostics": diagnostics, "channels": channels, "manifest": manifest}
    key = f"{code_digest()}:{language()}:{inputs}\n".encode()
    try:
        _write_atomic(cache_path(out) / "last-build", key + pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass
