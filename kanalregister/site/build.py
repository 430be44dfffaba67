"""The whole build: load → validate → model (phase 1), then render → export → publish (phase 2).

Phase 2 starts only when phase 1 found no error, and writes into a temporary folder that
replaces the output only at the end (:mod:`kanalregister.publish`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from . import export
from . import render
from ..cache.store import (
    BuildCache,
    cache_path,
    code_digest,
    output_manifest,
    read_last_build,
    tree_digest,
    write_last_build,
)
from ..errors import Diagnostic, RegisterInvalid, UsageError, file_diagnostic
from ..register.read import read_bytes
from ..register.loader import digest, load
from ..register.model import Register
from ..workers import map_items
from .content import load_content
from .progress import Progress, working
from .swedish import DATE_MEMO
from .publish import Publisher, leftovers, wait_removals

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def build_date(register_path: Path | None = None) -> dt.date:
    """The "senast uppdaterad" date (a :class:`datetime.date` in Europe/Stockholm).

    ``SOURCE_DATE_EPOCH`` (seconds since 1970, reproducible-builds.org) when set; else the
    register file's modification time; else today.

    Raises:
        UsageError: SOURCE_DATE_EPOCH is set but not a whole number of seconds.
    """
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    if sde is not None:
        try:
            ts = int(sde)
        except ValueError:
            raise UsageError([file_diagnostic("SOURCE_DATE_EPOCH", "env.source-date-epoch",
                                              f"'{sde}' is not a whole number of seconds")]) from None
    elif register_path is not None and Path(register_path).exists():
        ts = int(Path(register_path).stat().st_mtime)
    else:
        return dt.datetime.now(STOCKHOLM).date()
    return dt.datetime.fromtimestamp(ts, STOCKHOLM).date()


@dataclass(frozen=True)
class BuildResult:
    """What a build did: ``files`` written (list of posix paths), ``warnings``, and how many
    channels were taken unchanged from the build cache (``reused``; 0 for a full build)."""

    files: list[str]
    warnings: list[Diagnostic]
    reused: int = 0


def site_sources(register_path, templates: list[Path] | None, content_dir: Path | None
                 ) -> tuple[list[Path], Path | None]:
    """The template overrides and the content folder of a build of ``register_path``.

    Beside the options, the register's own folder counts: its ``templates/`` (the
    municipality's graphic profile) is searched after the ``--templates`` folders, and its
    ``content/`` is the content folder when ``--content`` is not given. So a register
    repository made by ``kanalregister init`` builds with its own pages without options.

    Returns:
        (override template folders, content folder or None for kanalregister's own).
    """
    here = Path.cwd() if str(register_path) == "-" else Path(register_path).absolute().parent
    overrides = [Path(d) for d in (templates or [])]
    if (here / "templates").is_dir() and (here / "templates").resolve() not in {d.resolve() for d in overrides}:
        overrides.append(here / "templates")
    if content_dir is None and (here / "content").is_dir():
        content_dir = here / "content"
    return overrides, content_dir


def template_dirs(overrides: list[Path] | None) -> list[Path]:
    """Template search path: the override folders (earliest wins), then the default."""
    dirs = [Path(d) for d in (overrides or [])]
    for d in dirs:
        if not d.is_dir():
            raise UsageError([file_diagnostic(str(d), "templates.missing", "template folder not found")])
    return dirs + [render.default_dir("templates")]


def write_site(register: Register, out: Path, templates: list[Path] | None = None,
               content_dir: Path | None = None, date: dt.date | None = None,
               started: float | None = None, keys: dict | None = None, cache: BuildCache | None = None,
               head: str = "", background_removal: bool = False) -> list[str]:
    """Render and export a validated register into ``out``, atomically.

    Args:
        register: the model from phase 1.
        out: output folder (replaced as a whole).
        templates: override template folders (may be None).
        content_dir: the Markdown pages (default: the default ``content/``).
        date: the "senast uppdaterad" date (default: :func:`build_date`).
        started: ``time.monotonic()`` when the build began, so that progress shows only
            for builds longer than about 2 seconds.
        keys: channel id → digest of its register text (from
            :func:`kanalregister.loader.load`), or None: with ``cache``,
            pages and rows whose inputs did not change are reused from the last build.
        cache: the output folder's :class:`BuildCache` (updated in place, not saved), or None.
        head: a digest of the register's text other than its entries (part of the render key).
        background_removal: remove old copies in a forked process; the caller must call
            :func:`kanalregister.publish.wait_removals` (as :func:`build` does).

    Returns:
        The files written, as posix paths relative to ``out`` (list[str]).

    Raises:
        SiteSourceError: a template or content page is broken (nothing is published).
        UsageError: the output cannot be written (nothing is published).
    """
    date = date or build_date()
    dirs = template_dirs(templates)
    cdir = Path(content_dir) if content_dir else render.default_dir("content")
    if not cdir.is_dir():
        raise UsageError([file_diagnostic(str(cdir), "content.missing", "content folder not found")])
    content = load_content(cdir)
    # The cache folder serves the spare copy and Jinja's bytecode even when the register gives
    # no digests (``keys``); rows and pages are reused only with them.
    cache_obj = cache if cache is not None and cache.path is not None else None
    if cache is None or keys is None:
        keys, cache = None, None
        rkey, rows = "", None
    else:
        parts = (code_digest(), tree_digest(dirs), tree_digest([cdir]), head, date.isoformat())
        rkey = digest("\x00".join(parts).encode())
        rows = cache.blocks_for(rkey)
    jinja_dir = None
    if cache_obj is not None:
        jinja_dir = cache_obj.path / "jinja"
        try:
            jinja_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            jinja_dir = None
    renderer = render.Renderer(register, dirs, content, date, keys, rows, jinja_dir)
    progress = Progress(len(register.channels) + 12, "kanalregister: skriver sidor", start=started)
    spare = cache_obj.spare if cache_obj is not None else None
    with Publisher(out, spare, keep_spare=cache_obj is not None, background=background_removal) as pub:
        old_pages = dict(cache.pages) if cache is not None else {}
        for _path, job in renderer.site_page_jobs():
            page = job()
            pub.write(page.path, page.text)
            progress.step()
        for name, text in export.exports(register, date, keys, renderer.rows).items():
            pub.write(name, text)
        _write_channel_pages(renderer, pub, progress, cache)
        progress.close()
        static = [d / "static" for d in reversed(dirs) if (d / "static").is_dir()]
        seen: dict[str, Path] = {}
        for s in static:  # later (override) folders win
            for f in s.rglob("*"):
                if f.is_file():
                    seen[f.relative_to(s).as_posix()] = f
        for rel in sorted(seen):
            pub.write(rel, seen[rel].read_bytes())
        pub.commit()
        if cache_obj is not None:
            cache_obj.spare = pub.spare_record
        if cache is not None:
            cache.render = rkey
            pages = {}
            stats = pub.stats
            for cid, key in renderer.channel_keys.items():
                rel = f"kanal/{cid}.html"
                st = stats.get(rel) or old_pages.get(rel, (None,))[1:]  # written, or linked unchanged
                if st:
                    pages[rel] = (key, *st)
            cache.pages = pages
        return pub.written


def _write_channel_pages(renderer, pub: Publisher, progress: Progress | None, cache: BuildCache | None) -> None:
    """Write every channel page. ``progress`` (or None) counts them.

    A page whose key (render key + the channel's item key) is the one recorded for the file
    the last build wrote, and whose file is still that file, is linked without rendering.
    The others are rendered by :meth:`kanalregister.site.render.Renderer.channel_page`, in
    worker processes when there are many (:func:`kanalregister.workers.map_items`).
    """
    keys = renderer.channel_keys
    pages = cache.pages if cache is not None else {}  # recorded under this build's render key (else emptied)
    channels = renderer.register.channels
    todo = []
    for c in channels:
        if pages:
            rel = f"kanal/{c.id}.html"
            old = pages.get(rel)
            if old is not None and old[0] == keys[c.id] and pub.reuse(rel, old[1:]):
                if progress is not None:
                    progress.step()
                continue
        todo.append(c)
    if todo:  # the first here: its templates are compiled (and cached) before any worker starts
        first = renderer.channel_page(todo[0])
        pub.write(first.path, first.text)
        if progress is not None:
            progress.step()
    for page in map_items(renderer.channel_page, todo[1:]):
        pub.write(page.path, page.text)
        if progress is not None:
            progress.step()


def build(register_path: Path, out: Path, templates: list[Path] | None = None,
          content_dir: Path | None = None, today: dt.date | None = None, strict: bool = False,
          display_name: str | None = None, use_cache: bool = True) -> BuildResult:
    """Load, validate and publish a register in one call.

    With ``use_cache`` (the default) the build reads and then updates the cache beside
    ``out`` (:mod:`kanalregister.cache`) and validates and renders again only what changed
    since the last build (:mod:`kanalregister.loader`); the output is byte-identical
    to that of a build without the cache.

    Raises:
        RegisterSyntaxError, RegisterInvalid: the register is broken (``out`` untouched).
        SiteSourceError, UsageError: see :func:`write_site`.
    """
    started = time.monotonic()
    today = today or dt.date.today()
    templates, content_dir = site_sources(register_path, templates, content_dir)
    name = display_name or ("<stdin>" if str(register_path) == "-" else str(register_path))
    # read before the lock: a missing register leaves nothing behind. Handed over in a box, so
    # that _build can let go of the text (100 MB for a large register) once it is read.
    box = {"raw": read_bytes(register_path, name)}
    with _build_lock(out if use_cache else None):
        return _build(register_path, box, name, out, templates, content_dir, today, strict, use_cache, started)


@contextlib.contextmanager
def _build_lock(out: Path | None):
    """Hold an exclusive lock on ``out``'s cache folder (``lock`` inside it) while building,
    so that two builds of the same output (``serve`` and a manual build, say) take turns
    with the cache and the spare copy. None, or a platform without ``fcntl``: no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        fcntl = None
    if out is None or fcntl is None:
        yield
        return
    try:
        folder = cache_path(out)
        folder.mkdir(parents=True, exist_ok=True)
        fh = open(folder / "lock", "a")  # noqa: SIM115 - closed below
    except OSError:  # an unwritable place: build without the lock (the cache will not be saved either)
        yield
        return
    try:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield
    finally:
        fh.close()


def _build(register_path, box, name, out, templates, content_dir, today, strict, use_cache, started):
    """:func:`build` under its lock (its arguments; ``box["raw"]``: the register's bytes, taken
    out of the box here; ``name``: the register's name in diagnostics).

    When nothing that the site is made from changed since the last build of ``out`` (the
    register's bytes, the templates, the content pages, the code, ``today`` and the build
    date) and the output folder is still exactly as that build left it, nothing is done:
    the result is that build's (its diagnostics included).
    """
    raw = box.pop("raw")
    date = build_date(register_path if str(register_path) != "-" else None)
    inputs = ""
    if use_cache:
        dirs = template_dirs(templates)
        cdir = Path(content_dir) if content_dir else render.default_dir("content")
        inputs = digest("\x00".join((name, digest(raw), code_digest(), tree_digest(dirs), tree_digest([cdir]),
                                     today.isoformat(), date.isoformat(), str(Path(out).absolute()))).encode())
        last = read_last_build(out)
        if last is not None and last["inputs"] == inputs and last["manifest"] == output_manifest(out) \
                and not leftovers(out):
            diagnostics = last["diagnostics"]
            if strict and diagnostics:
                raise RegisterInvalid(diagnostics)
            return BuildResult([], diagnostics, last["channels"])
    cache = BuildCache.open(out, use_cache) if use_cache else None
    if cache is not None:
        DATE_MEMO.update(cache.dates)
    with working("kanalregister: läser och kontrollerar förteckningen", start=started):
        loaded = load(raw, today, name=name, memo=cache.entries if cache is not None else None,
                      memo_context=cache.context if cache is not None else "", code=code_digest())
    del raw  # the register's text is not needed again (a large register is 100 MB)
    res = loaded.result
    if res.register is None or (strict and res.diagnostics):
        raise RegisterInvalid(res.diagnostics)
    keys = loaded.keys if loaded.keys else None
    try:
        files = write_site(res.register, out, templates, content_dir, date, started,
                           keys, cache, loaded.frame, background_removal=True)
        _save_cache(cache, loaded, keys)
        if use_cache:
            write_last_build(out, inputs, res.diagnostics, len(res.register.channels))
    finally:
        wait_removals()
    return BuildResult(files, res.diagnostics, loaded.reused)


def _save_cache(cache: BuildCache | None, loaded, keys) -> None:
    """Record this build's entries, dates and blocks in the cache folder (if any)."""
    if cache is not None:
        cache.dates = dict(DATE_MEMO)
        if keys is not None:
            cache.context, cache.entries = loaded.context, loaded.memo
        else:
            cache.context, cache.entries, cache.render, cache.pages, cache.store = "", {}, "", {}, None
        cache.save()
