"""The questions ``new`` asks (the aktivitetsplan, Gullspång Bilaga 1), how an answer's text
becomes a value, and the resume file where the answers given so far are kept."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import UsageError, file_diagnostic
from ..i18n import _
from .edit import parse_person, write_atomic

#: The order of the questions: the aktivitetsplan's, then what the register also needs.
ORDER = ("platform", "url", "department", "unit", "purpose", "target_groups", "administrators", "substitute",
         "monitoring", "hours_per_week", "name", "handle", "responsible_role", "contact_email", "languages",
         "start_date", "status", "closing_date", "last_archived", "approved_by", "approved_on", "id")
#: Asked only when the new channel is closed already.
ONLY_CLOSED = ("closing_date", "last_archived")
#: Values that stand in for required answers not given yet, while an answer is checked.
STAND_IN = {"id": "ny-kanal-utkast", "name": "Ny kanal", "department": "Förvaltningen", "status": "active",
            "url": "https://example.invalid/ny-kanal"}
LIST_FIELDS = ("target_groups", "languages", "aliases")
DEFAULTS = {"status": "active"}


def questions() -> dict[str, str]:
    """field → the question asked for it (in the chosen language)."""
    return {
        "platform": _("1. Which social medium is it?"),
        "url": _("2. The account's web address (https://…)"),
        "department": _("3a. Which förvaltning or company is responsible?"),
        "unit": _("3b. Which unit or department? (optional)"),
        "purpose": _("4a. Describe the purpose (syfte) of the channel"),
        "target_groups": _("4b. Who are the target groups (målgrupper)? (separate with semicolons)"),
        "administrators": _("5. Administrators, at least two: 'Name, e-mail, phone' (separate people with "
                            "semicolons)"),
        "substitute": _("6. Ersättare when the administrators are away: 'Name, e-mail, phone'"),
        "monitoring": _("7. How often and when is the account watched? (e.g. Weekdays, answers within 48 hours)"),
        "hours_per_week": _("8. Estimated working time, hours per week"),
        "id": _("Id of the channel (lower-case letters, digits and hyphens)"),
        "name": _("The account's name as the platform shows it"),
        "handle": _("User name on the platform, without @ (optional)"),
        "responsible_role": _("Kontoansvarig: the responsible role (not a person)"),
        "contact_email": _("Contact address: a function mailbox"),
        "languages": _("Languages (ISO codes, separate with semicolons, e.g. sv; en)"),
        "start_date": _("Start date (YYYY-MM-DD)"),
        "status": _("Status"),
        "closing_date": _("Closing date (YYYY-MM-DD)"),
        "last_archived": _("Date of the final screenshot archived (YYYY-MM-DD)"),
        "approved_by": _("Approved by (a role, e.g. förvaltningschef)"),
        "approved_on": _("Approved on (YYYY-MM-DD)"),
    }


def resume_path(register: Path) -> Path:
    """The file beside the register where ``new`` keeps the answers given so far."""
    register = Path(register)
    return register.with_name(f".{register.name}.new-answers.json")


def interpret(field: str, answer: str) -> object:
    """An answer's text as the field's value: lists split at semicolons, people from
    ``'Name, e-mail, phone'``; everything else the text itself (checked later)."""
    answer = answer.strip()
    if not answer:
        return None
    if field in LIST_FIELDS:
        return [a.strip() for a in answer.split(";") if a.strip()]
    if field == "administrators":
        return [parse_person(a) for a in answer.split(";") if a.strip()]
    if field == "substitute":
        return parse_person(answer)
    return answer


def values_of(answers: dict) -> dict:
    """field → value for answers kept as text (field → str)."""
    return {k: v for k, v in ((k, interpret(k, a)) for k, a in answers.items()) if v is not None}


def write_atomic_new(path: Path, data: bytes) -> None:
    """:func:`write_atomic` for a file that may not exist yet (the resume file)."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    write_atomic(path, data)


def read_resume(path: Path) -> dict:
    """The answers kept in the resume file of the register at ``path`` (field → str).

    Raises:
        UsageError: there is no resume file, or it is not one ``new`` wrote.
    """
    resume = resume_path(path)
    try:
        kept = json.loads(resume.read_text(encoding="utf-8"))
        answers = kept["answers"]
        if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
            raise ValueError
    except FileNotFoundError:
        raise UsageError([file_diagnostic(str(resume), "new.resume", _(
            "there are no saved answers to continue"), _("run 'kanalregister new' to start"))]) from None
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError([file_diagnostic(str(resume), "new.resume", _(
            "the saved answers cannot be read"), _("remove the file and run 'kanalregister new' again"))]) from None
    return {k: v for k, v in answers.items() if k in questions()}
