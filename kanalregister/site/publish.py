"""Phase 2c: write the site into a temporary sibling folder, then swap it in.

A half-built site never replaces a good one: files are written to ``.<out>.tmp-*`` beside
the output folder; only when every file is written is the folder exchanged with the old
one — atomically with Linux ``renameat2(RENAME_EXCHANGE)`` where available, otherwise with
two renames — and the old copy removed. A build that fails or is killed leaves the previous
output byte-identical; leftovers of killed builds are removed by the next build.
(Atomic deploys as practised by reproducible-builds.org and static hosts.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import UsageError, file_diagnostic
from ..i18n import _

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); return False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


_PENDING: list[int] = []


def _remove(path: Path, background: bool) -> None:
    """Remove a folder tree, in a forked process when ``background`` (see :func:`wait_removals`)."""
    if background:
        try:
            pid = os.fork()
        except OSError:
            pid = -1
        if pid == 0:  # the child removes the tree and ends at once
            try:
                shutil.rmtree(path, ignore_errors=True)
            finally:
                os._exit(0)
        if pid > 0:
            _PENDING.append(pid)
            return
    shutil.rmtree(path)


def wait_removals() -> None:
    """Wait for the removals a :class:`Publisher` started in the background; a removal
    that failed leaves a ``.<out>.tmp-*`` folder, which the next build removes."""
    while _PENDING:
        try:
            os.waitpid(_PENDING.pop(), 0)
        except ChildProcessError:
            pass


def leftovers(out: Path) -> list[Path]:
    """Temporary folders of ``out`` that a killed build left beside it (list of Path)."""
    out = Path(out).absolute()
    return [p for prefix in (f".{out.name}.tmp-", f".{out.name}.old-") for p in out.parent.glob(prefix + "*")]


class Publisher:
    """Collects output files in a temporary folder and publishes them all at once.

    Use as a context manager; call :meth:`write` for each file and :meth:`commit` at the end.
    Leaving the block without commit (an exception) removes the temporary folder.

    **The spare copy.** With ``spare`` (a record from the last build, kept in the build
    cache) the previous output's predecessor, kept as ``.<out>.spare`` beside the output,
    is brought up to date instead of a new folder being filled: its files are hard links to
    the same files as the output's, except the ``stale`` ones the last build changed, added
    or removed. So a rebuild touches only those and the files that change now — not one
    link per file of a 100,000-page site — and after the swap the old output becomes the next
    spare. Before it is changed the spare is renamed to a temporary name, so a killed build
    leaves no spare that could be trusted; every change goes through a new file and a
    rename, never into a file that the live output shares.

    Args:
        out: the output folder (``site/``); its parent must exist or be creatable.
        spare: ``{"ino": inode of the spare's folder, "live": inode of the output folder,
            "stale": [posix paths]}`` from :attr:`spare_record` of the last build, or None.
        keep_spare: keep the replaced output as the next spare (see :attr:`spare_record`)
            instead of removing it.
        background: remove old copies (a replaced output, an untrusted spare) in a forked
            process, so that the caller can go on meanwhile; it must then call
            :func:`wait_removals` before it ends.

    Raises:
        UsageError: the output path exists but is not a folder, or cannot be written.
    """

    def __init__(self, out: Path, spare: dict | None = None, keep_spare: bool = False, background: bool = False):
        self.out = Path(out).absolute()
        if self.out.exists() and not self.out.is_dir():
            raise UsageError([file_diagnostic(str(out), "output.not-a-folder",
                                              _("the output path exists and is not a folder"))])
        self.spare_path = self.out.parent / f".{self.out.name}.spare"
        self.keep_spare, self.background = keep_spare, background
        self.stale: set[str] | None = None  # None: a fresh temporary folder
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._clean_leftovers()
            self.tmp = self._take_spare(spare) if keep_spare else None
            if self.tmp is None:
                if self.spare_path.exists():  # not the one recorded: never trusted
                    doomed = self.out.parent / f".{self.out.name}.tmp-{os.urandom(6).hex()}"
                    os.rename(self.spare_path, doomed)  # out of the way before it is removed
                    _remove(doomed, background)
                self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        except OSError as exc:
            raise UsageError([file_diagnostic(str(out), "output.unwritable",
                                              _("cannot write the output folder: {exc}").format(exc=exc))]) from None
        self.written: list[str] = []
        self.reused = 0
        #: posix path → (inode, mtime in ns, size in bytes) of each file in the new site
        self.stats: dict[str, tuple[int, int, int]] = {}
        #: files linked by :meth:`reuse` (their stats are the ones the caller passed in)
        self.linked: set[str] = set()
        #: files whose bytes this build wrote anew (not kept from the current output)
        self.changed: set[str] = set()
        #: what the next build needs to use the spare this one leaves (see the class text)
        self.spare_record: dict | None = None
        self._dirs: set[Path] = set()
        self._reuse_dirs: set[str] = set()
        self._reuse = self.out.is_dir()

    def _take_spare(self, record: dict | None) -> Path | None:
        """Rename the recorded spare to a temporary name and return it, or None."""
        if not record or not self.out.is_dir():
            return None
        try:
            if os.stat(self.spare_path).st_ino != record["ino"] or os.stat(self.out).st_ino != record["live"]:
                return None
            tmp = self.out.parent / f".{self.out.name}.tmp-{os.urandom(6).hex()}"
            os.rename(self.spare_path, tmp)
        except (OSError, KeyError, TypeError):
            return None
        self.stale = set(record["stale"])
        return tmp

    def _clean_leftovers(self) -> None:
        for p in leftovers(self.out):
            shutil.rmtree(p, ignore_errors=True)

    def _place(self, rel: str, path: Path, data: bytes | None, old: str | None):
        """Make ``path`` the file ``old`` (a link to it) or a new file holding ``data``.
        Returns the new file's stats when data was written, else None. In a spare a file is
        replaced through a rename: its old inode may be shared with the live output."""
        if self.stale is not None:
            if old is not None:
                if rel not in self.stale and os.path.exists(path):
                    return None  # already a link to the very same file
                tmp = f"{path}.{os.getpid()}.link"
                os.link(old, tmp)
                os.replace(tmp, path)
                return None
            tmp = f"{path}.{os.getpid()}.new"
            st = _write_file(tmp, data)
            os.replace(tmp, path)
            return st
        if old is not None:
            os.link(old, path)
            return None
        return _write_file(str(path), data)

    def write(self, rel: str, text: str | bytes) -> None:
        """Write one file at posix path ``rel`` inside the new site (UTF-8 for text).

        When the current output already has that file with the same bytes, it is hard-linked
        into the new site instead of written: an incremental rebuild rewrites only the files
        whose content changed, and the published files keep their identity (inode, mtime).
        """
        path = self.tmp / rel
        parent = path.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        data = text.encode("utf-8") if isinstance(text, str) else text
        self.written.append(rel)
        if self._reuse:
            old = self.out / rel
            try:
                st = old.stat()
                if st.st_size == len(data) and old.read_bytes() == data:
                    self._place(rel, path, None, str(old))
                    self.reused += 1
                    self.stats[rel] = (st.st_ino, st.st_mtime_ns, st.st_size)
                    return
            except OSError:
                pass
        st = self._place(rel, path, data, None)
        self.changed.add(rel)
        self.stats[rel] = (st.st_ino, st.st_mtime_ns, st.st_size)

    def reuse(self, rel: str, expect: tuple[int, int, int]) -> bool:
        """Hard-link the current output's file ``rel`` into the new site without reading it,
        if it is still the very file a previous build wrote: same inode, modification time
        (ns) and size as ``expect``. Return whether it was linked (else write it)."""
        if not self._reuse:
            return False
        old = f"{self.out}/{rel}"  # plain strings: this runs once per page of a large site
        try:
            st = os.stat(old)
            if (st.st_ino, st.st_mtime_ns, st.st_size) != expect:
                return False
            slash = rel.rfind("/")
            if slash > 0 and rel[:slash] not in self._reuse_dirs:
                (self.tmp / rel[:slash]).mkdir(parents=True, exist_ok=True)
                self._reuse_dirs.add(rel[:slash])
            if self.stale is None:
                os.link(old, f"{self.tmp}/{rel}")
            elif rel in self.stale or not os.path.exists(f"{self.tmp}/{rel}"):
                self._place(rel, Path(f"{self.tmp}/{rel}"), None, old)
            # else: the spare's file is already a link to the very same file
        except OSError:
            return False
        self.written.append(rel)
        self.reused += 1
        self.stats[rel] = expect
        self.linked.add(rel)
        return True

    def start_report(self) -> None:
        """In a forked child: forget what the parent did, so that :meth:`report` tells
        only what this process wrote."""
        self.written, self.reused, self.stats, self.linked, self.changed = [], 0, {}, set(), set()

    def report(self) -> tuple:
        """What this process wrote since :meth:`start_report`, as plain values for the parent's
        :meth:`merge`. Files linked unchanged keep stats the parent knows, and are left out."""
        stats = {rel: st for rel, st in self.stats.items() if rel not in self.linked}
        return (self.written, self.reused, stats, self.changed)

    def merge(self, report: tuple) -> None:
        """Take in a child's :meth:`report`: its files count as written by this publisher."""
        written, reused, stats, changed = report
        self.written.extend(written)
        self.reused += reused
        self.stats.update(stats)
        self.changed |= set(changed)

    def mkdirs(self, rel: str) -> None:
        """Create a folder inside the new site ahead of parallel writers."""
        path = self.tmp / rel
        path.mkdir(parents=True, exist_ok=True)
        self._dirs.add(path)

    def _files(self, root: Path) -> set[str]:
        out = set()
        for dirpath, _dirs, files in os.walk(root):
            rel = os.path.relpath(dirpath, root)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            out.update(prefix + f for f in files)
        return out

    def commit(self) -> None:
        """Swap the new site in; keep the old one as the spare or remove it (see
        ``background``). Raises UsageError on I/O failure."""
        produced = set(self.written)
        try:
            removed = set()
            if self.stale is not None:  # a spare: drop what this build no longer has
                for rel in self._files(self.tmp) - produced:
                    os.unlink(self.tmp / rel)
                    removed.add(rel)
            # mkdtemp makes the folder 0700; the folders inside were made by mkdir and, like
            # the files, follow the umask.
            os.chmod(self.tmp, 0o755)
            if self.out.exists():
                new_ino = os.stat(self.tmp).st_ino
                if _exchange(self.tmp, self.out):
                    if self.keep_spare:
                        # The old output, now at the temporary name, differs from the new
                        # one in what this build wrote, and in the files only one of them has.
                        stale = self.changed | removed | (set() if self.stale is not None else
                                                          self._files(self.tmp) ^ produced)
                        os.rename(self.tmp, self.spare_path)
                        self.spare_record = {"ino": os.stat(self.spare_path).st_ino, "live": new_ino,
                                             "stale": sorted(stale)}
                    else:
                        _remove(self.tmp, self.background)
                else:
                    old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
                    os.rename(self.out, old / "site")
                    os.rename(self.tmp, self.out)
                    shutil.rmtree(old)
            else:
                os.rename(self.tmp, self.out)
                if self.keep_spare:
                    self._link_spare(produced)
        except OSError as exc:
            raise UsageError([file_diagnostic(str(self.out), "output.swap",
                                              _("cannot publish the new site: {exc}").format(exc=exc))]) from None

    def _link_spare(self, produced: set[str]) -> None:
        """After a first build: a spare of hard links to every file, for the next rebuild."""
        tmp = tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent)
        for folder in sorted({rel.rpartition("/")[0] for rel in produced} - {""}):
            os.makedirs(f"{tmp}/{folder}", exist_ok=True)
        out = str(self.out)  # plain strings: one link per file of a site of up to 100,000 pages
        for rel in produced:
            os.link(f"{out}/{rel}", f"{tmp}/{rel}")
        os.chmod(tmp, 0o755)
        os.rename(tmp, self.spare_path)
        self.spare_record = {"ino": os.stat(self.spare_path).st_ino, "live": os.stat(self.out).st_ino, "stale": []}

    def abort(self) -> None:
        """Remove the temporary folder; the previous output is untouched."""
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()


def _write_file(path: str, data: bytes) -> os.stat_result:
    """Write ``data`` to a new file; return its stat (inode, mtime in ns, size…)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        st = os.fstat(fd)  # after the last write: the size and mtime the file keeps
    finally:
        os.close(fd)
    return st
