"""The whole build: load → validate → model (phase 1), then render → export → publish (phase 2).

Phase 2 starts only when phase 1 found no error, and writes into a temporary folder that
replaces the output only at the end (:mod:`kanalregister.publish`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import os
import time
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from ..cache.store import (
    BuildCache,
    code_digest,
    output_manifest,
    read_last_build,
    tree_digest,
    write_last_build,
)
from ..errors import Diagnostic, RegisterInvalid, UsageError, file_diagnostic
from ..i18n import _
from ..register.read import read_bytes, source_name
from ..register.internal import read as read_internal
from ..register.loader import digest, load
from ..register.model import Register
from ..workers import map_items
from . import export, render
from .content import content_in, load_content
from .guard import MARKER, MARKER_TEXT, build_lock, output_folder
from .language import DATE_MEMO, LANGUAGES, PREFIX
from .progress import Progress, working
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
                                              _("'{sde}' is not a whole number of seconds").format(sde=sde))]) from None
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


@dataclass(frozen=True)
class Sources:
    """What the site is made from besides the register (see :func:`sources`).

    Attributes:
        templates: the template search path: override folders first (earliest wins), the
            default ``templates/`` last (tuple[Path]).
        content: the folder of Markdown content pages (Path).
        date: the "senast uppdaterad" date (:class:`datetime.date`, Europe/Stockholm).
    """

    templates: tuple[Path, ...]
    content: Path
    date: dt.date

    @functools.cached_property
    def digest(self) -> str:
        """SHA-256 (hex) of the names and bytes of every template and content file, read once
        per build (part of the nothing-changed check and of the render key)."""
        return tree_digest(list(self.templates)) + tree_digest([self.content])


def sources(register_path, templates: list[Path] | None = None, content_dir: Path | None = None,
            date: dt.date | None = None) -> Sources:
    """The :class:`Sources` of a build of ``register_path`` (a path, or ``"-"``).

    Beside the options, the register's own folder counts: its ``templates/`` (the
    municipality's graphic profile) is searched after the ``--templates`` folders, and its
    ``content/`` is the content folder when ``--content`` is not given, so a register
    repository made by ``kanalregister init`` builds with its own pages without options.
    ``date`` defaults to :func:`build_date` of the register.

    Raises:
        UsageError: a template or content folder that was named does not exist.
    """
    here = register_folder(register_path)
    overrides = [Path(d) for d in (templates or [])]
    for d in overrides:
        if not d.is_dir():
            raise UsageError([file_diagnostic(str(d), "templates.missing", _("template folder not found"))])
    if (here / "templates").is_dir() and (here / "templates").resolve() not in {d.resolve() for d in overrides}:
        overrides.append(here / "templates")
    if content_dir is None and (here / "content").is_dir():
        content_dir = here / "content"
    content = Path(content_dir) if content_dir else render.default_dir("content")
    if not content.is_dir():
        raise UsageError([file_diagnostic(str(content), "content.missing", _("content folder not found"))])
    if date is None:
        date = build_date(register_path if str(register_path) != "-" else None)
    return Sources(tuple(overrides) + (render.default_dir("templates"),), content, date)


def register_folder(register_path) -> Path:
    """The folder of the register (the working folder for ``"-"``): where its own
    ``templates/`` and ``content/`` are looked for, and a folder no build may replace."""
    return Path.cwd() if str(register_path) == "-" else Path(register_path).absolute().parent


@dataclass
class Reuse:
    """What a build may take from the last one (:mod:`kanalregister.cache`).

    Attributes:
        cache: the output folder's :class:`BuildCache` (updated in place, not saved).
        keys: channel id → digest of its entry's text (:attr:`kanalregister.register.loader.Loaded.keys`),
            or None: then pages and rows are not reused (the cache still serves the spare
            copy and Jinja's bytecode).
        frame: digest of the register's text other than its entries (part of the render key).
    """

    cache: BuildCache
    keys: dict | None = None
    frame: str = ""


@dataclass(frozen=True)
class Published:
    """What :func:`write_site` published: ``files`` (posix paths relative to the output, in
    the order written) and the output's ``manifest`` (posix path → (inode, modification time
    in ns, size in bytes) of every file, as :func:`kanalregister.cache.store.output_manifest`
    would read it)."""

    files: list[str]
    manifest: dict


def write_site(register: Register, out: Path, src: Sources, reuse: Reuse | None = None,
               started: float | None = None, background: bool = False) -> Published:
    """Render and export a validated register into ``out``, atomically.

    Args:
        register: the model from phase 1.
        out: output folder (replaced as a whole, see :class:`kanalregister.site.publish.Publisher`).
        src: templates, content pages and the build date (:func:`sources`).
        reuse: what may be taken from the last build, or None for a full build without a cache.
        started: ``time.monotonic()`` when the build began, so that progress shows only
            for builds longer than about 2 seconds.
        background: remove old copies in a forked process; the caller must then call
            :func:`kanalregister.site.publish.wait_removals` (as :func:`build` does).

    Returns:
        A :class:`Published`.

    Raises:
        SiteSourceError: a template or content page is broken (nothing is published).
        UsageError: the output cannot be written (nothing is published).
    """
    folder = reuse.cache if reuse is not None and reuse.cache.path is not None else None
    cache = reuse.cache if reuse is not None and reuse.keys is not None else None
    keys = reuse.keys if cache is not None else None
    rkey, rows = "", None
    if cache is not None:
        parts = (code_digest(), src.digest, reuse.frame, src.date.isoformat())
        rkey = digest("\x00".join(parts).encode())
        rows = cache.blocks_for(rkey)
    first = load_content(src.content)
    renderers = [render.Renderer(register, list(src.templates),
                                 first if lang == LANGUAGES[0] else content_in(src.content, lang, first),
                                 src.date, keys, rows, _jinja_folder(folder), lang) for lang in LANGUAGES]
    progress = Progress(len(LANGUAGES) * (len(register.channels) + 12), "kanalregister: " + _("writing pages"),
                        start=started)
    old_pages = dict(cache.pages) if cache is not None else {}
    with Publisher(out, folder.spare if folder else None, keep_spare=folder is not None, background=background) as pub:
        for renderer in renderers:  # each language from the same model (issue 17)
            for _path, job in renderer.site_page_jobs():
                page = job()
                pub.write(page.path, page.text)
                progress.step()
        for name, text in export.exports(register, src.date, keys, renderers[0].rows).items():
            pub.write(name, text)  # the open data are language-neutral: written once
        _write_channel_pages(renderers, pub, progress, cache)
        progress.close()
        for rel, path in _static_files(src.templates).items():
            pub.write(rel, path.read_bytes())
        pub.write(MARKER, MARKER_TEXT)  # a later build may replace this folder: it is a site
        pub.commit()
        if folder is not None:
            folder.spare = pub.spare_record
        if cache is not None:
            cache.render = rkey
            cache.pages = _page_records(renderers[0].channel_keys, pub.stats, old_pages)
        return Published(pub.written, dict(pub.stats))


def _jinja_folder(folder: BuildCache | None) -> Path | None:
    """The folder for Jinja's compiled templates in the cache folder, or None."""
    if folder is None:
        return None
    try:
        (folder.path / "jinja").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder.path / "jinja"


