"""Phase 2a: render the public pages from the model with Jinja templates and Markdown content.

One :class:`jinja2.Environment` with autoescape and ``StrictUndefined``. Templates are looked
up first in the municipality's override folders (``--templates``, earliest first), then in
the default ``templates/`` folder, so a graphic profile (grafisk profil) overrides only the
files it changes. Content pages are Markdown files in ``content/`` (trusted text, written by
the municipality); register text is never rendered as Markdown or HTML.

All links are relative (``root`` is ``""`` or ``"../"``), so ``site/`` works under any path
and from ``file://``. Each language's pages are rendered by a Renderer of that language from the
same model: Swedish at the root, English under ``en/`` (:mod:`.language`); ``root`` leads to the
root of the page's language, ``site_root`` to the site's root (style sheets, scripts, open data).
"""

from __future__ import annotations

import builtins
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from ..cache.blocks import BlockStore, memo_join
from ..errors import Diagnostic, SiteSourceError
from ..i18n import _
from ..register.dates import planned
from ..register.identity import channel_keys
from ..register.model import Channel, Event, Organisation, PartyChannel, Register, change_log
from .content import ContentPage, content_line, load_content, markdown_text
from .dcat import CATALOGUE_PATH, catalogue_url
from .language import NAMES, PREFIX, LanguageLink, site_gettext, using_language
from .organisations import group_by_department, is_compact, organisation_slugs
from .swedish import sv_key
from .templating import make_env, template_name
from .verify import verify_data, verify_script

PACKAGE_DIR = Path(__file__).resolve().parent.parent


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


@dataclass(frozen=True)
class Page:
    """One output file: ``path`` (posix, relative to ``site/``) and its ``text``."""

    path: str
    text: str


