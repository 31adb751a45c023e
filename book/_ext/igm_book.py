"""Sphinx extension of the igm-kit book: generated pages, the interactive model, offline maths.

What it adds to a Jupyter Book 1 edition (``book/nl`` or ``book/en``; the edition's language
is Sphinx's ``language`` setting):

- ``config-inited``: writes one page per case into ``cases/`` (from the case YAML, through
  the engine) and the local vega bundle into ``book/_static`` if it is missing.
- Directives whose content comes from the engine, never typed twice:
  ``igm-model`` (the interactive model; ``:case:`` or ``:domain:``), ``igm-formula``
  (LaTeX from the weights), ``igm-symbols``, ``igm-weights``, ``igm-references``,
  ``igm-glossary``.
- An HTML maths renderer ``igm_mathml``: LaTeX becomes MathML at build time (latex2mathml),
  so no MathJax is fetched when the page is read.
- On every page: the "illustrative" notice (the theme's announcement bar) and a link to the
  same page in the other edition (``_templates/igm-lang-switch.html``).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from igm.cases import find_case
from igm.determinants import DETERMINANTS
from igm.i18n import LANGUAGES, t
from igm.weights import DOMAINS, domain_weights
from widgets import book

_STATIC = Path(__file__).resolve().parent.parent / "_static"


def _lang(env_or_app: Any) -> str:
    config = env_or_app.config
    lang = str(config.language or "nl")
    if lang not in LANGUAGES:
        raise ValueError(f"book language {lang!r} not in {LANGUAGES}")
    return lang


class _MarkdownDirective(SphinxDirective):
    """A directive that generates MyST Markdown and parses it in place."""

    has_content = False

    def markdown(self) -> str:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.container(classes=["igm-generated"])
        lines = StringList(self.markdown().splitlines(), source=self.env.docname)
        self.state.nested_parse(lines, self.content_offset, container)
        return [container]


class ModelDirective(SphinxDirective):
    """The interactive model of one case (``:case: id``) or one domain (``:domain:``)."""

    option_spec = {"case": directives.unchanged, "domain": directives.unchanged}  # noqa: RUF012

    def run(self) -> list[nodes.Node]:
        lang = _lang(self.env)
        case_id = self.options.get("case")
        if case_id:
            case = find_case(case_id)
            domain, scores = case.domain, case.scores
        else:
            domain = self.options.get("domain", DOMAINS[0])
            if domain not in DOMAINS:
                raise self.error(f"unknown domain {domain!r}; allowed: {', '.join(DOMAINS)}")
            from igm.determinants import DeterminantScores

            scores = DeterminantScores.from_mapping(dict.fromkeys(DETERMINANTS, 4))
        serial = self.env.new_serialno("igm-model")
        element_id = f"igm-model-{case_id or domain}-{serial}"
        raw = book.model_html(
            domain=domain, scores=scores, lang=lang, element_id=element_id, case_id=case_id
        )
        return [nodes.raw("", raw, format="html")]


class FormulaDirective(SphinxDirective):
    """The formula with the numbers of one domain, generated from the engine's weights."""

    option_spec = {"domain": directives.unchanged}  # noqa: RUF012

    def run(self) -> list[nodes.Node]:
        domain = self.options.get("domain", DOMAINS[0])
        domain_weights(domain)  # fails loudly on an unknown domain
        out: list[nodes.Node] = []
        for latex in book.formula_latex(domain):
            node = nodes.math_block(latex, latex, nowrap=False, number=None, label=None)
            node["docname"] = self.env.docname
            out.append(node)
        return out


class SymbolsDirective(_MarkdownDirective):
    def markdown(self) -> str:
        return book.formula_symbols_markdown(_lang(self.env))


class WeightsDirective(_MarkdownDirective):
    def markdown(self) -> str:
        return book.weights_markdown(_lang(self.env))


class ReferencesDirective(_MarkdownDirective):
    def markdown(self) -> str:
        return book.references_markdown()


class GlossaryDirective(_MarkdownDirective):
    def markdown(self) -> str:
        return book.glossary_markdown(_lang(self.env))


# ---- maths as MathML -------------------------------------------------------------------------


def _mathml(latex: str, display: str) -> str:
    from latex2mathml.converter import convert

    return convert(latex.strip(), display=display)


def _visit_inline(self: Any, node: nodes.Node) -> None:
    self.body.append(f'<span class="math igm-math">{_mathml(node.astext(), "inline")}</span>')
    raise nodes.SkipNode


def _visit_block(self: Any, node: nodes.Node) -> None:
    parts = [p for p in re.split(r"\n\s*\n", node.astext()) if p.strip()]
    self.body.append('<div class="math igm-math">')
    self.body.extend(_mathml(p, "block") for p in parts)
    self.body.append("</div>")
    raise nodes.SkipNode


# ---- events ----------------------------------------------------------------------------------


def _generate(app: Sphinx, config: Any) -> None:
    book.write_vega_bundle(_STATIC)
    book.write_case_pages(Path(app.srcdir), _lang(app))
    # Numbers the prose quotes, taken from the engine: {{ n_draws }} etc. in the pages.
    config.myst_substitutions = {**(config.myst_substitutions or {}), **book.substitutions()}


def _page_extras(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Context for ``_templates/igm-lang-switch.html``: the same page in the other edition."""
    lang = _lang(app)
    other = next(x for x in LANGUAGES if x != lang)
    context["igm_other_lang"] = other
    context["igm_other_href"] = "../" * (pagename.count("/") + 1) + f"{other}/{pagename}.html"
    context["igm_other_label"] = t("book.other_language", lang)
    context["igm_other_nav"] = t("book.other_language.nav", lang)


def _theme_options(app: Sphinx, config: Any) -> None:
    """The illustrative notice as the announcement bar (every page), and the switch's slot."""
    lang = _lang(app)
    options = dict(config.html_theme_options or {})
    options["announcement"] = html.escape(t("notice.illustrative", lang))
    options["article_header_end"] = ["igm-lang-switch.html", "article-header-buttons.html"]
    config.html_theme_options = options


# The theme's collapsible sidebar sections are a <summary> with only an icon: give it a name.
_SUMMARY = re.compile(r'<summary>(<span class="toctree-toggle" role="presentation">)')


def _label_toggles(app: Sphinx, exc: BaseException | None) -> None:
    if exc is not None or app.builder.format != "html":
        return
    label = html.escape(t("book.nav.toggle", _lang(app)), quote=True)
    for path in Path(app.outdir).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        fixed = _SUMMARY.sub(rf'<summary aria-label="{label}">\1', text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("igm-model", ModelDirective)
    app.add_directive("igm-formula", FormulaDirective)
    app.add_directive("igm-symbols", SymbolsDirective)
    app.add_directive("igm-weights", WeightsDirective)
    app.add_directive("igm-references", ReferencesDirective)
    app.add_directive("igm-glossary", GlossaryDirective)
    app.add_html_math_renderer("igm_mathml", (_visit_inline, None), (_visit_block, None))
    app.connect("config-inited", _generate, priority=100)
    app.connect("config-inited", _theme_options)
    app.connect("html-page-context", _page_extras)
    app.connect("build-finished", _label_toggles)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
