"""``kanalregister init``: a complete register repository for a municipality, from the package.

The files come from ``kanalregister/scaffold_files/`` (package data, in the wheel), with
``%%NAME%%``-style markers filled in. The CI files are the single source of the copies that
kanalregister's own repository keeps (:data:`REPO_COPIES`): a test checks that they are
byte-identical, and ``python -m kanalregister.commands.init --sync`` rewrites them after a version
bump.

What ``init DIR`` writes (paths relative to DIR, see :func:`plan`):

* ``channels.yaml`` — a commented-out example channel (nothing invented is published), the
  yaml-language-server modeline first, the
  organisation section from the options or with placeholders marked ``ÄNDRA``;
* ``channels.internal.yaml`` — the internal facts' file (issue 20), with a commented-out
  example entry; listed in ``.gitignore``, so the public repository never holds it;
* ``schema/channels.schema.json`` — the editors' JSON Schema (as ``kanalregister schema``);
* ``content/…`` — the default content pages, to adapt;
* ``.github/workflows/kanalregister.yml``, ``.github/pull_request_template.md``,
  ``.gitlab-ci.yml``, ``.pre-commit-config.yaml``, ``.gitignore``, ``README.md``.

It never overwrites: when any target exists, nothing at all is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import Diagnostic, KanalregisterError, UsageError, file_diagnostic
from ..i18n import _

#: Where the released package's source lives (pre-commit hooks, field docs, the GitHub Action).
REPOSITORY = "https://github.com/kanalregister/kanalregister"
FILES_DIR = Path(__file__).resolve().parent / "scaffold_files"
SCHEMA_PATH = "schema/channels.schema.json"
MODELINE = f"# yaml-language-server: $schema={SCHEMA_PATH}"

#: Files that kanalregister's own repository keeps as exact copies: path there → template.
REPO_COPIES = {
    ".github/workflows/kanalregister.yml": "github-workflow.yml",
    ".github/pull_request_template.md": "pull_request_template.md",
    ".gitlab-ci.yml": "gitlab-ci.yml",
}
#: The other files of a new register repository: path there → template.
OWN_FILES = {
    "channels.yaml": "channels.yaml",
    "channels.internal.yaml": "channels.internal.yaml",
    "README.md": "README.md",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".gitignore": "gitignore",
}

def file_descriptions() -> dict[str, str]:
    """What each written file is for, as ``init`` reports it, in the language of messages
    (content pages by folder)."""
    return {
        "channels.yaml": _("the register, with an example channel"),
        "channels.internal.yaml": _("the internal facts (administrators, ersättare); never committed"),
        SCHEMA_PATH: _("the schema editors check channels.yaml with"),
        "content/": _("the page on public records (allmänna handlingar) and comment rules, to adapt"),
        ".github/workflows/kanalregister.yml": _("CI on GitHub: checks pull requests, publishes with GitHub Pages"),
        ".github/pull_request_template.md": _("the pull request template, with the aktivitetsplan's checklist"),
        ".gitlab-ci.yml": _("CI on GitLab: checks merge requests, publishes with GitLab Pages"),
        ".pre-commit-config.yaml": _("checks before every commit (pre-commit)"),
        ".gitignore": _("keeps the build's own folders out of git"),
        "README.md": _("how you keep the register, in Swedish"),
    }

#: Placeholders used when an organisation value is not given.
PLACEHOLDERS = {
    "name": "Exempelby kommun",
    "website": "https://www.exempelby.example",
    "email": "kommun@exempelby.example",
}
_HINTS = {
    "name": "organisationens namn, t.ex. Norsjö kommun",
    "website": "organisationens webbplats (https)",
    "email": "organisationens funktionsbrevlåda",
}
#: The organisation values ``init`` takes as options.
OPTIONS = ("name", "website", "email", "org_number")
_MARKER = re.compile(r"%%([A-Z_]+)%%")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_PLAIN_TEXT = re.compile(r"[^\W\d_][\w .,()/&–-]*", re.UNICODE)
_PLAIN_ADDRESS = re.compile(r"[A-Za-z][A-Za-z0-9._~:/?=&%+@-]*")
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


@dataclass(frozen=True)
class Organisation:
    """The organisation section as given on the command line; None: use a placeholder.

    Attributes:
        name, website, email, org_number: str or None (org_number is left out when None).
    """

    name: str | None = None
    website: str | None = None
    email: str | None = None
    org_number: str | None = None


@dataclass
class InitResult:
    """What :func:`init` did.

    Attributes:
        target: the folder (Path) the files were written into.
        written: the files written, as posix paths relative to ``target`` (list[str]).
        placeholders: organisation fields that got a placeholder (list[str], e.g. ``["name"]``).
    """

    target: Path
    written: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)


# --- rendering ------------------------------------------------------------------------------

def template(name: str) -> str:
    """The text of the template ``name`` in ``scaffold_files/``.

    Raises:
        FileNotFoundError: a broken installation without the package data.
    """
    return (FILES_DIR / name).read_text(encoding="utf-8")


def fill(text: str, values: dict[str, str]) -> str:
    """Replace every ``%%KEY%%`` in ``text`` with ``values[KEY]``.

    Raises:
        KeyError: a marker in ``text`` has no value (a bug in the templates).
    """
    return _MARKER.sub(lambda m: values[m.group(1)], text)


def repo_copies(version: str = __version__) -> dict[str, bytes]:
    """The CI files that kanalregister's own repository keeps identical: posix path → bytes."""
    values = {"VERSION": version, "REPOSITORY": REPOSITORY}
    return {path: fill(template(name), values).encode("utf-8") for path, name in REPO_COPIES.items()}


