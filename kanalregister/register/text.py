"""Text safety checks for every string in the register.

Register text is published on the municipality's website, so characters that can make one
thing look like another are refused rather than escaped (escaping does not help there):

* bidirectional controls (Trojan-Source style reordering, CVE-2021-42574) and zero-width
  characters, which can hide or disguise text;
* control characters (line breaks are allowed only in multi-line fields);
* names that mix Latin letters with Cyrillic or Greek ones: the classic look-alike of an
  official account name (Unicode TR #39, "mixed-script confusables").

HTML in text is *not* refused: it is legitimate text (``Q&A``, ``<3``) and is escaped
on output by the template engine's autoescape.
"""

from __future__ import annotations

import re
import unicodedata

from ..i18n import _

_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_INVISIBLE = {0x00AD, 0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, *range(0x200B, 0x200E),
              0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x3164, 0xFEFF, 0xFFA0}
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE")


def _class(codes) -> str:
    return "".join(f"\\u{c:04x}" for c in sorted(codes))


# One character class each, searched in C (far faster than a Python loop over every
# character). The BMP part is also the editor's JSON Schema pattern
# (:func:`kanalregister.register.editor.json_schema`), written with \\uXXXX escapes that Python's re and
# ECMAScript regexes read alike, so the editor and ``check`` refuse the same characters.
_C0 = "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f"  # C0 and C1 controls, except tab and line feed
_PRIVATE_BMP = "\\ud800-\\udfff\\ue000-\\uf8ff"  # lone surrogates, private use
#: Regex character-class body (BMP) of what one-line text may not contain.
UNSAFE_LINE_CLASS = f"\\u0009\\u000a{_C0}{_class(_BIDI)}{_class(_INVISIBLE)}{_PRIVATE_BMP}"
#: The same for multi-line fields (``x-multiline`` in the schema): line feeds allowed.
UNSAFE_MULTILINE_CLASS = f"\\u0009{_C0}{_class(_BIDI)}{_class(_INVISIBLE)}{_PRIVATE_BMP}"
_ASTRAL_PRIVATE = "\\U000f0000-\\U0010ffff"  # supplementary private-use planes (Python only)
_BAD_LINE = re.compile(f"[{UNSAFE_LINE_CLASS}{_ASTRAL_PRIVATE}]")
_BAD_MULTI = re.compile(f"[{UNSAFE_MULTILINE_CLASS}{_ASTRAL_PRIVATE}]")


def problem(value: str, multiline: bool = False) -> tuple[str, str, str] | None:
    """Return ``(code, message, hint)`` for the first unsafe character in ``value``, or None.

    Args:
        value: the text (str).
        multiline: True for fields where line breaks are allowed (purpose, notes).
    """
    m = (_BAD_MULTI if multiline else _BAD_LINE).search(value)
    if m is None:
        return None
    ch = m.group(0)
    o = ord(ch)
    if o in _BIDI:
        return ("text.bidi", _("invisible bidirectional control U+{o:04X} ({name})").format(
            o=o, name=unicodedata.name(ch, "?")),
                _("remove it: it can reorder how the text is shown"))
    if o in _INVISIBLE:
        return ("text.invisible", _("invisible character U+{o:04X} ({name})").format(
            o=o, name=unicodedata.name(ch, "?")),
                _("remove it: it can disguise the text"))
    return ("text.control", _("control or private-use character U+{o:04X} in text").format(o=o),
            _("remove it") if multiline else _("remove it; this field is one line"))


def mixed_scripts(value: str) -> set[str]:
    """Return the set of scripts (LATIN, CYRILLIC, GREEK, …) used by letters of ``value``."""
    if value.isascii():
        return {"LATIN"} if any(ch.isalpha() for ch in value) else set()
    found = set()
    for ch in value:
        if ch.isalpha():
            if ch.isascii():
                found.add("LATIN")
                continue
            name = unicodedata.name(ch, "")
            for s in _SCRIPTS:
                if name.startswith(s):
                    found.add(s)
                    break
    return found


def lookalike_index(value: str) -> int | None:
    """The index (0-based) of the first letter that is not Latin in a ``value`` that mixes
    Latin with other letters, else None."""
    if lookalike(value) is None:
        return None
    return next(i for i, ch in enumerate(value) if ch.isalpha() and not ch.isascii()
                and not unicodedata.name(ch, "").startswith("LATIN"))


def lookalike(value: str) -> str | None:
    """Return a message when ``value`` mixes Latin with Cyrillic/Greek/… letters, else None.
    The message names the first letter that is not Latin and its place (1-based) in the value."""
    scripts = mixed_scripts(value)
    if "LATIN" in scripts and len(scripts) > 1:
        other = sorted(scripts - {"LATIN"})
        i, ch = next((i, ch) for i, ch in enumerate(value) if ch.isalpha() and not ch.isascii()
                     and not unicodedata.name(ch, "").startswith("LATIN"))
        return _("mixes Latin and {scripts} letters, as look-alike fake names do: '{ch}' (U+{o:04X} {name}) is "
                 "character {i}").format(scripts=", ".join(s.capitalize() for s in other), ch=ch, o=ord(ch),
                                         name=unicodedata.name(ch, "?"), i=i + 1)
    return None


def char_position(node, key, index: int | None) -> tuple[int, int]:
    """Where character ``index`` of ``node[key]`` stands: exact for a value written on one line
    without escapes, else the value's start (the message then says which character it is)."""
    line, col = node.pos[key]
    offset = node.inline.get(key)
    return (line, col + offset + index) if index is not None and offset is not None else (line, col)
def slug(text: str) -> str:
    """ASCII id part from any text: ``"Växjö kommun"`` → ``"vaxjo-kommun"`` (never empty)."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-") or "x"
