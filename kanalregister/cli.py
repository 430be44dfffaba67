"""Command line: ``kanalregister`` (and ``python build.py``).

Commands: ``build`` (the default), ``check``, ``import``, ``diff``, ``fmt``, ``new``, ``serve``,
``schema``, ``docs``. Exit status: 0 success, 1 when
the input has errors (or warnings under ``--strict``), 2 for a wrong command line. A data
error is printed as diagnostics, never as a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .errors import Diagnostic, KanalregisterError, UsageError, file_diagnostic
from .schema import table

DEFAULT_REGISTER = "channels.yaml"
DEFAULT_OUT = "site"
#: How many warnings ``build`` prints in text format before summarising (``check`` shows all).
BUILD_WARNINGS_SHOWN = 10


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kanalregister",
        description="Validate a register of official social-media channels (channels.yaml) and publish "
                    "it as the public förteckning: a static site plus open data.",
        epilog="Run 'kanalregister COMMAND --help' for a command's options. Without a command, 'build' runs.",
    )
    p.add_argument("--version", action="version", version=f"kanalregister {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def register_opts(sp):
        sp.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE",
                        help=f"the register file (default: {DEFAULT_REGISTER})")
        sp.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                        help="count date rules (archive, review, passive) from this date instead of today")
        sp.add_argument("--strict", action="store_true", help="treat warnings as errors")
        sp.add_argument("--format", choices=("text", "github", "json"), default="text",
                        help="how to print problems: text (default, with the source line), "
                             "github (workflow annotations) or json")

    b = sub.add_parser("build", help="validate the register and publish the site (default command)",
                       description="Validate the register, then write the pages and open data into the output "
                                   "folder. Nothing is written when the register has errors; the output folder "
                                   "is replaced only when the whole build succeeded.")
    register_opts(b)
    b.add_argument("--out", "-o", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT})")
    b.add_argument("--templates", "-t", action="append", type=Path, metavar="DIR",
                   help="a folder of templates that override the defaults (repeatable; earliest wins)")
    b.add_argument("--content", type=Path, metavar="DIR",
                   help="folder of Markdown pages (default: the content/ folder of kanalregister)")
    b.add_argument("--no-cache", action="store_true",
                   help="neither read nor write the build cache (.<out>.kanalregister-cache beside the output "
                        "folder); the output is the same, only slower to rebuild")

    c = sub.add_parser("check", help="validate the register only; write nothing",
                       description="Validate the register against the schema, the cross-field rules and the "
                                   "policy. Prints every problem with file:line:column; exit status 1 on errors.")
    register_opts(c)

    i = sub.add_parser("import", help="turn a CSV list of accounts into a register",
                       description="Read a CSV with columns org, platform, url (and optionally account) and write "
                                   "a register. What the CSV lacks stays empty; gaps are reported by 'check'.")
    i.add_argument("csv", type=Path, metavar="FILE.csv", help="the CSV file")
    i.add_argument("--output", "-o", type=Path, metavar="FILE", default=None,
                   help="where to write the register (default: print it)")
    i.add_argument("--name", help="the organisation's name for the register's organisation section")
    i.add_argument("--website", help="the organisation's website (https)")
    i.add_argument("--email", help="the organisation's public function mailbox")
    i.add_argument("--register-keeper", help="who keeps the register (role or unit)")
    i.add_argument("--format", choices=("text", "github", "json"), default="text", help="how to print findings")
    d = sub.add_parser("diff", help="summarise what changed in the register since a git ref (Markdown)",
                       description="Compare the register at a git ref (default: the merge base with the main "
                                   "branch) with the working tree and print a Markdown summary for a reviewer: "
                                   "channels added, removed, closed and reopened, each changed field with its old "
                                   "and new value, and party channel changes. Internal fields are never shown.")
    d.add_argument("base", nargs="?", help="git ref to compare with (default: merge base with main)")
    d.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help="the register file")
    d.add_argument("--output", "-o", type=Path, metavar="FILE",
                   help="also append the Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)")

    f = sub.add_parser("fmt", help="format the register canonically, keeping comments",
                       description="Rewrite the register in canonical form: sections and keys in schema order, "
                                   "channels sorted by förvaltning then id. Comments are kept.")
    f.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help="the register file")
    f.add_argument("--check", action="store_true", help="only check: exit 1 and show the difference if not canonical")
    f.add_argument("--format", choices=("text", "github", "json"), default="text", help="how to print problems")

    n = sub.add_parser("new", help="add a channel from the aktivitetsplan questions",
                       description="Add a channel entry to the register, from options or by answering the "
                                   "aktivitetsplan questions (Gullspång Bilaga 1) in a terminal. The entry is "
                                   "written only when the register stays valid; the rest of the file is kept.")
    n.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help="the register file")
    n.add_argument("--interactive", "-i", action="store_true",
                   help="ask for every missing answer (default when standard input is a terminal)")
    n.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="date for the policy's date rules")
    n.add_argument("--format", choices=("text", "github", "json"), default="text", help="how to print problems")
    for spec in table("channel").fields:
        flag = "--" + spec.name.replace("_", "-")
        if spec.type in ("list", "array"):
            n.add_argument(flag, action="append", metavar="VALUE",
                           help=f"{spec.title}: {spec.description} (repeatable"
                                + ("; 'Namn, e-post, telefon')" if spec.type == "array" else ")"))
        else:
            n.add_argument(flag, metavar="VALUE", help=f"{spec.title}: {spec.description}"
                           + (" ('Namn, e-post, telefon')" if spec.type == "object" else ""))

    sv = sub.add_parser("serve", help="preview the site locally, rebuilding on changes",
                        description="Build, serve the output folder on http://127.0.0.1:PORT/ and rebuild when the "
                                    "register, the content or the templates change. Stop with Ctrl-C.")
    register_opts(sv)
    sv.add_argument("--out", "-o", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT})")
    sv.add_argument("--templates", "-t", action="append", type=Path, metavar="DIR", help="template overrides")
    sv.add_argument("--content", type=Path, metavar="DIR", help="folder of Markdown pages")
    sv.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0 picks a free one)")

    sc = sub.add_parser("schema", help="write the JSON Schema of channels.yaml for editors",
                        description="Print (or write with --output) the JSON Schema of the whole register, "
                                    "generated from the Table Schemas. channels.yaml points editors at it with a "
                                    "yaml-language-server modeline.")
    sc.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to this file instead of printing")

    rp = sub.add_parser("report", help="internal compliance report: what is due or overdue (never published)",
                        description="List, per förvaltning and most urgent first, what is overdue, missing or due "
                                    "soon under the register's policy: screenshots to archive, reviews, "
                                    "administrators, passive accounts. Exit status 3 when anything is overdue or "
                                    "missing, so a scheduled CI job can act; 0 when nothing is; 1 when the register "
                                    "itself has errors.")
    rp.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help="the register file")
    rp.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="count from this date instead of today")
    rp.add_argument("--within", type=int, default=30, metavar="DAYS",
                    help="also list what falls due within DAYS days (default 30)")
    rp.add_argument("--format", choices=("text", "markdown", "html"), default="text", help="report format")
    rp.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report here instead of printing")
    rp.add_argument("--ics", type=Path, metavar="FILE", help="also write an iCalendar file of due dates")
    rp.add_argument("--site", type=Path, default=Path(DEFAULT_OUT), metavar="DIR",
                    help="the public output folder, which the report must never be written into")

    it = sub.add_parser("init", help="make a new register repository: channels.yaml, CI, README",
                        description="Write a complete register repository into DIR (created if missing): "
                                    "channels.yaml with one example channel, the editors' schema, the content "
                                    "page to adapt, GitHub and GitLab CI that install this version of "
                                    "kanalregister, a pre-commit config, the pull request template, .gitignore "
                                    "and a README in Swedish. Refuses, writing nothing, when any of the files "
                                    "exists. Asks for missing organisation values only in a terminal.")
    it.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                    help="the folder of the new repository (default: the current folder)")
    it.add_argument("--name", help="the organisation's name, e.g. 'Norsjö kommun'")
    it.add_argument("--website", help="the organisation's website (https)")
    it.add_argument("--email", help="the organisation's public function mailbox")
    it.add_argument("--org-number", help="the organisation number, NNNNNN-NNNN (optional)")

    dc = sub.add_parser("docs", help="write docs/fields.md from the schema",
                        description="Write the field reference generated from the Table Schemas.")
    dc.add_argument("--output", "-o", type=Path, default=Path("docs/fields.md"), metavar="FILE",
                    help="where to write (default docs/fields.md)")
    return p


# --- printing diagnostics ------------------------------------------------------------------

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
                src = lines[d.line - 1].rstrip("\r")
                width = len(str(d.line))
                out.append(f"{' ' * width} |")
                out.append(f"{d.line} | {src}")
                if d.col > 0:
                    token = src[d.col - 1:]
                    end = token.find(" #")
                    token = (token if end < 0 else token[:end]).rstrip()
                    length = max(1, min(len(token), 80))
                    out.append(f"{' ' * width} | {' ' * (d.col - 1)}{'^' * length}")
        if d.hint:
            out.append(f"  = hint: {d.hint}")
    return "\n".join(out)


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


def format_json(diags: list[Diagnostic], **extra) -> str:
    """A JSON object: counts and the list of diagnostics (for tools)."""
    errors = sum(d.severity == "error" for d in diags)
    return json.dumps({"ok": errors == 0, "errors": errors, "warnings": len(diags) - errors,
                       "diagnostics": [asdict(d) for d in diags], **extra}, ensure_ascii=False, indent=1)


def emit(diags: list[Diagnostic], fmt: str, stream=None, summary: bool = True, **extra) -> None:
    """Print diagnostics in ``fmt`` (text/github/json) to ``stream`` (default stderr; json: stdout)."""
    if fmt == "json":
        print(format_json(diags, **extra), file=stream or sys.stdout)
        return
    stream = stream or sys.stderr
    if diags:
        print(format_github(diags) if fmt == "github" else format_text(diags), file=stream)
    if summary and fmt == "text":
        errors = sum(d.severity == "error" for d in diags)
        warnings = len(diags) - errors
        if errors or warnings:
            print(f"{errors} error(s), {warnings} warning(s)", file=stream)


# --- commands -------------------------------------------------------------------------------

def _check(args) -> int:
    from .loader import load

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
    from .pipeline import build

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


def _diff(args) -> int:
    from .diff import diff_register, to_markdown

    d, base = diff_register(Path(args.register), args.base)
    text = to_markdown(d, base, args.register)
    print(text)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


def _fmt(args) -> int:
    import difflib

    from .edit import format_register

    before, after = format_register(Path(args.register))
    if before == after:
        print(f"{args.register}: already formatted", file=sys.stderr)
        return 0
    if args.check:
        sys.stdout.writelines(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                                   f"{args.register} (now)", f"{args.register} (formatted)"))
        print(f"{args.register}: not formatted; run 'kanalregister fmt'", file=sys.stderr)
        return 1
    Path(args.register).write_text(after, encoding="utf-8")
    print(f"{args.register}: formatted", file=sys.stderr)
    return 0


def _new(args) -> int:
    from .edit import QUESTIONS, add_channel, ask, parse_person, suggest_id

    values: dict = {}
    for spec in table("channel").fields:
        v = getattr(args, spec.name)
        if v is None:
            continue
        if spec.type == "array":
            v = [parse_person(x) for x in v]
        elif spec.type == "object":
            v = parse_person(v)
        values[spec.name] = v
    if args.interactive or (sys.stdin.isatty() and not values):
        print("Ny kanal: svara på frågorna i aktivitetsplanen (tomt svar hoppar över en valfri fråga).",
              file=sys.stderr)
        order = ["platform", "url", "department", "unit", "purpose", "target_groups", "administrators",
                 "substitute", "monitoring", "hours_per_week", "name", "handle", "responsible_role",
                 "contact_email", "languages", "start_date", "approved_by", "approved_on"]
        values = ask([q for q in order if q in QUESTIONS], values, write=lambda m: print(m, file=sys.stderr))
        if not values.get("id"):
            proposal = suggest_id(values)
            answer = input(f"{QUESTIONS['id']} [{proposal or ''}]: ").strip()
            values["id"] = answer or proposal
    values.setdefault("status", "active")
    _text, warnings = add_channel(Path(args.register), values, args.today)
    emit(warnings, args.format, summary=False)
    print(f"{args.register}: added channel '{values.get('id')}'", file=sys.stderr)
    return 0


def _serve(args) -> int:
    from .pipeline import build
    from .serve import Watcher, make_server

    def rebuild():
        build(Path(args.register), Path(args.out), args.templates, args.content, args.today, args.strict)

    rebuild()
    watched = [Path(args.register), *(args.templates or []), Path(args.content) if args.content else None]
    from .render import default_dir

    watched += [default_dir("templates"), default_dir("content")]
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
    from . import report
    from .loader import load
    from .pipeline import build_date, template_dirs
    from .render import make_env

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
        text = report.to_html(groups, today, make_env(template_dirs(None)), res.model.organisation)
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
    from .schema import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _init(args) -> int:
    from .scaffold import Organisation, ask_missing, init, summary

    org = Organisation(args.name, args.website, args.email, args.org_number)
    if sys.stdin is not None and sys.stdin.isatty():
        org = ask_missing(org)
    print(summary(init(args.dir, org)))
    return 0


def _docs(args) -> int:
    from .schema import field_docs_markdown

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(field_docs_markdown() + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


COMMANDS = {"build": _build, "check": _check, "import": _import, "diff": _diff, "fmt": _fmt, "new": _new,
            "serve": _serve, "schema": _schema, "docs": _docs, "report": _report, "init": _init}


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
    args = _parser().parse_args(argv)
    if args.command is None:
        args = _parser().parse_args(["build"])
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
