"""Diagnostics and the small exception tree for user errors.

Every problem in a user's input (the register, a template, a content page, a CLI option)
is a :class:`Diagnostic` that names the file, line and column. Errors that stop a command
are raised as a :class:`KanalregisterError` subclass carrying those diagnostics; the CLI
prints them and exits with status 1, never with a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .i18n import _

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in user input.

    Attributes:
        file: path of the file as the user named it (str).
        line: 1-based line number; 0 when the problem concerns the whole file.
        col: 1-based column number; 0 when unknown.
        severity: ``"error"`` (blocks publishing) or ``"warning"`` (reported only,
            an error under ``--strict``).
        code: stable machine-readable code, e.g. ``"schema.enum"`` (str).
        path: location in the data, e.g. ``"channels[3].url"``; ``""`` for the file.
        message: what is wrong, in plain words (str).
        hint: optional suggestion, e.g. ``"did you mean 'instagram'?"``.
    """

    file: str
    line: int
    col: int
    severity: Severity
    code: str
    path: str
    message: str
    hint: str | None = None

    def format(self) -> str:
        """Return the one-line form ``file:line:col: severity: path: message``."""
        where = f"{self.path}: " if self.path else ""
        severity = _("error") if self.severity == "error" else _("warning")
        text = f"{self.file}:{self.line}:{self.col}: {severity}: {where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __reduce__(self):  # pickled as its values (the build cache keeps thousands)
        return (Diagnostic, (self.file, self.line, self.col, self.severity, self.code, self.path, self.message,
                             self.hint))

    def sort_key(self) -> tuple:
        """Order by file, then position, then code (tuple of str/int)."""
        return (self.file, self.line, self.col, self.code, self.path, self.message)


@dataclass
class Collector:
    """Accumulates diagnostics during a phase so that one run reports every problem.

    Attributes:
        file: the file the diagnostics are about (str).
        items: diagnostics in the order they were found (list[Diagnostic]).
    """

    file: str
    items: list[Diagnostic] = field(default_factory=list)
    n_errors: int = 0

    def add(self, line: int, col: int, code: str, path: str, message: str,
            hint: str | None = None, severity: Severity = "error") -> None:
        """Record one diagnostic at 1-based ``line``/``col``."""
        self.items.append(Diagnostic(self.file, line, col, severity, code, path, message, hint))
        if severity == "error":
            self.n_errors += 1

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics of severity ``"error"``."""
        return [d for d in self.items if d.severity == "error"]


class KanalregisterError(Exception):
    """Base of all user errors. Carries ``diagnostics`` (list[Diagnostic]), at least one."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class RegisterSyntaxError(KanalregisterError):
    """The register file cannot be read as safe YAML (bad bytes, syntax, tags, aliases…)."""


class RegisterInvalid(KanalregisterError):
    """The register was read but breaks the schema, a cross-field rule or the policy."""


class SiteSourceError(KanalregisterError):
    """A template or content page of the site is broken (syntax, undefined variable…)."""


class UsageError(KanalregisterError):
    """A command-line option or a file named on the command line is wrong."""


def file_diagnostic(file: str, code: str, message: str, hint: str | None = None) -> Diagnostic:
    """Build an error diagnostic about a whole file (line and column 0)."""
    return Diagnostic(file, 0, 0, "error", code, "", message, hint)
