"""Is the answer of caseload-question the determinant with the largest mean lever gain?"""

from __future__ import annotations

import math

from exercises import get_exercise
from exercises.caseload_question import CaseloadVariant, group_facts, load_caseload
from igm import DETERMINANTS, DeterminantScores, model_for


def test_caseload_comes_from_the_data_file() -> None:
    frame = load_caseload()
    assert len(frame) == 600
    assert set(group_facts()) == set(frame["group"])


def test_mean_gains_match_the_engine_client_by_client() -> None:
    """An independent path: Model.levers per client, averaged per group."""
    frame = load_caseload()
    facts = group_facts()
    for group, rows in frame.groupby("group"):
        sums = dict.fromkeys(DETERMINANTS, 0.0)
        for _, row in rows.iterrows():
            scores = DeterminantScores.from_mapping({k: float(row[k]) for k in DETERMINANTS})
            for lever in model_for(str(row["domain"])).levers(scores):
                sums[lever.key] += lever.gain
        means = {k: v / len(rows) for k, v in sums.items()}
        for key in DETERMINANTS:
            assert math.isclose(means[key], facts[str(group)].gains[key], abs_tol=1e-9)
        assert facts[str(group)].answer == max(means, key=means.__getitem__)


def test_four_distinct_options_with_the_answer_among_them() -> None:
    ex = get_exercise("caseload-question")
    for learner in [f"learner-{i}" for i in range(30)]:
        variant = ex.make_variant(learner)
        assert isinstance(variant, CaseloadVariant)
        groups = [facts.group for _, facts, _ in variant.questions]
        assert len(set(groups)) == len(groups) == 2
        for _, facts, options in variant.questions:
            assert len(set(options)) == len(options) == 4
            assert facts.answer in options
            if facts.lowest != facts.answer:
                assert facts.lowest in options  # the tempting trap is offered


def test_answer_position_varies_across_learners() -> None:
    ex = get_exercise("caseload-question")
    positions = set()
    for learner in [f"learner-{i}" for i in range(30)]:
        variant = ex.make_variant(learner)
        assert isinstance(variant, CaseloadVariant)
        for _, facts, options in variant.questions:
            positions.add(options.index(facts.answer))
    assert positions == {0, 1, 2, 3}
