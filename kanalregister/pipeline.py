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

from . import export, forking, render
from .cache import BuildCache, cache_path, code_digest, tree_digest
from .errors import Diagnostic, KanalregisterError, RegisterInvalid, SiteSourceError, UsageError, file_diagnostic
from .incremental import digest, load_incremental
from .model import Register
from .progress import Progress, working
from .publish import Publisher, wait_removals

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
            :func:`kanalregister.incremental.load_incremental`), or None: with ``cache``,
            pages and rows whose inputs did not change are reused from the last build.
        cache: the output folder's :class:`BuildCache` (updated in place, not saved), or None.
        head: the register text before the channel list (part of the render key).
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
    content = render.load_content(cdir)
    # The cache folder serves the spare copy and Jinja's bytecode even when the register gives
    # no digests (``keys``); rows and pages are reused only with them.
    cache_obj = cache if cache is not None and cache.path is not None else None
    if cache is None or keys is None:
        keys, cache = None, None
        rkey, rows = "", None
    else:
        rkey = digest("\x00".join((code_digest(), tree_digest(dirs), tree_digest([cdir]), head, date.isoformat())))
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
        jobs = renderer.site_page_jobs()
        parallel = len(register.channels) >= PARALLEL_MIN
        side_pages = set(render.Renderer.SIDE_PAGES)
        if cache is not None and cache.pages:  # most channel pages will be linked, not rendered:
            side_pages.add("kontrollera.html")  # the side process has time for one more list
        here = [job for path, job in jobs if not (parallel and path in side_pages)]
        there = [job for path, job in jobs if parallel and path in side_pages]

        old_pages = dict(cache.pages) if cache is not None else {}

        claims = Claims.make(len(register.channels)) if parallel else None

        def side_work() -> None:
            """Some list pages, then channel pages from the front (in a side process for large
            registers, while this one renders the other pages and the exports and then takes
            channel pages from the back: :class:`Claims`)."""
            for job in there:
                page = job()
                pub.write(page.path, page.text)
            _write_channel_pages(renderer, pub, progress, cache, claims.front() if claims is not None else None)
            progress.close()

        renderer.channel_keys  # noqa: B018 - computed once, before the fork, for both processes
        side = _Side.start(side_work, pub, renderer.rows) if parallel else None
        try:
            for job in here:
                page = job()
                pub.write(page.path, page.text)
                if side is None:
                    progress.step()
            for name, text in export.exports(register, date, keys, renderer.rows).items():
                pub.write(name, text)
            if side is not None:
                if claims is not None:
                    _write_channel_pages(renderer, pub, None, cache, claims.back())
                side.join()
            else:
                side_work()
        except BaseException:
            if side is not None:
                side.kill()
            raise
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


#: Registers with more channels than this render their channel pages (and a few lists) in a
#: side process while this one renders the other pages and the exports.
PARALLEL_MIN = 2000


