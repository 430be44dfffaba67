"""How diagnostics are printed: text for people (the source line and a caret, in the manner of
ruff and rustc), GitHub workflow annotations for CI, or JSON for tools."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from ..errors import Diagnostic
from ..i18n import _


def _source_lines(file: str) -> list[str]:
    try:
        return Path(file).read_bytes().decode("utf-8", "replace").split("\n")
    except OSError:
        return []


def format_text(diags: list[Diagnostic]) -> str:
    """Diagnostics in the manner of ruff/rustc: the headline, the source line, a caret."""
    out, cache = [], {}
    for d in diags:
        out.append(d.format() if not d.hint else d.format().rsplit(f" ({d.hint})", 1)[0])
        if d.line > 0:
            if d.file not in cache:
                cache[d.file] = _source_lines(d.file)
            lines = cache[d.file]
            if d.line <= len(lines):
                src, col = _window(lines[d.line - 1].rstrip("\r"), d.col)
                width = len(str(d.line))
                out.append(f"{' ' * width} |")
                out.append(f"{d.line} | {src}")
                if col > 0:
                    token = src[col - 1:]
                    end = token.find(" #")
                    token = (token if end < 0 else token[:end]).rstrip()
                    length = max(1, min(len(token), 80))
                    out.append(f"{' ' * width} | {' ' * (col - 1)}{'^' * length}")
        if d.hint:
            out.append(_("  = hint: {hint}").format(hint=d.hint))
    return "\n".join(out)


#: The most characters of a source line shown under a diagnostic.
SHOWN = 160


def _window(line: str, col: int) -> tuple[str, int]:
    """At most :data:`SHOWN` characters of ``line`` around column ``col`` (1-based, 0 for
    none), cut ends marked with …, and the column in what is shown."""
    if len(line) <= SHOWN:
        return line, col
    start = max(0, min(col - 1 - SHOWN // 4, len(line) - SHOWN)) if col > 0 else 0
    shown = line[start:start + SHOWN]
    if start > 0:
        shown = "…" + shown[1:]
    if start + SHOWN < len(line):
        shown = shown[:-1] + "…"
    return shown, (col - start if col > 0 else 0)


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return s.replace(":", "%3A").replace(",", "%2C") if prop else s


def format_github(diags: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``."""
    out = []
    for d in diags:
        msg = f"{d.path}: {d.message}" if d.path else d.message
        if d.hint:
            msg += f" ({d.hint})"
        props = f"file={_gh_escape(d.file, True)}"
        if d.line:
            props += f",line={d.line}"
        if d.col:
            props += f",col={d.col}"
        props += f",title={_gh_escape(d.code, True)}"
        out.append(f"::{d.severity} {props}::{_gh_escape(msg)}")
    return "\n".join(out)


def rule_summary(diags: list[Diagnostic]) -> list[dict]:
    """Counts per rule code: a list of ``{"code": str, "errors": int, "warnings": int}``, most
    frequent first, then by code (issue 18: every run of ``check`` ends with it)."""
    counts: dict[str, list[int]] = {}
    for d in diags:
        c = counts.setdefault(d.code, [0, 0])
        c[0 if d.severity == "error" else 1] += 1
    return [{"code": k, "errors": e, "warnings": w}
            for k, (e, w) in sorted(counts.items(), key=lambda kv: (-sum(kv[1]), kv[0]))]


def format_rule_summary(summary: list[dict], hidden: int = 0) -> str:
    """The text form of :func:`rule_summary`: one line per rule code and the totals;
    ``hidden`` (int) counts warnings not shown (``check --changed-since``)."""
    errors = sum(r["errors"] for r in summary)
    warnings = sum(r["warnings"] for r in summary)
    lines = [_("Summary by rule:")] if summary else []
    width = max((len(r["code"]) for r in summary), default=0)
    for r in summary:
        lines.append("  " + _("{code}  {errors} error(s), {warnings} warning(s)").format(
            code=r["code"].ljust(width), errors=r["errors"], warnings=r["warnings"]))
    lines.append(_("{errors} error(s), {warnings} warning(s)").format(errors=errors, warnings=warnings))
    if hidden:
        lines.append(_("{n} warning(s) about entries this change did not touch are counted above but not shown; "
                       "run 'kanalregister check' without --changed-since to see them").format(n=hidden))
    return "\n".join(lines)


def format_json(diags: list[Diagnostic], **extra) -> str:
    """A JSON object: counts and the list of diagnostics (for tools)."""
    errors = sum(d.severity == "error" for d in diags)
    return json.dumps({"ok": errors == 0, "errors": errors, "warnings": len(diags) - errors,
                       "diagnostics": [asdict(d) for d in diags], **extra}, ensure_ascii=False, indent=1)


def emit(diags: list[Diagnostic], fmt: str, stream=None, summary: bool = True, **extra) -> None:
    """Print diagnostics in ``fmt`` (text/github/json) to ``stream`` (default stderr; json: stdout).

    With ``summary``, text output ends with the totals (``by_rule``: a :func:`rule_summary`
    list, then the counts per rule come first; ``hidden``: warnings counted but not shown).
    JSON output carries ``extra`` as data."""
    by_rule = extra.pop("by_rule", None)
    hidden = extra.pop("hidden", 0)
    if fmt == "json":
        if by_rule is not None:
            extra["summary"] = {"by_rule": by_rule, "not_shown_warnings": hidden}
        print(format_json(diags, **extra), file=stream or sys.stdout)
        return
    stream = stream or sys.stderr
    if diags:
        print(format_github(diags) if fmt == "github" else format_text(diags), file=stream)
    if summary and by_rule is not None:
        print(format_rule_summary(by_rule, hidden), file=stream)
    elif summary and fmt == "text":
        errors = sum(d.severity == "error" for d in diags)
        warnings = len(diags) - errors
        if errors or warnings:
            print(_("{errors} error(s), {warnings} warning(s)").format(errors=errors, warnings=warnings), file=stream)
