"""Where a build may write: kanalregister replaces only an output folder that it made itself.

The publisher (:mod:`kanalregister.site.publish`) replaces the output folder as a whole, so
naming the wrong folder would delete what is in it. :func:`output_folder` therefore decides,
before anything is written, whether the folder is one kanalregister may replace:

* symbolic links are resolved first: a ``site`` that links to a web root is published into
  the folder it points to (the link stays and keeps pointing at the new site), and that
  folder is judged like any other;
* the working folder, the register's folder, the content and template folders, and every
  folder that contains one of them, are refused;
* an existing folder that is not empty must be a site that kanalregister built: it holds the
  marker file :data:`MARKER` (or, for sites built before the marker, the build cache beside
  it); anything else is refused.

Every refusal is a :class:`~kanalregister.errors.UsageError` that names the folder and says
what to do, before a single file is touched.
"""

from __future__ import annotations

import contextlib

import os
from pathlib import Path

from ..cache.store import cache_path
from ..errors import UsageError, file_diagnostic
from ..i18n import _

#: The file every site carries, so that a later build knows the folder is its own to replace.
MARKER = ".kanalregister-site"
#: The marker's text.
MARKER_TEXT = "Den här mappen är en webbplats som kanalregister har byggt och ersätter vid nästa bygge.\n"


def output_folder(out: Path, protected: list[Path]) -> Path:
    """The real output folder for ``out`` (symbolic links resolved), once it is safe to replace.

    Args:
        out: the output folder as the user named it (``--out``).
        protected: folders that must never be replaced, nor any folder containing them (the
            working folder, the register's folder, content and template folders).

    Returns:
        The absolute, resolved path to publish into (Path).

    Raises:
        UsageError: ``out`` is, or contains, a protected folder; it exists and is not a folder;
            or it is a folder with files that kanalregister did not build.
    """
    real = Path(os.path.realpath(Path(out).absolute()))
    for p in protected:
        p = Path(os.path.realpath(Path(p).absolute()))
        if real == p or real in p.parents:
            raise UsageError([file_diagnostic(str(out), "output.protected",
                                              _("the output folder {real} would replace {p}, which holds your own "
                                                "files; kanalregister replaces the output folder as a whole").format(real=real, p=p),
                                              _("name a folder of its own for the site, e.g. --out site"))])
    if real.exists() and not real.is_dir():
        raise UsageError([file_diagnostic(str(out), "output.not-a-folder",
                                          _("the output path exists and is not a folder"),
                                              _("name a folder, e.g. --out site"))])
    if real.is_dir() and not _ours(real):
        raise UsageError([file_diagnostic(str(out), "output.foreign",
                                          _("{real} holds files that kanalregister did not build; it replaces the "
                                            "output folder as a whole and would delete them").format(real=real),
                                          _("name an empty or new folder, or one kanalregister built before"))])
    return real


def _ours(folder: Path) -> bool:
    """Whether ``folder`` may be replaced: empty, marked, or with kanalregister's cache beside it."""
    if (folder / MARKER).is_file():
        return True
    if (cache_path(folder) / "state").is_file():
        return True  # built before sites carried the marker
    with os.scandir(folder) as it:
        return next(it, None) is None


@contextlib.contextmanager
def build_lock(out: Path):
    """Hold an exclusive lock on ``out`` while building (the file ``.<out>.kanalregister-lock``
    beside it), so that two builds of the same output — ``serve`` and a manual one, or two
    CI jobs — take turns, whatever their options. Where no lock can be had (no ``fcntl``, an
    unwritable place), the build goes on without it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        fcntl = None
    if fcntl is None:
        yield
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fh = open(out.parent / f".{out.name}.kanalregister-lock", "a")  # noqa: SIM115 - closed below
    except OSError:
        yield
        return
    try:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield
    finally:
        fh.close()
