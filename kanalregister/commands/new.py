"""``new``: add one channel, asking the aktivitetsplan questions (Gullspång Bilaga 1) one at a time.

Every answer is checked at once by the one checker — the register with the new entry put
where ``fmt`` would put it, read by :func:`kanalregister.register.loader.load` — and asked
again, with the reason, until it passes. Only the diagnostics about the field asked are
shown: those at ``channels[i].FIELD`` of the new entry ``i``, and a unique value clashing
with another channel. Fields not answered yet are filled with a stand-in while an answer is
checked (:data:`STAND_IN`), so the rules over the whole entry (the policy's administrators,
ersättare, approval…) can already run; a stand-in is never written.

Answers are never lost: after each one the answers so far are written to the resume file
beside the register (:func:`resume_path`); Ctrl-C, the end of input or a register that
cannot take the entry leave the register untouched and the answers there, and
``kanalregister new --resume`` continues. Before saving, the finished entry is shown and
the user confirms; the register is written in one step (:func:`kanalregister.commands.edit.write_atomic`)
with its own line endings.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from ..errors import Diagnostic, RegisterInvalid, UsageError, file_diagnostic
from ..i18n import _
from ..register.internal import INTERNAL_FIELDS, default_path
from ..register.loader import load, split_register
from ..register.read import LocList, parse_bytes, read_bytes
from ..register.schema import table
from ..site.swedish import sv_key
from .edit import (
    build_entry,
    channel_key,
    dump,
    encode,
    entry_text,
    insert_channel,
    load_rt,
    name_channels,
    newline_of,
    relative_path,
    write_atomic,
)
from .importer import slug
from .questions import (
    DEFAULTS,
    ONLY_CLOSED,
    ORDER,
    STAND_IN,
    interpret,
    questions,
    read_resume,
    resume_path,
    values_of,
    write_atomic_new,
)
from .spacing import space_entries, splice_channel


class Draft:
    """The register a channel is being added to, and the checks of answers against it.

    Args:
        path: the register (:class:`pathlib.Path`); ``today`` the date of the policy's rules.

    Raises:
        RegisterSyntaxError, RegisterInvalid: the register cannot be read for a round trip.
    """

    def __init__(self, path: Path, today: dt.date, internal: Path | None = None):
        self.path, self.today = Path(path), today
        # issue 20: with an internal file, the internal answers go there, under the channel's id
        self.internal = Path(internal) if internal else default_path(self.path)
        self.internal_raw = read_bytes(self.internal) if internal or self.internal.is_file() else None
        self.raw = read_bytes(self.path)
        self.newline = newline_of(self.raw)
        self.original = self.raw.decode("utf-8-sig").replace("\r\n", "\n")
        doc = parse_bytes(self.original.encode("utf-8"), str(self.path))  # the one reader
        channels = doc.data.get("channels") if isinstance(doc.data, dict) else None
        self.data = self.items = None
        if isinstance(channels, LocList) and channels and split_register(self.original.encode("utf-8")):
            self.items = [(channels.pos[i][0], channel_key(c)) for i, c in enumerate(channels)]
        else:  # not fmt's layout: ruamel.yaml reads and writes the whole file
            self.data = load_rt(self.path)[0]
            channels = self.data.get("channels") or []
        self.memo: dict = {}
        self.context = ""
        before = self._load(self.raw)
        self.errors_before = before.errors  # the lines of the file as it is
        self.ids = [str(c.get("id")) if isinstance(c, dict) else "?" for c in channels]
        self.departments = sorted({str(c["department"]) for c in channels if isinstance(c, dict)
                                   and c.get("department")}, key=sv_key)

    def _load(self, raw: bytes, inner: bytes | None = None):
        inner = self.internal_raw if inner is None else inner
        loaded = load(raw, self.today, name=str(self.path), memo=self.memo, memo_context=self.context,
                      internal=None if inner is None else (str(self.internal), inner))
        if loaded.memo:
            self.memo, self.context = loaded.memo, loaded.context
        return loaded.result

    def text_with(self, values: dict) -> tuple[str, int, CommentedMap]:
        """(the register's text with the entry of ``values`` where ``fmt`` would put it, its
        index, the entry): spliced into the text when the file is in fmt's layout
        (:func:`kanalregister.commands.edit.splice_channel`), else written by ruamel.yaml."""
        entry = build_entry({k: v for k, v in values.items()
                             if self.internal_raw is None or k not in INTERNAL_FIELDS})
        if self.items is not None:
            text, pos = splice_channel(self.original, self.items, channel_key(entry), entry_text(entry))
            return text, pos, entry
        pos = insert_channel(self.data, entry)
        try:
            return space_entries(dump(self.data), self.original), pos, entry
        finally:
            self.data["channels"].pop(pos)

    def problems(self, values: dict, fields=None) -> tuple[list[Diagnostic], list[Diagnostic]]:
        """The (errors, warnings) about the new entry of ``values``, with paths relative to
        the entry (``url``, ``administrators[1].email``); only those about ``fields`` when
        given (then stand-ins fill the required answers not given yet)."""
        if fields is not None:
            stand_in = dict(STAND_IN)
            while stand_in["id"] in self.ids:
                stand_in["id"] += "-x"
            values = {**{k: v for k, v in stand_in.items() if k not in fields}, **values}
        text, pos, _entry = self.text_with(values)
        res = self._load(text.encode("utf-8"), self.internal_text(values))
        ids = [*self.ids[:pos], str(values.get("id")), *self.ids[pos:]]
        own, inner = f"channels[{pos}]", f"channels.{values.get('id')}."
        found = []
        for d in res.diagnostics:
            rel = relative_path(d.path, own)
            if rel is None and d.file == str(self.internal) and d.path.startswith(inner):
                rel = d.path[len(inner):]
            elif rel is None and d.code == "schema.unique" and f"{own} " in d.message:  # the other came later
                rel = d.path.rsplit(".", 1)[-1]
                d = Diagnostic(d.file, 0, 0, d.severity, d.code, rel, name_channels(
                    d.message.replace(own, d.path.rsplit(".", 1)[0].split(" (")[0]), ids), d.hint)
            if rel is None:
                continue
            name = rel.split(".")[0].split("[")[0]
            if fields is None or name in fields:
                found.append(Diagnostic(d.file, d.line, d.col, d.severity, d.code, rel, name_channels(d.message, ids),
                                        d.hint))
        if fields is None and self.errors_before:  # errors elsewhere in the register: it had them before
            found += [*self.errors_before, file_diagnostic(str(self.path), "new.register-errors", _(
                "the register has errors already; the new channel can be added when they are fixed"), _(
                "run 'kanalregister check'"))]
        return [d for d in found if d.severity == "error"], [d for d in found if d.severity == "warning"]

    def suggest_id(self, values: dict) -> str | None:
        """A valid id not yet used, from the unit or förvaltning and the platform, lower case:
        ``biblioteket-tiktok``, else ``biblioteket-tiktok-2`` …"""
        base = values.get("unit") or values.get("department")
        if not base or not values.get("platform"):
            return None
        stem = f"{slug(str(base))[:40].strip('-')}-{slug(str(values['platform']))}"
        for n in range(1, 100):
            candidate = stem if n == 1 else f"{stem}-{n}"
            if candidate in self.ids:
                continue
            errors, _w = self.problems({**values, "id": candidate}, ("id",))
            if not errors:
                return candidate
        return None

    def save(self, values: dict) -> tuple[str, list[Diagnostic]]:
        """Write the register with the new entry, in one step and with the file's line
        endings; return (the entry's text, the warnings about it).

        Raises:
            RegisterInvalid: the result has errors (nothing is written); UsageError: the
                file changed since it was read (nothing is written).
        """
        errors, warnings = self.problems(values)
        if errors:
            raise RegisterInvalid(errors)
        if self.path.read_bytes() != self.raw:
            raise UsageError([file_diagnostic(str(self.path), "new.changed", _(
                "the register changed while the questions were answered; nothing was written"), _(
                "run 'kanalregister new --resume' to add the channel to the file as it is now"))])
        text, _pos, entry = self.text_with(values)
        inner = self.internal_text(values)
        if inner is not None:
            if self.internal.read_bytes() != self.internal_raw:
                raise UsageError([file_diagnostic(str(self.internal), "new.changed", _(
                    "the register changed while the questions were answered; nothing was written"))])
            write_atomic(self.internal, encode(inner.decode("utf-8"), newline_of(self.internal_raw)))
        write_atomic(self.path, encode(text, self.newline))
        return entry_text(entry), warnings

    def internal_text(self, values: dict) -> bytes | None:
        """The internal file with the internal answers of ``values`` under the channel's id
        (ruamel.yaml round trip: comments kept), or None when there is no internal file."""
        if self.internal_raw is None:
            return None
        inner = load_rt(self.internal)[0]
        if not isinstance(inner.get("channels"), CommentedMap):
            inner["channels"] = CommentedMap()
        facts = build_entry({k: v for k, v in values.items() if k in INTERNAL_FIELDS})
        inner["channels"][str(values.get("id"))] = facts
        return dump(inner).encode("utf-8")


def about(diags: list[Diagnostic], register: str, channel_id: str | None) -> list[Diagnostic]:
    """The diagnostics of :meth:`Draft.problems` as they are printed: those about the new
    entry (paths relative to it) name the new channel and its field, not a line of the file."""
    where = _("new channel '{id}'").format(id=channel_id or "?")
    return [d if d.path.startswith("channels") else
            Diagnostic(register, 0, 0, d.severity, d.code, f"{where}: {d.path}" if d.path else where, d.message,
                       d.hint) for d in diags]


class Asker:
    """The interactive questions (see the module docstring).

    Args:
        draft: the :class:`Draft`.
        answers: answers kept as text (field → str), e.g. from the resume file.
        read: reads one answer, given the prompt (raises EOFError, KeyboardInterrupt).
        say: prints one line for the user.
    """

    def __init__(self, draft: Draft, answers: dict, read: Callable[[str], str], say: Callable[[str], None]):
        self.draft, self.answers, self.read, self.say = draft, dict(answers), read, say
        self.resume = resume_path(draft.path)

    def keep(self) -> None:
        """Write the answers so far to the resume file (in one step)."""
        write_atomic_new(self.resume, json.dumps({"register": self.draft.path.name, "answers": self.answers},
                                                 ensure_ascii=False, indent=1).encode("utf-8"))

    def choices(self, field: str) -> list[str]:
        spec = table("channel").by_name[field]
        if spec.enum:
            return list(spec.enum)
        return list(self.draft.departments) if field == "department" else []

    def pending(self) -> list[str]:
        closed = (interpret("status", self.answers.get("status", "")) or "active") == "closed"
        return [f for f in ORDER if f not in self.answers and (closed or f not in ONLY_CLOSED)]

    def ask(self, field: str) -> None:
        """Ask for ``field`` until the answer passes the checks; keep it."""
        prompt = questions()[field]
        options = self.choices(field)
        if options:
            self.say(prompt + ":")
            for n, option in enumerate(options, 1):
                self.say(f"  {n:>2}. {option}")
            prompt = (_("Choose a number or write the name") if field == "department"
                      else _("Choose a number or write the value"))
        default = DEFAULTS.get(field)
        if field == "id":
            default = self.draft.suggest_id(values_of(self.answers))
        while True:
            text = self.read(f"{prompt}{f' [{default}]' if default else ''}: ").strip()
            if not text and default:
                text = default
            text = self.normalise(field, text, options)
            trial = values_of({**self.answers, field: text})
            errors, warnings = self.draft.problems(trial, {field})
            for d in errors + warnings:
                label = _("Error") if d.severity == "error" else _("Warning")
                self.say(f"  {label}: {d.message}" + (f" ({d.hint})" if d.hint else ""))
            if errors:
                self.say("  " + _("Please answer again."))
                continue
            self.answers[field] = text
            self.keep()
            return

    @staticmethod
    def normalise(field: str, text: str, options: list[str]) -> str:
        """A choice by number or in other letter case, as the value itself."""
        if options and text.isdigit() and 1 <= int(text) <= len(options):
            return options[int(text) - 1]
        if field == "handle":
            return text.removeprefix("@")
        if field != "department":
            folded = {o.casefold(): o for o in options}
            return folded.get(text.casefold(), text)
        return text

    def run(self) -> bool:
        """Ask every question not answered yet, show the entry and save it when the user
        agrees; return whether it was saved (False: the answers stay in the resume file)."""
        while True:
            for field in self.pending():
                self.ask(field)
            values = values_of(self.answers)
            errors, warnings = self.draft.problems(values)
            own = [d for d in errors if d.path and not d.path.startswith("channels")]
            for d in own:  # a rule over the whole entry: ask the field again
                self.say(f"{_('Error')}: {d.path}: {d.message}" + (f" ({d.hint})" if d.hint else ""))
            if own:
                field = own[0].path.split(".")[0].split("[")[0]
                if field not in self.answers:
                    return False
                self.answers.pop(field)
                continue
            entry = self.draft.text_with(values)[2]
            self.say("")
            self.say(_("The new channel, as it will be written in {file}:").format(file=self.draft.path.name))
            self.say(entry_text(entry).rstrip("\n"))
            for d in warnings:
                self.say(f"  {_('Warning')}: {d.path}: {d.message}")
            answer = self.read(_("Save it? [y]es, [c]hange an answer, [q]uit (answers are kept): ")).strip().lower()
            if answer in ("y", "yes", "j", "ja", ""):
                return True
            if answer in ("q", "quit", "a", "avbryt", "n", "nej", "no"):
                return False
            names = [f for f in ORDER if f in self.answers]
            for n, f in enumerate(names, 1):
                self.say(f"  {n:>2}. {f}: {self.answers[f]}")
            pick = self.read(_("Number of the answer to change: ")).strip()
            if pick.isdigit() and 1 <= int(pick) <= len(names):
                self.answers.pop(names[int(pick) - 1])


def interactive(path: Path, today: dt.date, given: dict, resume: bool, read=input,
                say=lambda m: print(m, file=sys.stderr), internal: Path | None = None) -> int:
    """Run ``new`` in a terminal (see the module docstring); return the exit status
    (0 saved, 1 not saved, 130 interrupted: the answers are kept in every case but 0)."""
    draft = Draft(path, today, internal)
    answers = {}
    kept = resume_path(path)
    if resume:
        answers = read_resume(path)
    elif kept.exists():
        say(_("Answers from an earlier run are saved in {file}.").format(file=kept))
        if read(_("Continue with them? [Y/n]: ")).strip().lower() not in ("n", "no", "nej"):
            answers = read_resume(path)
    answers.update({k: v for k, v in given.items() if k in questions()})
    if draft.errors_before:
        say(_("Note: {file} has errors already (run 'kanalregister check'); the channel can be saved only "
              "when they are fixed. Your answers are kept.").format(file=path.name))
    say(_("New channel: answer the questions of the aktivitetsplan (an empty answer skips an optional "
          "question). Ctrl-C stops; your answers are kept."))
    asker = Asker(draft, answers, read, say)
    try:
        if not asker.run():
            say(_("Nothing was saved. Your answers are in {file}; continue with "
                  "'kanalregister new --resume'.").format(file=kept))
            return 1
        entry, warnings = draft.save(values_of(asker.answers))
    except (KeyboardInterrupt, EOFError):
        say("")
        say(_("Stopped. Nothing was written to {register}; your answers are in {file}. Continue with "
              "'kanalregister new --resume'.").format(register=path.name, file=kept))
        return 130
    except RegisterInvalid as exc:
        for d in exc.diagnostics:
            say(d.format())
        say(_("Nothing was saved. Your answers are in {file}.").format(file=kept))
        return 1
    kept.unlink(missing_ok=True)
    say(_("Saved the channel '{id}' in {file}.").format(id=asker.answers.get("id"), file=path))
    return 0


def from_options(path: Path, today: dt.date, values: dict,
                 internal: Path | None = None) -> tuple[str, list[Diagnostic]]:
    """``new`` with every answer given as an option: add the channel when it passes the
    checks. Returns (the entry's text, the warnings about it).

    Raises:
        RegisterInvalid: the entry has errors, each reported about the new channel (its
            field, not another channel's line); nothing is written.
    """
    draft = Draft(path, today, internal)
    values = {**DEFAULTS, **values}
    try:
        entry, warnings = draft.save(values)
    except RegisterInvalid as exc:
        raise RegisterInvalid(about(exc.diagnostics, str(path), values.get("id"))) from None
    return entry, about(warnings, str(path), values.get("id"))
