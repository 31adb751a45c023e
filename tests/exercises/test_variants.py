"""Does every learner get their own variant, and always the same one back?"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from exercises import EXERCISE_IDS, get_exercise
from exercises._shared import all_cases, grading_cases, score_case_choice
from exercises.choose_knob import ChooseKnobVariant
from exercises.compare_clients import CompareVariant
from exercises.model_limits import ModelLimitsVariant
from exercises.plan import PlanVariant
from exercises.recognise import RecogniseVariant
from exercises.score_case import ScoreCaseVariant
from igm.i18n import LANGUAGES, t

LEARNERS = [f"learner-{i:03d}" for i in range(20)]


def _view_without_fingerprint(view: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in view.items() if k != "variant"}, sort_keys=True)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_same_learner_gets_the_same_variant_back(exercise_id: str) -> None:
    ex = get_exercise(exercise_id)
    for learner in LEARNERS[:5]:
        first, second = ex.make_variant(learner), ex.make_variant(learner)
        assert first.fingerprint == second.fingerprint
        for lang in LANGUAGES:
            assert first.public_view(lang) == second.public_view(lang)


def test_variants_are_stable_across_releases() -> None:
    """The seed comes from SHA-256, not Python's hash(): a stored variant id never changes."""
    ex = get_exercise("recognise-determinant")
    assert ex.make_variant("learner-000").fingerprint == ex.seeder("learner-000").fingerprint
    expected = hashlib.sha256(b"recognise-determinant\x1flearner-000\x1fvariant").hexdigest()
    assert ex.seeder("learner-000").fingerprint == expected[:16]


def test_variant_is_the_same_in_another_process_with_another_hash_seed() -> None:
    code = (
        "import json; from exercises import get_exercise as g; "
        "print(json.dumps([g(e).make_variant('learner-5').public_view('nl') "
        "for e in ('recognise-determinant', 'choose-knob', 'model-limits')]))"
    )
    here = [
        get_exercise(e).make_variant("learner-5").public_view("nl")
        for e in ("recognise-determinant", "choose-knob", "model-limits")
    ]
    for hash_seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert json.loads(out.stdout) == here


#: Minimum distinct learner-visible views across 20 learners, per exercise.
MIN_DISTINCT = {
    "recognise-determinant": 20,
    "score-case": 4,
    "compare-clients": 15,
    "choose-knob": 8,
    "intervention-plan": 8,
    "model-limits": 15,
    "conversation": 6,  # the scenario, and the order of the responses at every turn
}


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_neighbours_get_different_variants(exercise_id: str) -> None:
    ex = get_exercise(exercise_id)
    views = {_view_without_fingerprint(ex.make_variant(lr).public_view("nl")) for lr in LEARNERS}
    assert len(views) >= MIN_DISTINCT[exercise_id]
    fingerprints = {ex.make_variant(lr).fingerprint for lr in LEARNERS}
    assert len(fingerprints) == len(LEARNERS)


def test_what_varies_per_exercise() -> None:
    def variants(exercise_id: str) -> list[Any]:
        return [get_exercise(exercise_id).make_variant(lr) for lr in LEARNERS]

    recognise = [v for v in variants("recognise-determinant") if isinstance(v, RecogniseVariant)]
    assert len({tuple(i.id for _, i in v.items) for v in recognise}) == 20  # items and order
    assert len({v.options for v in recognise}) >= 15  # option order
    assert len({v.case.id for v in variants("score-case") if isinstance(v, ScoreCaseVariant)}) >= 4
    compare = [v for v in variants("compare-clients") if isinstance(v, CompareVariant)]
    assert len({v.scenario.principle for v in compare}) >= 4
    assert len({v.scenario for v in compare}) >= 15
    knobs = [v for v in variants("choose-knob") if isinstance(v, ChooseKnobVariant)]
    assert len({v.case.id for v in knobs}) >= 4
    assert len({v.budget for v in knobs}) >= 3
    assert len({v.order for v in knobs}) >= 10
    plans = [v for v in variants("intervention-plan") if isinstance(v, PlanVariant)]
    assert len({v.case.id for v in plans}) >= 4
    limits = [v for v in variants("model-limits") if isinstance(v, ModelLimitsVariant)]
    assert len({v.case.id for v in limits}) >= 4
    assert len({tuple(q.options[0].id for q in v.questions) for v in limits}) >= 15  # order


@pytest.mark.parametrize("exercise_id", ["choose-knob", "intervention-plan", "model-limits"])
def test_case_exercises_never_show_a_case_the_learner_scores(exercise_id: str) -> None:
    """These views show a case's scores or weak points; score-case's cases are grader-only,
    so no learner ever meets the case they score here."""
    ex = get_exercise(exercise_id)
    scored = {c.id for c in grading_cases()}
    for learner in [f"l{i}" for i in range(60)]:
        variant = ex.make_variant(learner)
        shown = getattr(variant, "case").id  # noqa: B009
        assert shown in {c.id for c in all_cases()} and shown not in scored
        assert shown != score_case_choice(learner)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_view_is_json_ready_and_carries_the_notice(exercise_id: str, lang: str) -> None:
    view = get_exercise(exercise_id).make_variant("learner-x").public_view(lang)
    assert json.loads(json.dumps(view)) == view
    assert view["exercise"] == exercise_id
    assert view["lang"] == lang
    assert view["notice"] == t("notice.illustrative", lang)
    assert view["items"]


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_views_in_both_languages_differ_only_in_text(exercise_id: str) -> None:
    variant = get_exercise(exercise_id).make_variant("learner-y")
    nl, en = variant.public_view("nl"), variant.public_view("en")
    assert nl["title"] != en["title"]
    assert [i["id"] for i in nl["items"]] == [i["id"] for i in en["items"]]
