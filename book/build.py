"""The course book: its build, and the parts of its pages that are generated from the engine.

The book (``book/nl`` and ``book/en``, Jupyter Book 1) runs in the reader's browser with no
kernel and no network. Its interactive model is a Vega-Lite spec: one slider per determinant
(``alt.param`` bound to a range input) feeding ``transform_calculate`` expressions. Those
expressions, and the formula shown in LaTeX, are written out here from the engine's own
weights (:func:`igm.weights.domain_weights`), so the numbers live in one place only:
``igm/data/weights.yaml``. A browser test checks that the page and ``Model.predict`` agree.

Everything in this module is generated at build time by the Sphinx extension in
``book/_ext/igm_book.py``; :func:`build_book` runs the two builds (``igm book``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

import yaml
from jinja2 import Environment
from markupsafe import Markup

from igm.cases import Case, CaseScan, scan_cases
from igm.conversations import Conversation, scan_conversations
from igm.determinants import DETERMINANTS, KUNNEN, SCALE_MAX, SCALE_MIN, WILLEN, DeterminantScores
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, fmt_number, t
from igm.model import (
    CLOSE_GAIN_RATIO,
    CLOSE_RUNNER_UP_SHARE,
    DEFAULT_DRAWS,
    INTERVAL,
    MIN_BOTTLENECK_SHARE,
    model_for,
)
from igm.report import bottleneck_sentence, estimate_note, estimated_effects, lever_gain
from igm.resources import installed, package_path
from igm.weights import DOMAINS, Weight, domain_weights, sources

__all__ = [
    "BOOK_DIR",
    "CASE_TEXT_ROLE",
    "CHAPTER_EXERCISES",
    "NUMBER_ROLE",
    "VEGA_BUNDLE",
    "app_href",
    "book_conversations",
    "build_book",
    "case_page",
    "case_text",
    "count_in_words",
    "default_out",
    "exercise_href",
    "exercise_title",
    "formula_latex",
    "glossary",
    "glossary_markdown",
    "model_html",
    "model_spec",
    "myst_paragraphs",
    "myst_text",
    "references_markdown",
    "substitutions",
    "weights_markdown",
    "write_case_pages",
    "write_vega_bundle",
]

#: The book's sources (``book/nl``, ``book/en``, ``book/_ext``, ``book/_static``): package data
#: of ``book``, built in place in a source tree and copied to a work folder when installed.
BOOK_DIR = package_path("book")
#: What a build reads of :data:`BOOK_DIR` (the rest is this generator's own code).
BOOK_SOURCES: tuple[str, ...] = ("nl", "en", "_static", "_templates", "_ext", "glossary.yml")
#: The built book of an installed kit, in the working directory (``igm book``, ``igm serve``).
INSTALLED_OUT = "igm-book"
#: File name of the generated vega + vega-lite + vega-embed bundle in ``book/_static``.
VEGA_BUNDLE = "igm-vega.js"
#: The role that shows one string from a case file on a case page (``book/_ext/igm_book.py``).
CASE_TEXT_ROLE = "igm-text"
#: The role that shows one engine number in the prose (``{igm-number}`n_draws```).
NUMBER_ROLE = "igm-number"

#: Short symbols of the determinants in the formula, in canonical order.
_SYMBOL = {key: f"x_{{{i}}}" for i, key in enumerate(DETERMINANTS, start=1)}
#: Signal (parameter) name per determinant in the Vega-Lite spec.
_PARAM = {key: f"s_{key}" for key in DETERMINANTS}


# --------------------------------------------------------------------------------------------
# The interactive model
# --------------------------------------------------------------------------------------------


def _num(x: float) -> str:
    """A float as a JavaScript literal that round-trips exactly."""
    return repr(float(x))


def _expressions(domain: str) -> dict[str, str]:
    """Vega expressions for the curved shares, intention, ability and behaviour.

    Built from the engine's weights: normalised block weights, curve exponent, compensation
    exponent, base rate and ceiling. The structure mirrors :func:`igm.model.scale_share`,
    :func:`igm.model.power_mean` and :func:`igm.model.evaluate`.
    """
    weights = domain_weights(domain)
    shares = weights.normalised_values()
    span = SCALE_MAX - SCALE_MIN
    gamma = _num(weights.curve_exponent)
    expr: dict[str, str] = {}
    for key in DETERMINANTS:
        share = f"(({_PARAM[key]} - {_num(SCALE_MIN)}) / {_num(span)})"
        expr[f"x_{key}"] = f"1 - pow(1 - {share}, {gamma})"
    expr["intention"] = (
        "100 * (" + " + ".join(f"{_num(shares[k])} * datum.x_{k}" for k in WILLEN) + ")"
    )
    # Kunnen: the weighted power mean of igm.model.power_mean. With p < 0, a share of 0 gives
    # pow(0, p) = Infinity, the sum is Infinity and pow(Infinity, 1/p) = 0, as in numpy.
    p = weights.compensation_exponent.value
    expr["ability"] = (
        "100 * pow("
        + " + ".join(f"{_num(shares[k])} * pow(datum.x_{k}, {_num(p)})" for k in KUNNEN)
        + f", {_num(1.0 / p)})"
    )
    base, ceiling = weights.base_rate.value, weights.ceiling.value
    expr["behaviour"] = (
        f"100 * ({_num(base)} + ({_num(ceiling)} - {_num(base)})"
        " * (datum.intention / 100) * (datum.ability / 100))"
    )
    return expr


def _slider_label(key: str, lang: str) -> str:
    block = "willen" if key in WILLEN else "kunnen"
    return f"{t(f'block.{block}', lang)} · {t(f'determinant.{key}.name', lang)} "


def model_spec(domain: str, scores: DeterminantScores, lang: str) -> dict[str, Any]:
    """The Vega-Lite spec of the interactive model: seven sliders, three bars.

    The sliders start at ``scores``; their labels are the determinant names in ``lang``.
    """
    import altair as alt

    from widgets.theme import BLOCK_COLOURS, OKABE_ITO, config, inline_data, localised

    params = [
        alt.param(
            name=_PARAM[key],
            value=round(scores[key]),
            bind=alt.binding_range(
                min=int(SCALE_MIN),
                max=int(SCALE_MAX),
                step=1,
                name=_slider_label(key, lang),
            ),
        )
        for key in DETERMINANTS
    ]
    expr = _expressions(domain)
    labels = {
        "intention": t("output.intention", lang) + " (0–100)",
        "ability": t("output.ability", lang) + " (0–100)",
        "behaviour": t("output.behaviour", lang) + " (%)",
    }
    colours = {
        "intention": BLOCK_COLOURS["willen"],
        "ability": BLOCK_COLOURS["kunnen"],
        "behaviour": OKABE_ITO["bluish_green"],
    }
    order = list(labels)
    base = alt.Chart(inline_data([{"row": 1}]))
    for key in DETERMINANTS:
        base = base.transform_calculate(**{f"x_{key}": expr[f"x_{key}"]})
    chart = (
        base.transform_calculate(intention=expr["intention"])
        .transform_calculate(ability=expr["ability"])
        .transform_calculate(behaviour=expr["behaviour"])
        .transform_fold([*order], as_=["output", "value"])
        .transform_calculate(
            label=" + ".join(
                f"(datum.output === {json.dumps(k)} ? {json.dumps(v)} : '')"
                for k, v in labels.items()
            ),
            shown="format(datum.value, '.0f')",
        )
    )
    y = alt.Y("label:N", sort=[labels[k] for k in order], title=None)
    bars = chart.mark_bar(height=26).encode(
        x=alt.X("value:Q", scale=alt.Scale(domain=[0, 100]), title=None),
        y=y,
        color=alt.Color(
            "output:N",
            scale=alt.Scale(domain=order, range=[colours[k] for k in order]),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("label:N", title=" "),
            alt.Tooltip("value:Q", format=".1f", title=" "),
        ],
    )
    text = chart.mark_text(align="left", dx=4, fontSize=13).encode(x="value:Q", y=y, text="shown:N")
    layered = (
        (bars + text)
        .add_params(*params)
        .properties(
            width="container",
            height=120,
            description=t("book.model.chart_description", lang),
        )
    )
    spec: dict[str, Any] = layered.to_dict()
    spec.update(config())
    return localised(spec, lang)


def formula_latex(domain: str) -> list[str]:
    """The model's formula in LaTeX, general form first, then with this domain's numbers."""
    weights = domain_weights(domain)
    shares = weights.normalised_values()
    gamma = f"{weights.curve_exponent:g}"
    exponent = weights.compensation_exponent.value
    p, inverse = f"{exponent:g}", f"{1.0 / exponent:g}"

    def block(keys: tuple[str, ...], power: str = "") -> str:
        return " + ".join(f"{shares[k]:.3f}\\,{_SYMBOL[k]}{power}" for k in keys)

    base, ceiling = weights.base_rate.value, weights.ceiling.value
    return [
        r"x_k = 1 - \left(1 - \frac{s_k - 1}{6}\right)^{\gamma}, \qquad \gamma = " + gamma,
        r"I = 100 \sum_{k \in W} w_k x_k = 100\,(" + block(WILLEN) + ")",
        # Two lines: general form, then with the numbers (one line would not fit the page).
        r"A = 100 \left(\sum_{k \in K} w_k x_k^{\,p}\right)^{1/p}, \qquad p = " + p,
        r"A = 100\,\left(" + block(KUNNEN, f"^{{{p}}}") + rf"\right)^{{{inverse}}}",
        rf"P = b + (c - b)\,\frac{{I}}{{100}}\,\frac{{A}}{{100}} = {base:g} + {ceiling - base:g}"
        r"\,\frac{I}{100}\,\frac{A}{100}",
    ]


def formula_symbols_markdown(lang: str) -> str:
    """A list that says which determinant each symbol x_1..x_7 stands for."""
    return "\n".join(f"- ${_SYMBOL[k]}$: {t(f'determinant.{k}.name', lang)}" for k in DETERMINANTS)


def _templates() -> Environment:
    """The generator's HTML templates (``book/templates/``, autoescaped; ``book/_templates/``
    holds the Sphinx theme's own)."""
    from widgets.templates import environment

    return environment("book")


