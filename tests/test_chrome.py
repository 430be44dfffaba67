"""The chrome rendered once (kanalregister.chrome): channel pages are the text that
Template.render gives, with the default templates and with overrides of every shape that
must fall back to rendering each page whole."""

from __future__ import annotations

import pytest
from conftest import DEMO, TODAY

from kanalregister import chrome, pipeline, render
from kanalregister.validate import load_register

BASE = (DEMO.parent / "templates" / "base.html").read_text(encoding="utf-8")
CHANNEL = (DEMO.parent / "templates" / "channel.html").read_text(encoding="utf-8")


def _renderer(override=None):
    reg, _w = load_register(DEMO, TODAY)
    content = render.load_content(render.default_dir("content"))
    return render.Renderer(reg, pipeline.template_dirs([override] if override else None), content, TODAY)


def _whole(r, c) -> str:
    """The page as Template.render gives it: the reference."""
    return r.env.get_template("channel.html").render(
        **r._common("../", f"kanal/{c.id}.html"), channel=c,
        successor=r._by_id.get(c.successor) if c.successor else None)


def test_default_templates_use_the_skeleton_and_give_the_same_pages():
    r = _renderer()
    pages = [r.channel_page(c) for c in r.register.channels]
    assert isinstance(r._channel_skeleton, chrome.Skeleton)  # the fast path is taken
    assert r._channel_skeleton.names == ("csp", "title", "head", "logo", "main")
    assert any(c.successor for c in r.register.channels) and any(not c.is_active for c in r.register.channels)
    for c, page in zip(r.register.channels, pages, strict=True):
        assert page.text == _whole(r, c), c.id


def _override(tmp_path, base=None, channel=None, files=None):
    folder = tmp_path / "profil"
    folder.mkdir()
    if base is not None:
        (folder / "base.html").write_text(base, encoding="utf-8")
    if channel is not None:
        (folder / "channel.html").write_text(channel, encoding="utf-8")
    for name, text in (files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


_HEAD = "<title>{% block title %}{% endblock %}"
# Overrides whose chrome may differ between channel pages: each page must be rendered whole.
FALLBACK = {
    "current printed (canonical link)": dict(
        base=BASE.replace(_HEAD, _HEAD + '<link rel="canonical" href="{{ current }}">')),
    "self.title() outside its block": dict(
        base=BASE.replace("</head>", '<meta name="t" content="{{ self.title() }}"></head>')),
    "include (sees the page's variables)": dict(base=BASE.replace("</body>", "{% include 'x.html' %}</body>"),
                                                files={"x.html": "<p class=x>{{ channel.id }}</p>"}),
    "channel read by the parent": dict(base=BASE.replace("</body>", "{% if channel is defined %}<p>{{ channel.id }}</p>"
                                                                    "{% endif %}</body>")),
    "a value set at the page's top level": dict(
        channel=CHANNEL.replace('{% extends "base.html" %}', '{% extends "base.html" %}{% set extra = channel.id %}'),
        base=BASE.replace("</body>", "{{ extra }}</body>")),
    "current compared with a constant": dict(base=BASE.replace("</body>", "{% if current != 'x' %}<p>{{ current }}</p>"
                                                                          "{% endif %}</body>")),
    "block inside a loop": dict(
        base=BASE.replace("{% block logo %}", "{% for i in [1] %}{% block extra %}{% endblock %}{% endfor %}"
                                              "{% block logo %}")),
    "page template does not extend": dict(channel="<p>{{ channel.name }}</p>\n"),
    "nav set anew": dict(base=BASE.replace("<footer", "{% set nav = [{'href': current, 'title': 't'}] %}<footer")),
}


@pytest.mark.parametrize("case", sorted(FALLBACK))
def test_overrides_that_may_differ_per_page_are_rendered_whole(tmp_path, case):
    r = _renderer(_override(tmp_path, **FALLBACK[case]))
    pages = [r.channel_page(c) for c in r.register.channels]
    assert r._channel_skeleton is None
    for c, page in zip(r.register.channels, pages, strict=True):
        assert page.text == _whole(r, c), c.id
    if case == "current printed (canonical link)":  # each page really is different
        c = r.register.channels[0]
        assert f'href="kanal/{c.id}.html"' in pages[0].text


def test_an_override_of_the_same_shape_uses_the_skeleton(tmp_path):
    base = BASE.replace("{% block logo %}", '<p class="banner">{{ organisation.name | upper }}</p>{% block logo %}')
    channel = CHANNEL.replace("{% block main %}", "{% block head %}<meta name=k content=\"{{ channel.id }}\">"
                                                  "{% endblock %}{% block main %}{{ super() }}")
    r = _renderer(_override(tmp_path, base=base, channel=channel))
    pages = [r.channel_page(c) for c in r.register.channels]
    assert isinstance(r._channel_skeleton, chrome.Skeleton)
    for c, page in zip(r.register.channels, pages, strict=True):
        assert page.text == _whole(r, c), c.id
        assert f'<meta name=k content="{c.id}">' in page.text and '<p class="banner">EXEMPELBY' in page.text


def test_a_template_error_in_a_block_is_still_reported_with_its_line(tmp_path):
    channel = CHANNEL.replace("{{ channel.department }}</p>", "{{ channel.no_such_field }}</p>", 1)
    r = _renderer(_override(tmp_path, channel=channel))
    with pytest.raises(render.SiteSourceError) as exc:
        r.channel_page(r.register.channels[0])
    d = exc.value.diagnostics[0]
    assert d.code == "template.undefined" and d.file.endswith("channel.html") and d.line == 4
