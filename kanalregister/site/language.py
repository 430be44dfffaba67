"""The site's languages (issue 17): Swedish first, English under ``en/``.

Site texts are written in Swedish (the site's first language, in which municipalities override
templates) and translated through the gettext catalogue of the domain ``site``:
``kanalregister/locale/<lang>/LC_MESSAGES/site.po`` (msgid Swedish, msgstr in the language),
read with Babel. Dates and numbers are formatted by Babel in the page's locale.

The language of the page being rendered is held in a context variable, set by the renderer
around each page (:func:`using_language`), so Python site code and template filters
(``_``, ``date_sv``/``date``, ``number``) know it without being passed it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

#: The site's languages, first language first.
LANGUAGES: tuple[str, ...] = ("sv", "en")
#: Babel locale of each language.
LOCALES: dict[str, str] = {"sv": "sv_SE", "en": "en_GB"}
#: Output folder of each language's pages, relative to the site's root ("" or "en/").
PREFIX: dict[str, str] = {"sv": "", "en": "en/"}
#: The name of each language, written in that language (for the language switch).
NAMES: dict[str, str] = {"sv": "Svenska", "en": "English"}



@dataclass(frozen=True, slots=True)
class LanguageLink:
    """One entry of a page's language switch and ``hreflang`` links: the language's code
    (``lang``), its name in itself (``name``), the relative address of the page's version in it
    (``href``), and whether that is the page itself (``current``)."""

    lang: str
    name: str
    href: str
    current: bool


LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_PAGE_LANGUAGE: contextvars.ContextVar[str] = contextvars.ContextVar("kanalregister_site_language", default="sv")
#: Swedish text → its translation into the page's language as Markup, filled as texts are used:
#: what ``_`` in a template reads (one per language, in :data:`_MARKUP`).
_MARKUP: dict[str, dict[str, Markup]] = {}
_PAGE_TABLE: contextvars.ContextVar[dict[str, Markup]] = contextvars.ContextVar(
    "kanalregister_site_table", default=_MARKUP.setdefault("sv", {}))
_CATALOGUES: dict[str, dict[str, str]] = {}


def catalogue_path(lang: str) -> Path:
    """The PO file of the ``site`` domain for ``lang`` (``"en"``), whether or not it exists."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / "site.po"


def catalogue(lang: str) -> dict[str, str]:
    """Swedish source string → its translation into ``lang``, read once from
    :func:`catalogue_path` with Babel (untranslated and fuzzy entries left out). Empty for
    Swedish and for a language without a catalogue."""
    found = _CATALOGUES.get(lang)
    if found is None:
        found = {}
        path = catalogue_path(lang)
        if lang != LANGUAGES[0] and path.is_file():
            from babel.messages.pofile import read_po  # imported on first use

            with path.open("rb") as f:
                for m in read_po(f, locale=LOCALES[lang], domain="site"):
                    if m.id and isinstance(m.id, str) and m.string and not m.fuzzy:
                        found[m.id] = m.string
        _CATALOGUES[lang] = found
    return found


def page_language() -> str:
    """The language of the page being rendered (``"sv"`` or ``"en"``; ``"sv"`` outside a render)."""
    return _PAGE_LANGUAGE.get()


@contextlib.contextmanager
def using_language(lang: str):
    """Within the ``with`` block, :func:`page_language` is ``lang``.

    Raises:
        ValueError: ``lang`` is not one of :data:`LANGUAGES`.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown site language {lang!r}")
    token = _PAGE_LANGUAGE.set(lang)
    table = _PAGE_TABLE.set(_MARKUP.setdefault(lang, {}))
    try:
        yield
    finally:
        _PAGE_TABLE.reset(table)
        _PAGE_LANGUAGE.reset(token)


def site_gettext(message: str, lang: str | None = None) -> str:
    """Translate a site text (Swedish source string) into ``lang``, by default the page's
    language (:func:`page_language`). A text without translation is returned as written."""
    lang = lang or _PAGE_LANGUAGE.get()
    if lang == LANGUAGES[0]:
        return message
    return catalogue(lang).get(message, message)


def template_gettext(message: str, **values) -> Markup:
    """The templates' ``_``: ``_("Svensk text")`` or ``_("Text %(name)s", name=value)``.

    The text, translated into the page's language, is trusted (it comes from the templates and
    the catalogue: it may hold markup such as a link); the values are escaped and put in with
    ``%`` (only when there are values, so a text without any needs no ``%%``). As Jinja's
    "new style" gettext, without its per-call context lookups: a page calls this some
    thirty times, so it is called directly by the sandbox (see
    :class:`kanalregister.site.templating.Sandbox`).

    Returns:
        Markup (str).
    """
    table = _PAGE_TABLE.get()
    text = table.get(message)
    if text is None:
        text = table[message] = Markup(site_gettext(message))
    if not values:
        return text
    # what Markup's % does (the values escaped), without its helper object per value
    return Markup(str.__mod__(text, {k: v if isinstance(v, (int, float)) else escape(v) for k, v in values.items()}))


class _PageTexts:
    """``PAGE_TEXTS[text]`` is ``template_gettext(text)``: a Swedish text in the page's language."""

    __slots__ = ()

    def __getitem__(self, message: str) -> Markup:
        table = _PAGE_TABLE.get()
        text = table.get(message)
        if text is None:
            text = table[message] = Markup(site_gettext(message))
        return text


#: What templates' ``_("constant text")`` is compiled into (see
#: :class:`kanalregister.site.templating.ConstantTexts`).
PAGE_TEXTS = _PageTexts()


def site_ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """Translate a site text that depends on a count ``n`` (Swedish source strings; Swedish and
    English both use the singular for 1 only)."""
    return site_gettext(singular if n == 1 else plural, lang)


#: (ordinal, format, language) → formatted date; seeded from and saved to the build cache.
DATE_MEMO: dict[tuple, str] = {}


def format_date(d: dt.date | None, fmt: str = "long", lang: str | None = None) -> str:
    """Format a date with Babel in the locale of ``lang`` (default: the page's language),
    e.g. ``22 november 2026`` or ``22 November 2026``; ``""`` for None.

    Memoised in :data:`DATE_MEMO`: a register repeats the same dates many times, Babel takes
    ~20 µs a call, and loading its locale data ~80 ms (which a cached rebuild then skips).
    """
    if not d:
        return ""
    lang = lang or _PAGE_LANGUAGE.get()
    key = (d.toordinal(), fmt, lang)
    text = DATE_MEMO.get(key)
    if text is None:
        from babel.dates import format_date as babel_date  # imported on first use

        text = DATE_MEMO[key] = babel_date(d, format=fmt, locale=LOCALES[lang])
    return text


def format_number(n, lang: str | None = None) -> str:
    """Format a number with Babel in the locale of ``lang`` (default: the page's language):
    ``2 153`` in Swedish (non-breaking space), ``2,153`` in English."""
    from babel.numbers import format_decimal  # imported on first use

    return format_decimal(n, locale=LOCALES[lang or _PAGE_LANGUAGE.get()])
