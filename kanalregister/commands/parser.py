"""The command line's options: one sub-command parser per command, with Swedish-language
help to come (issue 17); the option names are the same in every command."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from .. import __version__
from ..register.schema import table

DEFAULT_REGISTER = "channels.yaml"


DEFAULT_OUT = "site"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def make_parser() -> argparse.ArgumentParser:
    """The ``kanalregister`` argument parser with every command's sub-parser."""
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
                   help="a folder of templates that override the defaults (repeatable; earliest wins; templates/ "
                        "beside the register is searched after these)")
    b.add_argument("--content", type=Path, metavar="DIR",
                   help="folder of Markdown pages (default: content/ beside the register if it exists, "
                        "else kanalregister's own)")
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
    n.add_argument("--resume", action="store_true",
                   help="continue with the answers kept from an earlier run that was stopped")
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

    ed = sub.add_parser("edit", help="change one field of one channel, keeping comments and layout",
                        description="Set FIELD of the channel ID to VALUE (lists separated by semicolons, people as "
                                    "'Name, e-mail, phone'; an empty VALUE removes an optional field). The register "
                                    "is written only when the change passes the checks; comments, layout and line "
                                    "endings are kept.")
    ed.add_argument("id", metavar="ID", help="the channel's id")
    ed.add_argument("field", metavar="FIELD", help="the field, e.g. purpose (see docs/fields.md)")
    ed.add_argument("value", metavar="VALUE", help="the new value")
    ed.add_argument("--note", metavar="TEXT",
                    help="a public change note for the change log (sets change_note and last_changed)")
    ed.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help="the register file")
    ed.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="date for the policy's date rules")
    ed.add_argument("--format", choices=("text", "github", "json"), default="text", help="how to print problems")

    cl = sub.add_parser("close", help="close a channel: status, closing date, reason, successor, final screenshot",
                        description="Close the channel ID in one step: status closed, the closing date, the reason "
                                    "in the change log, the successor, and the date of the final screenshot the "
                                    "policy asks for. The register is written only when the result passes the "
                                    "checks; comments, layout and line endings are kept.")
    cl.add_argument("id", metavar="ID", help="the channel's id")
    cl.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the closing date (default: today)")
    cl.add_argument("--reason", metavar="TEXT", help="why it closes; shown in the public change log")
    cl.add_argument("--successor", metavar="ID", help="the id of the channel that replaces it")
    cl.add_argument("--archived", type=_date, metavar="YYYY-MM-DD",
                    help="the date the final screenshot was archived (last_archived)")
    cl.add_argument("--register", "-r", default=DEFAULT_REGISTER, metavar="FILE", help="the register file")
    cl.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="date for the policy's date rules")
    cl.add_argument("--format", choices=("text", "github", "json"), default="text", help="how to print problems")

    sv = sub.add_parser("serve", help="preview the site locally, rebuilding on changes",
                        description="Build, serve the output folder on http://127.0.0.1:PORT/ and rebuild when the "
                                    "register, the content or the templates change. Stop with Ctrl-C.")
    register_opts(sv)
    sv.add_argument("--out", "-o", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT})")
    sv.add_argument("--templates", "-t", action="append", type=Path, metavar="DIR", help="template overrides")
    sv.add_argument("--content", type=Path, metavar="DIR",
                    help="folder of Markdown pages (default: content/ beside the register if it exists)")
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
                                    "channels.yaml with a commented-out example channel, the editors' schema, the "
                                    "content page to adapt, GitHub and GitLab CI that install this version of "
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
