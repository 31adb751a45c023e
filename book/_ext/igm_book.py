"""Sphinx extension of the igm-kit book: generated pages, the interactive model, offline maths.

What it adds to a Jupyter Book 1 edition (``book/nl`` or ``book/en``; the edition's language
is Sphinx's ``language`` setting):

- ``config-inited``: writes one page per valid case into ``cases/`` (from the case YAML,
  through the engine; invalid case files are skipped) and the local vega bundle into
  ``book/_static`` if it is missing.
- Roles: ``igm-text`` shows one string of a case file as plain text (see
  :func:`book.build.myst_text`: a case file is data, never markup), ``igm-number`` one
  engine number in the prose (``{igm-number}`n_draws```). The book needs no MyST
  substitutions, so there is no Jinja in its build.
- Pages cannot insert files or raw HTML by directive (``include``, ``literalinclude``,
  ``raw``): the docutils settings ``file_insertion_enabled`` and ``raw_enabled`` are off.
  The generated parts that are HTML (``igm-model``) are made here, as nodes.
- Directives whose content comes from the engine, never typed twice:
  ``igm-model`` (the interactive model; ``:case:`` or ``:domain:``), ``igm-formula``
  (LaTeX from the weights), ``igm-symbols``, ``igm-weights``, ``igm-references``,
  ``igm-glossary``, and ``igm-exercises`` (the chapter's graded exercises, linked, from the
  one map :data:`book.build.CHAPTER_EXERCISES`), ``igm-conversations`` (the practice
  conversations, each linked to the conversation simulator), and ``igm-check`` (the chapter's
  formative checks from ``book/checks.yml``, answered in the page; :mod:`book.checks`).
- An HTML maths renderer ``igm_mathml``: LaTeX becomes MathML at build time (latex2mathml),
  so no MathJax is fetched when the page is read.
- On every page: the "illustrative" notice (the theme's announcement bar) and a link to the
  same page in the other edition (``_templates/igm-lang-switch.html``).
- The search index stores section titles escaped (Sphinx 7's search page inserts them as HTML).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.states import Inliner
from docutils.statemachine import StringList
from markupsafe import Markup
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.search import js_index
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import docname_join
from sphinx.util.docutils import SphinxDirective

from book import accreditation, build
from igm.cases import find_case
from igm.determinants import DETERMINANTS
from igm.i18n import LANGUAGES, t
from igm.weights import DOMAINS, domain_weights

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
        raw = build.model_html(
            domain=domain,
            scores=scores,
            lang=lang,
            element_id=element_id,
            case_id=case_id,
            docname=self.env.docname,
        )
        return [nodes.raw("", raw, format="html")]


class FormulaDirective(SphinxDirective):
    """The formula with the numbers of one domain, generated from the engine's weights."""

    option_spec = {"domain": directives.unchanged}  # noqa: RUF012

    def run(self) -> list[nodes.Node]:
        domain = self.options.get("domain", DOMAINS[0])
        domain_weights(domain)  # fails loudly on an unknown domain
        out: list[nodes.Node] = []
        for latex in build.formula_latex(domain):
            node = nodes.math_block(latex, latex, nowrap=False, number=None, label=None)
            node["docname"] = self.env.docname
            out.append(node)
        return out


class ExercisesDirective(SphinxDirective):
    """The graded exercises that practise this chapter (:data:`book.build.CHAPTER_EXERCISES`),
    each a link to the exercise as ``igm serve`` serves it, with the note that it needs it."""

    def run(self) -> list[nodes.Node]:
        lang = _lang(self.env)
        docname = self.env.docname
        if docname not in build.CHAPTER_EXERCISES:
            raise self.error(f"no exercises for {docname!r} in book.build.CHAPTER_EXERCISES")
        items = nodes.bullet_list()
        for exercise_id in build.CHAPTER_EXERCISES[docname]:
            title = build.exercise_title(exercise_id, lang)
            href = build.exercise_href(docname, lang, exercise_id)
            link = nodes.reference(title, title, refuri=href, classes=["igm-exercise-link"])
            items += nodes.list_item("", nodes.paragraph("", "", link))
        note = nodes.paragraph(classes=["igm-book-app-note"])
        note += nodes.Text(t("book.model.open_app_note", lang))
        box = nodes.container(classes=["igm-exercises"])
        box += nodes.paragraph("", t("book.exercises.intro", lang))
        box += items
        box += note
        return [box]


