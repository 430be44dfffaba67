"""``kanalregister new`` in a real terminal (a pseudo-terminal): every mistake of issue 18 is
caught at the question that caused it and asked again; Ctrl-C leaves the register untouched
and ``new --resume`` continues with the answers given."""

from __future__ import annotations

import difflib
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import termios
import time

import pytest
from conftest import MINIMAL, ROOT, TODAY, run_cli

from kanalregister.register.loader import load

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")

#: Longest wait for the program to print what a step expects (a guard against a hang, not a timing test).
PATIENCE = 60


def _controlling_tty():
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a test worker may ignore it; a user's shell does not
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A program run in a pseudo-terminal: ``expect`` output, ``answer`` a question, ``ctrl_c``."""

    def __init__(self, *args: str, cwd):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args], stdin=slave, stdout=slave,
                                     stderr=slave, cwd=cwd, preexec_fn=_controlling_tty, close_fds=True,
                                     env={**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"})
        os.close(slave)
        self.seen = ""  # everything printed so far
        self.mark = 0  # where the next expect starts looking

    def _read(self) -> bool:
        ready, _w, _x = select.select([self.master], [], [], 1)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the program ended
            return False
        if not chunk:
            return False
        self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, pattern: str) -> re.Match:
        """Wait until ``pattern`` (a regular expression) is printed after the last match."""
        deadline = time.monotonic() + PATIENCE
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.seen, self.mark)
            if m:
                self.mark = m.end()
                return m
            if time.monotonic() > deadline or not self._read():
                raise AssertionError(f"never printed {pattern!r}; the terminal shows:\n{self.seen[-3000:]}")

    def answer(self, text: str) -> None:
        os.write(self.master, text.encode("utf-8") + b"\r")

    def ctrl_c(self) -> None:
        os.write(self.master, b"\x03")

    def wait(self) -> int:
        while self._read():
            pass
        return self.proc.wait(PATIENCE)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "channels.yaml"
    shutil.copy(MINIMAL, path)
    assert run_cli("fmt", "-r", str(path)).code == 0  # in fmt's order, so the new entry's place can be checked
    return path


@pytest.fixture
def term(register):
    opened = []

    def start(*args):
        t = Terminal("new", "-r", register.name, "--today", TODAY.isoformat(), *args, cwd=register.parent)
        opened.append(t)
        return t

    yield start
    for t in opened:
        t.close()


QUESTION = {  # field → the start of its question (as printed in English)
    "platform": r"1\. Which social medium", "url": r"2\. The account's web address",
    "department": r"3a\. Which förvaltning", "unit": r"3b\. Which unit", "purpose": r"4a\. Describe the purpose",
    "target_groups": r"4b\. Who are the target groups", "administrators": r"5\. Administrators, at least two",
    "substitute": r"6\. Ersättare", "monitoring": r"7\. How often", "hours_per_week": r"8\. Estimated working time",
    "name": r"The account's name", "handle": r"User name on the platform", "responsible_role": r"Kontoansvarig",
    "contact_email": r"Contact address", "languages": r"Languages", "start_date": r"Start date",
    "status": r"Status:", "approved_by": r"Approved by", "approved_on": r"Approved on", "id": r"Id of the channel",
}
PROMPT_END = r": \Z"


def ask(t: Terminal, field: str, answer: str) -> None:
    """Wait for the question of ``field`` and its prompt, then answer it."""
    t.expect(QUESTION[field])
    t.expect(PROMPT_END)  # the program waits for the answer
    t.answer(answer)


def retry(t: Terminal, message: str, answer: str) -> None:
    """The last answer is refused with ``message`` and the question comes again: answer it."""
    t.expect(message)
    t.expect(r"Please answer again\.")
    t.expect(PROMPT_END)
    t.answer(answer)


GOOD = {
    "platform": "tiktok", "url": "https://www.tiktok.com/@testbybibliotek", "department":
    "Kultur- och fritidsförvaltningen", "unit": "Biblioteken", "purpose": "Tipsa unga om böcker och evenemang.",
    "target_groups": "Unga; Skolklasser",
    "administrators": "Hanna Holm, hanna.holm@testby.example; Ivar Isaksson, ivar.isaksson@testby.example",
    "substitute": "Jenny Jansson, jenny.jansson@testby.example", "monitoring": "Vardagar, svar inom 48 timmar",
    "hours_per_week": "2", "name": "Testby bibliotek", "handle": "", "responsible_role": "Bibliotekschef",
    "contact_email": "bibliotek@testby.example", "languages": "sv", "start_date": "2026-12-01", "status": "",
    "approved_by": "Kulturchef", "approved_on": "2026-11-20", "id": "",
}


def test_every_mistake_is_caught_at_its_question_and_asked_again(register, term):
    before = register.read_bytes()
    t = term()
    ask(t, "platform", "TikTok")  # another letter case: taken as tiktok
    ask(t, "url", "www.tiktok.com/@testbybibliotek")  # no https
    retry(t, r"Error: .*https", GOOD["url"])
    ask(t, "department", "Kultur- och fritidsförvaltningen")
    for field in ("unit", "purpose", "target_groups"):
        ask(t, field, GOOD[field])
    ask(t, "administrators", "Hanna Holm, hanna.holm@testby.example")  # one, where two are required
    retry(t, r"Error: 1 administrator; at least 2 required", GOOD["administrators"])
    ask(t, "substitute", GOOD["substitute"])
    ask(t, "monitoring", GOOD["monitoring"])
    ask(t, "hours_per_week", "ca 2")
    retry(t, r"Error: expected a number, got 'ca 2'", "2")
    for field in ("name", "handle", "responsible_role", "contact_email", "languages"):
        ask(t, field, GOOD[field])
    ask(t, "start_date", "1/12/2026")
    retry(t, r"Error: expected a date YYYY-MM-DD, got '1/12/2026'", "2026-12-01")
    ask(t, "status", "")  # the default: active
    ask(t, "approved_by", GOOD["approved_by"])
    ask(t, "approved_on", GOOD["approved_on"])
    t.expect(QUESTION["id"])
    t.expect(r"\[biblioteken-tiktok\]: ")  # the proposal is lower case, from the platform chosen
    t.answer("Biblioteken-TikTok")
    retry(t, r"Error: .*ids are lower case: 'biblioteken-tiktok'", "")
    t.expect(r"The new channel, as it will be written in channels\.yaml:")
    shown = t.expect(r"(?s)  - id: biblioteken-tiktok\n.*?Save it\?")
    assert "platform: tiktok" in shown.group(0) and "hours_per_week: 2" in shown.group(0)
    assert register.read_bytes() == before  # nothing written before the user agrees
    t.answer("y")
    t.expect(r"Saved the channel 'biblioteken-tiktok'")
    assert t.wait() == 0
    assert "channels[" not in t.seen  # no message pointed at another channel's place in the file
    assert "Traceback" not in t.seen
    res = load(register, TODAY).result
    assert res.errors == []
    c = next(c for c in res.register.channels if c.id == "biblioteken-tiktok")
    assert (c.platform, c.url, c.start_date.isoformat()) == ("tiktok", GOOD["url"], "2026-12-01")
    assert [p.name for p in res.register.internal[c.id].administrators] == ["Hanna Holm", "Ivar Isaksson"]
    assert res.register.internal[c.id].hours_per_week == 2
    assert run_cli("fmt", "--check", "-r", str(register)).code == 0  # at the place fmt gives it
    assert not (register.parent / ".channels.yaml.new-answers.json").exists()
    ops = difflib.SequenceMatcher(None, before.decode().splitlines(), register.read_text(
        encoding="utf-8").splitlines()).get_opcodes()
    assert [op[0] for op in ops if op[0] != "equal"] == ["insert"]  # one block added; every other line kept


def test_ctrl_c_keeps_the_answers_and_resume_continues(register, term):
    before = register.read_bytes()
    t = term()
    ask(t, "platform", "1")  # a choice by its number: facebook
    ask(t, "url", "https://www.facebook.com/testbybiblioteken")
    t.expect(QUESTION["department"])
    t.expect(r"Choose a number or write the name: ")
    t.ctrl_c()
    t.expect(r"Stopped\. Nothing was written to channels\.yaml; your answers are in .*new-answers\.json")
    assert t.wait() == 130
    assert register.read_bytes() == before
    kept = json.loads((register.parent / ".channels.yaml.new-answers.json").read_text(encoding="utf-8"))
    assert kept["answers"] == {"platform": "facebook", "url": "https://www.facebook.com/testbybiblioteken"}

    t = term("--resume")
    ask(t, "department", "2")  # the second förvaltning of the register, in Swedish order
    for field in list(GOOD)[3:]:
        ask(t, field, GOOD[field])
    t.expect(r"Save it\?")
    t.answer("y")
    assert t.wait() == 0
    assert QUESTION["platform"].replace("\\", "") not in t.seen  # not asked again
    c = next(c for c in load(register, TODAY).result.register.channels if c.platform == "facebook"
             and c.url.endswith("testbybiblioteken"))
    assert c.department == "Kommunledningsförvaltningen" and c.id == "biblioteken-facebook"
    assert not (register.parent / ".channels.yaml.new-answers.json").exists()


def test_quit_at_the_end_writes_nothing_and_keeps_the_answers(register, term):
    before = register.read_bytes()
    t = term()
    for field in GOOD:
        ask(t, field, GOOD[field])
    t.expect(r"Save it\?")
    t.answer("q")
    t.expect(r"Nothing was saved\. Your answers are in")
    assert t.wait() == 1
    assert register.read_bytes() == before
    kept = json.loads((register.parent / ".channels.yaml.new-answers.json").read_text(encoding="utf-8"))
    assert kept["answers"]["id"] == "biblioteken-tiktok" and kept["answers"]["platform"] == "tiktok"


def test_a_register_with_errors_elsewhere_keeps_the_answers(register, term):
    register.write_text(register.read_text(encoding="utf-8").replace(
        "    monitoring: Skoldagar\n", "    monitoring: Skoldagar\n    hours_per_week: många\n"), encoding="utf-8")
    before = register.read_bytes()
    t = term()
    t.expect(r"has errors already")
    for field in GOOD:
        ask(t, field, GOOD[field])
    t.expect(r"Save it\?")
    t.answer("y")
    t.expect(r"hours_per_week: expected a number, got 'många'")  # the old error, at its own line
    t.expect(r"Nothing was saved\. Your answers are in")
    assert t.wait() == 1
    assert register.read_bytes() == before
    assert (register.parent / ".channels.yaml.new-answers.json").exists()