class Claims:
    """The channel pages cut into runs of :attr:`SIZE`, taken by two processes from opposite
    ends: the side process from the front, this one from the back once its own pages and
    exports are done. Whichever finishes its other work first writes more channel pages, so
    both cores stay busy to the end however the machine's load shifts between them.

    Each run is taken once: a process takes runs one by one from its end and stops at the
    first one the other has taken; the taking is a byte of a shared memory map set under a
    lock, both made before the fork. So the front taker holds a prefix of the runs, the back
    taker a suffix, and together all of them.

    Args:
        n: the number of channels (int).
    """

    SIZE = 64  # channel pages per run

    def __init__(self, n: int):
        import mmap
        import multiprocessing

        self.n = n
        self.runs = -(-n // self.SIZE)
        self.taken = mmap.mmap(-1, max(1, self.runs))  # anonymous: shared with the forked child
        self.lock = multiprocessing.Lock()

    @classmethod
    def make(cls, n: int) -> Claims | None:
        """Claims for ``n`` channels, or None where the platform has no shared lock (no
        ``/dev/shm``, say): then the side process writes every channel page."""
        try:
            return cls(n)
        except (OSError, ImportError):
            return None

    def _take(self, k: int) -> bool:
        with self.lock:
            if self.taken[k]:
                return False
            self.taken[k] = 1
            return True

    def _run(self, k: int) -> range:
        return range(k * self.SIZE, min(self.n, (k + 1) * self.SIZE))

    def front(self):
        """Yield the indices of the channels to write, run by run from the first (ranges)."""
        for k in range(self.runs):
            if not self._take(k):
                return
            yield self._run(k)

    def back(self):
        """Yield the indices of the channels to write, run by run from the last (ranges)."""
        for k in reversed(range(self.runs)):
            if not self._take(k):
                return
            yield self._run(k)


class _Side:
    """Work done in a forked process while this one goes on (two cores, two processes).

    The child runs ``fn`` (which writes files through the shared :class:`Publisher`'s
    temporary folder) and sends back what the parent must know: the files it wrote, their
    stats, the value of ``fn`` and the blocks it rendered or used. Where fork is missing or
    fails, ``fn`` runs here when joined.
    """

    def __init__(self, fn, pub: Publisher, rows, child: tuple[int, int] | None):
        self.fn, self.pub, self.rows, self.child = fn, pub, rows, child

    @classmethod
    def start(cls, fn, pub: Publisher, rows) -> _Side:
        """Fork and run ``fn`` in the child; see the class text."""
        if not forking.can_fork():
            return cls(fn, pub, rows, None)

        def work():
            pub.start_report()
            rows.used = set()
            try:
                value = fn()
            except KanalregisterError as exc:
                return 0, ("error", [tuple(getattr(d, f) for f in Diagnostic.__slots__) for d in exc.diagnostics])
            except BaseException as exc:  # noqa: BLE001 - reported by the parent
                return 1, ("crash", f"{type(exc).__name__}: {exc}")
            return 0, ("ok", value, pub.report(), rows.used)

        return cls(fn, pub, rows, forking.start(work))

    def kill(self) -> None:
        """Stop the child (this process failed); reap it."""
        if self.child is not None:
            forking.kill(self.child)
            self.child = None

    def join(self):
        """Wait for the child; merge its files and blocks; return ``fn``'s value.

        Raises:
            SiteSourceError: a template failed in the child.
            RuntimeError: the child died (a bug, not a data error).
        """
        if self.child is None:
            return self.fn()
        out, self.child = forking.finish(self.child), None
        if out is None:
            raise RuntimeError("the side process of the build died")
        if out[0] == "error":
            raise SiteSourceError([Diagnostic(*d) for d in out[1]])
        if out[0] == "crash":
            raise RuntimeError(f"the side process of the build failed: {out[1]}")
        _ok, value, report, used = out
        self.pub.merge(report)
        self.rows.used |= used  # the child wrote its new blocks to the folder itself
        return value


def _write_channel_pages(renderer, pub: Publisher, progress: Progress | None, cache: BuildCache | None,
                         runs=None) -> None:
    """Write the channel pages: all of them, or those of ``runs`` (an iterable of ranges of
    channel indices, from :class:`Claims`). ``progress`` (or None) counts them.

    A page whose key (render key + the channel's item key) is the one recorded for the file
    the last build wrote, and whose file is still that file, is linked without rendering.
    The rest are rendered here. (For large registers this runs in the side process while
    the main one renders the lists and exports and then helps from the back: the two cores
    are busy, and a pool of workers on top cost more than it gained — 10,000 channels: 5.9
    and 6.3 s with it, 4.9 and 5.3 s without, two runs each of ``bench/trace.py``.)
    """
    keys = renderer.channel_keys
    pages = cache.pages if cache is not None else {}  # recorded under this build's render key (else emptied)
    channels = renderer.register.channels
    for run in runs if runs is not None else (range(len(channels)),):
        for i in run:
            c = channels[i]
            if pages:
                rel = f"kanal/{c.id}.html"
                old = pages.get(rel)
                if old is not None and old[0] == keys[c.id] and pub.reuse(rel, old[1:]):
                    if progress is not None:
                        progress.step()
                    continue
            page = renderer.channel_page(c)
            pub.write(page.path, page.text)
            if progress is not None:
                progress.step()


def build(register_path: Path, out: Path, templates: list[Path] | None = None,
          content_dir: Path | None = None, today: dt.date | None = None, strict: bool = False,
          display_name: str | None = None, use_cache: bool = True) -> BuildResult:
    """Load, validate and publish a register in one call.

    With ``use_cache`` (the default) the build reads and then updates the cache beside
    ``out`` (:mod:`kanalregister.cache`) and validates and renders again only what changed
    since the last build (:mod:`kanalregister.incremental`); the output is byte-identical
    to that of a build without the cache.

    Raises:
        RegisterSyntaxError, RegisterInvalid: the register is broken (``out`` untouched).
        SiteSourceError, UsageError: see :func:`write_site`.
    """
    started = time.monotonic()
    today = today or dt.date.today()
    with _build_lock(out if use_cache else None):
        return _build(register_path, out, templates, content_dir, today, strict, display_name, use_cache, started)


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


def _build(register_path, out, templates, content_dir, today, strict, display_name, use_cache, started):
    """:func:`build` under its lock (same arguments; ``started`` from it)."""
    cache = BuildCache.open(out, use_cache) if use_cache else None
    if cache is not None:
        render.DATE_MEMO.update(cache.dates)
    with working("kanalregister: läser och kontrollerar förteckningen", start=started):
        loaded = load_incremental(register_path, today, cache, display_name)
    res = loaded.result
    if res.register is None or (strict and res.diagnostics):
        raise RegisterInvalid(res.diagnostics)
    keys = loaded.keys if loaded.split is not None else None
    try:
        files = write_site(res.register, out, templates, content_dir, build_date(register_path), started,
                           keys, cache, loaded.split.head if loaded.split is not None else "", background_removal=True)
        _save_cache(cache, loaded, keys)
    finally:
        wait_removals()
    return BuildResult(files, res.diagnostics, loaded.reused)


def _save_cache(cache: BuildCache | None, loaded, keys) -> None:
    """Record this build's entries, dates and blocks in the cache folder (if any)."""
    if cache is not None:
        cache.dates = dict(render.DATE_MEMO)
        if keys is not None:
            cache.context, cache.entries = loaded.context, loaded.entries
        else:
            cache.context, cache.entries, cache.render, cache.pages, cache.store = "", {}, "", {}, None
        cache.save()
