"""Exercise conversation: a practice conversation played to an ending, graded on the ending and
the MI profile, with feedback on every step; its form, its public view, and its way through the
local gradebook, the grading service and the app in remote mode.

The tests play the engine's small test scenario (tests/igm/conversation_files/, "oefen-marja":
two choices, a good, a mixed and a poor ending) in a cases folder of their own, so they hold
whatever the shipped scenarios say; the last tests check the shipped scenarios themselves.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import exercises.app as ea
from exercises import InvalidAnswer, _shared, get_exercise, grade
from exercises import conversation as conv
from exercises.app import ExerciseApp
from exercises.conversation import (
    ENDING_POINTS,
    ITEM,
    MI_CRITERIA,
    ConversationVariant,
    eligible_conversations,
    full_points_path,
)
from exercises.form import AnswerForm, DialogueControl, answer_sheet
from exercises.grading_service import variant_key
from gradebook import Gradebook, open_gradebook
from igm import DETERMINANTS
from igm.conversations import MI_CODES, list_conversations, mi_profile, play
from igm.i18n import LANGUAGES, Text, fmt_number, t
from igm.model import model_for
from tests.deploy.grader_helpers import SECRET, call, grader_in_background, run_scenario
from tests.exercises.answers import perfect, wrong
from tests.exercises.roster_helpers import roster_code

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "tests" / "igm" / "conversation_files" / "conversations" / "oefen-marja.yaml"
SHIPPED = REPO / "case_studies" / "conversations"
EXERCISE = "conversation"
BEST = ["reflecteer", "open-vraag"]  # complex reflection, open question: good ending
POOR = ["weerleg", "opdracht"]  # confrontation, advice without permission: poor ending
MIXED = ["reflecteer", "vraag-toestemming"]  # advice with permission: mixed ending
HOSTILE = "<script>window.pwned=1</script><b>Eve</b> {{ 7*7 }} &amp;"


def clear_caches() -> None:
    _shared._case_scan.cache_clear()
    conv._scan.cache_clear()
    eligible_conversations.cache_clear()


def cases_with(folder: Path, *scenarios: str) -> Path:
    """A cases folder: the published cases and ``conversations/`` with these scenario texts."""
    folder.mkdir(parents=True)
    for case in (REPO / "case_studies").glob("*.yaml"):
        shutil.copy(case, folder / case.name)
    (folder / "conversations").mkdir()
    for text in scenarios:
        stem = yaml.safe_load(text)["id"]
        (folder / "conversations" / f"{stem}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def scenario_text() -> str:
    return SCENARIO.read_text(encoding="utf-8")


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario_text: str) -> Iterator[Path]:
    """The published cases with the test scenario as the one conversation."""
    monkeypatch.setenv("IGM_CASES_DIR", str(cases_with(tmp_path / "cases", scenario_text)))
    clear_caches()
    yield tmp_path / "cases"
    clear_caches()


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)


def variant(learner: str = "learner-001") -> ConversationVariant:
    made = get_exercise(EXERCISE).make_variant(learner)
    assert isinstance(made, ConversationVariant)
    return made


def answers(v: ConversationVariant, path: list[str]) -> dict[str, Any]:
    return {ITEM: v.view_path(path)}


# --- grading ----------------------------------------------------------------------------------


def test_the_points_add_up_to_the_maximum() -> None:
    exercise = get_exercise(EXERCISE)
    assert ENDING_POINTS["good"] + len(MI_CRITERIA) == exercise.max_points == 6
    assert ENDING_POINTS["good"] > ENDING_POINTS["mixed"] > ENDING_POINTS["poor"] == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_good_path_gets_every_point_and_the_feedback_names_every_step(
    cases: Path, lang: str
) -> None:
    v = variant()
    assert v.conversation is not None and v.case is not None
    assert full_points_path(v.conversation) == tuple(BEST)
    result = grade(v, answers(v, BEST), lang)
    assert result.points == result.max_points == 6
    assert result.item_scores == {ITEM: 6}
    text = result.feedback[ITEM]
    played = play(v.conversation, v.case.scores, BEST)
    for step in played.steps:  # every step: what was said, its MI code, the explanation
        assert step.response.text(lang) in text
        assert f"({t(f'conversation.mi.{step.response.mi}', lang)})" in text
        assert step.response.explanation(lang) in text
    assert played.turn.outcome is not None and played.turn.outcome(lang) in text
    # the numbers are the engine's: scores and the model's prediction before and after
    model = model_for(v.case.domain)
    before, after = model.predict(v.case.scores), model.predict(played.scores)
    for key in DETERMINANTS:
        if played.scores[key] != v.case.scores[key]:
            start = fmt_number(v.case.scores[key], lang, None)
            end = fmt_number(played.scores[key], lang, None)
            assert f"{start} " in text and f" {end}" in text
    for value in (before.behaviour_probability, after.behaviour_probability):
        assert f"{fmt_number(100 * value, lang, 0)}%" in text
    for value in (before.intention, after.intention):
        assert fmt_number(value, lang, 0) in text
    # the engine's advice, in the catalogue's words
    for key in mi_profile(played.mi_codes).advice():
        assert t(f"conversation.advice.{key}", lang) in text
    assert t("conversation.ending.good", lang) in result.summary


def test_a_poor_path_gets_no_points_and_says_why(cases: Path) -> None:
    v = variant()
    result = grade(v, answers(v, POOR), "nl")
    assert result.points == 0
    text = result.feedback[ITEM]
    assert "(confrontatie)" in text and "(advies zonder toestemming)" in text
    assert "slecht einde" in text and "Marja zegt ja, maar doet niets." in text
    assert "zelfvertrouwen" in text or "geloof in eigen kunnen" in text
    for key in ("ask_permission", "roll_with_resistance", "start_reflecting"):
        assert t(f"conversation.advice.{key}", "nl") in text
    assert text.count("0 punten voor dit onderdeel") == 3


def test_a_mixed_ending_gets_half_the_ending_points(cases: Path) -> None:
    v = variant()
    result = grade(v, answers(v, MIXED), "en")
    # mixed ending 1.5; MI: nothing inconsistent, a reflection and no question, all complex
    assert result.points == pytest.approx(1.5 + 3)
    assert "mixed ending (1.5 of 3 points)" in result.feedback[ITEM]
    assert "4.5 of 6" in result.summary


def test_the_feedback_before_release_keeps_the_codes_and_explanations(cases: Path) -> None:
    v = variant()
    result = grade(v, answers(v, POOR), "nl")
    held = result.withheld("nl").feedback[ITEM]
    assert "slecht einde" in held and "MI-profiel" in held
    assert "(confrontatie)" not in held and "Weerleggen roept" not in held


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("a", "not_a_path"),
        ([1, 2], "not_a_path"),
        (["a"] * 41, "not_a_path"),
        (["z"], "path_not_offered"),
        ([], "path_unfinished"),
        (["a"], "path_unfinished"),
    ],
)
def test_an_invalid_path_is_refused_naming_the_conversation(
    cases: Path, value: Any, key: str
) -> None:
    v = variant()
    with pytest.raises(InvalidAnswer) as refused:
        grade(v, {ITEM: value}, "nl")
    assert refused.value.key == key and refused.value.item == ITEM
    assert "het gesprek" in refused.value.message("nl")
    assert "the conversation" in refused.value.message("en")


def test_a_path_past_an_ending_is_refused(cases: Path) -> None:
    v = variant()
    with pytest.raises(InvalidAnswer) as refused:
        grade(v, {ITEM: [*v.view_path(BEST), "a"]}, "en")
    assert refused.value.key == "path_past_ending" and "step 3" in refused.value.message("en")


def test_missing_or_extra_items_are_refused(cases: Path) -> None:
    v = variant()
    for bad in ({}, {**answers(v, BEST), "extra": 1}, {ITEM: None}):
        with pytest.raises(InvalidAnswer):
            grade(v, bad, "nl")


def test_the_test_answers_are_the_best_and_a_poor_path(cases: Path) -> None:
    for learner in ("a", "b", "c", "d"):
        v = variant(learner)
        assert grade(v, perfect(v), "nl").points == 6
        assert grade(v, wrong(v), "nl").points == 0


# --- the variant and its public view ----------------------------------------------------------


def test_the_view_holds_what_is_needed_to_play_and_nothing_of_the_key(cases: Path) -> None:
    v = variant()
    assert v.conversation is not None
    for lang in LANGUAGES:
        view = v.public_view(lang)
        (item,) = view["items"]
        assert item["client"] == "Marja" and item["start"] == "t1"
        assert view["case"]["id"] == "marja-bijstand"
        turns = {turn["id"]: turn for turn in item["turns"]}
        assert [turns[t_id]["ending"] for t_id in ("t1", "t2", "t3", "t4", "t5")] == [
            False,
            False,
            True,
            True,
            True,
        ]
        dumped = json.dumps(view, ensure_ascii=False)
        # no MI code, no author's id (they name the key), no outcome, no explanation
        for code in MI_CODES:  # as a value ("summary" is a key of the case, too)
            assert f': "{code}"' not in dumped
        for turn in v.conversation.turns.values():
            assert f'"{turn.id}"' not in dumped
            if turn.outcome is not None:
                assert turn.outcome(lang) not in dumped
            for response in turn.responses:
                assert f'"{response.id}"' not in dumped
                assert response.explanation(lang) not in dumped
        for word in ("mi", "changes", "explanation", "outcome"):
            assert f'"{word}":' not in dumped
        for word in ("good", "poor", "mixed"):
            assert f'"{word}"' not in dumped


def test_the_view_is_the_same_whatever_the_key(cases: Path) -> None:
    """Other MI codes, changes, explanations, outcomes and kinds of ending: the same view."""
    v = variant()
    assert v.conversation is not None
    shuffled_codes = list(reversed(MI_CODES))
    turns = {}
    for n, (turn_id, turn) in enumerate(v.conversation.turns.items()):
        responses = tuple(
            dataclasses.replace(
                r,
                mi=shuffled_codes[(n + j) % len(MI_CODES)],
                changes={"capacity": -2.0},
                explanation=Text(nl="LEKT", en="LEAKS"),
            )
            for j, r in enumerate(turn.responses)
        )
        ending = {"good": "poor", "poor": "mixed", "mixed": "good"}.get(turn.ending or "")
        turns[turn_id] = dataclasses.replace(
            turn,
            responses=responses,
            ending=ending,
            outcome=Text(nl="LEKT", en="LEAKS") if ending else None,
        )
    other = dataclasses.replace(v, conversation=dataclasses.replace(v.conversation, turns=turns))
    for lang in LANGUAGES:
        assert other.public_view(lang) == v.public_view(lang)


def test_each_learner_and_attempt_gets_an_order_of_its_own(cases: Path) -> None:
    exercise = get_exercise(EXERCISE)
    orders = {tuple(sorted(variant(f"l-{n}").orders.items())) for n in range(30)}
    assert len(orders) >= 6  # 2 × 6 orders of the buttons in the test scenario
    first, second = exercise.variant_for("S1", 1), exercise.variant_for("S1", 2)
    assert first.fingerprint != second.fingerprint and second.learner_id == "S1"
    assert exercise.make_variant("l-1") == exercise.make_variant("l-1")


def test_without_scenarios_the_exercise_says_so_and_grades_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGM_CASES_DIR", str(cases_with(tmp_path / "cases")))
    clear_caches()
    try:
        exercise = get_exercise(EXERCISE)
        v = variant()
        assert v.conversation is None
        for lang in LANGUAGES:
            view = v.public_view(lang)
            assert view["instructions"] == view["unavailable"] == exercise.instructions(lang)
            assert view["items"] == [] and "case" not in view
            assert answer_sheet(view).items == ()
            with pytest.raises(InvalidAnswer) as refused:
                grade(v, {}, lang)
            assert refused.value.key == "conversation_unavailable"
    finally:
        clear_caches()


def test_a_scenario_without_a_path_to_every_point_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario_text: str
) -> None:
    """The only reflection made a closed question: no path to a good ending has a reflection,
    so full points cannot be had and the scenario does not take part."""
    text = scenario_text.replace("mi: complex_reflection", "mi: closed_question")
    other = scenario_text.replace("id: oefen-marja", "id: oefen-marja-twee")
    monkeypatch.setenv("IGM_CASES_DIR", str(cases_with(tmp_path / "cases", text)))
    clear_caches()
    try:
        assert eligible_conversations() == ()
        assert variant().conversation is None
    finally:
        clear_caches()
    monkeypatch.setenv("IGM_CASES_DIR", str(cases_with(tmp_path / "cases2", text, other)))
    clear_caches()
    try:
        assert [c.id for c, _case in eligible_conversations()] == ["oefen-marja-twee"]
    finally:
        clear_caches()


# --- the form: a dialogue played turn by turn ------------------------------------------------


def form_for(v: ConversationVariant, lang: str = "nl") -> tuple[AnswerForm, DialogueControl]:
    view = json.loads(json.dumps(v.public_view(lang)))  # what a remote kernel gets
    form = AnswerForm(view, answer_sheet(view), lang)
    control = form.control(ITEM)
    assert isinstance(control, DialogueControl)
    return form, control


def shown_buttons(control: DialogueControl) -> list[str]:
    return [b.description for b in control.buttons if b.layout.display != "none"]


def test_the_form_plays_the_conversation_with_buttons_and_begins_again(cases: Path) -> None:
    v = variant()
    assert v.conversation is not None
    form, control = form_for(v)
    opening = v.conversation.turn("opening")
    assert sorted(shown_buttons(control)) == sorted(r.text("nl") for r in opening.responses)
    assert control.problem() == t("exercise_app.dialogue.not_started", "nl")
    assert control.restart.layout.display == "none"  # nothing to begin again yet
    # choose the reflection by its button, as a learner does
    index = shown_buttons(control).index(opening.response("reflecteer").text("nl"))
    control.buttons[index].click()
    assert "Op mijn leeftijd" in control.history.value
    assert "En als ik werk" in control.now.value and 'role="status"' in control.now.value
    assert len(shown_buttons(control)) == 3 and control.restart.layout.display is None
    assert control.problem() == t("exercise_app.dialogue.unfinished", "nl")
    assert form.check() == [control]  # not sent: the message sits under the conversation
    assert control.error.layout.display is None
    second = v.conversation.turn("twijfel").response("open-vraag").text("nl")
    control.buttons[shown_buttons(control).index(second)].click()
    assert control.finished and shown_buttons(control) == []
    assert control.error.layout.display == "none"  # fixed: the message went away
    assert "tot slot" in control.now.value and "Insturen" in control.now.value
    assert form.answers() == answers(v, BEST) and form.check() == []
    assert grade(v, form.answers(), "nl").points == 6
    control.restart.click()
    assert control.read() is None and form.answers() == {ITEM: None}
    assert "Op mijn leeftijd" in control.now.value and control.history.value.strip() == ""


def test_filling_the_form_replays_a_path_as_far_as_it_goes(cases: Path) -> None:
    v = variant()
    form, control = form_for(v, "en")
    form.fill(answers(v, POOR))
    assert form.answers() == answers(v, POOR) and control.finished
    form.fill({ITEM: ["z", "a"]})
    assert control.read() is None
    form.fill({ITEM: [*v.view_path(["reflecteer"]), "q", "a"]})
    assert control.read() == v.view_path(["reflecteer"])


def test_a_graded_conversation_is_read_only_until_a_new_attempt(cases: Path) -> None:
    """After grading (:meth:`DialogueControl.lock`) no response can be chosen and the text no
    longer asks to send it in; "Begin again" only when the same form may be sent again."""
    v = variant()
    form, control = form_for(v)
    form.fill(answers(v, BEST))
    control.lock(again=False)  # the next attempt is a new form
    assert shown_buttons(control) == [] and control.restart.layout.display == "none"
    assert t("exercise_app.dialogue.graded", "nl") in control.now.value
    assert "Insturen" not in control.now.value and "Begin opnieuw" not in control.now.value
    assert "tot slot" in control.now.value and "Op mijn leeftijd" in control.history.value
    assert not control.choose(v.view_path(["reflecteer"])[0])
    assert form.answers() == answers(v, BEST)  # what was graded stays on the page

    form, control = form_for(v)
    form.fill(answers(v, POOR))
    control.lock(again=True)  # the same questions may be answered again
    assert shown_buttons(control) == [] and control.restart.layout.display is None
    restart = t("exercise_app.dialogue.restart", "nl")
    assert t("exercise_app.dialogue.graded_again", "nl", restart=restart) in control.now.value
    control.restart.click()  # a new try: playable again, sent in with "Opnieuw insturen"
    assert v.conversation is not None and control.read() is None
    opening = v.conversation.turn(v.conversation.start)
    assert sorted(shown_buttons(control)) == sorted(r.text("nl") for r in opening.responses)
    for response_id in v.view_path(BEST):
        assert control.choose(response_id)
    resubmit = t("exercise_app.resubmit", "nl")
    assert t("exercise_app.dialogue.ended", "nl", submit=resubmit) in control.now.value


def test_hostile_text_in_a_scenario_stays_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario_text: str
) -> None:
    quoted = json.dumps(HOSTILE)
    text = scenario_text.replace('"Op mijn leeftijd willen ze je toch niet meer."', quoted).replace(
        '"Je hebt het vaak geprobeerd en bijna nooit iets gehoord."', quoted
    )
    monkeypatch.setenv("IGM_CASES_DIR", str(cases_with(tmp_path / "cases", text)))
    clear_caches()
    try:
        v = variant()
        _form, control = form_for(v)
        assert "<script>" not in control.now.value and "&lt;script&gt;" in control.now.value
        assert HOSTILE in shown_buttons(control)  # a button's label is set as text
        control.buttons[shown_buttons(control).index(HOSTILE)].click()
        assert "<b>" not in control.history.value and "{{ 7*7 }}" in control.history.value
    finally:
        clear_caches()


# --- stored like the others: the local gradebook, the grading service, the app remote ---------


def test_the_app_stores_a_played_conversation_in_the_gradebook(cases: Path, tmp_path: Path) -> None:
    with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as gb:
        code = roster_code(gb, "s1234567", "Sam de Vries")
        app = ExerciseApp(EXERCISE, "nl", gb, env={})
        assert app.sign_in_with_code("s1234567", code)
        assert app.form is not None and isinstance(app.variant, ConversationVariant)
        control = app.form.control(ITEM)
        assert isinstance(control, DialogueControl)
        assert not app.submit()  # not played: nothing stored, said beside the button
        assert gb.attempts("S1234567", EXERCISE) == []
        assert t("exercise_app.dialogue.not_started", "nl") in control.error.value
        for response_id in app.variant.view_path(BEST):
            control.choose(response_id)
        assert app.submit()
        # graded, and the next attempt gets a scenario of its own (exercises.yaml): the
        # conversation stays as sent in, nothing to choose or begin again, no "Insturen"
        assert app.submit_button.description == ea.message("next_attempt", "nl")
        assert control.locked and shown_buttons(control) == []
        assert control.restart.layout.display == "none"
        assert t("exercise_app.dialogue.graded", "nl") in control.now.value
        (stored,) = gb.attempts("S1234567", EXERCISE)
        assert stored.points == 6 and stored.item_scores == {ITEM: 6}
        assert stored.answers == {ITEM: app.variant.view_path(BEST)}
        feedback = [
            c.value for c in app.form.items[ITEM].children if "igm-feedback" in c._dom_classes
        ]
        # the answers are released after the last attempt (exercises.yaml): until then the
        # ending, the MI profile and the advice, not what each response was
        assert len(feedback) == 1 and "MI-profiel" in feedback[0]
        assert "stap voor stap" not in feedback[0] and "(open vraag)" not in feedback[0]
        app.submit_button.click()  # "Nieuwe poging": a new form, playable from its start
        fresh = app.form.control(ITEM)
        assert isinstance(fresh, DialogueControl) and fresh is not control
        assert not fresh.locked and len(shown_buttons(fresh)) >= 2 and fresh.read() is None


def test_practising_the_same_conversation_can_begin_again_after_grading(cases: Path) -> None:
    """Practice mode grades the same questions again: after a grade "Begin again" is there."""
    app = ExerciseApp(EXERCISE, "en", None, env={"JUPYTERHUB_USER": "kim"})
    assert app.form is not None and isinstance(app.variant, ConversationVariant)
    control = app.form.control(ITEM)
    assert isinstance(control, DialogueControl)
    app.form.fill(answers(app.variant, POOR))
    assert app.submit()
    assert control.locked and shown_buttons(control) == []
    assert control.restart.layout.display is None
    restart = t("exercise_app.dialogue.restart", "en")
    assert t("exercise_app.dialogue.graded_again", "en", restart=restart) in control.now.value
    control.restart.click()
    for response_id in app.variant.view_path(BEST):
        assert control.choose(response_id)
    assert app.submit() and control.locked and control.restart.layout.display is None


def test_released_answers_show_every_step_in_the_app(
    cases: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "exercise-settings.yaml"
    settings.write_text(f"{EXERCISE}:\n  show_answers: immediately\n", encoding="utf-8")
    monkeypatch.setenv("IGM_EXERCISE_SETTINGS", str(settings))
    with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as gb:
        code = roster_code(gb, "s1234567", "Sam de Vries")
        app = ExerciseApp(EXERCISE, "en", gb, env={})
        assert app.sign_in_with_code("s1234567", code)
        assert app.form is not None and isinstance(app.variant, ConversationVariant)
        app.form.fill(answers(app.variant, POOR))
        assert app.submit()
        (box,) = [
            c.value for c in app.form.items[ITEM].children if "igm-feedback" in c._dom_classes
        ]
        assert "step by step" in box and "(confrontation)" in box
        assert "Refuting invites counter-arguments." in box


def test_the_grading_service_grades_and_records_a_conversation(cases: Path, tmp_path: Path) -> None:
    exercise = get_exercise(EXERCISE)
    key = variant_key(SECRET, EXERCISE, "ANNA01")

    async def scenario(base: str, gb: Gradebook) -> None:
        url = base + f"exercises/{EXERCISE}"
        status, view = await call(url + "?lang=en", "tok-anna")
        assert status == 200
        view.pop("quiz")
        first = exercise.variant_for(key, 1)
        assert isinstance(first, ConversationVariant)
        assert view == json.loads(json.dumps(first.public_view("en")))
        status, body = await call(url + "/attempts", "tok-anna", {"answers": {ITEM: ["a"]}})
        assert status == 422 and body["error"] == "path_unfinished"
        assert set(body["messages"]) == {"nl", "en"}
        status, body = await call(
            url + "/attempts", "tok-anna", {"answers": perfect(first), "lang": "nl"}
        )
        assert status == 200, body
        assert body["result"]["points"] == 6 and "MI-profiel" in body["result"]["feedback"][ITEM]
        second = exercise.variant_for(key, 2)
        assert isinstance(second, ConversationVariant)
        status, body = await call(url + "/attempts", "tok-anna", {"answers": wrong(second)})
        assert status == 200 and body["result"]["points"] == 0
        assert [a.points for a in gb.attempts("ANNA01", EXERCISE)] == [6, 0]

    run_scenario(tmp_path, scenario)


def test_the_app_on_a_hub_plays_and_sends_to_the_grader(
    cases: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_db = tmp_path / "learner-server" / "igm.sqlite3"
    monkeypatch.setenv("IGM_DATABASE_URL", f"sqlite:///{local_db}")
    with grader_in_background(tmp_path / "grader.sqlite3") as grader:
        env = {
            "IGM_GRADER_URL": grader.url,
            "JUPYTERHUB_API_TOKEN": "tok-anna",
            "JUPYTERHUB_USER": "anna01",
            "IGM_DATABASE_URL": f"sqlite:///{local_db}",
        }
        app = ExerciseApp(EXERCISE, "en", None, env)
        assert app.mode == "remote" and app.variant is None and app.form is not None
        keyed = get_exercise(EXERCISE).variant_for(variant_key(SECRET, EXERCISE, "ANNA01"), 1)
        assert isinstance(keyed, ConversationVariant)
        control = app.form.control(ITEM)
        assert isinstance(control, DialogueControl)
        for response_id in perfect(keyed)[ITEM]:
            assert control.choose(response_id)
        assert app.submit()
        assert "6 of 6" in app.result.value
        (stored,) = grader.gradebook.attempts("ANNA01", EXERCISE)
        assert stored.points == 6
    assert not local_db.exists()


# --- the shipped scenarios -------------------------------------------------------------------


def test_every_shipped_scenario_takes_part_in_the_exercise() -> None:
    """Each scenario in case_studies/conversations/ has a path to all points, so the exercise
    draws from all of them (a scenario without one would be left out silently)."""
    shipped = list_conversations(SHIPPED)
    assert len(shipped) >= 3
    clear_caches()
    eligible = [c.id for c, _case in eligible_conversations()]
    for conversation in shipped:
        assert full_points_path(conversation) is not None, conversation.id
        assert conversation.id in eligible


# --- standard 7: a hostile scenario, broken files beside it -----------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_hostile_scenario_is_played_sent_and_fed_back_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """Every text of the scenario the learner meets (title, role, speaker, client turns,
    responses, explanations in the released feedback, the outcome) is on the page as written;
    the two broken files beside it are not drawn."""
    from tests.conversation_hostile import HOSTILE_ID, hostile_scenario, texts, write_broken
    from tests.widgets.test_hostile_cases import _one_line, _shown

    folder = cases_with(tmp_path / "cases", hostile_scenario())
    write_broken(folder / "conversations")
    settings = tmp_path / "exercise-settings.yaml"
    settings.write_text(f"{EXERCISE}:\n  show_answers: immediately\n", encoding="utf-8")
    monkeypatch.setenv("IGM_CASES_DIR", str(folder))
    monkeypatch.setenv("IGM_EXERCISE_SETTINGS", str(settings))
    clear_caches()
    try:
        assert [c.id for c, _case in eligible_conversations()] == [HOSTILE_ID]
        with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as gb:
            code = roster_code(gb, "s1234567", "Sam de Vries")
            app = ExerciseApp(EXERCISE, lang, gb, env={})
            assert app.sign_in_with_code("s1234567", code)
            assert app.form is not None and isinstance(app.variant, ConversationVariant)
            assert app.variant.conversation is not None
            assert app.variant.conversation.id == HOSTILE_ID
            control = app.form.control(ITEM)
            assert isinstance(control, DialogueControl)
            seen = [_shown(app.widget, f"exercise {lang} start")]
            turn = app.variant.conversation.turn("opening")
            for response_id in BEST:
                wanted = turn.response(response_id).text(lang)
                control.buttons[shown_buttons(control).index(wanted)].click()
                seen.append(_shown(app.widget, f"exercise {lang} after {response_id}"))
                turn = app.variant.conversation.turn(turn.response(response_id).next)
            assert app.submit()
            seen.append(_shown(app.widget, f"exercise {lang} feedback"))
            (stored,) = gb.attempts("S1234567", EXERCISE)
            assert stored.points == 6
    finally:
        clear_caches()
    shown = _one_line("\n".join(seen))
    met = ["title", "role", "speaker", "client-opening", "client-twijfel", "client-goed-einde"]
    met += ["text-opening-reflecteer", "text-opening-weerleg", "text-twijfel-open-vraag"]
    met += ["text-twijfel-opdracht", "text-twijfel-vraag-toestemming"]
    met += ["explanation-opening-reflecteer", "explanation-twijfel-open-vraag"]
    met += ["outcome-goed-einde"]
    hostile = texts(lang)
    missing = [tag for tag in met if _one_line(hostile[tag]) not in shown]
    assert not missing, f"not shown as written: {missing}"
