"""One number formatter: Dutch text writes decimal commas, English text decimal points.

Every place a learner reads a number is checked in both languages: the catalogue, the CLI's
``igm predict`` for every case, the explorer, planner and caseload apps (every HTML text of the
widget), their charts (the Vega number locale), the live projector view, and each exercise's
public view and feedback. The built book pages are checked in tests/book/test_decimal_marks.py.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import ipywidgets as w
import pytest

from exercises import EXERCISE_IDS, get_exercise
from exercises._base import InvalidAnswer, check_number
from igm.cases import Case, list_cases
from igm.i18n import LANGUAGES, catalogue, fmt_number
from igm_kit.cli import main
from tests.exercises.answers import perfect, wrong
from widgets.caseload_view import (
    CaseloadView,
    potential_spec,
    relevance_spec,
    scatter_spec,
)
from widgets.explorer import Explorer, contribution_spec
from widgets.planner import Planner, compare_spec, levers_spec

#: A number written with the other language's decimal mark: "2.4" in Dutch, "2,4" in English.
#: Not part of a longer token (a version "1.2.3", a name "v2.4", a time "12.30u", a DOI
#: "10.1007/..."), and not a
#: thousands group ("€ 9.000" in Dutch, "1,000" in English: 1–3 digits, then exactly 3).
WRONG_DECIMAL = {
    "nl": re.compile(r"(?<![\w.,/])(?!\d{1,3}\.\d{3}(?![\w.]))\d+\.\d+(?![\w./])"),
    "en": re.compile(r"(?<![\w.,/])(?!\d{1,3},\d{3}(?![\w,]))\d+,\d+(?![\w,/])"),
}
_TAG = re.compile(r"<(style|script)\b.*?</\1>|<[^>]+>", re.DOTALL)


def wrong_decimals(text: str, lang: str) -> list[str]:
    """Numbers in ``text`` (HTML tags and style/script blocks left out) with the wrong mark."""
    plain = html.unescape(_TAG.sub(" ", text))
    return [
        plain[max(0, m.start() - 30) : m.end() + 30] for m in WRONG_DECIMAL[lang].finditer(plain)
    ]


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


def widget_texts(widget: w.Widget) -> Iterator[str]:
    """The text of every HTML widget, label and option below ``widget``."""
    if isinstance(widget, (w.HTML, w.HTMLMath, w.Label)):
        yield widget.value
    for attr in ("description", "tooltip", "placeholder"):
        value = getattr(widget, attr, None)
        if isinstance(value, str):
            yield value
    options = getattr(widget, "_options_labels", None)
    if options:
        yield from options
    for child in getattr(widget, "children", ()):
        yield from widget_texts(child)


def test_the_regexes_catch_what_they_should() -> None:
    assert wrong_decimals("gemiddeld 3.33 punt", "nl") == ["gemiddeld 3.33 punt"]
    assert not wrong_decimals("gemiddeld 3,33 punt, versie 1.2.3, om 12.30u, € 9.000", "nl")
    assert wrong_decimals("mean 3,33", "en") and not wrong_decimals("mean 3.33, 1, 2", "en")
    assert fmt_number(2.45, "nl") in {"2,5", "2,4"} and fmt_number(2.5, "en") == "2.5"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_texts_write_the_languages_decimal_mark(lang: str) -> None:
    bad = {
        key: found
        for key, text in catalogue().items()
        if (found := wrong_decimals(text(lang), lang))
    }
    assert not bad, bad


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cli_predict_of_every_case(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    for case in list_cases():
        case_id = case.id
        assert main(["predict", case_id, "--lang", lang]) == 0
        # a half score shows with the language's mark too
        assert main(["predict", case_id, "--lang", lang, "--set", "attitude=4.5"]) == 0
    out = capsys.readouterr().out
    assert not wrong_decimals(out, lang)
    assert f"4{fmt_number(0.5, lang, None)[1:]}" in out  # "4,5" / "4.5"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_explorer_and_planner_pages_of_every_case(lang: str) -> None:
    for case_id in (case.id for case in list_cases()):
        for app in (Explorer(case_id, lang), Planner(case_id, lang)):
            found = [x for text in widget_texts(app.widget) for x in wrong_decimals(text, lang)]
            assert not found, (case_id, type(app).__name__, found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_caseload_view_texts(lang: str) -> None:
    view = CaseloadView(lang=lang)
    found = [x for text in widget_texts(view.widget) for x in wrong_decimals(text, lang)]
    assert not found, found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_chart_formats_numbers_in_the_language(lang: str) -> None:
    """Axes, tooltips and format() in a chart follow the spec's locale (Vega ``config.locale``)."""
    from book.build import model_spec
    from exercises.dashboard import distribution_spec
    from igm.caseload import determinant_relevance, potential_for_change
    from igm.model import model_for

    case: Case = list_cases()[0]
    model = model_for(case.domain)
    before = model.predict(case.scores)
    comparison = model.compare(case.scores, {"attitude": 1.5})
    frame = CaseloadView(lang=lang).selected()
    specs = [
        contribution_spec(before, before, lang),
        compare_spec(comparison, lang),
        levers_spec(comparison, lang),
        scatter_spec(frame, lang),
        relevance_spec(determinant_relevance(frame), lang),
        potential_spec(potential_for_change(frame), lang),
        distribution_spec([0.5, 0.75], "t", lang),
        model_spec(case.domain, case.scores, lang),
    ]
    for spec in specs:
        assert spec["config"]["locale"]["number"]["decimal"] == fmt_number(0.5, lang)[1]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_exercise_views_and_feedback(lang: str) -> None:
    for exercise_id in EXERCISE_IDS:
        exercise = get_exercise(exercise_id)
        for learner in (f"learner-{i}" for i in range(8)):
            variant = exercise.make_variant(learner)
            texts = list(strings(variant.public_view(lang)))
            for answer in (perfect(variant), wrong(variant)):
                result = exercise.grade(variant, answer, lang)
                texts += [*result.feedback.values(), result.summary]
            found = [x for text in texts for x in wrong_decimals(text, lang)]
            assert not found, (exercise_id, learner, found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_answer_out_of_range_is_told_in_the_language(lang: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        check_number(7.5, 1, 7, "attitude", integer=False)
    message = caught.value.message(lang)
    assert fmt_number(7.5, lang, None) in message and not wrong_decimals(message, lang)
