"""``diff``: what a pull request changes in the register, as Markdown for a reviewer.

Compares the register at a git ref (default: the merge base with the main branch) with the
working tree, entry by entry (channels by ``id``, party channels by ``url``), so a reviewer
reads "channel added / closed / field changed from … to …" instead of a raw YAML diff.
Internal fields are never shown, only said to have changed.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KanalregisterError, UsageError, file_diagnostic
from ..i18n import _
from ..register.read import parse_bytes
from ..register.schema import field_label, table
from ..register.sections import unique_key

_INTERNAL = {f.name for f in table("channel").fields if f.internal}
_ORDER = [f.name for f in table("channel").fields]


@dataclass
class RegisterDiff:
    """Changes between two registers.

    Attributes:
        added, removed: channel rows (dict) present only in the new / old register.
        closed, reopened: ids whose status went active → closed / closed → active.
        changed: id → list of (field, old, new); internal fields have old/new ``None``.
        parties_added, parties_removed: party channel rows; parties_changed: url → changes.
        organisation, policy: lists of (key, old, new).
    """

    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    changed: dict[str, list[tuple]] = field(default_factory=dict)
    parties_added: list[dict] = field(default_factory=list)
    parties_removed: list[dict] = field(default_factory=list)
    parties_changed: dict[str, list[tuple]] = field(default_factory=dict)
    organisation: list[tuple] = field(default_factory=list)
    policy: list[tuple] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not any((self.added, self.removed, self.closed, self.reopened, self.changed, self.parties_added,
                        self.parties_removed, self.parties_changed, self.organisation, self.policy))


def _plain(v):
    """LocDict/LocList → plain dict/list, dates → ISO strings (for comparing and printing)."""
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _rows(data, key: str, ident: str) -> dict:
    """The rows of the list ``key`` by ``ident``; URLs by the account they name
    (:func:`kanalregister.register.sections.unique_key`), so a new spelling of one account's
    address is a change of that account, not a removal and an addition."""
    out = {}
    for row in (data or {}).get(key) or []:
        if isinstance(row, dict) and isinstance(row.get(ident), str):
            out[unique_key(ident, row[ident]) if ident == "url" else row[ident]] = _plain(row)
    return out


def _field_changes(old: dict, new: dict) -> list[tuple]:
    keys = sorted(set(old) | set(new), key=lambda k: (_ORDER.index(k) if k in _ORDER else 99, k))
    out = []
    for k in keys:
        if old.get(k) != new.get(k):
            if k in _INTERNAL:
                out.append((k, None, None))
            else:
                out.append((k, old.get(k), new.get(k)))
    return out


def compare(old_data, new_data) -> RegisterDiff:
    """Compare two loaded registers (root mappings as returned by the loader; either may be None)."""
    d = RegisterDiff()
    old, new = _rows(old_data, "channels", "id"), _rows(new_data, "channels", "id")
    d.added = [new[k] for k in new if k not in old]
    d.removed = [old[k] for k in old if k not in new]
    for k in new:
        if k in old:
            o, n = old[k], new[k]
            if o.get("status") == "active" and n.get("status") == "closed":
                d.closed.append(k)
            elif o.get("status") == "closed" and n.get("status") == "active":
                d.reopened.append(k)
            ch = _field_changes(o, n)
            if ch:
                d.changed[k] = ch
    op, np_ = _rows(old_data, "party_channels", "url"), _rows(new_data, "party_channels", "url")
    d.parties_added = [np_[k] for k in np_ if k not in op]
    d.parties_removed = [op[k] for k in op if k not in np_]
    for k in np_:
        if k in op and op[k] != np_[k]:
            d.parties_changed[np_[k]["url"]] = _field_changes(op[k], np_[k])
    for section, attr in (("organisation", "organisation"), ("policy", "policy")):
        o = _plain((old_data or {}).get(section) or {})
        n = _plain((new_data or {}).get(section) or {})
        if isinstance(o, dict) and isinstance(n, dict):
            setattr(d, attr, [(k, o.get(k), n.get(k)) for k in sorted(set(o) | set(n)) if o.get(k) != n.get(k)])
    return d


def _v(v) -> str:
    if v is None:
        return "*" + _("(empty)") + "*"
    if isinstance(v, list):
        v = ", ".join(str(x) for x in v)
    text = str(v).replace("|", "\\|").replace("\n", " ")
    return f"`{text}`" if "`" not in text else text


def _summary(row: dict) -> str:
    bits = [f"**{row.get('name', row.get('id'))}**", f"`{row.get('id')}`"]
    if row.get("platform"):
        bits.append(str(row["platform"]))
    if row.get("url"):
        bits.append(f"<{row['url']}>")
    if row.get("department"):
        bits.append(f"– {row['department']}")
    return " ".join(bits)


def to_markdown(d: RegisterDiff, base: str, register: str) -> str:
    """Render a :class:`RegisterDiff` as Markdown fit for a PR comment or ``$GITHUB_STEP_SUMMARY``."""
    lines = ["## " + _("Changes in the register (`{register}` compared with `{base}`)").format(
        register=register, base=base), ""]
    if d.empty:
        return "\n".join(lines + [_("No changes in the register."), ""])
    lines += [_("Channels: {added} added, {removed} removed, {closed} closed, {reopened} reopened, {changed} "
                "changed.").format(added=len(d.added), removed=len(d.removed), closed=len(d.closed),
                                   reopened=len(d.reopened), changed=len(d.changed)), ""]
    if d.added:
        lines += ["### " + _("New channels"), ""]
        for row in d.added:
            lines.append(f"- {_summary(row)}")
            for k in _ORDER:
                if k in row and k not in _INTERNAL and k not in ("id", "name", "platform", "url", "department"):
                    lines.append(f"  - {field_label(k)}: {_v(row[k])}")
            internal = [k for k in _ORDER if k in row and k in _INTERNAL]
            if internal:
                lines.append("  - " + _("internal fields filled in (not shown): {fields}").format(
                    fields=", ".join(field_label(k) for k in internal)))
        lines.append("")
    if d.closed:
        lines += ["### " + _("Closed channels"), ""] + [f"- `{k}`" for k in d.closed] + [""]
    if d.reopened:
        lines += ["### " + _("Reopened channels"), ""] + [f"- `{k}`" for k in d.reopened] + [""]
    if d.removed:
        lines += ["### " + _("Removed channels"), "",
                  "> " + _("Removed channels disappear from the register. Closed channels should stay with "
                           "`status: closed`, as messages in them may be public records (allmänna handlingar)."), ""]
        lines += [f"- {_summary(row)}" for row in d.removed] + [""]
    if d.changed:
        lines += ["### " + _("Changed fields"), "",
                  "| " + " | ".join((_("channel"), _("field"), _("before"), _("after"))) + " |", "|---|---|---|---|"]
        for k, changes in d.changed.items():
            for f, o, n in changes:
                if o is None and n is None and f in _INTERNAL:
                    hidden, changed = _("(internal, not shown)"), _("(changed)")
                    lines.append(f"| `{k}` | {field_label(f)} | *{hidden}* | *{changed}* |")
                else:
                    lines.append(f"| `{k}` | {field_label(f)} | {_v(o)} | {_v(n)} |")
        lines.append("")
    if d.parties_added or d.parties_removed or d.parties_changed:
        lines += ["### " + _("Party channels"), ""]
        added, removed, changed = _("added"), _("removed"), _("changed")
        lines += [f"- {added}: **{p.get('party')}** {p.get('platform')} <{p.get('url')}>" for p in d.parties_added]
        lines += [f"- {removed}: **{p.get('party')}** {p.get('platform')} <{p.get('url')}>"
                  for p in d.parties_removed]
        for url, changes in d.parties_changed.items():
            lines += [f"- {changed} <{url}>: {field_label(f, 'party_channel')} {_v(o)} → {_v(n)}"
                      for f, o, n in changes]
        lines.append("")
    for title, items, table_name in ((_("Organisation"), d.organisation, "organisation"),
                                     (_("Policy"), d.policy, "")):
        if items:
            lines += [f"### {title}", ""] + [f"- {field_label(k, table_name) if table_name else k}: {_v(o)} → {_v(n)}"
                                             for k, o, n in items] + [""]
    return "\n".join(lines)


def git(*args: str, cwd: Path) -> str:
    """Run git and return stdout; raise UsageError with git's message on failure."""
    try:
        p = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError([file_diagnostic("git", "git.failed", _("cannot run git: {exc}").format(exc=exc))]) from None
    if p.returncode != 0:
        raise UsageError([file_diagnostic("git", "git.failed",
                                          _("git {command}: {error}").format(command=" ".join(args),
                                                                             error=p.stderr.strip()))])
    return p.stdout


