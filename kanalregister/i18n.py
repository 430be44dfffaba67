"""The language of messages (issue 17). STUB: the real gettext catalogues come with issue 17.

Two domains:
- tool messages (diagnostics, hints, CLI output): the source strings are English, written in
  Python as ``_("English text {name}").format(name=...)`` — translate first, format after;
- site text (templates): the source strings are Swedish (the site's first language), written
  in templates as ``{{ _("Svensk text") }}``; the site's catalogue and ``site_gettext`` live in
  :mod:`kanalregister.site.language` (they need the page's language).

Until issue 17 lands, every function returns its argument unchanged.
"""

from __future__ import annotations

_LANGUAGE = "sv"


def set_language(lang: str) -> None:
    """Choose the language of tool messages: ``"sv"`` or ``"en"``."""
    global _LANGUAGE
    _LANGUAGE = lang


def language() -> str:
    """The language chosen for tool messages (``"sv"`` or ``"en"``)."""
    return _LANGUAGE


def _(message: str) -> str:
    """Translate a tool message (English source string) into the chosen language."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a tool message that depends on a count ``n``."""
    return singular if n == 1 else plural