def schema_text() -> str:
    """The JSON Schema of channels.yaml, exactly as ``kanalregister schema`` prints it."""
    from ..register.editor import json_schema

    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


def yaml_value(text: str) -> str:
    """``text`` as a YAML scalar that every reader (YAML 1.1 or 1.2) takes as this exact string.

    Plain only for names and addresses that start with a letter, hold no YAML indicator
    (``: ``, `` #``, quotes, brackets…) and are no YAML keyword (``true``, ``no``…), so that
    no reader sees a number, date or boolean; else double-quoted (a JSON string is valid YAML).
    """
    plain = ((_PLAIN_TEXT.fullmatch(text) or _PLAIN_ADDRESS.fullmatch(text)) and text.lower() not in _YAML_WORDS
             and ": " not in text and not text.endswith((" ", ":")))
    return text if plain else json.dumps(text, ensure_ascii=False)


def _handle(name: str) -> str:
    """An example account name from the organisation's name: ``Norsjö kommun`` → ``norsjokommun``."""
    folded = name.lower().translate(str.maketrans("åäöéèüæø", "aaoeeuao"))
    return re.sub(r"[^a-z0-9]", "", folded)[:50] or "exempelbykommun"


def _domain(org: Organisation) -> str:
    """The mail domain for the example administrators: the e-mail's, else the website's host."""
    if org.email and "@" in org.email:
        host = org.email.rsplit("@", 1)[1]
    elif org.website:
        host = re.sub(r"^[a-z]+://", "", org.website.strip().lower()).split("/", 1)[0].split(":", 1)[0]
        host = host.removeprefix("www.")
    else:
        host = ""
    host = host.strip().lower()
    return host if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", host) else "exempelby.example"


def missing(org: Organisation) -> list[str]:
    """The organisation fields that get a placeholder (list of ``name``/``website``/``email``)."""
    return [k for k in ("name", "website", "email") if not getattr(org, k)]


