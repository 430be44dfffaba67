"""The command line's options: one sub-command parser per command, the help in the language
of messages (issue 17: Swedish unless ``--lang en``); the option names are the same in every
command."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from .. import __version__
from ..errors import UsageError, file_diagnostic
from ..i18n import LANGUAGES, _
from ..register.schema import table

DEFAULT_REGISTER = "channels.yaml"


DEFAULT_OUT = "site"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{text}' is not a date YYYY-MM-DD").format(text=text)) from None


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


def argparse_message(message: str) -> str:
    """argparse's English text of a command-line error (str) in the language of messages, for
    the errors a person makes (a mistyped command or option, a missing or extra argument, a
    bad value); any other text is returned as argparse wrote it."""
    m = re.fullmatch(r"argument (.+?): (.*)", message, re.S)
    if m:
        return _("argument {argument}: {message}").format(argument=m[1], message=argparse_message(m[2]))
    for pattern, text in (
            (r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)",
             _("invalid choice: {value} (choose from {choices})")),
            (r"the following arguments are required: (?P<names>.*)",
             _("the following arguments are required: {names}")),
            (r"unrecognized arguments: (?P<names>.*)", _("unrecognized arguments: {names}")),
            (r"expected one argument", _("expected one argument")),
            (r"invalid (?P<type>\S+) value: (?P<value>.*)", _("invalid {type} value: {value}")),
            (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)",
             _("ambiguous option: {option} could match {matches}"))):
        m = re.fullmatch(pattern, message, re.S)
        if m:
            return text.format(**m.groupdict())
    return message


class Parser(argparse.ArgumentParser):
    """An argument parser whose own words (usage, the option groups, ``-h``, the error line and
    the common error texts, :func:`argparse_message`) are in the language of messages too."""

    def __init__(self, *args, add_help: bool = True, **kw):
        kw.setdefault("formatter_class", _Formatter)
        super().__init__(*args, add_help=False, **kw)
        # argparse names its two default groups in English; there is no public way to rename them
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        if add_help:
            self.add_argument("-h", "--help", action="help", help=_("show this help message and exit"))

    def error(self, message: str):
        """Print the usage and ``PROG: error: MESSAGE`` to standard error; exit with status 2."""
        self.print_usage(sys.stderr)
        self.exit(2, _("{prog}: error: {message}").format(prog=self.prog, message=argparse_message(message)) + "\n")


def language_option(default=None) -> argparse.ArgumentParser:
    """The parent parser of every command: ``--lang sv|en`` (the language of messages)."""
    common = argparse.ArgumentParser(add_help=False)  # a parent only: its groups merge into the child's
    common.add_argument("--lang", choices=LANGUAGES, default=default,
                        help=_("language of messages: sv (Swedish, the default) or en (English); "
                               "also KANALREGISTER_LANG"))
    return common


def make_parser() -> argparse.ArgumentParser:
    """The ``kanalregister`` argument parser with every command's sub-parser; its help is in
    the language of :func:`kanalregister.i18n.language` (set it before calling)."""
    p = Parser(
        parents=[language_option()],
        prog="kanalregister",
        description=_("Validate a register of official social-media channels (channels.yaml) and publish "
                    "it as the public förteckning: a static site plus open data."),
        epilog=_("Run 'kanalregister COMMAND --help' for a command's options. Without a command, 'build' runs."),
    )
    p.add_argument("--version", action="version", version=f"kanalregister {__version__}",
                   help=_("show the version and exit"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    common = language_option(argparse.SUPPRESS)

    def add(name, **kw):  # every command takes --lang
        return sub.add_parser(name, parents=[common], **kw)


    def register_opts(sp):
        sp.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE",
                        help=_("the register file (default: {file})").format(file=DEFAULT_REGISTER))
        sp.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                        help=_("count date rules (archive, review, passive) from this date instead of today"))
        sp.add_argument("--strict", action="store_true", help=_("treat warnings as errors"))
        sp.add_argument("--format", choices=("text", "github", "json"), default="text",
                        help=_("how to print problems: text (default, with the source line), "
                             "github (workflow annotations) or json"))
        internal_opt(sp)

    def change_opts(sp):  # the commands that change the register: new, edit, close
        sp.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help=_("the register file"))
        internal_opt(sp)
        sp.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help=_("date for the policy's date rules"))
        sp.add_argument("--format", choices=("text", "github", "json"), default="text",
                        help=_("how to print problems"))

    def internal_opt(sp):
        sp.add_argument("--internal", metavar="FILE", default=None,
                        help=_("the internal file: administrators, ersättare, notes, review and activity dates "
                               "(default: channels.internal.yaml beside the register, when it exists)"))

    b = add("build", help=_("validate the register and publish the site (default command)"),
                       description=_("Validate the register, then write the pages and open data into the output "
                                   "folder. Nothing is written when the register has errors; the output folder "
                                   "is replaced only when the whole build succeeded."))
    register_opts(b)
    b.add_argument("--out", "-o", default=DEFAULT_OUT, metavar="DIR",
                   help=_("output folder (default: {folder})").format(folder=DEFAULT_OUT))
    b.add_argument("--templates", "-t", action="append", type=Path, metavar="DIR",
                   help=_("a folder of templates that override the defaults (repeatable; earliest wins; templates/ "
                        "beside the register is searched after these)"))
    b.add_argument("--content", type=Path, metavar="DIR",
                   help=_("folder of Markdown pages (default: content/ beside the register if it exists, "
                        "else kanalregister's own)"))
    b.add_argument("--no-cache", action="store_true",
                   help=_("neither read nor write the build cache (.<out>.kanalregister-cache beside the output "
                        "folder); the output is the same, only slower to rebuild"))

    c = add("check", help=_("validate the register only; write nothing"),
                       description=_("Validate the register against the schema, the cross-field rules and the "
                                   "policy. Prints every problem with file:line:column; exit status 1 on errors."))
    register_opts(c)
    c.add_argument("--changed-since", metavar="REF",
                   help=_("for a pull request: report errors anywhere, but warnings only for the entries changed "
                          "since the git ref REF (e.g. origin/main); the others are counted in the summary"))
    c.add_argument("--require-internal", action="store_true",
                   help=_("fail when the internal file is missing, so the rules on internal facts (administrators, "
                          "ersättare, review, passive) are not checked: for the internal CI job"))

    i = add("import", help=_("turn a CSV list of accounts into a register"),
            description=_("Read a CSV with columns org, platform, url (and optionally account) and write "
                          "a register. What the CSV lacks stays empty; gaps are reported by 'check'.")
            + " " + _("Any column layout: name the columns with --columns. An account "
                      "value that is not a user name on its platform (spaces, say) is "
                      "taken as the display name, and the handle from the address."))
    i.add_argument("csv", type=Path, metavar="FILE.csv", help=_("the CSV file"))
    i.add_argument("--output", "-o", type=Path, metavar="FILE", default=None,
                   help=_("where to write the register (default: print it)"))
    i.add_argument("--columns", metavar="FIELD=COLUMN,…",
                   help=_("which CSV column gives which field, e.g. org=Department,url=URL,account=Account,"
                          "platform=Platform (fields: org, platform, url, account, handle, name); columns not "
                          "named are found by their header"))
    i.add_argument("--name", help=_("the organisation's name for the register's organisation section"))
    i.add_argument("--website", help=_("the organisation's website (https)"))
    i.add_argument("--email", help=_("the organisation's public function mailbox"))
    i.add_argument("--register-keeper", help=_("who keeps the register (role or unit)"))
    i.add_argument("--format", choices=("text", "github", "json"), default="text", help=_("how to print findings"))
    d = add("diff", help=_("summarise what changed in the register since a git ref (Markdown)"),
            description=_("Compare the register at a git ref (default: the merge base with the main "
                          "branch) with the working tree and print a Markdown summary for a reviewer: "
                          "channels added, removed, closed and reopened, each changed field with its old "
                          "and new value, and party channel changes. Internal fields are never shown."))
    d.add_argument("base", nargs="?", help=_("git ref to compare with (default: merge base with main)"))
    d.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help=_("the register file"))
    internal_opt(d)
    d.add_argument("--output", "-o", type=Path, metavar="FILE",
                   help=_("also append the Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)"))

    f = add("fmt", help=_("format the register canonically, keeping comments"),
                       description=_("Rewrite the register in canonical form: sections and keys in schema order, "
                                   "channels sorted by förvaltning then id. Comments are kept."))
    f.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help=_("the register file"))
    f.add_argument("--check", action="store_true",
                   help=_("only check: exit 1 and show the difference if not canonical"))
    f.add_argument("--format", choices=("text", "github", "json"), default="text", help=_("how to print problems"))

    n = add("new", help=_("add a channel from the aktivitetsplan questions"),
                       description=_("Add a channel entry to the register, from options or by answering the "
                                   "aktivitetsplan questions (Gullspång Bilaga 1) in a terminal. The entry is "
                                   "written only when the register stays valid; the rest of the file is kept."))
    change_opts(n)
    n.add_argument("--interactive", "-i", action="store_true",
                   help=_("ask for every missing answer (default when standard input is a terminal)"))
    n.add_argument("--resume", action="store_true",
                   help=_("continue with the answers kept from an earlier run that was stopped"))
    for spec in table("channel").fields:
        flag = "--" + spec.name.replace("_", "-")
        if spec.type in ("list", "array"):
            n.add_argument(flag, action="append", metavar="VALUE",
                           help=f"{spec.title}: {spec.description} (repeatable"
                                + ("; 'Namn, e-post, telefon')" if spec.type == "array" else ")"))
        else:
            n.add_argument(flag, metavar="VALUE", help=f"{spec.title}: {spec.description}"
                           + (" ('Namn, e-post, telefon')" if spec.type == "object" else ""))

    ed = add("edit", help=_("change one field of one channel, keeping comments and layout"),
             description=_("Set FIELD of the channel ID to VALUE (lists separated by semicolons, people as "
                           "'Name, e-mail, phone'; an empty VALUE removes an optional field). The register "
                           "is written only when the change passes the checks; comments, layout and line "
                           "endings are kept."))
    ed.add_argument("id", metavar="ID", help=_("the channel's id"))
    ed.add_argument("field", metavar="FIELD", help=_("the field, e.g. purpose (see docs/fields.md)"))
    ed.add_argument("value", metavar="VALUE", help=_("the new value"))
    ed.add_argument("--note", metavar="TEXT",
                    help=_("a public change note for the change log (sets change_note and last_changed)"))
    change_opts(ed)

    cl = add("close", help=_("close a channel: status, closing date, reason, successor, final screenshot"),
             description=_("Close the channel ID in one step: status closed, the closing date, the reason "
                           "in the change log, the successor, and the date of the final screenshot the "
                           "policy asks for. The register is written only when the result passes the "
                           "checks; comments, layout and line endings are kept."))
    cl.add_argument("id", metavar="ID", help=_("the channel's id"))
    cl.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help=_("the closing date (default: today)"))
    cl.add_argument("--reason", metavar="TEXT", help=_("why it closes; shown in the public change log"))
    cl.add_argument("--successor", metavar="ID", help=_("the id of the channel that replaces it"))
    cl.add_argument("--archived", type=_date, metavar="YYYY-MM-DD",
                    help=_("the date the final screenshot was archived (last_archived)"))
    change_opts(cl)

    sv = add("serve", help=_("preview the site locally, rebuilding on changes"),
                        description=_("Build, serve the output folder on http://127.0.0.1:PORT/ and rebuild when the "
                                    "register, the content or the templates change. Stop with Ctrl-C."))
    register_opts(sv)
    sv.add_argument("--out", "-o", default=DEFAULT_OUT, metavar="DIR",
                    help=_("output folder (default: {folder})").format(folder=DEFAULT_OUT))
    sv.add_argument("--templates", "-t", action="append", type=Path, metavar="DIR", help=_("template overrides"))
    sv.add_argument("--content", type=Path, metavar="DIR",
                    help=_("folder of Markdown pages (default: content/ beside the register if it exists)"))
    sv.add_argument("--port", type=int, default=8000, help=_("port on 127.0.0.1 (default 8000; 0 picks a free one)"))

    sc = add("schema", help=_("write the JSON Schema of channels.yaml for editors"),
                        description=_("Print (or write with --output) the JSON Schema of the whole register, "
                                    "generated from the Table Schemas. channels.yaml points editors at it with a "
                                    "yaml-language-server modeline."))
    sc.add_argument("--output", "-o", type=Path, metavar="FILE", help=_("write to this file instead of printing"))

    rp = add("report", help=_("internal compliance report: what is due or overdue (never published)"),
                        description=_("List, per förvaltning and most urgent first, what is overdue, missing or due "
                                    "soon under the register's policy: screenshots to archive, reviews, "
                                    "administrators, passive accounts. Exit status 3 when anything is overdue or "
                                    "missing, so a scheduled CI job can act; 0 when nothing is; 1 when the register "
                                    "itself has errors."))
    rp.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help=_("the register file"))
    internal_opt(rp)
    rp.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help=_("count from this date instead of today"))
    rp.add_argument("--within", type=int, default=30, metavar="DAYS",
                    help=_("also list what falls due within DAYS days (default 30)"))
    rp.add_argument("--format", choices=("text", "markdown", "html"), default="text", help=_("report format"))
    rp.add_argument("--output", "-o", type=Path, metavar="FILE", help=_("write the report here instead of printing"))
    rp.add_argument("--ics", type=Path, metavar="FILE", help=_("also write an iCalendar file of due dates"))
    rp.add_argument("--site", type=Path, default=Path(DEFAULT_OUT), metavar="DIR",
                    help=_("the public output folder, which the report must never be written into"))

    it = add("init", help=_("make a new register repository: channels.yaml, CI, README"),
                        description=_("Write a complete register repository into DIR (created if missing): "
                                    "channels.yaml with a commented-out example channel, the editors' schema, the "
                                    "content page to adapt, GitHub and GitLab CI that install this version of "
                                    "kanalregister, a pre-commit config, the pull request template, .gitignore "
                                    "and a README in Swedish. Refuses, writing nothing, when any of the files "
                                    "exists. Asks for missing organisation values only in a terminal."))
    it.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                    help=_("the folder of the new repository (default: the current folder)"))
    it.add_argument("--name", help=_("the organisation's name, e.g. 'Norsjö kommun'"))
    it.add_argument("--website", help=_("the organisation's website (https)"))
    it.add_argument("--email", help=_("the organisation's public function mailbox"))
    it.add_argument("--org-number", help=_("the organisation number, NNNNNN-NNNN (optional)"))

    fm = add("form", help=_("write a form (one HTML file) for adding a channel without editing YAML"),
             description=_("Write a self-contained HTML page, not part of the public site, that asks the "
                           "aktivitetsplan questions, checks the answers with the schema's rules and "
                           "produces the channel entry to paste into the register, with a link to the "
                           "register in GitHub's or GitLab's web editor. It works offline from disk."))
    fm.add_argument("--register", "-r", metavar="FILE",
                    help=_("the register whose förvaltningar, ids and policy the form uses (default: "
                           "{file} when it exists)").format(file=DEFAULT_REGISTER))
    fm.add_argument("--output", "-o", type=Path, default=Path("kanalformular.html"), metavar="FILE",
                    help=_("where to write the form (default kanalformular.html)"))
    fm.add_argument("--repo", metavar="URL", help=_("the register's repository, e.g. https://github.com/ORG/REPO"))
    fm.add_argument("--gitlab", action="store_true", help=_("the repository is on GitLab (default: when the "
                                                            "address's host contains 'gitlab')"))
    fm.add_argument("--branch", default="main", help=_("the branch the pull request goes to (default main)"))
    fm.add_argument("--path", default=None, metavar="PATH",
                    help=_("the register's path in the repository (default: the register's file name)"))
    fm.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help=_("date for the policy's date rules"))

    sp = add("split", help=_("move the internal facts into the internal file, comments kept"),
             description=_("Move every channel's internal facts (administrators, ersättare, notes, review "
                           "and activity dates) out of the public register into the internal file "
                           "(channels.internal.yaml), keyed by channel id, with their comments. Both files "
                           "are written only when the result reads as the same register; an existing "
                           "internal file is never overwritten."))
    sp.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help=_("the register file"))
    internal_opt(sp)

    dc = add("docs", help=_("write docs/fields.md from the schema"),
             description=_("Write the field reference generated from the Table Schemas."))
    dc.add_argument("--output", "-o", type=Path, default=Path("docs/fields.md"), metavar="FILE",
                    help=_("where to write (default docs/fields.md)"))
    return p


def needs_a_file(register: str, command: str) -> None:
    """Refuse ``-`` (standard input) for a command that needs the register as a file."""
    if register == "-":
        raise UsageError([file_diagnostic("-", "usage.stdin",
                                          _("'{command}' needs the register as a file").format(command=command),
                                          _("name the file with --register, e.g. --register channels.yaml"))])
