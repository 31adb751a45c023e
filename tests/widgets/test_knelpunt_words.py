"""Every view says the honest knelpunt (issue 13): one knelpunt when the model names one, two
levers "ongeveer gelijk" when they are about equal, and "geen enkel knelpunt" (combine steps)
when no determinant stands out. The words come from igm.report, never from a lever's name alone.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
import pytest

from igm import DETERMINANTS, find_case, model_for
from igm.cases import Case, CaseScan
from igm.i18n import LANGUAGES, t
from igm.model import Prediction
from igm.report import bottleneck_sentence, in_sentence, lever_name
from widgets.case_editor import CaseEditor
from widgets.caseload_view import CaseloadView, knelpunt_counts
from widgets.explorer import Explorer
from widgets.planner import Planner

REPO_CASES = Path(__file__).resolve().parents[2] / "case_studies"
ABOUT_EQUAL = {"nl": "ongeveer gelijk", "en": "about equal"}
NONE = {"nl": "geen enkel knelpunt", "en": "no single bottleneck"}
COMBINE = {"nl": "Combineer stappen", "en": "Combine steps"}


def _text(widget: Any) -> str:
    """The text of every HTML widget in the tree (tags dropped, entities decoded)."""
    found = [widget.value] if isinstance(widget, w.HTML) else []
    for child in getattr(widget, "children", ()):
        found.append(_text(child))
    return html.unescape(re.sub(r"<[^>]+>", " ", "\n".join(found)))


def _flat(case_id: str, value: int) -> Case:
    case = find_case(case_id)
    return replace(case, scores=case.scores.with_values(dict.fromkeys(DETERMINANTS, value)))


def _predict(case: Case) -> Prediction:
    return model_for(case.domain).predict(case.scores)


def _assert_says_the_knelpunt(text: str, p: Prediction, lang: str) -> None:
    """``text`` holds the knelpunt's sentence; "no knelpunt" is never worded as a knelpunt."""
    assert " ".join(bottleneck_sentence(p, lang).split()) in " ".join(text.split())
    if p.bottleneck is None:
        assert COMBINE[lang] in text
        assert not re.search(r"knelpunt: (geen|–)|bottleneck: (no single|–)", text, re.I)
    if p.close_levers is not None:
        first, second = p.close_levers
        assert ABOUT_EQUAL[lang] in text
        assert in_sentence(lever_name(first, lang)) in text
        assert in_sentence(lever_name(second, lang)) in text
    assert not re.search(r"hefboom|\blever\b", text, re.I)  # one name for one thing


