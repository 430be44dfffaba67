"""The one Jinja environment: sandboxed (templates and content pages are code from other
people), autoescaped (register values are data), strict about undefined names."""

from __future__ import annotations

import builtins
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..i18n import site_gettext
from ..register.model import Channel, Event, Organisation, PartyChannel
from .swedish import date_sv


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, in which templates and content pages are rendered.

    Reading a public attribute of the model's own frozen objects (:class:`Channel`,
    :class:`Organisation`, :class:`PartyChannel`, :class:`Event`) is let through at once:
    they hold only data and properties, and the sandbox's general checks on each of the
    hundreds of thousands of such reads in a large build cost a quarter of its rendering
    time. Everything else — underscore names, other objects, calls — is checked as usual.
    """

    def getattr(self, obj, attribute):  # noqa: A003 - Jinja's name for the hook
        if obj.__class__ in _MODEL_TYPES and attribute[:1] != "_":
            try:
                return builtins.getattr(obj, attribute)
            except AttributeError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_MODEL_TYPES = frozenset({Channel, Organisation, PartyChannel, Event})


def make_env(template_dirs: list[Path], bytecode_dir: Path | None = None) -> jinja2.Environment:
    """Create the one Jinja environment (a :class:`Sandbox`): autoescape on, StrictUndefined,
    Swedish filters.

    Args:
        template_dirs: folders searched in order (overrides first, default last).
        bytecode_dir: a folder for Jinja's compiled templates (keyed by the template
            source's checksum, so an edited template is compiled again), or None.
    """
    env = Sandbox(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one build renders each template thousands of times: no stat() per render
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir is not None else None,
    )
    env.filters["date_sv"] = date_sv
    env.filters["iso"] = lambda d: d.isoformat() if d else ""
    env.globals["_"] = site_gettext
    return env