class Renderer:
    """Renders every public page of a register.

    Args:
        register: the validated model.
        template_dirs: template folders, overrides first.
        content: the content pages.
        build_date: the "senast uppdaterad" date (from SOURCE_DATE_EPOCH or the clock).
        keys: channel id → digest of its register text, or None (then nothing is reused).
        rows: the :class:`kanalregister.cache.BlockStore` of rendered blocks, or None.
        bytecode_dir: a folder for Jinja's compiled templates, or None.
        lang: the language of the pages (``"sv"``, at the root, or ``"en"``, under ``en/``);
            ``content`` must be that language's content pages.
    """

    def __init__(self, register: Register, template_dirs: list[Path], content: list[ContentPage],
                 build_date: dt.date, keys: dict | None = None, rows: BlockStore | None = None,
                 bytecode_dir: Path | None = None, lang: str = "sv"):
        self.register = register
        self.lang, self.prefix = lang, PREFIX[lang]
        self.env = make_env(template_dirs, bytecode_dir)
        self.content = content
        self.build_date = build_date
        self.nav = self._nav()
        self._ids: dict | None = None
        self._ckeys: dict | None = None
        self.keys = keys
        self.rows = rows if rows is not None else BlockStore(None, "")
        self.env.filters["rows"] = self._rows_filter()
        self.env.tests["planned"] = lambda c: planned(c, register.as_of)  # {% if c is planned %}

    def item_key(self, item) -> str | None:
        """A key that changes whenever what a row of ``item`` shows may change, or None.

        ``item`` is a :class:`Channel` or an :class:`Event`. The key is built from the
        digest of the channel's register text (``keys``), its line, and its successor's
        digest; None when the build has no digests (no caching).
        """
        if self.keys is None:
            return None
        if isinstance(item, Event):
            return f"{self.channel_keys[item.channel.id]}:{item.kind}:{item.date.toordinal()}"
        return self.channel_keys[item.id]

    @property
    def channel_keys(self) -> dict[str, str]:
        """Channel id → its :meth:`item_key`, computed once (empty without digests)."""
        if self._ckeys is None:
            keys = self.keys or {}
            as_of = self.register.as_of  # a planned channel's page and rows change on its first day
            self._ckeys = {c.id: f"{keys[c.id]}:{c.line}:{keys.get(c.successor, '') if c.successor else ''}"
                           + (":planned" if planned(c, as_of) else "")
                           for c in self.register.channels} if self.keys is not None else {}
        return self._ckeys

    def _rows_filter(self):
        """The template filter ``items | rows(template)``: the text of ``template`` rendered
        once per channel (as ``c``) or change-log event (as ``e``) of ``items``, with the
        page's ``root``, ``organisation``, ``nav``, ``updated`` and ``by_id``.

        With digests (``keys``) the text is put together from blocks of about 64 items kept
        between builds (:func:`kanalregister.cache.memo_join`), so a rebuild after one edit
        renders one block per list instead of every row.
        """
        @jinja2.pass_context
        def rows(ctx, items, template: str):
            root = ctx["root"]
            key_of = None
            if self.keys is not None:
                if items and not isinstance(items[0], Event):
                    ck = self.channel_keys
                    key_of = (lambda c: ck[c.id])  # noqa: E731 - the common case, without a method call
                else:
                    key_of = self.item_key
            row_ctx = None
            tmpl = None

            def one(item):
                nonlocal row_ctx, tmpl
                if tmpl is None:
                    tmpl = self.env.get_template(template_name(self.lang, template))
                    common = {**self.env.globals, **self._common(root, ctx["current"]), "by_id": self._by_id}
                    row_ctx = tmpl.new_context(common, shared=True)
                # What Template.render does, less a new context for every row: the one context
                # is emptied of what the last row set (its vars and exports) and given the item.
                row_vars = row_ctx.vars
                row_vars.clear()
                row_ctx.exported_vars.clear()
                row_vars["e" if isinstance(item, Event) else "c"] = item
                return self.env.concat(tmpl.root_render_func(row_ctx))

            return Markup(memo_join(items, key_of, self.rows, f"{template}@{self.lang}@{root}", one))

        return rows

    def _nav(self) -> list[dict]:
        items = [
            {"href": "index.html", "title": site_gettext("Förteckning", self.lang)},
            {"href": "partier.html", "title": site_gettext("Partiernas kanaler", self.lang)},
            {"href": "avslutade.html", "title": site_gettext("Avslutade kanaler", self.lang)},
            {"href": "andringslogg.html", "title": site_gettext("Ändringslogg", self.lang)},
            {"href": "kontrollera.html", "title": site_gettext("Är kontot officiellt?", self.lang)},
        ]
        items += [{"href": f"{p.slug}.html", "title": p.title} for p in self.content]
        items += [{"href": "oppna-data.html", "title": site_gettext("Öppna data", self.lang)},
                  {"href": "tillganglighet.html", "title": site_gettext("Tillgänglighet", self.lang)}]
        return items

    def _common(self, root: str, current: str) -> dict:
        """The variables of every page: ``current`` is the page's path within its language
        (``kanal/x.html``), ``root`` leads to its language's root, ``site_root`` to the site's."""
        site_root = "../" * (self.prefix + current).count("/")
        return {
            "root": root,
            "site_root": site_root,
            "lang": self.lang,
            "languages": [LanguageLink(k, NAMES[k], f"{site_root}{p}{current}", k == self.lang) for k, p in PREFIX.items()],
            "current": current,
            "organisation": self.register.organisation,
            "nav": self.nav,
            "updated": self.build_date,
        }

    def _render(self, template: str, path: str, **ctx) -> Page:
        root = "../" * path.count("/")
        try:
            with using_language(self.lang):
                text = self.env.get_template(template_name(self.lang, template)).render(**self._common(root, path), **ctx)
        except jinja2.TemplateSyntaxError as exc:
            raise SiteSourceError([Diagnostic(exc.filename or exc.name or template, exc.lineno or 0, 0, "error",
                                              "template.syntax", "", exc.message or "template syntax error")]) from None
        except jinja2.TemplateNotFound as exc:
            raise SiteSourceError([Diagnostic(template, 0, 0, "error", "template.missing", "",
                                              _("template not found: {name}").format(name=exc.name))]) from None
        except jinja2.UndefinedError as exc:
            raise SiteSourceError([Diagnostic(_template_file(self.env, template), _template_line(exc), 0, "error",
                                              "template.undefined", "", str(exc))]) from None
        except SecurityError as exc:
            raise SiteSourceError([Diagnostic(_template_file(self.env, template), _template_line(exc), 0, "error",
                                              "template.unsafe", "",
                                                  _("not allowed in a template: {exc}").format(exc=exc))]) from None
        except Exception as exc:  # noqa: BLE001 - any runtime error of a template is the template's
            raise SiteSourceError([Diagnostic(_template_file(self.env, template), _template_line(exc), 0, "error",
                                              "template.error", "", f"{type(exc).__name__}: {exc}")]) from None
        return Page(self.prefix + path, text)

    def pages(self):
        """Yield every :class:`Page` (HTML), in a fixed order: the site pages, then one per channel."""
        yield from self.site_pages()
        for c in self.register.channels:
            yield self.channel_page(c)

    def channel_page(self, c: Channel) -> Page:
        """The page ``kanal/<id>.html`` of one channel."""
        path = f"kanal/{c.id}.html"
        successor = self._by_id.get(c.successor) if c.successor else None
        return self._render("channel.html", path, channel=c, successor=successor)

    @property
    def _by_id(self) -> dict:
        if self._ids is None:
            self._ids = {c.id: c for c in self.register.channels}
        return self._ids

    def site_pages(self):
        """Yield the pages other than the channel pages (index, lists, content pages…)."""
        for job in self.site_page_jobs():
            yield job()

    #: Site pages that :func:`kanalregister.pipeline.write_site` may render in its side
    #: process (the change log, its feed and the closed list), by output path.
    SIDE_PAGES = frozenset({"andringslogg.html", "andringslogg.xml", "avslutade.html"})

    def site_page_jobs(self) -> list:
        """The site pages as a list of (output path, function returning the :class:`Page`), in
        a fixed order; the functions share their sorting work and may run in any process."""
        reg = self.register
        shared: dict = {}

        def active():
            if "active" not in shared:
                shared["active"] = reg.active
            return shared["active"]

        def name_keys():
            if "names" not in shared:
                shared["names"] = {c.id: sv_key(c.name) for c in active()}
            return shared["names"]

        def groups():
            if "groups" not in shared:
                shared["groups"] = group_by_department(active(), name_keys())
            return shared["groups"]

        def log():
            if "log" not in shared:
                shared["log"] = change_log(reg)
            return shared["log"]

        def index():
            act = active()
            platforms = sorted({(c.platform, c.platform_label) for c in act}, key=lambda p: sv_key(p[1]))
            target_groups = sorted({t for c in act for t in c.target_groups}, key=sv_key)
            return self._render("index.html", "index.html", groups=groups(), count=len(act),
                                party_count=len(reg.party_channels), platforms=platforms,
                                target_groups=target_groups, compact=is_compact(groups()), slugs=slugs())

        def fragment():
            page = self._render("fragment.html", "forteckning-fragment.html", groups=groups(),
                                compact=is_compact(groups()))
            # ASCII only (character references): right in any charset, also served on its own
            return Page(page.path, page.text.encode("ascii", "xmlcharrefreplace").decode("ascii"))

        def slugs():
            if "slugs" not in shared:
                shared["slugs"] = organisation_slugs(groups())
            return shared["slugs"]

        def organisation(department: str, channels: list):
            return self._render("organisation.html", f"organisation/{slugs()[department]}.html",
                                department=department, channels=channels)

        def parties():
            by_party: dict[str, list] = {}
            for p in reg.party_channels:
                by_party.setdefault(p.party, []).append(p)
            return self._render("parties.html", "partier.html",
                                parties=[(k, by_party[k]) for k in sorted(by_party, key=sv_key)])

        def verify():
            act = active()
            keys = name_keys()
            return self._render("verify.html", "kontrollera.html", active=sorted(act, key=lambda c: keys[c.id]),
                                compact=is_compact(groups()), groups=groups(), slugs=slugs(),
                                example_handle=next((c.handle for c in act if c.handle
                                                     and channel_keys(c.url, c.aliases, c.handle)[-1].startswith("handle:")),
                                                    "kommunen"))

        def verify_js():
            return Page(self.prefix + "kontrollera-data.js",
                        verify_script(verify_data(reg, self.channel_keys if self.keys is not None else None,
                                                  self.rows if self.keys is not None else None, self.lang)))

        jobs = [
            ("index.html", index),
            ("partier.html", parties),
            ("avslutade.html", lambda: self._render("closed.html", "avslutade.html", channels=reg.closed,
                                                    by_id=self._by_id)),
            ("oppna-data.html", lambda: self._render("open_data.html", "oppna-data.html", count=len(reg.channels),
                                                     catalogue=catalogue_url(reg.organisation),
                                                     catalogue_path=CATALOGUE_PATH)),
            ("andringslogg.html", lambda: self._render("changelog.html", "andringslogg.html", events=log(),
                                                       by_id=self._by_id)),
            ("andringslogg.xml", lambda: self._render("atom.xml", "andringslogg.xml", events=log()[:200],
                                                      feed_id=_feed_id(reg), entry_id=_entry_id)),
            ("kontrollera.html", verify),
            ("kontrollera-data.js", verify_js),
            ("tillganglighet.html", lambda: self._render("accessibility.html", "tillganglighet.html")),
            ("forteckning-fragment.html", fragment),
        ]
        jobs += [(f"{p.slug}.html", (lambda p=p: self._content_page(p))) for p in self.content]
        if is_compact(groups()):
            jobs += [(f"organisation/{slugs()[d]}.html", (lambda d=d, chs=chs: organisation(d, chs)))
                     for d, chs in groups()]
        return [(self.prefix + path, job) for path, job in jobs]

    def _content_page(self, p: ContentPage) -> Page:
        key = ("content", self.lang, p.slug)
        if self.keys is not None:  # reused while the render key (which covers content/) holds
            text = self.rows.get(key)
            if text is not None:
                return Page(f"{self.prefix}{p.slug}.html", text)
        page = self._content_page_render(p)
        if self.keys is not None:
            self.rows[key] = page.text
        return page

    def _content_page_render(self, p: ContentPage) -> Page:
        ctx = self._common("", f"{p.slug}.html")
        # Register values in a content page are text, never Markdown: every value is
        # backslash-escaped for Markdown before the page is converted (and HTML-escaped too).
        env = self.env.overlay(finalize=markdown_text)
        try:
            with using_language(self.lang):
                source = env.from_string(p.source).render(**ctx)
        except jinja2.TemplateSyntaxError as exc:
            raise SiteSourceError([Diagnostic(p.file, exc.lineno or 0, 0, "error", "content.syntax", "",
                                              exc.message or "syntax error")]) from None
        except jinja2.UndefinedError as exc:
            raise SiteSourceError([Diagnostic(p.file, content_line(exc), 0, "error", "content.undefined", "",
                                              str(exc))]) from None
        except SecurityError as exc:
            raise SiteSourceError([Diagnostic(p.file, content_line(exc), 0, "error", "content.unsafe", "",
                                              _("not allowed in a content page: {exc}").format(exc=exc))]) from None
        except Exception as exc:  # noqa: BLE001 - any runtime error of a content page is the page's
            raise SiteSourceError([Diagnostic(p.file, content_line(exc), 0, "error", "content.error", "",
                                              f"{type(exc).__name__}: {exc}")]) from None
        import markdown as md  # imported here: only content pages are Markdown

        body = md.markdown(source, extensions=["tables", "attr_list", "sane_lists"], output_format="html")
        return self._render("page.html", f"{p.slug}.html", title=p.title, body=body, page_lang=p.lang)


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
