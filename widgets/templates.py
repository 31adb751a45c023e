"""HTML from Jinja2 templates, autoescaped: the one way the kit's views write HTML.

Every package that writes HTML (``widgets``, ``apps``, ``book``) keeps its templates in its
own ``templates/`` folder and renders them through :func:`environment`: every value is
escaped unless it is :class:`markupsafe.Markup`, and a name missing from the context fails
loudly (``StrictUndefined``) instead of vanishing from the page. Case, learner and
participant text is never marked safe: it reaches the page as text.

The templates see the catalogue as ``t(key, lang, **values)`` and ``fmt_number``, and
``t_html(key, lang, **parts)`` for the few catalogue sentences that hold a piece of markup
(a ``<span>`` around a number): the sentence is escaped, then the parts (rendered by the
template itself, so escaped there) are put into its ``{placeholders}``.

This module imports no widget library: the app server and the book generator use it too.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from igm.i18n import LANGUAGES, fmt_number, t

__all__ = ["environment", "render", "t_html", "text_html"]


def t_html(key: str, lang: str, /, **parts: Markup | str) -> Markup:
    """The catalogue text ``key``, escaped, with ``parts`` in its placeholders.

    A part that is :class:`~markupsafe.Markup` (a fragment the template rendered) goes in as
    it is; any other part is escaped, like the sentence around it.
    """
    return escape(t(key, lang)).format(**parts)


@cache
def environment(package: str) -> Environment:
    """The template environment of ``package``: its ``templates/`` folder, autoescaped."""
    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are package data and never change while the kit runs: without this,
        # every render (each slider move's readout) stats its template file on disk.
        auto_reload=False,
    )
    env.globals.update(t=t, t_html=t_html, fmt_number=fmt_number, languages=LANGUAGES)
    return env


def render(name: str, /, **context: Any) -> str:
    """The widgets' template ``name`` (``widgets/templates/<name>``) filled with ``context``."""
    return environment("widgets").get_template(name).render(**context)


#: Elements :func:`text_html` may write: text containers, never anything that loads or runs.
_TEXT_TAGS = frozenset({"p", "h2", "h3", "h4", "span", "div"})


def text_html(
    tag: str,
    text: str,
    /,
    *,
    cls: str = "",
    role: str = "",
    element_id: str = "",
    strong: bool = False,
) -> str:
    """One element holding one text, e.g. ``<p class="igm-summary">…</p>`` (the text escaped).

    For the many one-line fragments of the views (a heading, an intro, a status line);
    anything with more structure has its own template.
    """
    if tag not in _TEXT_TAGS:
        raise ValueError(f"text_html writes only {sorted(_TEXT_TAGS)}, not {tag!r}")
    return render(
        "text.html", tag=tag, text=text, cls=cls, role=role, element_id=element_id, strong=strong
    )