def _to_base_url(docname: str) -> str:
    """From the book page ``docname`` up to the base URL of ``igm serve``: one folder per part
    of ``docname`` plus two (``<lang>/``, ``book/``)."""
    return "../" * (docname.count("/") + 2)


def app_href(
    docname: str,
    lang: str,
    case_id: str | None = None,
    app: str = "explorer",
    *,
    conversation: str | None = None,
) -> str:
    """The link from the book page ``docname`` to an app, relative, with ``lang`` and the case
    (or, for the conversation simulator, the conversation).

    ``igm serve`` serves a page at ``<base_url>book/<lang>/<docname>.html`` and the apps at
    ``<base_url>voila/render/apps/``: going up one folder per part of ``docname`` plus two
    (``<lang>/``, ``book/``) reaches the base URL, whatever it is (``/``, ``/igm/``, a
    JupyterHub user prefix). From disk or a static host there is no app to reach; the note
    beside the link says so.
    """
    query = {"lang": lang} | ({"case": case_id} if case_id else {})
    query |= {"conversation": conversation} if conversation else {}
    return f"{_to_base_url(docname)}voila/render/apps/{quote(app)}.ipynb?{urlencode(query)}"


def book_conversations() -> tuple[Conversation, ...]:
    """The practice conversations the book links (``{igm-conversations}``): the valid files in
    the conversations folder beside the cases, as the apps list them. A file that is not valid
    is left out, as an invalid case file is (:func:`build_book` says which)."""
    return scan_conversations().conversations


