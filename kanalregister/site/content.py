"""Content pages: the municipality's Markdown files in ``content/`` (the allmänna handlingar
page and others), read with their front matter. They are trusted text written by the
municipality; register values are never rendered as Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from ..errors import Diagnostic, SiteSourceError
from ..i18n import _


@dataclass(frozen=True)
class ContentPage:
    """A Markdown page from ``content/``.

    Attributes:
        slug: output name without ``.html`` (from the file name or front matter).
        title: the page title (front matter ``title``, else the first ``# heading``).
        order: position in the footer (front matter ``order``; default 50).
        source: the Markdown text after the front matter.
        file: the source file, for diagnostics.
        lang: the language the page is written in (``"sv"``; ``"en"`` for ``content/en/``).
    """

    slug: str
    title: str
    order: int
    source: str
    file: str
    lang: str = "sv"


_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def load_content(content_dir: Path, lang: str = "sv") -> list[ContentPage]:
    """Read every ``*.md`` in ``content_dir`` (sorted by order, then slug), written in ``lang``.

    Raises:
        SiteSourceError: unreadable file, bad front matter, or no title.
    """
    import yaml  # imported here: only content pages have front matter

    pages, problems = [], []
    for f in sorted(content_dir.glob("*.md")):
        name = str(f)
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Diagnostic(name, 0, 0, "error", "content.read", "",
                                       _("cannot read: {exc}").format(exc=exc)))
            continue
        meta: dict = {}
        m = _FRONT.match(text)
        if m:
            try:
                meta = yaml.safe_load(m.group(1)) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                problems.append(Diagnostic(name, (mark.line + 2) if mark else 1, (mark.column + 1) if mark else 0,
                                           "error", "content.front-matter", "", _("bad front matter")))
                continue
            text = text[m.end():]
        title = meta.get("title")
        if not title:
            h = re.search(r"^# (.+)$", text, re.M)
            title = h.group(1).strip() if h else None
        if not title:
            problems.append(Diagnostic(name, 1, 1, "error", "content.title", "",
                                       _("page has no title"), _("add front matter 'title:' or a '# heading'")))
            continue
        pages.append(ContentPage(str(meta.get("slug", f.stem)), str(title), int(meta.get("order", 50)), text, name,
                                 lang))
    if problems:
        raise SiteSourceError(problems)
    return sorted(pages, key=lambda p: (p.order, p.slug))


def content_in(content_dir: Path, lang: str, first: list[ContentPage]) -> list[ContentPage]:
    """The content pages of the site in ``lang``: the first language's pages ``first`` (from
    ``content_dir``) with each replaced by its translation in ``content_dir/<lang>/`` (same file
    name or ``slug``) where there is one. A page not yet translated keeps its text and its
    ``lang``, so that it is marked as written in the first language (WCAG 3.1.2).

    Raises:
        SiteSourceError: a translated page is unreadable, has bad front matter or no title, or
            translates no page of ``content_dir``.
    """
    folder = content_dir / lang
    translated = {p.slug: p for p in load_content(folder, lang)} if folder.is_dir() else {}
    pages = [translated.pop(p.slug, p) for p in first]
    if translated:  # a translation of no page: its language switch would lead nowhere
        raise SiteSourceError([Diagnostic(p.file, 1, 1, "error", "content.translation", "",
                                          _("translation of a page that does not exist: no page in {folder} "
                                            "has the slug '{slug}'").format(folder=str(content_dir), slug=p.slug),
                                          _("give it the file name or 'slug:' of the page it translates"))
                               for p in translated.values()])
    return sorted(pages, key=lambda p: (p.order, p.slug))


#: Characters with a meaning in Markdown: Python-Markdown's backslash escapes, and | for tables
#: (< > & are HTML-escaped by autoescape).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def markdown_text(value):
    """``value`` as literal text inside Markdown: every Markdown character backslash-escaped
    (str → str; anything else as it is, for Jinja to print). Line breaks become spaces, so a
    value can start no block (heading, list, quote)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _MARKDOWN.sub(r"\\\1", value.replace("\r", " ").replace("\n", " "))
    return value


def content_line(exc: BaseException) -> int:
    """The line of a content page (compiled from a string) where ``exc`` was raised, or 0."""
    tb, line = exc.__traceback__, 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