def register_text(org: Organisation, today: dt.date) -> tuple[str, list[str]]:
    """The new ``channels.yaml`` and the organisation fields that got placeholders.

    Returns:
        (text, placeholders): text is str, starting with :data:`MODELINE`; placeholders is a
        list of field names (``name``, ``website``, ``email``).
    """
    placeholders = missing(org)

    def org_line(key: str) -> str:
        value = getattr(org, key) or PLACEHOLDERS[key]
        return yaml_value(value) + (f"  # ÄNDRA: {_HINTS[key]}" if key in placeholders else "")

    number = (f"  org_number: {yaml_value(org.org_number)}" if org.org_number
              else "  # org_number: NNNNNN-NNNN  # organisationsnummer (valfritt)")
    values = {
        "REPOSITORY": REPOSITORY,
        "ORG_NAME": org_line("name"),
        "ORG_WEBSITE": org_line("website"),
        "ORG_EMAIL": org_line("email"),
        "ORG_NUMBER": number,
        "NAME": yaml_value(org.name or PLACEHOLDERS["name"]),
        "EMAIL": yaml_value(org.email or PLACEHOLDERS["email"]),
        "HANDLE": yaml_value(_handle(org.name or PLACEHOLDERS["name"])),
        "DOMAIN": _domain(org),
        "TODAY": today.isoformat(),
        # Only a made-up organisation is example data: the site would say it does not exist.
        "EXAMPLE_DATA": "  example_data: true  # Exempelby kommun är påhittad: ta bort raden när ni fyllt i er egen"
                        if "name" in placeholders else "",
    }
    lines = template("channels.yaml").splitlines(keepends=True)
    text = "".join(line for line in lines if values["EXAMPLE_DATA"] or line.strip() != "%%EXAMPLE_DATA%%")
    return fill(text, values), placeholders


def plan(org: Organisation, today: dt.date | None = None, version: str = __version__) -> dict[str, bytes]:
    """Every file of a new register repository: posix path relative to its folder → bytes.

    Args:
        org: the organisation values (None fields get placeholders).
        today: start and approval date of the example channel (default: today).
        version: the kanalregister version the CI files install (default: this one).
    """
    from ..site.render import default_dir

    files: dict[str, bytes] = {}
    text, _ = register_text(org, today or dt.date.today())
    files["channels.yaml"] = text.encode("utf-8")
    files[SCHEMA_PATH] = schema_text().encode("utf-8")
    content = default_dir("content")
    for p in sorted(content.rglob("*")):
        rel = p.relative_to(content)
        if p.is_file() and not any(part.startswith((".", "__")) for part in rel.parts):
            files[f"content/{rel.as_posix()}"] = p.read_bytes()
    files.update(repo_copies(version))
    values = {"VERSION": version, "REPOSITORY": REPOSITORY, "NAME": org.name or PLACEHOLDERS["name"],
              "DOMAIN": _domain(org), "TODAY": (today or dt.date.today()).isoformat()}
    for path, name in OWN_FILES.items():
        if path != "channels.yaml":
            files[path] = fill(template(name), values).encode("utf-8")
    return files


# --- checking the options -------------------------------------------------------------------

def check_options(org: Organisation, today: dt.date | None = None) -> list[Diagnostic]:
    """Validate the organisation values the way ``check`` will: by validating the register
    that ``init`` would write, first with each given value alone (so that each problem names
    its option, ``--website``…), then all together.

    Returns:
        error diagnostics (list[Diagnostic]); empty when the register would be valid.
    """
    problems = []
    given = [k for k in OPTIONS if getattr(org, k) is not None]
    for key in given:
        value = getattr(org, key)
        if not value.strip() or _CONTROL.search(value):
            problems.append(file_diagnostic(_option(key), "init.option",
                                            _("the value is empty or contains control characters")))
            continue
        for d in _register_errors(Organisation(**{key: value}), today):
            problems.append(file_diagnostic(_option(key), "init.option",
                                            _("'{value}' cannot be used: {problem}").format(value=value,
                                                                                            problem=d.message),
                                            d.hint))
    if not problems:
        problems = [file_diagnostic("init", "init.option", d.message, d.hint) for d in _register_errors(org, today)]
    unique = {(d.file, d.message): d for d in problems}
    return list(unique.values())


