"""Command line: ``kanalregister`` (and ``python build.py``).

Commands: ``build`` (the default), ``check``, ``import``, ``diff``, ``serve``, ``report`` here; the
ones that write files (``fmt``, ``new``, ``edit``, ``close``, ``split``, ``init``, ``form``,
``schema``, ``docs``) in :mod:`kanalregister.commands.writing`. Exit status: 0 success, 1 when the input has
errors (or warnings under ``--strict``), or the machine refused (a full disk, an unwritable
folder), 2 for a wrong command line, 3 from ``report`` when something is due. A data error,
a broken template or an OS error is printed as a diagnostic, never as a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from pathlib import Path

from ..errors import KanalregisterError, UsageError, file_diagnostic
from ..i18n import LANGUAGES, _, ngettext, set_language
from ..register.internal import default_path as internal_path
from . import writing
from .output import emit
from .parser import make_parser, needs_a_file

#: How many warnings ``build`` prints in text format before summarising (``check`` shows all).
BUILD_WARNINGS_SHOWN = 10


# --- commands -------------------------------------------------------------------------------

def _check(args) -> int:
    from ..register.loader import load
    from .output import rule_summary

    touched = None
    if args.changed_since:
        from .changed import touched_since

        needs_a_file(args.register, "check --changed-since")
        touched = touched_since(Path(args.register), args.changed_since)
    with _without_gc():
        res = load(args.register, args.today or dt.date.today(), internal=_internal(args)).result
    diags, hidden = res.diagnostics, []
    note = _unchecked_note(args.register, res.unchecked)
    if note and args.require_internal:
        diags = [*diags, file_diagnostic(str(internal_path(args.register)) if args.register != "-" else "-",
                                         "internal.required", note[0], note[1])]
    if touched is not None:
        from .changed import split

        parts = split(diags, touched)
        diags, hidden = parts.shown, parts.hidden
    failed = any(d.severity == "error" for d in diags) or (args.strict and bool(diags))
    emit(diags, args.format, channels=len(res.register.channels) if res.register else None,
         by_rule=rule_summary([*diags, *hidden]), hidden=len(hidden),
         **({"unchecked": list(res.unchecked)} if args.format == "json" else {}))
    if note and not args.require_internal and args.format != "json":
        print(_("note: {message} ({hint})").format(message=note[0], hint=note[1]), file=sys.stderr)
    if args.format == "text" and not failed:
        n = len(res.register.channels) if res.register else 0
        print(ngettext("{register}: OK, {n} channel", "{register}: OK, {n} channels", n).format(
            register=args.register, n=n), file=sys.stderr)
    return 1 if failed else 0


def _internal(args):
    """The ``internal`` argument of :func:`kanalregister.register.loader.load` for ``--internal``."""
    from ..register.loader import BESIDE

    return args.internal if getattr(args, "internal", None) else BESIDE


def _unchecked_note(register: str, unchecked: tuple) -> tuple[str, str] | None:
    """(message, hint) saying once which rules were not checked for want of internal facts."""
    if not unchecked:
        return None
    where = internal_path(register).name if register != "-" else "channels.internal.yaml"
    return (_("not checked: {rules}: these rules need the internal facts, and there is no internal file "
              "({file})").format(rules=", ".join(unchecked), file=where),
            _("name it with --internal FILE; the internal CI job runs check --require-internal"))


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
                   use_cache=not getattr(args, "no_cache", False), internal=getattr(args, "internal", None))
    shown = result.warnings if args.format != "text" else result.warnings[:BUILD_WARNINGS_SHOWN]
    emit(shown, args.format, summary=False)
    if len(shown) < len(result.warnings):
        more = len(result.warnings) - len(shown)
        print(_("… and {n} more warning(s): run 'kanalregister check' to see all").format(n=more), file=sys.stderr)
    if args.format != "json":
        if not result.files:
            print(_("{register}: nothing changed since the last build; {out}/ is up to date").format(
                register=args.register, out=args.out), file=sys.stderr)
        else:
            how = _(" ({n} channels unchanged since the last build)").format(n=result.reused) if result.reused else ""
            print(_("{register}: published {n} files to {out}/{how}").format(
                register=args.register, n=len(result.files), out=args.out, how=how), file=sys.stderr)
    return 0


def _import(args) -> int:
    from .importer import import_csv, parse_columns

    org = {k: v for k, v in (("name", args.name), ("website", args.website), ("email", args.email),
                             ("register_keeper", args.register_keeper)) if v}
    res = import_csv(args.csv, org, parse_columns(args.columns) if args.columns else None)
    if args.output:
        try:
            args.output.write_text(res.text, encoding="utf-8")
        except OSError as exc:
            raise UsageError([file_diagnostic(str(args.output), "import.write",
                                              _("cannot write: {exc}").format(exc=exc))]) from None
    else:
        sys.stdout.write(res.text)
    emit(res.findings, args.format, summary=False)
    print(_("{csv}: imported {channels} channels of {organisations} organisations; {n} import "
            "finding(s). Run 'kanalregister check' for the gaps per channel.").format(
        csv=args.csv, channels=res.channels, organisations=res.organisations, n=len(res.findings)), file=sys.stderr)
    return 1 if any(d.severity == "error" for d in res.findings) else 0


def _diff(args) -> int:
    from .diff import diff_register, to_markdown

    needs_a_file(args.register, "diff")

    d, base = diff_register(Path(args.register), args.base)
    text = to_markdown(d, base, args.register)
    print(text)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


def _serve(args) -> int:
    from ..site.build import build
    from .serve import Watcher, make_server

    def rebuild():
        build(Path(args.register), Path(args.out), args.templates, args.content, args.today, args.strict,
              internal=args.internal)

    rebuild()
    from ..site.build import sources
    from ..site.render import default_dir

    src = sources(args.register, args.templates, args.content)
    inner = Path(args.internal) if args.internal else internal_path(args.register)
    watched = [Path(args.register), inner, *src.templates, src.content, default_dir("content")]
    watcher = Watcher([p for p in watched if p is not None], rebuild)
    watcher.start()
    server = make_server(Path(args.out), args.port)
    host, port = server.server_address[:2]
    print(_("serving {out}/ on http://{host}:{port}/ ; rebuilding on changes (Ctrl-C stops)").format(out=args.out,
                                                                                                     host=host,
                                                                                                         port=port),
                                                                                                             file=sys.stderr,
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
                                              _("the report is internal and must not be written into {site}/").format(
                                                  site=args.site))])
    res = load(args.register, today, internal=_internal(args)).result
    note = _unchecked_note(args.register, res.unchecked)
    if note:
        print(_("note: {message} ({hint})").format(message=note[0], hint=note[1]), file=sys.stderr)
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


COMMANDS = {"build": _build, "check": _check, "import": _import, "diff": _diff, "serve": _serve, "report": _report,
            "fmt": writing.fmt, "new": writing.new, "edit": writing.edit, "close": writing.close,
            "split": writing.split, "init": writing.init, "form": writing.form, "schema": writing.schema,
            "docs": writing.docs}


def _lang_of(argv: list[str]) -> str | None:
    """The ``--lang`` of ``argv`` when it names a language, else None (the environment's; a
    wrong value is reported by the parser)."""
    for i, a in enumerate(argv):
        value = argv[i + 1] if a == "--lang" and i + 1 < len(argv) else a[7:] if a.startswith("--lang=") else None
        if value is not None:
            return value if value in LANGUAGES else None
    return None


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
    # the language first: the parser's help and every message made after are in it
    set_language(_lang_of(argv))
    lang = argv[:2] if argv[:1] == ["--lang"] else argv[:1] if argv[:1] and argv[0].startswith("--lang=") else []
    argv = argv[len(lang):]  # `kanalregister --lang en check …`: the option goes after the command
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["build", *argv]
    argv = [*argv[:1], *lang, *argv[1:]] if argv and not argv[0].startswith("-") else [*lang, *argv]
    args = make_parser().parse_args(argv)
    if args.command is None:
        args = make_parser().parse_args(["build"])
    try:
        return COMMANDS[args.command](args)
    except KanalregisterError as exc:
        emit(exc.diagnostics, getattr(args, "format", "text"))
        return 1
    except KeyboardInterrupt:
        print(_("interrupted; the output folder was not changed"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `kanalregister diff | head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # a full disk, a read-only or vanished folder: the machine's, not a bug
        where = str(exc.filename) if exc.filename else "kanalregister"
        emit([file_diagnostic(where, "os.error",
                              _("{error}; nothing was published, the previous output is unchanged").format(
                                  error=exc.strerror or exc),
                              _("free space or fix the folder's permissions, then run again"))],
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