#: The graded exercises that practise each chapter, by the chapter's page name: the one place
#: that ties chapters to exercises. ``{igm-exercises}`` in a chapter shows its list, linked.
CHAPTER_EXERCISES: dict[str, tuple[str, ...]] = {
    "01-why-behaviour": ("recognise-determinant",),
    "02-willen": ("recognise-determinant", "score-case"),
    "03-kunnen": ("recognise-determinant", "compare-clients"),
    "04-gap": ("compare-clients", "choose-knob"),
    "05-working-with-the-model": ("score-case", "choose-knob", "intervention-plan"),
    "05b-the-conversation": ("choose-knob", "intervention-plan", "conversation"),
    "06-cases": ("score-case", "compare-clients", "intervention-plan"),
    "07-the-model": ("compare-clients", "model-limits"),
    "08-beyond-job-seekers": ("recognise-determinant", "model-limits"),
    "09-for-trainers": (
        "recognise-determinant",
        "score-case",
        "compare-clients",
        "choose-knob",
        "intervention-plan",
        "conversation",
        "model-limits",
    ),
}


def exercise_href(docname: str, lang: str, exercise_id: str) -> str:
    """The link from the book page ``docname`` to a graded exercise, relative, in ``lang``.

    ``igm serve`` serves the exercises at ``<base_url>voila/render/exercises/<id>.ipynb`` (the
    landing page's links); see :func:`app_href` for how the link reaches the base URL.
    """
    query = urlencode({"lang": lang})
    return f"{_to_base_url(docname)}voila/render/exercises/{quote(exercise_id)}.ipynb?{query}"


