"""The one Jinja environment: sandboxed (templates and content pages are code from other
people), autoescaped (register values are data), strict about undefined names."""

from __future__ import annotations

import builtins
from pathlib import Path

import jinja2
import jinja2.ext
from jinja2.lexer import Token
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ..register.model import Channel, Event, Organisation, PartyChannel
from .language import (LANGUAGES, PAGE_TEXTS, LanguageLink, format_date, format_number, page_language,
                       site_gettext, site_ngettext, template_gettext)


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, in which templates and content pages are rendered.

    Reading a public attribute of the model's own frozen objects (:class:`Channel`,
    :class:`Organisation`, :class:`PartyChannel`, :class:`Event`, and the pages'
    :class:`LanguageLink`) is let through at once:
    they hold only data and properties, and the sandbox's general checks on each of the
    hundreds of thousands of such reads in a large build cost a quarter of its rendering
    time. Everything else — underscore names, other objects, calls — is checked as usual.
    """

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        """Calls of the site's own text functions (``_``, ``register_text``), some forty on a
        page, go straight to them; every other call is checked as usual."""
        if __obj in _TEXT_FUNCTIONS:
            kwargs.pop("_block_vars", None)  # what Jinja passes to Context.call inside a block
            return __obj(*args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def join_path(self, template, parent):
        """A template named from another (``extends``, ``include``, ``import``) is compiled for
        the other's language (:func:`template_name`)."""
        lang = _split_name(parent)[0]
        return template_name(lang, template) if lang and _split_name(template)[1] == template else template

    def getattr(self, obj, attribute):  # noqa: A003 - Jinja's name for the hook
        if obj.__class__ in _MODEL_TYPES and attribute[:1] != "_":
            try:
                return builtins.getattr(obj, attribute)
            except AttributeError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def template_name(lang: str, name: str) -> str:
    """The name under which a template is compiled for pages in ``lang``: ``name`` for the
    first language, ``"en:" + name`` for English (each language's texts are put in when the
    template is compiled, see :class:`ConstantTexts`)."""
    return name if lang == LANGUAGES[0] else f"{lang}:{name}"


def _split_name(name: str | None) -> tuple[str | None, str | None]:
    """(language, template name) of a name from :func:`template_name`; (None, None) for None."""
    if name is None:
        return None, None
    head, sep, rest = name.partition(":")
    return (head, rest) if sep and head in LANGUAGES else (LANGUAGES[0], name)


class LanguageLoader(jinja2.BaseLoader):
    """The template folders' loader, for names with or without a language (:func:`template_name`):
    every language reads the same files."""

    def __init__(self, loader: jinja2.BaseLoader):
        self.loader = loader

    def get_source(self, environment, template):
        return self.loader.get_source(environment, _split_name(template)[1])

    def list_templates(self):
        return self.loader.list_templates()


class ConstantTexts(jinja2.ext.Extension):
    """Puts each constant text ``_("Svensk text")`` of a template — most of a page's texts — in
    its language when the template is compiled (the template's name says the language, see
    :func:`template_name`): a constant in the page, with nothing to call or look up per page.
    A translation with markup (``<``, ``&``) is looked up instead, as
    ``_texts["Svensk text"]`` (:data:`kanalregister.site.language.PAGE_TEXTS`), and so is every
    text of a content page (compiled from a string, whatever the page's language). Anything
    else (values, a variable) stays a call of ``_``. The tokens are rewritten, so line numbers
    stay."""

    def filter_stream(self, stream):
        lang = _split_name(stream.name)[0]
        window: list = []
        for token in stream:
            window.append(token)
            if len(window) < 4:
                continue
            name, lparen, text, rparen = window
            if (name.type == "name" and name.value == "_" and lparen.type == "lparen"
                    and text.type == "string" and rparen.type == "rparen"):
                shown = site_gettext(text.value, lang) if lang is not None else None
                if shown is not None and "<" not in shown and "&" not in shown:
                    yield Token(text.lineno, "string", shown)
                else:
                    yield Token(name.lineno, "name", "_texts")
                    yield Token(lparen.lineno, "lbracket", "[")
                    yield text
                    yield Token(rparen.lineno, "rbracket", "]")
                window.clear()
            else:
                yield window.pop(0)
        yield from window


_MODEL_TYPES = frozenset({Channel, Organisation, PartyChannel, Event, LanguageLink})


def make_env(template_dirs: list[Path], bytecode_dir: Path | None = None) -> jinja2.Environment:
    """Create the one Jinja environment (a :class:`Sandbox`): autoescape on, StrictUndefined,
    gettext (site texts are Swedish source strings, translated into the page's language),
    filters in the page's language (:mod:`.language`).

    Args:
        template_dirs: folders searched in order (overrides first, default last).
        bytecode_dir: a folder for Jinja's compiled templates (keyed by the template
            source's checksum, so an edited template is compiled again), or None.
    """
    env = Sandbox(
        loader=LanguageLoader(jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs])),
        autoescape=True,
        extensions=["jinja2.ext.i18n", ConstantTexts],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one build renders each template thousands of times: no stat() per render
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir is not None else None,
    )
    # Dates and numbers in the page's language (Babel); ``date_sv`` is the older name of ``date``,
    # kept for templates that use it.
    env.filters["date"] = env.filters["date_sv"] = format_date
    env.filters["number"] = format_number
    env.filters["iso"] = lambda d: d.isoformat() if d else ""
    # Jinja's i18n extension, "new style": ``_("Text %(name)s", name=value)`` and ``{% trans %}``;
    # the text comes from the catalogue (trusted), the values are escaped. The language is the
    # page's (:func:`kanalregister.site.language.using_language`).
    env.install_gettext_callables(site_gettext, site_ngettext, newstyle=True)  # gettext, ngettext, {% trans %}
    env.globals["_"] = template_gettext  # the same for _(…), faster
    env.globals["_texts"] = PAGE_TEXTS  # _("constant text"), see ConstantTexts
    env.globals["register_text"] = register_text
    return env


def register_text(value, value_en=None) -> Markup:
    """A text of the register (``purpose``, ``target_groups``…) as the page shows it: on an
    English page its English text (``purpose_en``…) where the register gives one; else the text
    as written, marked ``lang="sv"`` on a page in another language (WCAG 3.1.2). A list is
    joined with ", ". Empty (falsy) when there is no text, for ``or _("Uppgift saknas")``.

    Args:
        value: str, a list/tuple of str, or None (the register's Swedish text).
        value_en: the same for English, or None.
    Returns:
        Escaped HTML (Markup).
    """
    def text(v):
        return ", ".join(v) if isinstance(v, (list, tuple)) else (v or "")

    lang = page_language()
    if lang != LANGUAGES[0] and text(value_en):
        return escape(text(value_en))
    shown = text(value)
    if not shown:
        return Markup("")
    if lang != LANGUAGES[0]:
        return Markup('<span lang="%s">%s</span>') % (LANGUAGES[0], shown)
    return escape(shown)


_TEXT_FUNCTIONS = frozenset({template_gettext, register_text})
