"""The page chrome — a page template's parent (``base.html``) outside its blocks — rendered
once for many pages instead of once per page.

A channel page is ``channel.html``, which extends ``base.html`` and fills its blocks. Of the
~4 KB of a page, the head, header and footer (the chrome) are the same on every channel
page: they depend only on ``root``, ``organisation``, ``nav`` and ``updated``, which all
channel pages share, and on ``current`` only through ``item.href == current`` in the
footer's loop over ``nav``, which is false on every channel page. Rendering the chrome once
and splicing each page's blocks into it gives the same text as ``Template.render`` at a
third of the cost (10,000 pages: 0.6 s instead of 1.8 s, ``bench/``).

That holds only for templates of that shape, and ``templates/`` is the municipality's to
override, so :func:`skeleton` first reads both templates' syntax trees and returns None —
render each page whole — unless:

* the page template is ``{% extends "<parent>" %}`` plus blocks, nothing else;
* the parent extends, includes and imports nothing, uses no ``self``, no ``rows`` filter,
  and outside its blocks reads no variable but ``root``, ``organisation``, ``nav``,
  ``updated``, ``current`` and the environment's globals;
* the parent's blocks are not scoped and not inside loops, macros or call blocks;
* ``current`` appears only as ``x.href == current`` (or ``!=``) inside a loop
  ``{% for x in nav %}``, and no ``nav`` entry links into the pages' folder, so that the
  comparison is false for every page the skeleton serves.
"""

from __future__ import annotations

import re

import jinja2
from jinja2 import meta, nodes

#: The variables the chrome may read (besides the environment's globals).
SHARED = frozenset({"root", "organisation", "nav", "updated", "current"})
_MARK = "\x00kanalregister-block:{}\x00"
_MARKS = re.compile("\x00kanalregister-block:([^\x00]*)\x00")


class Skeleton:
    """A page template's chrome rendered once, with a gap for each block of its parent.

    Attributes:
        template: the page template (:class:`jinja2.Template`, e.g. ``channel.html``).
        parent: the template it extends.
        parts: the chrome's text between the gaps (tuple[str], one more than ``names``).
        names: the block in each gap, in order (tuple[str]).
    """

    def __init__(self, template: jinja2.Template, parent: jinja2.Template, parts: tuple, names: tuple):
        self.template, self.parent, self.parts, self.names = template, parent, parts, names

    def render(self, variables: dict) -> str:
        """The page for ``variables`` (the whole template context, shared values included):
        the same text as ``template.render(variables)``.

        Raises:
            jinja2.UndefinedError and the other template errors, as ``render`` would.
        """
        ctx = self.template.new_context(variables)
        blocks = ctx.blocks
        for name, fn in self.parent.blocks.items():  # what the page template's root does
            blocks.setdefault(name, []).append(fn)
        out = [self.parts[0]]
        for name, part in zip(self.names, self.parts[1:]):  # noqa: B905 - one more part than names
            out.extend(blocks[name][0](ctx))
            out.append(part)
        return "".join(out)


def skeleton(env: jinja2.Environment, name: str, shared: dict, folder: str) -> Skeleton | None:
    """The :class:`Skeleton` of template ``name`` for pages in ``folder`` (e.g. ``"kanal/"``),
    or None when the chrome might differ between such pages (see the module text).

    Args:
        env: the build's environment.
        name: the page template (``channel.html``).
        shared: the values all the pages share: ``root``, ``organisation``, ``nav`` (list of
            dicts with ``href``), ``updated`` and ``current`` (any one page's path).
        folder: the pages' folder; no ``nav`` entry may link into it.

    Raises:
        Nothing: a template that cannot be read or rendered here gives None, and the page's
        own render reports the problem.
    """
    if any(str(item.get("href", "")).startswith(folder) for item in shared["nav"]):
        return None
    try:
        page = env.get_template(name)
        tree = env.parse(env.loader.get_source(env, name)[0])
        parent_name = _parent_of(tree)
        if parent_name is None:
            return None
        parent = env.get_template(parent_name)
        if not _chrome_is_shared(env, env.parse(env.loader.get_source(env, parent_name)[0])):
            return None
        ctx = parent.new_context(dict(shared))
        ctx.blocks = {b: [_marker(b)] for b in parent.blocks}
        text = env.concat(parent.root_render_func(ctx))
    except Exception:  # noqa: BLE001 - the page's own render reports template errors
        return None
    pieces = _MARKS.split(text)
    parts, names = tuple(pieces[0::2]), tuple(pieces[1::2])
    if any("\x00" in p for p in parts):
        return None
    return Skeleton(page, parent, parts, names)


def _marker(block: str):
    mark = _MARK.format(block)
    return lambda _context: iter((mark,))


def _parent_of(tree: nodes.Template) -> str | None:
    """The parent's name when the template is ``{% extends "x" %}`` and blocks, else None."""
    body = [n for n in tree.body if not (isinstance(n, nodes.Output) and all(
        isinstance(x, nodes.TemplateData) and not x.data.strip() for x in n.nodes))]
    if not body or not isinstance(body[0], nodes.Extends) or not isinstance(body[0].template, nodes.Const):
        return None
    if not all(isinstance(n, nodes.Block) for n in body[1:]):
        return None
    return body[0].template.value if isinstance(body[0].template.value, str) else None


def _chrome_is_shared(env: jinja2.Environment, tree: nodes.Template) -> bool:
    """Whether the parent's text outside its blocks depends on the shared values only.

    ``tree`` is the parent's syntax tree, parsed for this call: its blocks are emptied.
    """
    if any(True for _ in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport))):
        return False
    for holder in tree.find_all((nodes.For, nodes.Macro, nodes.CallBlock, nodes.FilterBlock)):
        if any(True for _ in holder.find_all(nodes.Block)):
            return False
    chrome = tree  # parsed for this check alone: emptying its blocks changes no template
    for block in chrome.find_all(nodes.Block):
        if block.scoped:
            return False
        block.body = []  # what the pages put there is rendered for each page
    if any(n.name == "self" or (n.ctx != "load" and n.name in SHARED) for n in chrome.find_all(nodes.Name)):
        return False  # the page's blocks, or a shared value set anew
    if any(f.name == "rows" for f in chrome.find_all(nodes.Filter)):
        return False
    if not meta.find_undeclared_variables(chrome) <= SHARED | set(env.globals):
        return False
    return _current_only_against_nav(chrome, [])


def _current_only_against_nav(node: nodes.Node, above: list) -> bool:
    """Whether every read of ``current`` under ``node`` is ``x.href ==/!= current`` inside
    ``{% for x in nav %}`` (``above``: the nodes from the root down to ``node``)."""
    if isinstance(node, nodes.Name) and node.name == "current":
        if not above or not isinstance(above[-1], nodes.Compare):
            return False
        cmp = above[-1]
        if len(cmp.ops) != 1 or cmp.ops[0].op not in ("eq", "ne"):
            return False
        other = cmp.ops[0].expr if cmp.expr is node else cmp.expr
        if not (isinstance(other, nodes.Getattr) and other.attr == "href" and isinstance(other.node, nodes.Name)):
            return False
        for a in reversed(above):  # the innermost loop that binds the name
            if isinstance(a, nodes.For) and isinstance(a.target, nodes.Name) and a.target.name == other.node.name:
                return isinstance(a.iter, nodes.Name) and a.iter.name == "nav"
        return False
    # An Operand (one side of a Compare) is not a parent of its own: its expression's parent
    # is the Compare.
    below = above if isinstance(node, nodes.Operand) else [*above, node]
    return all(_current_only_against_nav(child, below) for child in node.iter_child_nodes())