def test_the_cases_used_here_are_what_this_test_needs() -> None:
    hiba = _predict(find_case("hiba-ingenieur"))
    assert hiba.bottleneck is None
    assert hiba.close_levers == ("knowledge_skills", "home_situation")
    flat = _predict(_flat("marja-bijstand", 7))
    assert flat.bottleneck is None and flat.close_levers is None
    assert _predict(find_case("marja-bijstand")).bottleneck == "home_situation"
    assert _predict(_flat("hiba-ingenieur", 4)).bottleneck is None  # a flat profile


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case_id", ["hiba-ingenieur", "marja-bijstand", "lotte-na-burn-out"])
def test_explorer_says_the_knelpunt_of_the_case(case_id: str, lang: str) -> None:
    explorer = Explorer(case_id, lang)
    p = explorer.prediction
    shown = html.unescape(explorer.bottleneck_out.value)
    assert bottleneck_sentence(p, lang) in shown
    _assert_says_the_knelpunt(_text(explorer.widget), p, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("value", [1, 4, 7])
def test_explorer_says_there_is_no_single_knelpunt_for_a_flat_profile(
    value: int, lang: str
) -> None:
    explorer = Explorer("marja-bijstand", lang)
    for slider in explorer.sliders.values():
        slider.value = value
    p = explorer.prediction
    assert p.bottleneck is None
    shown = html.unescape(explorer.bottleneck_out.value)
    assert (NONE if p.close_levers is None else ABOUT_EQUAL)[lang] in shown.lower()
    _assert_says_the_knelpunt(_text(explorer.widget), p, lang)


def _planner(case: Case, lang: str) -> Planner:
    return Planner(case.id, lang, scan=CaseScan((case,), ()))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "case",
    [find_case("hiba-ingenieur"), _flat("hiba-ingenieur", 7), _flat("karim-klantmanager", 4)],
)
def test_planner_says_there_is_no_single_knelpunt_after_the_plan(case: Case, lang: str) -> None:
    planner = _planner(case, lang)
    after = planner.comparison().after
    assert after.bottleneck is None
    text = planner.export()
    assert t("export.after_plan", lang, sentence=bottleneck_sentence(after, lang)) in text
    _assert_says_the_knelpunt(text, after, lang)
    _assert_says_the_knelpunt(_text(planner.widget), after, lang)
    # The old line crowned one determinant after every plan ("Knelpunt na het plan: X.").
    assert {"nl": "Knelpunt na het plan:", "en": "Bottleneck after the plan:"}[lang] not in text
    if after.close_levers is not None:  # the levers chart's sentence does not crown one of two
        assert ABOUT_EQUAL[lang].split()[0] in html.unescape(planner.levers_text.value)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_planner_names_a_knelpunt_that_stands_out(lang: str) -> None:
    planner = Planner("marja-bijstand", lang)
    after = planner.comparison().after
    assert after.bottleneck == "home_situation"
    named = (
        t("output.bottleneck", lang) + ": " + in_sentence(lever_name("home_situation", lang)) + "."
    )
    assert named in planner.export()  # "Knelpunt: Thuissituatie."
    _assert_says_the_knelpunt(planner.export(), after, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_view_offers_its_text_for_a_real_plan_van_aanpak(lang: str) -> None:
    """The planner's text is a practice plan for a fictional case: it warns against a real
    plan van aanpak and never invites copying into one."""
    planner = Planner("hiba-ingenieur", lang)
    planner.choose([i.id for i in planner.shown_case.interventions])
    texts = [planner.export(), _text(planner.widget), str(planner.export_box.description)]
    texts.append(_text(Explorer("hiba-ingenieur", lang).widget))
    invitation = re.compile(r"kopi[eë]r|om te plakken|to copy|paste (it )?into", re.I)
    for text in texts:
        assert not invitation.search(text), text
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if re.search(r"plan van aanpak|action plan", sentence, re.I):
                assert re.search(r"\bniet\b|\bnot\b", sentence, re.I), sentence


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "case",
    [find_case("hiba-ingenieur"), _flat("marja-bijstand", 7), find_case("milan-startkwalificatie")],
)
def test_case_editor_live_panel_says_the_knelpunt(cases_dir: Path, case: Case, lang: str) -> None:
    editor = CaseEditor(lang)
    editor.fields["domain"].control.value = case.domain
    for key, slider in editor.sliders.items():
        slider.value = round(case.scores[key])
    p = model_for(case.domain).predict(editor.scores())
    assert p == _predict(case)
    panel = html.unescape(re.sub(r"<[^>]+>", " ", editor.live.value))
    _assert_says_the_knelpunt(panel, p, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_caseload_view_counts_clients_without_a_knelpunt(lang: str) -> None:
    """Clients for whom the model names no single knelpunt (None) are counted as such; a
    selection where nobody has one (all flat) does not break the view."""
    flat = pd.DataFrame([dict.fromkeys(DETERMINANTS, v) for v in (1, 4, 7)])
    flat["domain"], flat["group"], flat["behaviour"] = (
        "job_search",
        "long_term_job_seeker",
        [0, 0, 1],
    )
    flat["client_id"] = ["a", "b", "c"]
    view = CaseloadView(flat, lang)
    assert view.data["bottleneck"].isna().all()
    assert knelpunt_counts(view.data) == (0, 3)
    summary = html.unescape(view.potential_text.value)
    assert t("caseload.knelpunt_counts", lang, named=0, none=3) in summary
