"""The language of messages (issue 17): gettext catalogues, made and read with Babel.

Two domains:
- tool messages (diagnostics, hints, CLI output, argparse help): the source strings are
  English, written in Python as ``_("English text {name}").format(name=...)`` — translate
  first, format after. The catalogue is ``kanalregister/locale/<lang>/LC_MESSAGES/messages.po``
  (compiled to ``messages.mo`` beside it, both committed; see docs/translating.md). Swedish is
  the default: the people who keep the register are Swedish communicators;
- site text (templates): the source strings are Swedish (the site's first language), written
  in templates as ``{{ _("Svensk text") }}``; the site's catalogue and ``site_gettext`` live in
  :mod:`kanalregister.site.language` (they need the page's language).

The language of tool messages is, in order: :func:`set_language` (the CLI's ``--lang``), the
environment variable ``KANALREGISTER_LANG``, else Swedish. Messages are made when rules run
(in this process or in forked workers, which inherit the choice) and kept in the build cache,
whose key includes :func:`language`.
"""

from __future__ import annotations

import os
from pathlib import Path

from babel.support import NullTranslations, Translations

#: The languages of tool messages; the first is the default.
LANGUAGES = ("sv", "en")
#: The environment variable that chooses the language when ``--lang`` is not given.
ENV = "KANALREGISTER_LANG"
#: Where the catalogues are: ``<LOCALE_DIR>/<lang>/LC_MESSAGES/messages.mo``.
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

_LANGUAGE: str | None = None  # None: from the environment, else Swedish
_CATALOGUES: dict[str, NullTranslations] = {}


def set_language(lang: str | None) -> None:
    """Choose the language of tool messages: ``"sv"`` or ``"en"``; ``None`` goes back to the
    environment (``KANALREGISTER_LANG``, else Swedish).

    Raises:
        ValueError: a language other than :data:`LANGUAGES` (a programming error: the CLI
            offers only these).
    """
    global _LANGUAGE
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    _LANGUAGE = lang


def language() -> str:
    """The language chosen for tool messages (``"sv"`` or ``"en"``): :func:`set_language`,
    else ``KANALREGISTER_LANG`` when it names one of :data:`LANGUAGES` (``sv_SE.UTF-8`` counts
    as ``sv``), else ``"sv"``."""
    if _LANGUAGE is not None:
        return _LANGUAGE
    env = os.environ.get(ENV, "").strip().lower()[:2]
    return env if env in LANGUAGES else LANGUAGES[0]


def catalogue(lang: str | None = None) -> NullTranslations:
    """The compiled catalogue of ``lang`` (default: :func:`language`), read once; an empty
    (identity) catalogue when the language has none (English, the source language)."""
    lang = lang or language()
    cat = _CATALOGUES.get(lang)
    if cat is None:
        cat = Translations.load(str(LOCALE_DIR), [lang], DOMAIN)
        _CATALOGUES[lang] = cat
    return cat


def _(message: str) -> str:
    """Translate a tool message (English source string) into the chosen language."""
    return catalogue().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a tool message that depends on a count ``n``."""
    return catalogue().ngettext(singular, plural, n)