def _register_errors(org: Organisation, today: dt.date | None) -> list[Diagnostic]:
    """The errors of the register that ``init`` would write for ``org``."""
    from ..register.loader import load

    text, _ = register_text(org, today or dt.date.today())
    try:
        return load(text.encode("utf-8"), today, name="channels.yaml").result.errors
    except KanalregisterError as exc:
        return [d for d in exc.diagnostics if d.severity == "error"]


def _option(key: str) -> str:
    return "--" + key.replace("_", "-")


# --- writing --------------------------------------------------------------------------------

def init(target: Path, org: Organisation, today: dt.date | None = None,
         version: str = __version__) -> InitResult:
    """Write a new register repository into ``target`` (created if missing).

    Args:
        target: the folder (Path).
        org: organisation values; None fields get placeholders marked ``ÄNDRA``.
        today: the example channel's dates (default: today).
        version: the kanalregister version pinned in the CI files.

    Returns:
        :class:`InitResult` with the files written.

    Raises:
        UsageError: an option value would make the register invalid (``init.option``); a
            target file already exists (``init.exists``, nothing is written); the target
            is not a folder or cannot be written (``init.not-a-folder``, ``init.write``; what
            was written by this call is removed again).
    """
    target = Path(target)
    problems = check_options(org, today)
    if problems:
        raise UsageError(problems)
    files = plan(org, today, version)
    _refuse_existing(target, files)
    return InitResult(target, _write_new(target, files), missing(org))


def _refuse_existing(target: Path, files: dict[str, bytes]) -> None:
    """Raise UsageError when ``target`` or any file of ``files`` cannot be created anew."""
    if os.path.lexists(target) and not target.is_dir():
        raise UsageError([file_diagnostic(str(target), "init.not-a-folder",
                                          _("exists and is not a folder; name a new or empty folder"))])
    exists, blocked = [], []
    for rel in files:
        path = target / rel
        if os.path.lexists(path):
            exists.append(rel)
        for parent in list(Path(rel).parents)[:-1]:
            p = target / parent
            if os.path.lexists(p) and not p.is_dir():
                blocked.append(parent.as_posix())
    if exists or blocked:
        names = sorted(set(exists) | set(blocked))
        raise UsageError([file_diagnostic(str(target / n), "init.exists",
                                          _("exists already; kanalregister init never overwrites a file"),
                                          None) for n in names]
                         + [file_diagnostic(str(target), "init.exists",
                                            _("nothing was written: {n} of the files exist already ({names}); "
                                              "move them or choose another folder").format(
                                                n=len(names), names=", ".join(names)))])


def _write_new(target: Path, files: dict[str, bytes]) -> list[str]:
    """Create every file exclusively (never replacing one); on failure remove what was made."""
    made_dirs: list[Path] = []
    written: list[Path] = []

    def mkdirs(d: Path) -> None:
        missing = []
        while not d.is_dir():
            missing.append(d)
            d = d.parent
        for m in reversed(missing):
            m.mkdir()
            made_dirs.append(m)

    try:
        mkdirs(target)
        for rel, data in files.items():
            path = target / rel
            mkdirs(path.parent)
            with open(path, "xb") as fh:
                written.append(path)
                fh.write(data)
    except OSError as exc:
        for p in reversed(written):
            with contextlib.suppress(OSError):
                p.unlink()
        for d in reversed(made_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        code = "init.exists" if isinstance(exc, FileExistsError) else "init.write"
        raise UsageError([file_diagnostic(str(exc.filename or target), code,
                                          _("could not write: {error}; nothing was written").format(
                                              error=exc.strerror or exc))]) from None
    return list(files)


# --- kanalregister's own copies -------------------------------------------------------------


