"""The ``init`` command's conversation: the questions asked in a terminal and the summary
printed at the end (in the language of messages), and the tool that keeps this repository's own CI files
identical to what ``init`` writes: ``python -m kanalregister.commands.init --sync|--check``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..i18n import _
from .scaffold import InitResult, Organisation, file_descriptions, repo_copies


def ask_missing(org: Organisation, read: Callable[[str], str] = input,
                write: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> Organisation:
    """Ask for the name, website and e-mail that the options did not give (options win).

    ``read(prompt)`` returns the answer (str); an empty answer, or end of input, keeps the
    placeholder. Returns a new :class:`Organisation`.
    """
    prompts = {"name": _("The organisation's name (e.g. Norsjö kommun)"),
               "website": _("The organisation's website (https://…)"),
               "email": _("The organisation's function mailbox (e-mail)")}
    wanted = [k for k in prompts if getattr(org, k) is None]
    if wanted:
        write(_("New register: answer the questions (an empty answer leaves a placeholder to fill in later)."))
    answers = {}
    for key in wanted:
        try:
            answer = read(f"{prompts[key]}: ").strip()
        except EOFError:
            break
        if answer:
            answers[key] = answer
    return replace(org, **answers)


def summary(result: InitResult) -> str:
    """What ``init`` wrote and the next steps, in the language of messages (str, several lines)."""
    where = str(result.target)
    lines = [_("Made a register of official channels in {where}/:").format(where=where)]
    descriptions = file_descriptions()
    for rel in result.written:
        desc = descriptions.get(rel) or (descriptions["content/"] if rel.startswith("content/") else "")
        lines.append(f"  {rel:<38} {desc}".rstrip())
    lines += ["", _("Next steps:"), f"  1. cd {where}"]
    if result.placeholders:
        fields = ", ".join(f"organisation.{k}" for k in result.placeholders)
        lines.append("  2. " + _("Fill in what is marked ÄNDRA in channels.yaml, first {fields},").format(
            fields=fields))
    else:
        lines.append("  2. " + _("Look over what is marked ÄNDRA in channels.yaml,"))
    lines += [
        "     " + _("and replace the example channel with your real channels."),
        "  3. kanalregister check                      " + _("checks the register"),
        "     kanalregister build --content content    " + _("builds the website in site/"),
        "  4. " + _("git init -b main && git add . && git commit -m \"Förteckning över kanaler\", and put the "
                    "repository"),
        "     " + _("on GitHub (turn on Pages: Settings → Pages → Source: GitHub Actions) or GitLab."),
        _("README.md describes the rest."),
    ]
    return "\n".join(lines)


def sync(root: Path, write: bool = True) -> list[str]:
    """Compare (and with ``write``, rewrite) the copies of :data:`REPO_COPIES` under ``root``
    (kanalregister's own repository) with what ``init`` writes. Returns the paths that
    differed (list[str]). Run after a version bump: ``python -m kanalregister.commands.init --sync``."""
    changed = []
    for rel, data in repo_copies().items():
        path = Path(root) / rel
        if not path.is_file() or path.read_bytes() != data:
            changed.append(rel)
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m kanalregister.commands.init --sync|--check [ROOT]``: keep the repository's copies
    of the CI files identical to ``init``'s. Exit status 1 when ``--check`` finds a difference."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m kanalregister.commands.init",
                                description=_("Rewrite (--sync) or compare (--check) kanalregister's own copies "
                                            "of the CI files with what 'kanalregister init' writes."))
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--sync", action="store_true", help=_("rewrite the copies that differ"))
    mode.add_argument("--check", action="store_true", help=_("only report the copies that differ"))
    p.add_argument("root", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent.parent,
                   help=_("the repository (default: the source tree this module is in)"))
    args = p.parse_args(argv)
    changed = sync(args.root, write=args.sync)
    for rel in changed:
        print(f"{rel}: " + (_("rewritten") if args.sync else _("differs from kanalregister init; run --sync")),
              file=sys.stderr)
    if not changed:
        print(_("the CI files are identical to what kanalregister init writes"), file=sys.stderr)
    return 1 if changed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
