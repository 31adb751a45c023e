"""The intervention planner, headless: before/after equal Model.compare; the export text."""

from __future__ import annotations

import itertools
import re
from typing import Any

import ipywidgets as w
import pytest
from markupsafe import escape

from igm import list_cases, model_for
from igm.i18n import LANGUAGES, t
from igm.report import (
    bottleneck_sentence,
    estimate_note,
    estimated_effects,
    in_sentence,
    lever_name,
)
from widgets.planner import Planner, combined_effects

CASES = list_cases()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_builds_and_before_after_equal_the_engine(case_id: str, lang: str) -> None:
    planner = Planner(case_id, lang)
    case = planner.case
    model = model_for(case.domain)
    ids = [i.id for i in case.interventions]
    for size in (0, 1, 2, len(ids)):
        for chosen in itertools.islice(itertools.combinations(ids, size), 3):
            planner.choose(chosen)
            effects = combined_effects(case.intervention(i) for i in chosen)
            expected = model.compare(case.scores, effects)
            got = planner.comparison()
            assert got.before == expected.before
            assert got.after == expected.after
            assert f'data-value="{expected.before.behaviour_probability!r}"' in (
                planner.before_out.value
            )
            assert f'data-value="{expected.after.behaviour_probability!r}"' in (
                planner.after_out.value
            )


def test_combined_effects_add_up() -> None:
    case = next(c for c in CASES if c.id == "marja-bijstand")
    total = combined_effects(case.interventions)
    for key in total:
        assert total[key] == sum(i.effects.get(key, 0) for i in case.interventions)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_export_text_contains_the_chosen_interventions(lang: str) -> None:
    planner = Planner("marja-bijstand", lang)
    chosen = [planner.case.interventions[0], planner.case.interventions[2]]
    planner.choose([i.id for i in chosen])
    text = planner.export_box.value
    assert text == planner.export()
    for item in chosen:
        assert item.label(lang) in text
    not_chosen = planner.case.interventions[1]
    assert not_chosen.label(lang) not in text
    assert planner.case.name in text
    assert t("notice.illustrative", lang) in text
    planner.choose([])
    assert t("export.none", lang) in planner.export_box.value


def test_language_switch_keeps_the_plan() -> None:
    planner = Planner("lotte-na-burn-out", "nl")
    first = planner.case.interventions[0]
    planner.choose([first.id])
    planner.set_language("en")
    assert [i.id for i in planner.chosen] == [first.id]
    assert first.label("en") in planner.export_box.value
    assert planner.checks[first.id].description == first.label("en")


def test_levers_chart_ranks_after_the_plan() -> None:
    planner = Planner("marja-bijstand", "en")
    planner.choose([planner.case.interventions[0].id])
    names = [r["name"] for r in planner.levers_chart.spec["data"]["values"]]
    expected = [lever_name(lever.key, "en") for lever in planner.comparison().after.levers]
    assert names == expected  # named as levers: capacity reads as adapting the work
    assert planner.levers_chart.spec["encoding"]["y"]["axis"]["labelLimit"] >= 400  # not cut


def _all_html(widget: Any) -> str:
    """The HTML of every HTML widget in the tree, in order."""
    found = [widget.value] if isinstance(widget, w.HTML) else []
    for child in getattr(widget, "children", ()):
        found.append(_all_html(child))
    return "\n".join(found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_export_is_a_practice_plan_for_a_fictional_case(lang: str) -> None:
    planner = Planner("marja-bijstand", lang)
    planner.choose([planner.case.interventions[0].id])
    lines = planner.export().splitlines()
    assert lines[0] == t("export.header", lang, name=planner.case.name)
    assert lines[1] == t("export.practice_only", lang)
    fictional = {"nl": "verzonnen casus", "en": "fictional case"}[lang]
    real_clients = {"nl": "niet voor echte klanten", "en": "not for real clients"}[lang]
    assert fictional in lines[0]
    label = planner.export_box.description
    assert fictional in label and real_clients in label
    for old in ("kopiëren", "paste", "Plan van aanpak (", "Action plan ("):
        assert old not in label and old not in lines[0]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_every_effect_is_labelled_as_the_case_authors_estimate(case_id: str, lang: str) -> None:
    planner = Planner(case_id, lang)
    case = planner.case
    page = _all_html(planner.widget)
    assert escape(estimate_note(case, lang)) in page
    assert escape(case.target_behaviour.time(lang)) in page  # the time frame
    for item in case.interventions:
        assert escape(estimated_effects(item.effects, lang)) in page
    planner.choose([i.id for i in case.interventions])
    text = planner.export()
    for item in case.interventions:
        line = next(x for x in text.splitlines() if x.startswith(f"- {item.label(lang)} ("))
        assert line.endswith(estimated_effects(item.effects, lang))
    assert estimate_note(case, lang) in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_capacity_as_knelpunt_reads_as_adapting_the_work(lang: str) -> None:
    planner = Planner("lotte-na-burn-out", lang)
    planner.choose([])
    assert planner.comparison().after.bottleneck == "capacity"
    text = planner.export()
    after = planner.comparison().after
    assert t("export.after_plan", lang, sentence=bottleneck_sentence(after, lang)) in text
    assert f"{t('output.bottleneck', lang)}: {in_sentence(lever_name('capacity', lang))}." in text
    assert lever_name("capacity", lang) in planner.levers_text.value
    push = re.compile(r"verhoog|\braise", re.I)
    assert not push.search(text)
    assert not push.search(_all_html(planner.widget))