def _static_files(templates: tuple[Path, ...]) -> dict[str, Path]:
    """posix path → file of every ``static/`` file of the template folders (overrides win)."""
    seen: dict[str, Path] = {}
    for s in [d / "static" for d in reversed(templates) if (d / "static").is_dir()]:
        for f in s.rglob("*"):
            if f.is_file():
                seen[f.relative_to(s).as_posix()] = f
    return dict(sorted(seen.items()))


def _page_records(channel_keys: dict, stats: dict, old_pages: dict) -> dict:
    """Output path → (page key, inode, mtime in ns, size) of every channel page in every
    language, written now (``stats``) or linked unchanged from the last build (``old_pages``)."""
    pages = {}
    for cid, key in channel_keys.items():
        for prefix in PREFIX.values():
            rel = f"{prefix}kanal/{cid}.html"
            st = stats.get(rel) or old_pages.get(rel, (None,))[1:]
            if st:
                pages[rel] = (key, *st)
    return pages


def _write_channel_pages(renderers: list, pub: Publisher, progress: Progress | None,
                         cache: BuildCache | None) -> None:
    """Write every channel page in every language (one renderer each); ``progress`` (or None) counts them.

    A page whose key (render key + the channel's item key) is the one recorded for the file
    the last build wrote, and whose file is still that file, is linked without rendering.
    The others are rendered by :meth:`kanalregister.site.render.Renderer.channel_page`, in
    worker processes when there are many (:func:`kanalregister.workers.map_items`, one map for all languages).
    """
    pages = cache.pages if cache is not None else {}  # recorded under this build's render key (else emptied)
    todo, first = [], []
    for i, renderer in enumerate(renderers):
        keys = renderer.channel_keys
        mine = []
        for c in renderer.register.channels:
            if pages:
                rel = f"{renderer.prefix}kanal/{c.id}.html"
                old = pages.get(rel)
                if old is not None and old[0] == keys[c.id] and pub.reuse(rel, old[1:]):
                    if progress is not None:
                        progress.step()
                    continue
            mine.append((i, c))
        first += mine[:1]  # rendered here: its templates are compiled (and cached) before any worker starts
        todo += mine[1:]

    def one(item):
        return renderers[item[0]].channel_page(item[1])

    for page in itertools.chain(map(one, first), map_items(one, todo)):
        pub.write(page.path, page.text)
        if progress is not None:
            progress.step()


