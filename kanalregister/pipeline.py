"""The whole build: load → validate → model (phase 1), then render → export → publish (phase 2).

Phase 2 starts only when phase 1 found no error, and writes into a temporary folder that
replaces the output only at the end (:mod:`kanalregister.publish`).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from . import export, render
from .errors import Diagnostic, KanalregisterError, SiteSourceError, UsageError, file_diagnostic
from .model import Register
from .progress import Progress
from .publish import Publisher
from .validate import load_register

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
    """What a build did: ``files`` written (list of posix paths) and ``warnings``."""

    files: list[str]
    warnings: list[Diagnostic]


def template_dirs(overrides: list[Path] | None) -> list[Path]:
    """Template search path: the override folders (earliest wins), then the default."""
    dirs = [Path(d) for d in (overrides or [])]
    for d in dirs:
        if not d.is_dir():
            raise UsageError([file_diagnostic(str(d), "templates.missing", "template folder not found")])
    return dirs + [render.default_dir("templates")]


def write_site(register: Register, out: Path, templates: list[Path] | None = None,
               content_dir: Path | None = None, date: dt.date | None = None,
               started: float | None = None) -> list[str]:
    """Render and export a validated register into ``out``, atomically.

    Args:
        register: the model from phase 1.
        out: output folder (replaced as a whole).
        templates: override template folders (may be None).
        content_dir: the Markdown pages (default: the default ``content/``).
        date: the "senast uppdaterad" date (default: :func:`build_date`).
        started: ``time.monotonic()`` when the build began, so that progress shows only
            for builds longer than about 2 seconds.

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
    renderer = render.Renderer(register, dirs, content, date)
    progress = Progress(len(register.channels) + 12, "kanalregister: skriver sidor", start=started)
    with Publisher(out) as pub:
        for page in renderer.site_pages():
            pub.write(page.path, page.text)
            progress.step()
        _write_channel_pages(renderer, pub, progress)
        progress.close()
        for name, text in export.exports(register, date).items():
            pub.write(name, text)
        static = [d / "static" for d in reversed(dirs) if (d / "static").is_dir()]
        seen: dict[str, Path] = {}
        for s in static:  # later (override) folders win
            for f in s.rglob("*"):
                if f.is_file():
                    seen[f.relative_to(s).as_posix()] = f
        for rel in sorted(seen):
            pub.write(rel, seen[rel].read_bytes())
        pub.commit()
        return pub.written


#: Registers with more channels than this render their channel pages in worker processes.
PARALLEL_MIN = 2000
_WORK: tuple | None = None  # (renderer, publisher) for forked workers


def _render_chunk(bounds: tuple[int, int]):
    """Worker: render and write channels[start:end]; return (written, reused) or diagnostics."""
    renderer, pub = _WORK
    pub.written, pub.reused = [], 0
    try:
        for c in renderer.register.channels[bounds[0]:bounds[1]]:
            page = renderer.channel_page(c)
            pub.write(page.path, page.text)
    except KanalregisterError as exc:
        return ("error", exc.diagnostics)
    return ("ok", pub.written, pub.reused)


def _write_channel_pages(renderer, pub: Publisher, progress: Progress) -> None:
    """Write every channel page: in 2 forked processes for large registers, else in this one.

    The output is the same either way; each file is written by exactly one process.
    """
    channels = renderer.register.channels
    workers = min(os.cpu_count() or 1, 4)
    if len(channels) < PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for c in channels:
            page = renderer.channel_page(c)
            pub.write(page.path, page.text)
            progress.step()
        return
    global _WORK
    _WORK = (renderer, pub)
    size = max(200, len(channels) // (workers * 8))
    chunks = [(i, min(i + size, len(channels))) for i in range(0, len(channels), size)]
    pub.mkdirs("kanal")
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for result in pool.imap(_render_chunk, chunks):
                if result[0] == "error":
                    raise SiteSourceError(result[1])
                pub.written.extend(result[1])
                pub.reused += result[2]
                progress.step(len(result[1]))
    finally:
        _WORK = None


def build(register_path: Path, out: Path, templates: list[Path] | None = None,
          content_dir: Path | None = None, today: dt.date | None = None, strict: bool = False,
          display_name: str | None = None) -> BuildResult:
    """Load, validate and publish a register in one call.

    Raises:
        RegisterSyntaxError, RegisterInvalid: the register is broken (``out`` untouched).
        SiteSourceError, UsageError: see :func:`write_site`.
    """
    started = time.monotonic()
    register, warnings = load_register(register_path, today=today, strict=strict, display_name=display_name)
    files = write_site(register, out, templates, content_dir, build_date(register_path), started)
    return BuildResult(files, warnings)
