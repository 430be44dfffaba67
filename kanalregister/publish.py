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

from .errors import UsageError, file_diagnostic

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
    """Wait for the removals :meth:`Publisher.commit` started in the background; a removal
    that failed leaves a ``.<out>.tmp-*`` folder, which the next build removes."""
    while _PENDING:
        try:
            os.waitpid(_PENDING.pop(), 0)
        except ChildProcessError:
            pass


class Publisher:
    """Collects output files in a temporary folder and publishes them all at once.

    Use as a context manager; call :meth:`write` for each file and :meth:`commit` at the end.
    Leaving the block without commit (an exception) removes the temporary folder.

    Args:
        out: the output folder (``site/``); its parent must exist or be creatable.

    Raises:
        UsageError: the output path exists but is not a folder, or cannot be written.
    """

    def __init__(self, out: Path):
        self.out = Path(out).absolute()
        if self.out.exists() and not self.out.is_dir():
            raise UsageError([file_diagnostic(str(out), "output.not-a-folder",
                                              "the output path exists and is not a folder")])
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._clean_leftovers()
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        except OSError as exc:
            raise UsageError([file_diagnostic(str(out), "output.unwritable",
                                              f"cannot write the output folder: {exc}")]) from None
        self.written: list[str] = []
        self.reused = 0
        #: posix path → (inode, mtime in ns, size in bytes) of each file in the new site
        self.stats: dict[str, tuple[int, int, int]] = {}
        #: files linked by :meth:`reuse` (their stats are the ones the caller passed in)
        self.linked: set[str] = set()
        self._dirs: set[Path] = set()
        self._reuse_dirs: set[str] = set()
        self._reuse = self.out.is_dir()

    def _clean_leftovers(self) -> None:
        for prefix in (f".{self.out.name}.tmp-", f".{self.out.name}.old-"):
            for p in self.out.parent.glob(prefix + "*"):
                shutil.rmtree(p, ignore_errors=True)

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
                    os.link(old, path)
                    self.reused += 1
                    self.stats[rel] = (st.st_ino, st.st_mtime_ns, st.st_size)
                    return
            except OSError:
                pass
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            st = os.fstat(fd)  # after the last write: the size and mtime the file keeps
        finally:
            os.close(fd)
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
            os.link(old, f"{self.tmp}/{rel}")
        except OSError:
            return False
        self.written.append(rel)
        self.reused += 1
        self.stats[rel] = expect
        self.linked.add(rel)
        return True

    def mkdirs(self, rel: str) -> None:
        """Create a folder inside the new site ahead of parallel writers."""
        path = self.tmp / rel
        path.mkdir(parents=True, exist_ok=True)
        self._dirs.add(path)

    def commit(self, background: bool = False) -> None:
        """Swap the new site in; remove the old one. Raises UsageError on I/O failure.

        With ``background`` the old copy is removed by a forked process, so that the caller
        can go on (writing its cache) meanwhile; call :func:`wait_removals` before exiting.
        """
        # mkdtemp makes the folder 0700; the folders inside were made by mkdir and, like the
        # files, follow the umask.
        os.chmod(self.tmp, 0o755)
        try:
            if self.out.exists():
                if _exchange(self.tmp, self.out):
                    _remove(self.tmp, background)
                else:
                    old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
                    os.rename(self.out, old / "site")
                    os.rename(self.tmp, self.out)
                    shutil.rmtree(old)
            else:
                os.rename(self.tmp, self.out)
        except OSError as exc:
            raise UsageError([file_diagnostic(str(self.out), "output.swap",
                                              f"cannot publish the new site: {exc}")]) from None

    def abort(self) -> None:
        """Remove the temporary folder; the previous output is untouched."""
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
