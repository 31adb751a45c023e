"""The practice plan as text (igm.report.plan_text): what the planner shows, copies, prints and
downloads. Marked as practice for a fictional case, the engine's numbers with the language's
decimal mark, and case text exactly as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from igm import model_for
from igm.cases import find_case, load_case
from igm.i18n import LANGUAGES, t
from igm.report import fmt_percent, fmt_points, plan_effects, plan_file_name, plan_text

HOSTILE = Path(__file__).resolve().parents[1] / "book" / "hostile" / "hostile-markup.yaml"


def _plan(case_id: str, lang: str, steps: int = 2) -> tuple[str, float, float]:
    case = find_case(case_id)
    chosen = case.interventions[:steps]
    comparison = model_for(case.domain).compare(case.scores, plan_effects(chosen))
    text = plan_text(case, chosen, comparison, lang)
    return text, comparison.before.behaviour_probability, comparison.after.behaviour_probability


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_plan_says_it_is_practice_for_a_fictional_case(lang: str) -> None:
    text, _before, _after = _plan("marja-bijstand", lang)
    lines = text.splitlines()
    assert lines[0] == t("export.header", lang, name="Marja")
    assert lines[1] == t("export.practice_only", lang)
    assert lines[-1] == t("notice.illustrative", lang)
    marking = {
        "nl": ("Oefenplan", "verzonnen casus", "geen besluit over een echt persoon"),
        "en": ("Practice plan", "fictional case", "no decision about a real person"),
    }[lang]
    assert all(words in text for words in marking)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_plan_gives_the_engines_numbers_with_the_languages_decimal_mark(lang: str) -> None:
    text, before, after = _plan("marja-bijstand", lang)
    assert fmt_percent(before, lang) in text
    assert fmt_percent(after, lang) in text
    assert fmt_points(after - before, lang) in text
    shown = fmt_percent(after, lang)
    assert ("," in shown) == (lang == "nl") and ("." in shown) == (lang == "en")


def test_a_plan_without_steps_says_so() -> None:
    text, before, after = _plan("marja-bijstand", "en", steps=0)
    assert t("export.none", "en") in text and before == after


@pytest.mark.parametrize("lang", LANGUAGES)
def test_hostile_case_text_stays_literal_in_the_plain_text(lang: str) -> None:
    case = load_case(HOSTILE)
    chosen = case.interventions
    comparison = model_for(case.domain).compare(case.scores, plan_effects(chosen))
    text = plan_text(case, chosen, comparison, lang)
    assert "<b>Bold</b> & <i>Co</i>" in text  # as written: not escaped, not stripped
    assert "<script>alert('label')</script>" in text
    assert "&lt;" not in text and "&amp;" not in text


def test_the_file_name_is_safe_and_in_the_language() -> None:
    case = find_case("marja-bijstand")
    assert plan_file_name(case, "nl") == "oefenplan-marja-bijstand.txt"
    assert plan_file_name(case, "en") == "practice-plan-marja-bijstand.txt"


def test_plan_effects_add_up_over_the_chosen_steps() -> None:
    case = find_case("marja-bijstand")
    total = plan_effects(case.interventions)
    for key, points in total.items():
        assert points == sum(i.effects.get(key, 0) for i in case.interventions)