def exercise_title(exercise_id: str, lang: str) -> str:
    """An exercise's title from the exercises' own texts (imported here: most book code does
    not need the exercises). An unknown id fails the build."""
    from exercises import get_exercise

    return get_exercise(exercise_id).title(lang)


def model_html(
    *,
    domain: str,
    scores: DeterminantScores,
    lang: str,
    element_id: str,
    case_id: str | None,
    docname: str,
) -> str:
    """The raw HTML block of one interactive model: chart, sliders, text readout, app link.

    ``book/_static/igm-book.js`` embeds the spec with vegaEmbed and keeps the readout in step.
    The readout starts with the engine's own prediction, so the page says something sensible
    even without JavaScript. ``docname`` is the page's Sphinx name (``cases/marja-bijstand``),
    which the link to the app is relative to (:func:`app_href`).
    """
    p = model_for(domain).predict(scores)
    # The spec goes into a <script> element, whose text is not HTML (entities stay as they
    # are): it is JSON with every "</" written "<\\/", so no text in it can end the element.
    spec = json.dumps(model_spec(domain, scores, lang), ensure_ascii=False).replace("</", "<\\/")
    return (
        _templates()
        .get_template("model.html")
        .render(
            lang=lang,
            element_id=element_id,
            domain=domain,
            case_id=case_id or "",
            app=app_href(docname, lang, case_id),
            intention=f"{p.intention:.0f}",
            ability=f"{p.ability:.0f}",
            behaviour=f"{100 * p.behaviour_probability:.0f}%",
            spec=Markup(spec),  # JSON made here from the engine's spec, safe as shown above
        )
    )


# --------------------------------------------------------------------------------------------
# Generated pages and parts of pages
# --------------------------------------------------------------------------------------------


def myst_text(text: str) -> str:
    """A string from a case file as MyST that shows it literally, whatever it holds.

    The one way case text enters the book's Markdown. The text goes inside the
    :data:`CASE_TEXT_ROLE` role, percent-encoded: what the parser sees is only letters,
    digits and ``%-._~``, so no character of the case can open a heading, list, table cell,
    fence, directive, role, substitution, maths, HTML or link, however long the line. The
    role decodes it into one plain text node (:func:`case_text`) that Sphinx's smart quotes
    leave alone, so quotes and dashes stay as written too. (Backslash-escaping every ASCII
    punctuation character also stops the parser, but not what runs after it: Sphinx's smart
    quotes still turn an escaped ``'`` or ``--`` into typographic characters.)
    """
    if not text:
        return ""  # an empty role is not a role; nothing to show
    return f"{{{CASE_TEXT_ROLE}}}`{quote(text, safe='')}`"