def build(register_path: Path, out: Path, templates: list[Path] | None = None,
          content_dir: Path | None = None, today: dt.date | None = None, strict: bool = False,
          display_name: str | None = None, use_cache: bool = True, internal=None) -> BuildResult:
    """Load, validate and publish a register in one call.

    With ``use_cache`` (the default) the build reads and then updates the cache beside
    ``out`` (:mod:`kanalregister.cache`) and validates and renders again only what changed
    since the last build (:mod:`kanalregister.loader`); the output is byte-identical
    to that of a build without the cache. ``internal``: the internal file (path), default the
    one beside the register when it exists (:func:`kanalregister.register.internal.read`): an
    input (its digest is in :func:`inputs_digest`), checked, never published.

    Raises:
        RegisterSyntaxError, RegisterInvalid: the register is broken (``out`` untouched).
        SiteSourceError, UsageError: see :func:`write_site`.
    """
    started = time.monotonic()
    today = today or dt.date.today()
    src = sources(register_path, templates, content_dir)
    name = source_name(register_path, display_name)
    # read before the lock: a missing register leaves nothing behind. Handed over in a box, so
    # that _build can let go of the text (100 MB for a large register) once it is read.
    box = {"raw": read_bytes(register_path, name), "internal": read_internal(register_path, internal)}
    protected = [Path.cwd(), register_folder(register_path), src.content, *src.templates]
    out = output_folder(out, protected)  # before anything is written
    with build_lock(out):
        return _build(box, name, out, src, today, strict, use_cache, started)


def inputs_digest(name: str, raw: bytes, src: Sources, today: dt.date, out: Path, internal=None) -> str:
    """A digest (hex str) of everything a build's output depends on: the register's name and
    bytes, the internal file's name and bytes (``internal``: (name, bytes) or None), the code,
    the templates, the content pages, ``today``, the build date and the output folder. Equal
    digests and an untouched output mean there is nothing to do."""
    inner = f"{internal[0]}\x00{digest(internal[1])}" if internal is not None else ""
    return digest("\x00".join((name, digest(raw), inner, code_digest(), src.digest, today.isoformat(),
                               src.date.isoformat(), str(Path(out).absolute()))).encode())


def _build(box: dict, name: str, out: Path, src: Sources, today: dt.date, strict: bool, use_cache: bool,
           started: float) -> BuildResult:
    """:func:`build` under its lock. ``box["raw"]``: the register's bytes, taken out of the
    box here; ``name``: the register's name in diagnostics; the rest as for :func:`build`.

    When nothing that the site is made from changed since the last build of ``out`` (the
    register's bytes, the templates, the content pages, the code, ``today`` and the build
    date) and the output folder is still exactly as that build left it, nothing is done:
    the result is that build's (its diagnostics included).
    """
    raw, internal = box.pop("raw"), box.pop("internal")
    inputs = ""
    if use_cache:
        inputs = inputs_digest(name, raw, src, today, out, internal)
        last = read_last_build(out, inputs)
        if last is not None and last["manifest"] == output_manifest(out) and not leftovers(out):
            diagnostics = last["diagnostics"]
            if strict and diagnostics:
                raise RegisterInvalid(diagnostics)
            return BuildResult([], diagnostics, last["channels"])
    cache = BuildCache.open(out, use_cache) if use_cache else None
    if cache is not None:
        DATE_MEMO.update(cache.dates)
    with working("kanalregister: " + _("reading and checking the register"), start=started):
        loaded = load(raw, today, name=name, memo=cache.entries if cache is not None else None,
                      memo_context=cache.context if cache is not None else "", code=code_digest(), internal=internal)
    del raw  # the register's text is not needed again (a large register is 100 MB)
    res = loaded.result
    if res.register is None or (strict and res.diagnostics):
        raise RegisterInvalid(res.diagnostics)
    keys = loaded.keys or None
    try:
        reuse = Reuse(cache, keys, loaded.frame) if cache is not None else None
        published = write_site(res.register, out, src, reuse, started, background=True)
        _save_cache(cache, loaded, keys)
        if use_cache:
            write_last_build(out, inputs, res.diagnostics, len(res.register.channels), published.manifest)
    finally:
        wait_removals()
    return BuildResult(published.files, res.diagnostics, loaded.reused)


def _save_cache(cache: BuildCache | None, loaded, keys) -> None:
    """Record this build's entries, dates and blocks in the cache folder (if any)."""
    if cache is not None:
        cache.dates = dict(DATE_MEMO)
        if keys is not None:
            cache.context, cache.entries = loaded.context, loaded.memo
        else:
            cache.context, cache.entries, cache.render, cache.pages, cache.store = "", {}, "", {}, None
        cache.save()
