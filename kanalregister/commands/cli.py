"""Command line: ``kanalregister`` (and ``python build.py``).

Commands: ``build`` (the default), ``check``, ``init``, ``import``, ``diff``, ``fmt``, ``new``,
``edit``, ``close``, ``serve``, ``report``, ``schema``, ``docs``. Exit status: 0 success, 1 when the input has
errors (or warnings under ``--strict``), or the machine refused (a full disk, an unwritable
folder), 2 for a wrong command line, 3 from ``report`` when something is due. A data error,
a broken template or an OS error is printed as a diagnostic, never as a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from pathlib import Path

from ..errors import KanalregisterError, UsageError, file_diagnostic
from ..i18n import _
from ..register.schema import table
from .output import emit
from .parser import make_parser

#: How many warnings ``build`` prints in text format before summarising (``check`` shows all).
BUILD_WARNINGS_SHOWN = 10


# --- commands -------------------------------------------------------------------------------

def _check(args) -> int:
    from ..register.loader import load

    with _without_gc():
        res = load(args.register, args.today or dt.date.today()).result
    diags = res.diagnostics
    failed = bool(res.errors) or (args.strict and bool(diags))
    emit(diags, args.format, channels=len(res.register.channels) if res.register else None)
    if args.format == "text" and not failed:
        n = len(res.register.channels) if res.register else 0
        print(f"{args.register}: OK, {n} channels", file=sys.stderr)
    return 1 if failed else 0


@contextlib.contextmanager
def _without_gc():
    """No cycle collection inside the block. The model is acyclic and lives until the command
    ends: the collector's passes over hundreds of thousands of objects would only cost time.
    When the process ends right after (``main(exiting=True)``), the collector is not even
    switched back on: its first pass would walk every object the command made."""
    import gc

    gc.disable()
    try:
        yield
    finally:
        if not _EXITING:
            gc.enable()


def _build(args) -> int:
    with _without_gc():
        return _build_now(args)


def _build_now(args) -> int:
    from ..site.build import build

    result = build(Path(args.register), Path(args.out), args.templates, args.content, args.today, args.strict,
                   use_cache=not getattr(args, "no_cache", False))
    shown = result.warnings if args.format != "text" else result.warnings[:BUILD_WARNINGS_SHOWN]
    emit(shown, args.format, summary=False)
    if len(shown) < len(result.warnings):
        print(f"… and {len(result.warnings) - len(shown)} more warning(s): run 'kanalregister check' to see all",
              file=sys.stderr)
    if args.format != "json":
        if not result.files:
            print(f"{args.register}: nothing changed since the last build; {args.out}/ is up to date",
                  file=sys.stderr)
        else:
            how = f" ({result.reused} channels unchanged since the last build)" if result.reused else ""
            print(f"{args.register}: published {len(result.files)} files to {args.out}/{how}", file=sys.stderr)
    return 0


def _import(args) -> int:
    from .importer import import_csv

    org = {k: v for k, v in (("name", args.name), ("website", args.website), ("email", args.email),
                             ("register_keeper", args.register_keeper)) if v}
    res = import_csv(args.csv, org)
    if args.output:
        try:
            args.output.write_text(res.text, encoding="utf-8")
        except OSError as exc:
            raise UsageError([file_diagnostic(str(args.output), "import.write", f"cannot write: {exc}")]) from None
    else:
        sys.stdout.write(res.text)
    emit(res.findings, args.format, summary=False)
    print(f"{args.csv}: imported {res.channels} channels of {res.organisations} organisations; "
          f"{len(res.findings)} import finding(s). Run 'kanalregister check' for the gaps per channel.",
          file=sys.stderr)
    return 1 if any(d.severity == "error" for d in res.findings) else 0


def _needs_a_file(register: str, command: str) -> None:
    """Refuse ``-`` (standard input) for a command that needs the register as a file."""
    if register == "-":
        raise UsageError([file_diagnostic("-", "usage.stdin", f"'{command}' needs the register as a file",
                                          "name the file with --register, e.g. --register channels.yaml")])


def _diff(args) -> int:
    from .diff import diff_register, to_markdown

    _needs_a_file(args.register, "diff")

    d, base = diff_register(Path(args.register), args.base)
    text = to_markdown(d, base, args.register)
    print(text)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


def _fmt(args) -> int:
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


def _new(args) -> int:
    from .edit import parse_person
    from .new import from_options, interactive

    _needs_a_file(args.register, "new")
    today = args.today or dt.date.today()
    given: dict = {}
    for spec in table("channel").fields:
        v = getattr(args, spec.name, None)
        if v is not None:
            given[spec.name] = v
    if args.interactive or args.resume or (sys.stdin.isatty() and not given):
        text = {k: "; ".join(v) if isinstance(v, list) else v for k, v in given.items()}
        return interactive(Path(args.register), today, text, args.resume)
    values = {k: ([parse_person(x) for x in v] if k == "administrators" else parse_person(v) if k == "substitute"
                  else v) for k, v in given.items()}
    _entry, warnings = from_options(Path(args.register), today, values)
    emit(warnings, args.format, summary=False)
    print(_("{file}: added channel '{id}'").format(file=args.register, id=values.get("id")), file=sys.stderr)
    return 0


def _changed(args, changed) -> int:
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


def _edit(args) -> int:
    from .change import edit_field

    _needs_a_file(args.register, "edit")
    return _changed(args, edit_field(Path(args.register), args.id, args.field, args.value,
                                     args.today or dt.date.today(), args.note))


def _close(args) -> int:
    from .change import close_channel, screenshot_reminder

    _needs_a_file(args.register, "close")
    changed = close_channel(Path(args.register), args.id, args.today or dt.date.today(), args.date, args.reason,
                            args.successor, args.archived)
    _changed(args, changed)
    print(screenshot_reminder(), file=sys.stderr)
    return 0


def _serve(args) -> int:
    from ..site.build import build
    from .serve import Watcher, make_server

    def rebuild():
        build(Path(args.register), Path(args.out), args.templates, args.content, args.today, args.strict)

    rebuild()
    from ..site.build import sources
    from ..site.render import default_dir

    src = sources(args.register, args.templates, args.content)
    watched = [Path(args.register), *src.templates, src.content, default_dir("content")]
    watcher = Watcher([p for p in watched if p is not None], rebuild)
    watcher.start()
    server = make_server(Path(args.out), args.port)
    host, port = server.server_address[:2]
    print(f"serving {args.out}/ on http://{host}:{port}/ ; rebuilding on changes (Ctrl-C stops)", file=sys.stderr,
          flush=True)
    try:
        server.serve_forever()
    finally:
        watcher.stop()
        server.server_close()
    return 0


def _report(args) -> int:
    from ..register.loader import load
    from ..site.build import build_date, sources
    from ..site.templating import make_env
    from . import report

    today = args.today or dt.date.today()
    site = args.site.resolve()
    for target in (args.output, args.ics):
        if target is not None and (target.resolve() == site or site in target.resolve().parents):
            raise UsageError([file_diagnostic(str(target), "report.public",
                                              f"the report is internal and must not be written into {args.site}/")])
    res = load(args.register, today).result
    hard = [d for d in res.diagnostics if d.severity == "error" and not d.code.startswith("policy.")]
    if res.model is None or hard:
        emit(hard or res.errors, "text")
        return 1
    groups = report.build(res.model, today, args.within)
    if args.format == "html":
        text = report.to_html(groups, today, make_env(list(sources(args.register).templates)), res.model.organisation)
    elif args.format == "markdown":
        text = report.to_markdown(groups, today)
    else:
        text = report.to_text(groups, today)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if args.ics:
        args.ics.write_bytes(report.to_ics(res.model, today, build_date(Path(args.register))))
    return report.EXIT_DUE if report.needs_action(groups) else 0


def _schema(args) -> int:
    from ..register.editor import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _init(args) -> int:
    from .init import ask_missing, summary
    from .scaffold import Organisation, init

    org = Organisation(args.name, args.website, args.email, args.org_number)
    if sys.stdin is not None and sys.stdin.isatty():
        org = ask_missing(org)
    print(summary(init(args.dir, org)))
    return 0


def _docs(args) -> int:
    from ..register.editor import field_docs_markdown

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(field_docs_markdown() + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


COMMANDS = {"build": _build, "check": _check, "import": _import, "diff": _diff, "fmt": _fmt, "new": _new,
            "edit": _edit, "close": _close, "serve": _serve, "schema": _schema, "docs": _docs, "report": _report,
            "init": _init}


_EXITING = False  # set by main(exiting=True): the process ends when main returns


def main(argv: list[str] | None = None, exiting: bool = False) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    ``exiting`` tells that the process ends right after (the console script and build.py),
    so work that only tidies up the process can be skipped.

    User errors (:class:`~kanalregister.errors.KanalregisterError`) are printed as
    diagnostics with status 1; argparse errors give status 2.
    """
    global _EXITING
    _EXITING = exiting
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["build", *argv]
    args = make_parser().parse_args(argv)
    if args.command is None:
        args = make_parser().parse_args(["build"])
    try:
        return COMMANDS[args.command](args)
    except KanalregisterError as exc:
        emit(exc.diagnostics, getattr(args, "format", "text"))
        return 1
    except KeyboardInterrupt:
        print("interrupted; the output folder was not changed", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `kanalregister diff | head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # a full disk, a read-only or vanished folder: the machine's, not a bug
        where = str(exc.filename) if exc.filename else "kanalregister"
        emit([file_diagnostic(where, "os.error", f"{exc.strerror or exc}; nothing was published, the previous "
                              "output is unchanged", "free space or fix the folder's permissions, then run again")],
             getattr(args, "format", "text"))
        return 1


def exit_now(status: int) -> None:
    """Flush the standard streams and end the process with ``status`` at once.

    Skips the interpreter's teardown, which after a large build spends a noticeable share
    of the run freeing objects one by one (every file is closed and the cache written
    before this point; kanalregister registers no ``atexit`` work).
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def entry() -> None:
    """Console-script entry point: run :func:`main` and :func:`exit_now` with its status."""
    exit_now(main(exiting=True))