def _literal(text: str) -> nodes.inline:
    """A string from a data file as one text node, shown as written: the HTML writer escapes
    it and Sphinx's smart quotes leave it alone (as the ``igm-text`` role does)."""
    node = nodes.inline(text, text)
    node["support_smartquotes"] = False  # read by sphinx.util.nodes.is_smartquotable
    return node


class ConversationsDirective(SphinxDirective):
    """The practice conversations (:func:`book.build.book_conversations`): title and summary
    of each, as text, and an "Open as app" link to the conversation simulator, made as the
    model's link is (:func:`book.build.app_href`) and with the same note that it needs
    ``igm serve``."""

    def run(self) -> list[nodes.Node]:
        lang = _lang(self.env)
        docname = self.env.docname
        label, note = t("book.model.open_app", lang), t("book.model.open_app_note", lang)
        items = nodes.bullet_list(classes=["igm-conversations"])
        for conversation in build.book_conversations():
            self.env.note_dependency(str(conversation.path))
            title = nodes.paragraph(
                "", "", nodes.strong("", "", _literal(conversation.title(lang)))
            )
            summary = nodes.paragraph("", "", _literal(conversation.summary(lang)))
            href = build.app_href(docname, lang, app="conversation", conversation=conversation.id)
            app = nodes.paragraph(classes=["igm-book-app"])
            app += nodes.reference(label, label, refuri=href)
            app += nodes.Text(" ")
            app += nodes.inline(note, note, classes=["igm-book-app-note"])
            items += nodes.list_item("", title, summary, app)
        return [items]


class CheckDirective(SphinxDirective):
    """The chapter's formative checks (``book/checks.yml``, :mod:`book.checks`): questions
    answered in the page, with feedback at once and nothing stored or sent."""

    def run(self) -> list[nodes.Node]:
        from book.checks import checks_html, load_checks

        docname = self.env.docname
        chapters = load_checks()
        if docname not in chapters:
            raise self.error(f"no checks for {docname!r} in book/checks.yml")
        prefix = "igm-check-" + re.sub(r"[^a-z0-9]+", "-", docname.lower()).strip("-")
        html_block = checks_html(chapters[docname], _lang(self.env), prefix)
        return [nodes.raw("", html_block, format="html")]


class SymbolsDirective(_MarkdownDirective):
    def markdown(self) -> str:
        return build.formula_symbols_markdown(_lang(self.env))


class WeightsDirective(_MarkdownDirective):
    def markdown(self) -> str:
        return build.weights_markdown(_lang(self.env))


class ReferencesDirective(_MarkdownDirective):
    """The sources as published (English titles and notes), marked ``lang="en"`` so that a
    screen reader reads them as English on a Dutch page, and number checks read them so too."""

    def markdown(self) -> str:
        return build.references_markdown()

    def run(self) -> list[nodes.Node]:
        opening = nodes.raw("", '<div lang="en">', format="html")
        return [opening, *super().run(), nodes.raw("", "</div>", format="html")]


class GlossaryDirective(_MarkdownDirective):
    def markdown(self) -> str:
        return build.glossary_markdown(_lang(self.env))


class AccreditationDirective(_MarkdownDirective):
    """Study load and learning goals of every chapter, read from the chapters (chapter 9)."""

    def markdown(self) -> str:
        lang = _lang(self.env)
        for name in accreditation.chapter_files(lang):  # rebuild when a chapter changes
            self.env.note_dependency(str(accreditation.BOOK_DIR / lang / f"{name}.md"))
        return accreditation.accreditation_markdown(lang)


