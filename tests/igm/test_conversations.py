"""The conversation engine: scenario files are checked like case files, paths play through the
model's scores, and the MI profile follows MITI 4.2.1's summary measures."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from igm.cases import find_case
from igm.conversations import (
    MI_CLASS,
    MI_CODES,
    Conversation,
    ConversationError,
    PathError,
    apply_changes,
    conversations_dir,
    find_conversation,
    load_conversation,
    mi_profile,
    play,
    scan_conversations,
    validate_conversation_file,
)
from igm.determinants import DETERMINANTS, DeterminantScores
from igm.i18n import t
from igm.model import model_for

FIXTURE = Path(__file__).parent / "conversation_files" / "conversations" / "oefen-marja.yaml"


@pytest.fixture
def scenario() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return data


def write(folder: Path, data: dict[str, Any], name: str = "oefen-marja") -> Path:
    path = folder / "conversations" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8"
    )
    return path


def problems_of(tmp_path: Path, data: dict[str, Any]) -> dict[str, list[str]]:
    """Field -> the English and Dutch messages, for a file written from ``data``."""
    path = write(tmp_path, data)
    found = validate_conversation_file(path)
    assert found, "the file should have been refused"
    assert all(p.file == str(path) for p in found)
    assert all(p.line is not None for p in found), [p.text("en") for p in found]
    return {p.field: [p.message("en"), p.message("nl")] for p in found}


def turn(data: dict[str, Any], turn_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in data["turns"] if item["id"] == turn_id)
    return found


def test_the_fixture_loads_with_every_part(scenario: dict[str, Any]) -> None:
    conversation = load_conversation(FIXTURE)
    assert conversation.id == "oefen-marja"
    assert conversation.case_id == "marja-bijstand"
    assert conversation.start == "opening"
    assert list(conversation.turns) == [item["id"] for item in scenario["turns"]]
    assert {turn.ending for turn in conversation.endings()} == {"good", "mixed", "poor"}
    reflect = conversation.turn("opening").response("reflecteer")
    assert reflect.mi == "complex_reflection"
    assert reflect.changes == {"self_efficacy": 0.5, "attitude": 0.5}
    assert reflect.text("en") == "You tried many times and hardly ever heard back."
    assert reflect.mi_class == "neutral"
    assert conversation.turn("twijfel").response("opdracht").mi_class == "non_adherent"


# ---- the validator: each refusal names file, line and field, in both languages ----------------


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        pytest.param(
            lambda d: turn(d, "opening")["responses"][0].update(next="nergens"),
            "turns[0].responses[0].next",
            "'nergens' is not a turn in this conversation",
            id="unknown-response-target",
        ),
        pytest.param(
            lambda d: turn(d, "twijfel")["client"].pop("en"),
            "turns[1].client.en",
            "every text needs both languages",
            id="missing-language",
        ),
        pytest.param(
            lambda d: d["turns"].append(
                {
                    "id": "vergeten",
                    "client": {"nl": "Hallo?", "en": "Hello?"},
                    "ending": "good",
                    "outcome": {"nl": "Niemand komt hier.", "en": "Nobody gets here."},
                }
            ),
            "turns[5].id",
            "turn 'vergeten' can never be reached from 'opening'",
            id="unreachable-turn",
        ),
        pytest.param(
            lambda d: turn(d, "opening")["responses"][0]["changes"].update(attitude=3),
            "turns[0].responses[0].changes.attitude",
            "3 is out of range; allowed: a number from -2 to 2",
            id="out-of-range-change",
        ),
        pytest.param(
            lambda d: turn(d, "opening")["responses"][0]["changes"].update(attitude=0.3),
            "turns[0].responses[0].changes.attitude",
            "a change goes in steps of 0.5",
            id="change-not-a-half-step",
        ),
        pytest.param(
            lambda d: turn(d, "opening")["responses"][0]["changes"].update(motivation=1),
            "turns[0].responses[0].changes.motivation",
            "unknown determinant",
            id="unknown-determinant",
        ),
        pytest.param(
            lambda d: turn(d, "opening")["responses"][1].update(mi="lecture"),
            "turns[0].responses[1].mi",
            "'lecture' is not allowed; allowed: open_question",
            id="unknown-mi-code",
        ),
        pytest.param(
            lambda d: d.update(case="iemand-anders"),
            "case",
            "'iemand-anders' is not a case in the cases folder",
            id="unknown-case",
        ),
        pytest.param(
            lambda d: turn(d, "slecht-einde").update(ending="good"),
            "turns",
            "no poor ending ('ending: poor') can be reached",
            id="no-poor-ending",
        ),
        pytest.param(
            lambda d: turn(d, "opening")["responses"].pop(),
            "turns[0].responses",
            "1 responses; allowed: 2 to 4",
            id="one-response",
        ),
        pytest.param(
            lambda d: turn(d, "goed-einde").update(
                responses=copy.deepcopy(turn(d, "opening")["responses"])
            ),
            "turns[2]",
            "has both 'responses' and 'ending'",
            id="responses-and-ending",
        ),
        pytest.param(
            lambda d: d["turns"][4].update(id="goed-einde"),
            "turns[4].id",
            "'goed-einde' is used twice",
            id="duplicate-turn",
        ),
        pytest.param(
            lambda d: d.update(fictional=False),
            "fictional",
            "cases in this kit are fictional",
            id="not-fictional",
        ),
        pytest.param(
            lambda d: turn(d, "opening")["responses"][0].update(colour="red"),
            "turns[0].responses[0].colour",
            "unknown field (a typo?)",
            id="unknown-field",
        ),
        pytest.param(  # a terminal would run it: `igm conversations` prints the title
            lambda d: d["title"].update(nl="\x1b]0;pwned\x07\x1b[2J Titel"),
            "title.nl",
            "control character (U+001B)",
            id="control-character-in-text",
        ),
        pytest.param(
            lambda d: d.update(speaker="Marja\x9b31m"),
            "speaker",
            "control character (U+009B)",
            id="control-character-in-speaker",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_file_line_and_field(
    tmp_path: Path,
    scenario: dict[str, Any],
    mutate: Callable[[dict[str, Any]], None],
    field: str,
    words: str,
) -> None:
    data = copy.deepcopy(scenario)
    mutate(data)
    found = problems_of(tmp_path, data)
    assert field in found, found
    english, dutch = found[field]
    assert words in english
    assert dutch != english and dutch.strip()


def test_a_cycle_without_an_ending_is_refused(tmp_path: Path, scenario: dict[str, Any]) -> None:
    data = copy.deepcopy(scenario)
    # twijfel's responses now lead back to opening and to a loop turn; no ending is reachable
    # from either, so the endings are unreachable too.
    for response in turn(data, "twijfel")["responses"]:
        response["next"] = "opening"
    found = problems_of(tmp_path, data)
    assert "never reaches an ending" in found["turns[0].id"][0]
    assert "never reaches an ending" in found["turns[1].id"][0]
    assert "kring zonder uitweg" in found["turns[1].id"][1]
    assert "can never be reached" in found["turns[2].id"][0]


def test_a_cycle_with_a_way_out_is_allowed(tmp_path: Path, scenario: dict[str, Any]) -> None:
    data = copy.deepcopy(scenario)
    again = copy.deepcopy(turn(data, "twijfel")["responses"][0])
    again.update(id="nog-eens", next="opening")  # back to the start: a loop with a way out
    turn(data, "twijfel")["responses"].append(again)
    conversation = load_conversation(write(tmp_path, data))
    path = ["reflecteer", "nog-eens", "weerleg", "open-vraag"]
    assert play(conversation, DeterminantScores(*[4.0] * 7), path).ending == "good"


def test_hostile_yaml_is_refused_by_the_strict_reader(tmp_path: Path) -> None:
    path = tmp_path / "conversations" / "bom.yaml"
    path.parent.mkdir()
    path.write_text('a: &x ["lol", "lol"]\nb: [*x, *x]\n', encoding="utf-8")
    with pytest.raises(ConversationError) as refused:
        load_conversation(path)
    assert refused.value.problems[0].file == str(path)
    assert "alias" in refused.value.problems[0].key or "anchor" in refused.value.problems[0].key


def test_a_bad_file_is_skipped_and_the_rest_still_load(
    tmp_path: Path, scenario: dict[str, Any]
) -> None:
    write(tmp_path, scenario)
    broken = copy.deepcopy(scenario)
    broken["id"] = "kapot"
    turn(broken, "opening")["responses"][0]["next"] = "nergens"
    write(tmp_path, broken, name="kapot")
    scan = scan_conversations(tmp_path / "conversations")
    assert [c.id for c in scan.conversations] == ["oefen-marja"]
    assert scan.skipped_files() == [str(tmp_path / "conversations" / "kapot.yaml")]


def test_find_by_id_and_unknown_id(tmp_path: Path, scenario: dict[str, Any]) -> None:
    write(tmp_path, scenario)
    folder = tmp_path / "conversations"
    assert find_conversation("oefen-marja", folder).id == "oefen-marja"
    with pytest.raises(ConversationError) as unknown:
        find_conversation("niemand", folder)
    assert "known conversations: oefen-marja" in unknown.value.text("en")


# ---- playing a path ----------------------------------------------------------------------


@pytest.fixture
def conversation() -> Conversation:
    return load_conversation(FIXTURE)


def test_playing_applies_each_change_and_the_model_follows(conversation: Conversation) -> None:
    case = find_case(conversation.case_id)
    model = model_for(case.domain)
    good = play(conversation, case.scores, ["reflecteer", "open-vraag"])
    poor = play(conversation, case.scores, ["weerleg", "opdracht"])
    assert good.finished and good.ending == "good"
    assert poor.finished and poor.ending == "poor"
    assert good.scores["attitude"] == case.scores["attitude"] + 0.5 + 1
    assert good.scores["self_efficacy"] == case.scores["self_efficacy"] + 0.5
    assert poor.scores["self_efficacy"] == case.scores["self_efficacy"] - 1
    assert poor.scores["social_influence"] == case.scores["social_influence"] - 0.5
    assert [s.turn_id for s in good.steps] == ["opening", "twijfel"]
    assert [t.id for t in good.turns_seen()] == ["opening", "twijfel", "goed-einde"]
    start = model.predict(case.scores).behaviour_probability
    assert model.predict(good.scores).behaviour_probability > start
    assert model.predict(poor.scores).behaviour_probability < start
    assert good.total_change()["attitude"] == 1.5
    assert good.back().turn.id == "twijfel" and good.back().back().back().turn.id == "opening"


def test_scores_stay_on_the_scale_and_the_step_records_what_applied() -> None:
    scores = DeterminantScores(*[6.5, 1.5, 4, 4, 4, 4, 4])
    after, applied = apply_changes(scores, {"attitude": 2, "social_influence": -1})
    assert after["attitude"] == 7 and applied["attitude"] == 0.5
    assert after["social_influence"] == 1 and applied["social_influence"] == -0.5


def test_a_response_not_on_offer_or_after_the_end_is_refused(conversation: Conversation) -> None:
    scores = DeterminantScores(*[4.0] * 7)
    with pytest.raises(PathError) as not_offered:
        play(conversation, scores, ["open-vraag"])
    assert not_offered.value.key == "not_offered"
    assert "reflecteer, weerleg" in t(
        f"conversation.path.{not_offered.value.key}", "en", **not_offered.value.values
    )
    with pytest.raises(PathError) as ended:
        play(conversation, scores, ["reflecteer", "open-vraag", "open-vraag"])
    assert ended.value.key == "ended"


# ---- the MI profile ------------------------------------------------------------------------


def test_mi_profile_counts_as_miti() -> None:
    codes = ["open_question", "closed_question", "simple_reflection", "complex_reflection"]
    profile = mi_profile([*codes, "summary", "affirmation", "confrontation"])
    assert profile.total == 7
    assert profile.questions == 2 and profile.reflections == 3
    assert profile.rq_ratio == 1.5 and profile.rq_level() == "fair"
    assert profile.complex_share == pytest.approx(2 / 3) and profile.complex_level() == "good"
    assert profile.open_share == 0.5
    assert profile.adherent == 1 and profile.non_adherent == 1
    assert profile.advice()[0] == "roll_with_resistance"


def test_advice_names_what_was_missing() -> None:
    lecturing = mi_profile(["closed_question", "closed_question", "advice_without_permission"])
    assert lecturing.rq_ratio == 0 and lecturing.rq_level() == "below"
    assert lecturing.complex_level() is None
    assert lecturing.advice() == [
        "ask_permission",
        "more_reflections",
        "open_questions",
        "affirm_autonomy",
        "summarise",
    ]
    listening = mi_profile(["complex_reflection", "open_question", "summary", "affirmation"])
    assert listening.advice() == ["keep_going"]
    for key in {*lecturing.advice(), *listening.advice()}:
        assert t(f"conversation.advice.{key}", "nl") != t(f"conversation.advice.{key}", "en")
    with pytest.raises(ValueError, match="unknown MI code"):
        mi_profile(["lecture"])


def test_every_mi_code_has_a_class_and_a_name_in_both_languages() -> None:
    assert set(MI_CLASS) == set(MI_CODES)
    for code in MI_CODES:
        assert t(f"conversation.mi.{code}", "nl") and t(f"conversation.mi.{code}", "en")


# ---- the shipped scenarios -----------------------------------------------------------------


def all_paths(conversation: Conversation) -> list[list[str]]:
    """Every path from the start to an ending (the shipped scenarios have no cycles)."""
    found: list[list[str]] = []

    def walk(turn_id: str, path: list[str]) -> None:
        current = conversation.turn(turn_id)
        if current.is_ending:
            found.append(path)
            return
        assert len(path) < 40, "a path without an end"
        for response in current.responses:
            walk(response.next, [*path, response.id])

    walk(conversation.start, [])
    return found


def test_the_shipped_scenarios_are_valid_and_good_endings_end_higher() -> None:
    scan = scan_conversations(conversations_dir())
    assert not scan.problems, [p.text("en") for p in scan.problems]
    assert len(scan.conversations) >= 3
    for conversation in scan.conversations:
        case = find_case(conversation.case_id)
        model = model_for(case.domain)
        by_ending: dict[str, list[float]] = {}
        for path in all_paths(conversation):
            played = play(conversation, case.scores, path)
            assert played.finished
            behaviour = model.predict(played.scores).behaviour_probability
            by_ending.setdefault(str(played.ending), []).append(behaviour)
        assert {"good", "poor"} <= set(by_ending), conversation.id
        assert min(by_ending["good"]) > max(by_ending["poor"]), conversation.id
        for key in DETERMINANTS:
            assert 1 <= played.scores[key] <= 7


def test_lottes_mixed_endings_all_end_above_her_poor_ones() -> None:
    # Lotte's capacity starts at 2: two pushes on it bring her to the base rate, and a learner
    # who sees "mixed ending" next to the poor ending's number is misled.
    conversation = find_conversation("lotte-belastbaarheid")
    case = find_case(conversation.case_id)
    model = model_for(case.domain)
    by_ending: dict[str, list[float]] = {}
    for path in all_paths(conversation):
        played = play(conversation, case.scores, path)
        behaviour = model.predict(played.scores).behaviour_probability
        by_ending.setdefault(str(played.ending), []).append(behaviour)
    assert min(by_ending["mixed"]) > max(by_ending["poor"]) + 0.05


def test_a_cases_folder_without_conversations_gets_the_shipped_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: dict[str, Any]
) -> None:
    from igm.resources import shipped_cases_dir

    monkeypatch.setenv("IGM_CASES_DIR", str(tmp_path))  # a trainer's folder from an older kit
    assert conversations_dir() == shipped_cases_dir() / "conversations"
    (tmp_path / "marja-bijstand.yaml").write_bytes(
        (shipped_cases_dir() / "marja-bijstand.yaml").read_bytes()
    )
    write(tmp_path, scenario)  # once it has its own, those are the ones
    assert conversations_dir() == tmp_path / "conversations"
    assert [c.id for c in scan_conversations().conversations] == ["oefen-marja"]


def test_without_questions_the_advice_is_to_reflect_not_to_ask_less() -> None:
    advising = mi_profile(["giving_information", "advice_with_permission"])
    assert advising.rq_level() == "below"
    assert "start_reflecting" in advising.advice()
    assert "more_reflections" not in advising.advice()
