"""How the model's output is put into words (igm.report): the wording every UI shares.

Capacity (belastbaarheid) is respected, not pushed: its lever reads as adapting the work and
the load, never as raising the person's capacity. Intervention effects read as the case
author's estimate, with the target behaviour's time frame.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from igm.cases import list_cases
from igm.determinants import DETERMINANTS, DeterminantScores
from igm.i18n import LANGUAGES, Text, catalogue, fmt_number, t
from igm.model import model_for
from igm.report import (
    determinant_name,
    estimate_note,
    estimated_effects,
    format_prediction,
    in_sentence,
    lever_gain,
    lever_name,
)

#: Words that would make a lever read as pushing the person (Dutch and English).
PUSH = re.compile(r"verho|omhoog|opvoer|opschroef|\braise|\bincreas|\bpush|\bboost", re.I)
ADAPT = {"nl": "werk en belasting aanpassen", "en": "the work and the load"}
ESTIMATE = {"nl": "schatting van de casusschrijver", "en": "the case author's estimate"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_capacity_lever_reads_as_adapting_the_work_never_as_raising_capacity(lang: str) -> None:
    name = lever_name("capacity", lang)
    gain = lever_gain("capacity", 0.048, lang)
    for text in (name, gain):
        assert ADAPT[lang] in text
        assert not PUSH.search(text), text
    assert determinant_name("capacity", lang) in name  # still says which determinant it is
    assert {"nl": "4,8", "en": "4.8"}[lang] in gain


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_lever_wording_pushes_the_person(lang: str) -> None:
    for key in DETERMINANTS:
        assert not PUSH.search(lever_name(key, lang))
        assert not PUSH.search(lever_gain(key, 0.02, lang))
    others = [k for k in DETERMINANTS if k != "capacity"]
    for key in others:
        assert lever_name(key, lang) == determinant_name(key, lang)
        assert lever_gain(key, 0.02, lang) == t(
            "output.lever_gain", lang, gain=fmt_number(2.0, lang)
        )


def test_lever_entries_belong_to_a_determinant() -> None:
    """A typo in a ``lever.<key>.<part>`` entry would silently fall back to the plain wording."""
    for key in catalogue():
        if key.startswith("lever."):
            _, determinant, part = key.split(".")
            assert determinant in DETERMINANTS, key
            assert part in ("name", "gain"), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_summary_words_the_capacity_lever_as_adapting_the_work(lang: str) -> None:
    case = next(c for c in list_cases() if c.id == "lotte-na-burn-out")
    p = model_for(case.domain).predict(case.scores)
    assert p.bottleneck == "capacity"  # the case this test is about
    text = format_prediction(case, p, lang)
    assert f"{t('output.bottleneck', lang)}: {in_sentence(lever_name('capacity', lang))}" in text
    capacity_line = next(line for line in text.splitlines() if line.strip().startswith("1. "))
    assert ADAPT[lang] in capacity_line
    model_lines = text.split(t("output.intention", lang))[1]  # past the case's own text
    assert not PUSH.search(model_lines)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_effects_are_the_case_authors_estimate_with_the_time_frame(lang: str) -> None:
    for case in list_cases():
        note = estimate_note(case, lang)
        assert ESTIMATE[lang].split()[-1] in note  # "casusschrijver" / "estimate(s)"
        assert case.target_behaviour.time(lang) in note
        item = case.interventions[0]
        text = estimated_effects(item.effects, lang)
        assert ESTIMATE[lang] in text
        for key, points in item.effects.items():
            assert f"{in_sentence(determinant_name(key, lang))} +{points:g}" in text


def test_estimate_note_without_a_time_frame_and_with_literal_quoting() -> None:
    case = list_cases()[0]
    tb = case.target_behaviour
    no_time = replace(case, target_behaviour=replace(tb, time=Text(nl=" ", en="")))
    assert estimate_note(no_time, "nl") == t("estimate.note_no_time", "nl")
    assert estimate_note(no_time, "en") == t("estimate.note_no_time", "en")
    quoted = estimate_note(case, "en", literal=lambda s: f"<<{s}>>")
    assert f"<<{tb.time('en')}>>" in quoted


def test_dutch_numbers_use_a_decimal_comma() -> None:
    p = model_for("job_search").predict(
        DeterminantScores.from_mapping(dict.fromkeys(DETERMINANTS, 3))
    )
    lever = p.levers[0]
    assert "," in lever_gain(lever.key, lever.gain, "nl")
    assert "." in lever_gain(lever.key, lever.gain, "en")