# ---- roles -----------------------------------------------------------------------------------

_RoleResult = tuple[list[nodes.Node], list[nodes.system_message]]


def case_text_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict[str, Any] | None = None,
    content: Sequence[str] = (),
) -> _RoleResult:
    """``{igm-text}`<percent-encoded>```: one string of a case file, as one text node.

    The string is never parsed as Markdown, reST or HTML; the HTML writer escapes it. Smart
    quotes are off for it: a case text is shown exactly as the trainer wrote it.
    """
    try:
        value = build.case_text(text)
    except UnicodeDecodeError:
        msg = inliner.reporter.error(f"{name}: not percent-encoded UTF-8", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    shown = value.replace("\x00", "\ufffd")  # as CommonMark does; no NUL in the HTML
    node = nodes.inline(value, shown, classes=["igm-case-text"])
    node["support_smartquotes"] = False  # read by sphinx.util.nodes.is_smartquotable
    return [node], []


def number_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict[str, Any] | None = None,
    content: Sequence[str] = (),
) -> _RoleResult:
    """``{igm-number}`n_draws```: a number the prose quotes (:func:`build.substitutions`), in the
    edition's language (a count such as ``n_cases`` is a word: "acht", "eight")."""
    numbers = build.substitutions(_lang(inliner.document.settings.env))
    if text not in numbers:
        msg = inliner.reporter.error(
            f"{name}: unknown number {text!r}; known: {', '.join(sorted(numbers))}", line=lineno
        )
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return [nodes.Text(numbers[text])], []


class LinksToAbsentCases(SphinxPostTransform):
    """A link in the prose to a case page this build does not have becomes its link text.

    Case pages exist for the valid case files only: a case file that is invalid, or was
    removed, must not fail the book (a test in tests/book/test_case_text.py checks that every
    such link names a case of case_studies/, so a typo is still caught). Runs before MyST's
    reference resolver (priority 9), which would warn.
    """

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(addnodes.pending_xref)):
            target = str(node.get("reftarget", "")).split("#", 1)[0].removesuffix(".md")
            docname = docname_join(str(node.get("refdoc", self.env.docname)), target)
            if docname.startswith("cases/") and docname not in self.env.all_docs:
                node.replace_self(node.children)


# ---- maths as MathML -------------------------------------------------------------------------


def _mathml(latex: str, display: str) -> str:
    from latex2mathml.converter import convert

    return convert(latex.strip(), display=display)


# The HTML translator's own starttag writes (and escapes) the element; the MathML is
# latex2mathml's, made at build time from the book's own LaTeX.


def _visit_inline(self: Any, node: nodes.Element) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math igm-math"))
    self.body.append(_mathml(node.astext(), "inline"))
    self.body.append("</span>")
    raise nodes.SkipNode


def _visit_block(self: Any, node: nodes.Element) -> None:
    parts = [p for p in re.split(r"\n\s*\n", node.astext()) if p.strip()]
    self.body.append(self.starttag(node, "div", "", CLASS="math igm-math"))
    self.body.extend(_mathml(p, "block") for p in parts)
    self.body.append("</div>")
    raise nodes.SkipNode


# ---- events ----------------------------------------------------------------------------------


def _generate(app: Sphinx, config: Any) -> None:
    build.write_vega_bundle(_STATIC)
    build.write_case_pages(Path(app.srcdir), _lang(app))