def case_text(encoded: str) -> str:
    """The case string that :func:`myst_text` encoded (used by the role)."""
    return unquote(encoded, errors="strict")


def myst_paragraphs(text: str) -> str:
    """A multi-paragraph case text (a narrative): one :func:`myst_text` per paragraph."""
    paragraphs = (p.strip() for p in re.split(r"\n[ \t]*\n", text.strip()))
    return "\n\n".join(myst_text(p) for p in paragraphs if p)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def case_page(case: Case, lang: str) -> str:
    """One case page in MyST Markdown: story, target behaviour, scores, model, interventions.

    Every string from the case file goes through :func:`myst_text` (or
    :func:`myst_paragraphs`): a case file is data, and its text reaches the page as text.
    """
    model = model_for(case.domain)
    p = model.predict(case.scores)
    tb = case.target_behaviour
    lines = [
        f"# {myst_text(case.title(lang))}",
        "",
        ":::{note}",
        t("notice.fictional", lang) + " " + t("book.case.generated", lang),
        ":::",
        "",
        f"**{t(f'group.{case.group}', lang)}** · {t(f'domain.{case.domain}', lang)}",
        "",
        myst_text(case.summary(lang)),
        "",
        f"## {t('book.case.story', lang)}",
        "",
        myst_paragraphs(case.narrative(lang)),
        "",
        f"## {t('output.target_behaviour', lang)}",
        "",
        f"| {t('book.case.tact', lang)} | {t('book.case.tact.description', lang)} |",
        "|---|---|",
    ]
    for part in ("action", "target", "context", "time"):
        lines.append(
            f"| {t(f'book.case.tact.{part}', lang)} | {myst_text(getattr(tb, part)(lang))} |"
        )
    lines += [
        "",
        f"## {t('book.case.scores', lang)}",
        "",
        f"| {t('book.case.determinant', lang)} | {t('output.scores', lang)} | "
        f"{t('book.case.evidence', lang)} |",
        "|---|---|---|",
    ]
    for key in DETERMINANTS:
        block = "willen" if key in WILLEN else "kunnen"
        lines.append(
            f"| {t(f'block.{block}', lang)}: {t(f'determinant.{key}.name', lang)} "
            f"| {fmt_number(case.scores[key], lang, None)} | {myst_text(case.evidence[key](lang))} |"
        )
    lo, hi = p.behaviour_interval
    lines += [
        "",
        f"## {t('book.case.model', lang)}",
        "",
        t(
            "book.case.prediction",
            lang,
            intention=f"{p.intention:.0f}",
            ability=f"{p.ability:.0f}",
            behaviour=_pct(p.behaviour_probability),
            low=_pct(lo),
            high=_pct(hi),
        )
        + " "
        + bottleneck_sentence(p, lang),
        "",
        f"{t('output.levers', lang)}:",
        "",
    ]
    for lever in p.levers[:3]:
        gain = lever_gain(lever.key, lever.gain, lang)
        score = fmt_number(lever.score, lang, None)
        lines.append(f"1. {t(f'determinant.{lever.key}.name', lang)} ({score}): {gain}")
    lines += [
        "",
        t("book.case.try", lang),
        "",
        "```{igm-model}",
        f":case: {case.id}",
        "```",
        "",
        f"## {t('book.case.interventions', lang)}",
        "",
        estimate_note(case, lang, literal=myst_text),
        "",
    ]
    for item in case.interventions:
        cmp = model.compare(case.scores, item.effects)
        lines += [
            f"**{myst_text(item.label(lang))}**: {myst_text(item.description(lang))}",
            "",
            f"- {estimated_effects(item.effects, lang)}",
            f"- {t('book.case.effort', lang, effort=item.effort)}",
            f"- {t('book.case.gain', lang, before=_pct(cmp.before.behaviour_probability), after=_pct(cmp.after.behaviour_probability))}",
            "",
        ]
    lines += [f"## {t('book.case.reflection', lang)}", ""]
    lines += [f"1. {t(f'book.case.reflection.{i}', lang)}" for i in range(1, 5)]
    lines.append("")
    return "\n".join(lines)


