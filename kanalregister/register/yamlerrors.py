"""YAML syntax errors in plain words, at the line where the fix belongs (issue 17, point 2).

libyaml names the place where it *noticed* a problem, in its own words ("mapping values are
not allowed in this context", "could not find expected ':'"), often a line after the
mistake. :func:`explain` reads the lines around that place and names the usual mistakes of a
person writing the register by hand:

* a key without its colon (``name Testby``), or without the space after it (``purpose:Text``):
  reported on that line, at the place of the missing character;
* a plain value with ``: `` inside (``purpose: Vi informerar: om allt``): put it in quotes;
* a line indented more or less than the key it should line up with: which key, which line;
* a quote that is never closed: where it opened.

Anything else keeps libyaml's words behind "YAML syntax error". Rule source: YAML 1.1 §7
(plain scalars cannot contain ``": "``; block indentation) as libyaml implements it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..i18n import _

#: ``  - key: value`` → indentation, dash, key, what follows the key.
_KEY_LINE = re.compile(r"^(?P<ind> *)(?P<dash>- +)?(?P<key>[^\s:#'\"\[\]{},-][^\s:#]*)(?P<rest>.*)$")


@dataclass(frozen=True)
class Explained:
    """A syntax error as shown to the user: 1-based ``line``/``col``, ``code``, ``message``
    and ``hint`` (str or None), in the language of :func:`kanalregister.i18n.language`."""

    line: int
    col: int
    code: str
    message: str
    hint: str | None


def _key_of(line: str) -> tuple[str, int, str] | None:
    """(key, 1-based column of the key, text after the key) of a ``key…`` line, or None."""
    m = _KEY_LINE.match(line)
    if not m:
        return None
    return m["key"], len(m["ind"]) + len(m["dash"] or "") + 1, m["rest"]


def _previous(lines: list[str], i: int) -> int | None:
    """Index of the nearest line before ``i`` that is neither blank nor a comment."""
    for j in range(i - 1, -1, -1):
        s = lines[j].strip()
        if s and not s.startswith("#"):
            return j
    return None


def _missing_colon(lines: list[str], i: int) -> Explained | None:
    """Line ``i`` is ``key value`` or ``key:value``: the colon or the space after it is missing."""
    found = _key_of(lines[i])
    if found is None:
        return None
    key, kcol, rest = found
    if rest.startswith(":") and rest[1:2] not in ("", " "):
        return Explained(i + 1, kcol + len(key) + 1, "yaml.colon-space",
                         _("a space is missing after the colon of '{key}'").format(key=key),
                         _("write '{key}: {value}' with a space after the colon").format(
                             key=key, value=rest[1:].strip()))
    if ":" not in rest and rest[:1] == " " and rest.strip():
        return Explained(i + 1, kcol + len(key), "yaml.missing-colon",
                         _("the colon after '{key}' is missing").format(key=key),
                         _("write '{key}: {value}'").format(key=key, value=rest.strip()))
    return None


def _indentation(lines: list[str], i: int, col: int) -> Explained | None:
    """Line ``i`` starts at column ``col`` (1-based) where the line above it does not: a list
    item lines up with the item above it, a key with the key above it."""
    this = _KEY_LINE.match(lines[i])
    target = None
    if this and this["dash"]:
        for j in range(i - 1, -1, -1):
            m = _KEY_LINE.match(lines[j])
            if m and m["dash"]:
                target = (j, "- " + m["key"], len(m["ind"]) + 1)
                break
    else:
        j = _previous(lines, i)
        found = _key_of(lines[j]) if j is not None else None
        if found:
            target = (j, found[0], found[1])
    if target is None or target[2] == col:
        return None
    j, key, kcol = target
    name = ("- " if this["dash"] else "") + this["key"] if this else lines[i].strip()[:30]
    return Explained(i + 1, col, "yaml.indent",
                     _("'{name}' is not lined up with '{key}' on line {line}").format(
                         name=name, key=key, line=j + 1),
                     _("indent it {n} spaces, as '{key}' above it").format(n=kcol - 1, key=key))


def explain(text: str, problem: str | None, context: str | None, line: int, col: int,
            context_at: tuple[int, int] | None) -> Explained:
    """Explain a libyaml syntax error.

    Args:
        text: the register's text (str).
        problem, context: libyaml's words (``exc.problem``, ``exc.context``), or None.
        line, col: 1-based position of ``exc.problem_mark`` (0, 0 when unknown).
        context_at: 1-based (line, col) of ``exc.context_mark``, or None.

    Returns:
        An :class:`Explained`; ``code`` is ``yaml.syntax`` when the mistake has no name here.
    """
    lines = text.split("\n")
    problem = problem or ""
    context_line = context_at[0] if context_at else None
    if problem == "could not find expected ':'" and context_line:
        found = _missing_colon(lines, context_line - 1)
        if found:
            return found
    if problem == "mapping values are not allowed in this context" and 0 < line <= len(lines):
        here = lines[line - 1]
        found = _key_of(here)
        if found and found[2].startswith(":") and col > found[1] + len(found[0]) + 1:
            value_col = len(here) - len(found[2][1:].lstrip()) + 1
            return Explained(line, value_col, "yaml.colon-in-value",
                             _("the value of '{key}' contains ': ', which YAML reads as a new key").format(
                                 key=found[0]),
                             _("put the text in quotes: {key}: \"{value}\"").format(
                                 key=found[0], value=found[2][1:].strip().replace('"', '\\"')))
        j = _previous(lines, line - 1)
        if j is not None:
            found = _missing_colon(lines, j)
            if found:
                return found
        indent = len(here) - len(here.lstrip(" "))
        found = _indentation(lines, line - 1, indent + 1)
        if found:
            return found
    if problem in ("did not find expected key", "did not find expected '-' indicator") and 0 < line <= len(lines):
        found = _indentation(lines, line - 1, col)
        if found:
            return found
    if problem == "found unexpected end of stream" and context and "quoted scalar" in context and context_line:
        return Explained(context_line, context_at[1], "yaml.unclosed-quote",
                         _("a quote opened on line {line} is never closed").format(line=context_line),
                         _("end the text with the same quote mark it starts with"))
    words = problem or _("invalid YAML")
    return Explained(line, col, "yaml.syntax",
                     _("YAML syntax error: {problem}").format(problem=words) + (f" ({context})" if context else ""),
                     None)


def explain_error(text: str, exc, max_depth: int) -> Explained:
    """Explain libyaml's ``exc`` (a :class:`yaml.MarkedYAMLError`) for the register ``text``:
    a tab where YAML expects spaces, nesting deeper than ``max_depth`` levels (newer libyaml
    stops deep nesting itself), else :func:`explain`."""
    mark = exc.problem_mark or exc.context_mark
    line, c = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    if mark is not None and mark.index < len(text) and text[mark.index] == "\t":
        return Explained(line, c, "yaml.tab", _("tab character where YAML expects spaces"), _("indent with spaces"))
    if "nesting depth" in (exc.problem or ""):
        return Explained(line, c, "yaml.depth", _("nesting deeper than {max_depth} levels; the register needs at "
                                                  "most 4").format(max_depth=max_depth), None)
    at = (exc.context_mark.line + 1, exc.context_mark.column + 1) if exc.context_mark else None
    return explain(text, exc.problem, exc.context, line, c, at)