def _no_file_insertion(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """No page inserts a file or raw HTML by directive (include, literalinclude, raw).

    The book's own pages do not need them, and a page that tried fails the strict build.
    ``igm-model`` is not affected: it returns its HTML as a node, not through ``raw``.
    """
    env.settings["file_insertion_enabled"] = False
    env.settings["raw_enabled"] = False


def _page_extras(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Context for ``_templates/igm-lang-switch.html``: the same page in every other edition,
    one link each, labelled in this edition's language (``book.read_in.<other>``)."""
    lang = _lang(app)
    up = "../" * (pagename.count("/") + 1)
    context["igm_other_editions"] = [
        {
            "lang": other,
            "href": f"{up}{other}/{pagename}.html",
            "label": t(f"book.read_in.{other}", lang),
        }
        for other in LANGUAGES
        if other != lang
    ]
    context["igm_other_nav"] = t("book.other_language.nav", lang)


def _escape_pagetitle(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """sphinx-book-theme sets ``pagetitle`` to the title's plain text and writes it unescaped
    into the print header (``<h1>{{ pagetitle }}</h1>``), where a case title ``<script>``
    would run. Connected after the theme's handler (priority 500); nothing else uses it.
    """
    if "pagetitle" in context:
        context["pagetitle"] = html.escape(str(context["pagetitle"]))


def _theme_options(app: Sphinx, config: Any) -> None:
    """The illustrative notice as the announcement bar (every page), and the switch's slot."""
    lang = _lang(app)
    options = dict(config.html_theme_options or {})
    options["announcement"] = html.escape(t("notice.illustrative", lang))
    options["article_header_end"] = ["igm-lang-switch.html", "article-header-buttons.html"]
    config.html_theme_options = options


# The theme's collapsible sidebar sections are a <summary> with only an icon: give it a name.
_SUMMARY = re.compile(r'<summary>(?=<span class="toctree-toggle" role="presentation">)')


def _label_toggles(app: Sphinx, exc: BaseException | None) -> None:
    if exc is not None or app.builder.format != "html":
        return
    # Markup.format escapes the label; a function as replacement takes it literally.
    opening = str(Markup('<summary aria-label="{}">').format(t("book.nav.toggle", _lang(app))))
    for path in Path(app.outdir).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        fixed = _SUMMARY.sub(lambda _match: opening, text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def _escape_search_titles(app: Sphinx, exc: BaseException | None) -> None:
    """Keep section titles escaped in the search index.

    Sphinx 7's search page writes the titles of matching sections into the page with
    innerHTML (searchtools.js; escaped there from Sphinx 8.2 on), while its index holds them
    as plain text: a case title ``<img onerror=...>`` would run when a reader searched for it.
    """
    path = Path(app.outdir) / "searchindex.js"
    if exc is not None or app.builder.format != "html" or not path.exists():
        return
    index = js_index.loads(path.read_text(encoding="utf-8"))
    index["alltitles"] = {
        html.escape(title, quote=False): where for title, where in index["alltitles"].items()
    }
    path.write_text(js_index.dumps(index), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_role(build.CASE_TEXT_ROLE, case_text_role)
    app.add_role(build.NUMBER_ROLE, number_role)
    app.add_post_transform(LinksToAbsentCases)
    app.add_directive("igm-model", ModelDirective)
    app.add_directive("igm-formula", FormulaDirective)
    app.add_directive("igm-symbols", SymbolsDirective)
    app.add_directive("igm-exercises", ExercisesDirective)
    app.add_directive("igm-conversations", ConversationsDirective)
    app.add_directive("igm-check", CheckDirective)
    app.add_directive("igm-weights", WeightsDirective)
    app.add_directive("igm-references", ReferencesDirective)
    app.add_directive("igm-glossary", GlossaryDirective)
    app.add_directive("igm-accreditation", AccreditationDirective)
    app.add_html_math_renderer("igm_mathml", (_visit_inline, None), (_visit_block, None))
    app.connect("config-inited", _generate, priority=100)
    app.connect("config-inited", _theme_options)
    app.connect("html-page-context", _page_extras)
    app.connect("html-page-context", _escape_pagetitle, priority=900)
    app.connect("env-before-read-docs", _no_file_insertion)
    app.connect("build-finished", _label_toggles)
    app.connect("build-finished", _escape_search_titles)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