def count_in_words(count: int, lang: str) -> str:
    """A small count as a word in the reader's language ("acht", "eight"); digits above twenty."""
    words = [word.strip() for word in t("book.number_words", lang).split(",")]
    return words[count] if 0 <= count < len(words) else str(count)


def substitutions(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Numbers that the book's prose quotes, by name (``{igm-number}`n_draws```): the engine's,
    and the number of cases (the valid files in case_studies/, as the case pages are made)."""
    low, high = INTERVAL
    return {
        "n_cases": count_in_words(len(scan_cases().cases), lang),
        "n_draws": str(DEFAULT_DRAWS),
        "interval_low": f"{low:g}",
        "interval_high": f"{high:g}",
        "interval_width": f"{high - low:g}",
        # The knelpunt rule (igm.model), as whole percentages.
        "bottleneck_share": f"{100 * MIN_BOTTLENECK_SHARE:.0f}",
        "close_ratio": f"{100 * CLOSE_GAIN_RATIO:.0f}",
        "close_share": f"{100 * CLOSE_RUNNER_UP_SHARE:.0f}",
    }


def write_case_pages(source_dir: Path, lang: str, scan: CaseScan | None = None) -> list[Path]:
    """Write one page per valid case into ``source_dir/cases`` (generated; git-ignored).

    Invalid case files are skipped (:func:`igm.cases.scan_cases`; :func:`build_book` says
    which), and a page whose case is gone or skipped is removed, so the chapter's
    ``cases/*`` list never points at a case that is not there.
    """
    folder = source_dir / "cases"
    folder.mkdir(exist_ok=True)
    written = []
    cases = (scan if scan is not None else scan_cases()).cases
    wanted = {f"{c.id}.md" for c in cases}
    for old in folder.glob("*.md"):
        if old.name not in wanted:
            old.unlink()
    for case in cases:
        path = folder / f"{case.id}.md"
        text = case_page(case, lang)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")  # unchanged files keep Sphinx's cache
        written.append(path)
    return written


def _range(low: float, high: float, lang: str) -> str:
    """A weight's range in the reader's language, e.g. ``"0,02 tot 0,1"``."""
    low_text, high_text = (fmt_number(x, lang, None).replace("-", "\u2212") for x in (low, high))
    return t("book.weights.between", lang, low=low_text, high=high_text)


def weights_markdown(lang: str) -> str:
    """Tables of the weights per domain, with ranges and source keys, from weights.yaml."""
    out: list[str] = []
    first = domain_weights(DOMAINS[0])

    def number(value: float) -> str:
        return fmt_number(value, lang, None).replace("-", "\u2212")  # a minus sign, not a hyphen

    def row(name: str, weight: Weight) -> str:
        return (
            f"| {name} | {number(weight.value)} | {_range(weight.low, weight.high, lang)} "
            f"| {', '.join(weight.sources)} |"
        )

    out += [
        f"| {t('book.weights.parameter', lang)} | {t('book.weights.value', lang)} | "
        f"{t('book.weights.range', lang)} | {t('book.weights.sources', lang)} |",
        "|---|---|---|---|",
        row(f"{t('book.weights.base_rate', lang)} $b$", first.base_rate),
        row(f"{t('book.weights.ceiling', lang)} $c$", first.ceiling),
        row(f"{t('book.weights.compensation', lang)} $p$", first.compensation_exponent),
        f"| {t('book.weights.exponent', lang)} $\\gamma$ | {number(first.curve_exponent)} | – | "
        "crutzen2017, assumption |",
        "",
    ]
    for domain in DOMAINS:
        w = domain_weights(domain)
        shares = w.normalised_values()
        out += [
            f"**{t(f'domain.{domain}', lang)}**",
            "",
            f"| {t('book.case.determinant', lang)} | {t('book.weights.value', lang)} | "
            f"{t('book.weights.share', lang)} | {t('book.weights.range', lang)} | "
            f"{t('book.weights.sources', lang)} |",
            "|---|---|---|---|---|",
        ]
        for key in DETERMINANTS:
            weight = w.relative(key)
            block = "willen" if key in WILLEN else "kunnen"
            out.append(
                f"| {t(f'block.{block}', lang)}: {t(f'determinant.{key}.name', lang)} "
                f"| {number(weight.value)} | {fmt_number(shares[key], lang, 3)} "
                f"| {_range(weight.low, weight.high, lang)} | {', '.join(weight.sources)} |"
            )
        out.append("")
    return "\n".join(out)


def references_markdown() -> str:
    """The model's sources from weights.yaml as a list, by key."""
    return (
        "\n".join(
            f"- **{key}**: {text}" for key, text in sorted(sources().items()) if key != "assumption"
        )
        + f"\n- **assumption**: {sources()['assumption']}\n"
    )


def glossary(path: Path | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """The glossary (``book/glossary.yml``): ``{key: {lang: {term, definition}}}``."""
    raw: dict[str, Any] = yaml.safe_load(
        (path or BOOK_DIR / "glossary.yml").read_text(encoding="utf-8")
    )
    return raw


def glossary_markdown(lang: str) -> str:
    """A MyST ``glossary`` directive with every entry in ``lang``, sorted by term."""
    entries = sorted(glossary().values(), key=lambda e: e[lang]["term"].lower())
    lines = ["```{glossary}", ":sorted:", ""]
    for entry in entries:
        lines += [entry[lang]["term"], "  " + " ".join(entry[lang]["definition"].split()), ""]
    lines.append("```")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------


def write_vega_bundle(static_dir: Path, *, force: bool = False) -> Path:
    """Write vega + vega-lite + vega-embed as one local script (wrapped: Sphinx owns ``_``)."""
    path = static_dir / VEGA_BUNDLE
    if path.exists() and not force:
        return path
    import vl_convert as vlc

    static_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    # The stub asks for a snippet; without one vl-convert puts vega, vegaLite and vegaEmbed
    # on window, which is what the book's script uses.
    bundle: str = vlc.javascript_bundle()  # type: ignore[call-arg]
    tmp.write_text("(function(){\n" + bundle + "\n})();\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _write_index(html_dir: Path) -> Path:
    """The page above the editions (``<out>/index.html``): a link to each language's book."""
    path = html_dir / "index.html"
    page = _templates().get_template("index.html").render(default_lang=DEFAULT_LANGUAGE)
    path.write_text(page, encoding="utf-8")
    return path


def default_out(book_dir: Path | None = None) -> Path:
    """Where ``igm book`` writes the built book and ``igm serve`` finds it.

    Sources in a source tree (a checkout: ``make run``) are built in place, into
    ``book/_build/html`` (git-ignored). An installed kit never writes into its package folder:
    its book goes to ``./igm-book/`` in the working directory.
    """
    sources = (book_dir or BOOK_DIR).resolve()
    if installed(sources):
        return Path.cwd() / INSTALLED_OUT
    return sources / "_build" / "html"


def _work_copy(sources: Path, html_dir: Path) -> Path:
    """A writable copy of the installed book's sources for a build into ``html_dir``.

    The build writes into its sources (the case pages, the vega bundle, Sphinx's work
    folders), so an installed kit builds a copy, kept in the kit's cache folder
    (``$IGM_CACHE_DIR`` or ``~/.cache/igm-kit``), one per output folder. Copying over an
    earlier copy keeps its generated files; an upgraded kit's sources replace the old ones.
    """
    import hashlib

    from widgets.offline import cache_dir

    key = hashlib.sha256(str(html_dir).encode()).hexdigest()[:12]
    root = cache_dir() / "book" / key
    root.mkdir(parents=True, exist_ok=True)
    for name in BOOK_SOURCES:
        source = sources / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "_build", "cases", ".ipynb_checkpoints")
            shutil.copytree(source, root / name, ignore=ignore, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, root / name)
    return root


def build_book(
    *,
    languages: tuple[str, ...] = LANGUAGES,
    strict: bool = True,
    book_dir: Path | None = None,
    out: Path | None = None,
    progress: Callable[[str], None] | None = None,
    message_lang: str = DEFAULT_LANGUAGE,
) -> Path:
    """Build the book's editions to ``<out>/<lang>/`` with ``<out>/index.html``; return ``out``.

    ``out`` defaults to :func:`default_out` (``book/_build/html`` in a checkout, ``./igm-book``
    for an installed kit). Sources in a source tree (``book_dir``, default :data:`BOOK_DIR`)
    are built in place; installed ones in a copy (:func:`_work_copy`), never in the package.

    Each edition is built by ``jupyter-book build`` (HTML builder, ``--all``; with ``strict``
    also ``-W -n --keep-going``, so any warning fails the build). Jupyter Book 1 writes to
    ``<path-output>/_build/html``, so each edition is built in ``<sources>/_build/.work/<lang>``
    and then moved into place. Raises ``RuntimeError`` when a build fails.

    A case file that is not valid is skipped: one line per such file (in ``message_lang``)
    is passed to ``progress`` before the builds, and the book has the other cases.
    """
    say = progress or (lambda line: print(line, flush=True))
    # Invalid case files are left out of the book (write_case_pages); say so once, up front,
    # rather than in each edition's Sphinx log.
    for warning in scan_cases().warnings(message_lang):
        say(f"[igm book] {warning}")
    conversations = scan_conversations()  # the same for the practice conversations
    for file in conversations.skipped_files():
        found = [p for p in conversations.problems if p.file == file]
        more = t("case.skipped.more", message_lang, count=len(found) - 1) if len(found) > 1 else ""
        say(f"[igm book] {found[0].text(message_lang)}{more}")
    sources = (book_dir or BOOK_DIR).resolve()
    html_dir = (out or default_out(sources)).resolve()
    in_place = not installed(sources)
    root = sources if in_place else _work_copy(sources, html_dir)
    html_dir.mkdir(parents=True, exist_ok=True)
    write_vega_bundle(root / "_static")
    exe = Path(sys.executable).with_name("jupyter-book")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter_book.cli.main"]
    env = dict(os.environ)
    # The Sphinx extension (_ext/igm_book.py) imports this module: from the source tree built
    # in place, else from the installed package.
    importable = str(sources.parent if in_place else package_path("book").parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (importable, env.get("PYTHONPATH", "")) if p)
    for lang in languages:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}")
        work = root / "_build" / ".work" / lang
        args = [
            *command,
            "build",
            str(root / lang),
            "--path-output",
            str(work),
            "--builder",
            "html",
            "--all",
        ]
        if strict:
            args += ["-W", "-n", "--keep-going"]
        say(f"[igm book] {lang}: building {root / lang} ...")
        started = time.monotonic()
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
            raise RuntimeError(f"book build failed for {lang!r}:\n{tail}")
        target = html_dir / lang
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(work / "_build" / "html"), str(target))
        say(f"[igm book] {lang}: done in {time.monotonic() - started:.1f} s -> {target}")
    _write_index(html_dir)
    say(f"[igm book] open {html_dir / 'index.html'}")
    return html_dir