def default_base(cwd: Path) -> str:
    """The merge base of HEAD with the main branch (origin/main, main, origin/master, master)."""
    for ref in ("origin/main", "main", "origin/master", "master"):
        try:
            git("rev-parse", "--verify", "--quiet", ref, cwd=cwd)
        except UsageError:
            continue
        return git("merge-base", "HEAD", ref, cwd=cwd).strip()
    raise UsageError([file_diagnostic("git", "git.no-main", _("no main branch to compare with"),
                                      _("name the base: kanalregister diff BASE"))])


def diff_register(register: Path, base: str | None) -> tuple[RegisterDiff, str]:
    """Load the register at ``base`` (git) and in the working tree and compare them.

    Returns:
        (the diff, the base ref as shown).

    Raises:
        UsageError: not in a git repository, unknown ref.
        RegisterSyntaxError: the working-tree register cannot be read as safe YAML.
    """
    old_data, new_data, shown = read_both(register, base)
    return compare(old_data, new_data), shown


def read_both(register: Path, base: str | None) -> tuple:
    """The register as read at git ref ``base`` (default: the merge base with main) and in the
    working tree: ``(old data or None, new data, the base as shown)``; the data are the root
    mappings of :func:`kanalregister.register.read.parse_bytes`. A register missing or
    unreadable at ``base`` is None (everything counts as new).

    Raises:
        UsageError: not in a git repository, unknown ref.
        RegisterSyntaxError: the working-tree register cannot be read as safe YAML.
    """
    register = Path(register).resolve()
    cwd = register.parent
    top = Path(git("rev-parse", "--show-toplevel", cwd=cwd).strip())
    rel = register.relative_to(top).as_posix()
    ref = base or default_base(top)
    old_data = None
    try:
        old_raw = subprocess.run(["git", "show", f"{ref}:{rel}"], cwd=top, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError([file_diagnostic("git", "git.failed", _("cannot run git: {exc}").format(exc=exc))]) from None
    if old_raw.returncode == 0:
        try:
            old_data = parse_bytes(old_raw.stdout, f"{ref}:{rel}").data
        except KanalregisterError:
            old_data = None  # an unreadable old version counts as empty: everything is new
    else:
        git("rev-parse", "--verify", ref, cwd=top)  # raises with git's message for a bad ref
    new_data = parse_bytes(register.read_bytes(), str(register)).data
    return old_data, new_data, (base or ref[:12])
