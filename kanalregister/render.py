"""Phase 2a: render the public pages from the model with Jinja templates and Markdown content.

One :class:`jinja2.Environment` with autoescape and ``StrictUndefined``. Templates are looked
up first in the municipality's override folders (``--templates``, earliest first), then in
the default ``templates/`` folder, so a graphic profile (grafisk profil) overrides only the
files it changes. Content pages are Markdown files in ``content/`` (trusted text, written by
the municipality); register text is never rendered as Markdown or HTML.

All links are relative (``root`` is ``""`` or ``"../"``), so ``site/`` works under any path
and from ``file://``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
import markdown as md
import yaml
from babel.dates import format_date

from .errors import Diagnostic, SiteSourceError
from .model import Channel, Event, Register, change_log

PACKAGE_DIR = Path(__file__).resolve().parent


def default_dir(name: str) -> Path:
    """The default ``templates`` or ``content`` folder: inside the installed package when it was
    built as a wheel, else beside the package in the source tree.

    Raises:
        FileNotFoundError: neither exists (a broken installation).
    """
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kanalregister's default {name}/ folder is missing")


_SV_ORDER = str.maketrans({"å": "z{", "ä": "z|", "ö": "z}", "é": "e", "ü": "y", "æ": "z|", "ø": "z}"})


def sv_key(s: str) -> tuple[str, str]:
    """Sort key in Swedish alphabetical order (… x y z å ä ö), case-insensitive, stable."""
    return (s.lower().translate(_SV_ORDER), s)


@lru_cache(maxsize=65536)
def _date_sv(d: dt.date, fmt: str) -> str:
    return format_date(d, format=fmt, locale="sv_SE")


def date_sv(d: dt.date | None, fmt: str = "long") -> str:
    """Format a date in Swedish with Babel, e.g. ``22 november 2026``; ``""`` for None.

    Cached: a register repeats the same dates many times, and Babel takes ~20 µs a call.
    """
    return _date_sv(d, fmt) if d else ""


@dataclass(frozen=True)
class Page:
    """One output file: ``path`` (posix, relative to ``site/``) and its ``text``."""

    path: str
    text: str


@dataclass(frozen=True)
class ContentPage:
    """A Markdown page from ``content/``.

    Attributes:
        slug: output name without ``.html`` (from the file name or front matter).
        title: the page title (front matter ``title``, else the first ``# heading``).
        order: position in the footer (front matter ``order``; default 50).
        source: the Markdown text after the front matter.
        file: the source file, for diagnostics.
    """

    slug: str
    title: str
    order: int
    source: str
    file: str


def make_env(template_dirs: list[Path]) -> jinja2.Environment:
    """Create the one Jinja environment: autoescape on, StrictUndefined, Swedish filters.

    Args:
        template_dirs: folders searched in order (overrides first, default last).
    """
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one build renders each template thousands of times: no stat() per render
    )
    env.filters["date_sv"] = date_sv
    env.filters["iso"] = lambda d: d.isoformat() if d else ""
    return env


_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def load_content(content_dir: Path) -> list[ContentPage]:
    """Read every ``*.md`` in ``content_dir`` (sorted by order, then slug).

    Raises:
        SiteSourceError: unreadable file, bad front matter, or no title.
    """
    pages, problems = [], []
    for f in sorted(content_dir.glob("*.md")):
        name = str(f)
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Diagnostic(name, 0, 0, "error", "content.read", "", f"cannot read: {exc}"))
            continue
        meta: dict = {}
        m = _FRONT.match(text)
        if m:
            try:
                meta = yaml.safe_load(m.group(1)) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                problems.append(Diagnostic(name, (mark.line + 2) if mark else 1, (mark.column + 1) if mark else 0,
                                           "error", "content.front-matter", "", "bad front matter"))
                continue
            text = text[m.end():]
        title = meta.get("title")
        if not title:
            h = re.search(r"^# (.+)$", text, re.M)
            title = h.group(1).strip() if h else None
        if not title:
            problems.append(Diagnostic(name, 1, 1, "error", "content.title", "",
                                       "page has no title", "add front matter 'title:' or a '# heading'"))
            continue
        pages.append(ContentPage(str(meta.get("slug", f.stem)), str(title), int(meta.get("order", 50)), text, name))
    if problems:
        raise SiteSourceError(problems)
    return sorted(pages, key=lambda p: (p.order, p.slug))


def group_by_department(channels) -> list[tuple[str, list[Channel]]]:
    """Group channels by förvaltning: [(department, channels sorted by name)], in Swedish order."""
    groups: dict[str, list[Channel]] = {}
    for c in channels:
        groups.setdefault(c.department, []).append(c)
    return [(d, sorted(groups[d], key=lambda c: (sv_key(c.name), c.id))) for d in sorted(groups, key=sv_key)]


class Renderer:
    """Renders every public page of a register.

    Args:
        register: the validated model.
        template_dirs: template folders, overrides first.
        content: the content pages.
        build_date: the "senast uppdaterad" date (from SOURCE_DATE_EPOCH or the clock).
        edit_url: optional pattern for "Rapportera fel / föreslå ändring" links.
    """

    def __init__(self, register: Register, template_dirs: list[Path], content: list[ContentPage],
                 build_date: dt.date):
        self.register = register
        self.env = make_env(template_dirs)
        self.content = content
        self.build_date = build_date
        self.nav = self._nav()
        self._ids: dict | None = None

    def _nav(self) -> list[dict]:
        items = [
            {"href": "index.html", "title": "Förteckning"},
            {"href": "partier.html", "title": "Partiernas kanaler"},
            {"href": "avslutade.html", "title": "Avslutade kanaler"},
            {"href": "andringslogg.html", "title": "Ändringslogg"},
            {"href": "kontrollera.html", "title": "Är kontot officiellt?"},
        ]
        items += [{"href": f"{p.slug}.html", "title": p.title} for p in self.content]
        items += [{"href": "oppna-data.html", "title": "Öppna data"},
                  {"href": "tillganglighet.html", "title": "Tillgänglighet"}]
        return items

    def _common(self, root: str, current: str) -> dict:
        return {
            "root": root,
            "current": current,
            "organisation": self.register.organisation,
            "nav": self.nav,
            "updated": self.build_date,
        }

    def _render(self, template: str, path: str, **ctx) -> Page:
        root = "../" * path.count("/")
        try:
            text = self.env.get_template(template).render(**self._common(root, path), **ctx)
        except jinja2.TemplateSyntaxError as exc:
            raise SiteSourceError([Diagnostic(exc.filename or exc.name or template, exc.lineno or 0, 0, "error",
                                              "template.syntax", "", exc.message or "template syntax error")]) from None
        except jinja2.TemplateNotFound as exc:
            raise SiteSourceError([Diagnostic(template, 0, 0, "error", "template.missing", "",
                                              f"template not found: {exc.name}")]) from None
        except jinja2.UndefinedError as exc:
            raise SiteSourceError([Diagnostic(_template_file(self.env, template), _template_line(exc), 0, "error",
                                              "template.undefined", "", str(exc))]) from None
        return Page(path, text)

    def pages(self):
        """Yield every :class:`Page` (HTML), in a fixed order: the site pages, then one per channel."""
        yield from self.site_pages()
        for c in self.register.channels:
            yield self.channel_page(c)

    def channel_page(self, c: Channel) -> Page:
        """The page ``kanal/<id>.html`` of one channel."""
        return self._render("channel.html", f"kanal/{c.id}.html", channel=c,
                            successor=self._by_id.get(c.successor) if c.successor else None)

    @property
    def _by_id(self) -> dict:
        if self._ids is None:
            self._ids = {c.id: c for c in self.register.channels}
        return self._ids

    def site_pages(self):
        """Yield the pages other than the channel pages (index, lists, content pages…)."""
        reg = self.register
        groups = group_by_department(reg.active)
        platforms = sorted({(c.platform, c.platform_label) for c in reg.active}, key=lambda p: sv_key(p[1]))
        target_groups = sorted({t for c in reg.active for t in c.target_groups}, key=sv_key)
        yield self._render("index.html", "index.html", groups=groups, count=len(reg.active),
                           party_count=len(reg.party_channels), platforms=platforms, target_groups=target_groups)
        by_id = self._by_id
        parties: dict[str, list] = {}
        for p in reg.party_channels:
            parties.setdefault(p.party, []).append(p)
        yield self._render("parties.html", "partier.html",
                           parties=[(k, parties[k]) for k in sorted(parties, key=sv_key)])
        yield self._render("closed.html", "avslutade.html", channels=reg.closed, by_id=by_id)
        yield self._render("open_data.html", "oppna-data.html", count=len(reg.channels))
        log = change_log(reg)
        yield self._render("changelog.html", "andringslogg.html", events=log, by_id=by_id)
        yield self._render("atom.xml", "andringslogg.xml", events=log[:200], feed_id=_feed_id(reg),
                           entry_id=_entry_id)
        yield self._render("verify.html", "kontrollera.html", active=sorted(reg.active, key=lambda c: sv_key(c.name)),
                           data=verify_data(reg), example_handle=next((c.handle for c in reg.active if c.handle),
                                                                      "kommunen"))
        yield self._render("accessibility.html", "tillganglighet.html")
        yield self._render("fragment.html", "forteckning-fragment.html", groups=groups)
        for p in self.content:
            yield self._content_page(p)

    def _content_page(self, p: ContentPage) -> Page:
        ctx = self._common("", f"{p.slug}.html")
        try:
            source = self.env.from_string(p.source).render(**ctx)
        except jinja2.TemplateSyntaxError as exc:
            raise SiteSourceError([Diagnostic(p.file, exc.lineno or 0, 0, "error", "content.syntax", "",
                                              exc.message or "syntax error")]) from None
        except jinja2.UndefinedError as exc:
            raise SiteSourceError([Diagnostic(p.file, 0, 0, "error", "content.undefined", "", str(exc))]) from None
        body = md.markdown(source, extensions=["tables", "attr_list", "sane_lists"], output_format="html")
        return self._render("page.html", f"{p.slug}.html", title=p.title, body=body)


def verify_data(reg: Register) -> str:
    """The JSON embedded in the verification page (safe inside a ``<script type=application/json>``).

    Holds only public fields: for each channel its name, platform, addresses, handle,
    förvaltning, contact, status and page; for each party channel its party and address.
    """
    import json

    data = {
        "org": {"name": reg.organisation.name, "email": reg.organisation.email, "phone": reg.organisation.phone},
        "channels": [{"id": c.id, "name": c.name, "platformLabel": c.platform_label, "url": c.url,
                      "aliases": list(c.aliases), "handle": c.handle, "department": c.department, "unit": c.unit,
                      "contact": c.contact_email, "status": c.status,
                      "closing": date_sv(c.closing_date) if c.closing_date else None,
                      "page": f"kanal/{c.id}.html"} for c in reg.channels],
        "parties": [{"party": p.party, "url": p.url, "platformLabel": p.platform_label} for p in reg.party_channels],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _feed_id(reg: Register) -> str:
    import uuid

    key = reg.organisation.org_number or reg.organisation.website
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'kanalregister:' + key)}"


def _entry_id(e: Event) -> str:
    import uuid

    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'kanalregister:{e.channel.id}:{e.kind}:{e.date}')}"


def _template_file(env: jinja2.Environment, name: str) -> str:
    try:
        src = env.loader.get_source(env, name)
        return src[1] or name
    except jinja2.TemplateNotFound:  # pragma: no cover
        return name


def _template_line(exc: BaseException) -> int:
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
