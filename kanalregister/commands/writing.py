"""The commands that write files: ``fmt``, ``new``, ``edit``, ``close``, ``split`` (the
register), ``init``, ``form``, ``schema``, ``docs``. Each takes the parsed arguments
(:class:`argparse.Namespace`) and returns the exit status (int); user errors are raised as
:class:`kanalregister.errors.KanalregisterError` and printed by :func:`kanalregister.commands.cli.main`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from ..i18n import _
from ..register.loader import BESIDE
from ..register.schema import table
from .output import emit
from .parser import DEFAULT_REGISTER, needs_a_file


def fmt(args) -> int:
    import difflib

    from .edit import format_notes, format_register, write_atomic

    before, after = format_register(Path(args.register))
    if args.register == "-" and not args.check:  # standard input: the formatted text on standard output
        sys.stdout.buffer.write(after)
        return 0
    if before == after:
        print(_("{file}: already formatted").format(file=args.register), file=sys.stderr)
        return 0
    if args.check:
        old, new = (b.decode("utf-8-sig").replace("\r\n", "\n") for b in (before, after))
        sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                   f"{args.register} (now)", f"{args.register} (formatted)"))
        for note in format_notes(before, after):
            print(f"{args.register}: {note}", file=sys.stderr)
        print(_("{file}: not formatted; run 'kanalregister fmt'").format(file=args.register), file=sys.stderr)
        return 1
    write_atomic(Path(args.register), after)
    for note in format_notes(before, after):
        print(f"{args.register}: {note}", file=sys.stderr)
    print(_("{file}: formatted").format(file=args.register), file=sys.stderr)
    return 0


def new(args) -> int:
    from .edit import parse_person
    from .new import from_options, interactive

    needs_a_file(args.register, "new")
    today = args.today or dt.date.today()
    given: dict = {}
    for spec in table("channel").fields:
        v = getattr(args, spec.name, None)
        if v is not None:
            given[spec.name] = v
    if args.interactive or args.resume or (sys.stdin.isatty() and not given):
        text = {k: "; ".join(v) if isinstance(v, list) else v for k, v in given.items()}
        return interactive(Path(args.register), today, text, args.resume,
                           internal=Path(args.internal) if args.internal else None)
    values = {k: ([parse_person(x) for x in v] if k == "administrators" else parse_person(v) if k == "substitute"
                  else v) for k, v in given.items()}
    _entry, warnings = from_options(Path(args.register), today, values,
                                    Path(args.internal) if args.internal else None)
    emit(warnings, args.format, summary=False)
    print(_("{file}: added channel '{id}'").format(file=args.register, id=values.get("id")), file=sys.stderr)
    return 0


def report_change(args, changed) -> int:
    emit(changed.warnings, args.format, summary=False)
    if changed.old_errors:
        print(_("{file}: channel '{id}': set {fields}; the change passes the checks, but the register has "
                "{n} error(s) elsewhere from before (run 'kanalregister check')").format(
            file=args.register, id=changed.channel_id, fields=", ".join(changed.fields), n=changed.old_errors),
            file=sys.stderr)
        return 0
    print(_("{file}: channel '{id}': set {fields}; the register passes the checks ({n} channels)").format(
        file=args.register, id=changed.channel_id, fields=", ".join(changed.fields), n=changed.channels),
        file=sys.stderr)
    return 0


def edit(args) -> int:
    from .change import edit_field

    needs_a_file(args.register, "edit")
    return report_change(args, edit_field(Path(args.register), args.id, args.field, args.value,
                                          args.today or dt.date.today(), args.note, args.internal or BESIDE))


def close(args) -> int:
    from .change import close_channel, screenshot_reminder

    needs_a_file(args.register, "close")
    changed = close_channel(Path(args.register), args.id, args.today or dt.date.today(), args.date, args.reason,
                            args.successor, args.archived, args.internal or BESIDE)
    report_change(args, changed)
    print(screenshot_reminder(), file=sys.stderr)
    return 0


def schema(args) -> int:
    from ..register.editor import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def init(args) -> int:
    from .init import ask_missing, summary
    from .scaffold import Organisation, init

    org = Organisation(args.name, args.website, args.email, args.org_number)
    if sys.stdin is not None and sys.stdin.isatty():
        org = ask_missing(org)
    print(summary(init(args.dir, org)))
    return 0


def form(args) -> int:
    from .form import Repository, write_form

    register = args.register or (DEFAULT_REGISTER if Path(DEFAULT_REGISTER).is_file() else None)
    needs_a_file(register or "", "form")
    repo = None
    if args.repo:
        repo = Repository(args.repo, args.gitlab or "gitlab" in args.repo.lower(), args.branch,
                          args.path or Path(register or DEFAULT_REGISTER).name)
    out = write_form(args.output, register, args.today, repo)
    print(_("wrote {out}: open it in a web browser").format(out=out), file=sys.stderr)
    return 0


def split(args) -> int:
    from .split import split_file

    needs_a_file(args.register, "split")
    moved, target = split_file(Path(args.register), Path(args.internal) if args.internal else None)
    print(_("{register}: moved the internal facts of {n} channel(s) to {file}; keep that file out of the public "
            "repository").format(register=args.register, n=moved, file=target), file=sys.stderr)
    return 0


def docs(args) -> int:
    from ..register.editor import field_docs_markdown

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(field_docs_markdown() + "\n", encoding="utf-8")
    print(_("wrote {output}").format(output=args.output), file=sys.stderr)
    return 0
