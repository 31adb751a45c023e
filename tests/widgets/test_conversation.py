"""The conversation simulator, headless: after every choice, step back and restart, the view
shows exactly the engine's playthrough and the model's numbers; hostile text stays text."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from markupsafe import escape

from igm import DETERMINANTS, model_for
from igm.cases import scan_cases
from igm.conversations import (
    Conversation,
    list_conversations,
    mi_profile,
    play,
    scan_conversations,
)
from igm.i18n import LANGUAGES, fmt_number, t
from igm.report import fmt_percent
from widgets.conversation import (
    SCORES_PARAM,
    ConversationView,
    conversation_query,
    path_from_query,
    replay,
    scores_spec,
)

REPO = Path(__file__).resolve().parents[2]
TEST_SCENARIOS = REPO / "tests" / "igm" / "conversation_files" / "conversations"


@pytest.fixture
def folder(cases_dir: Path) -> Iterator[Path]:
    """The shipped cases (a copy, as ``IGM_CASES_DIR``) with the engine's test scenario beside
    the kit's own scenarios."""
    conversations = cases_dir / "conversations"
    conversations.mkdir(exist_ok=True)
    for path in TEST_SCENARIOS.glob("*.yaml"):
        shutil.copy(path, conversations / path.name)
    yield cases_dir


def all_paths(conversation: Conversation, most: int = 8) -> list[list[str]]:
    """Every path from the start to an ending that visits no turn twice (at most ``most``)."""
    found: list[list[str]] = []

    def walk(turn_id: str, path: list[str], seen: frozenset[str]) -> None:
        if len(found) >= most:
            return
        turn = conversation.turn(turn_id)
        if turn.is_ending:
            found.append(path)
            return
        for response in turn.responses:
            if response.next not in seen:
                walk(response.next, [*path, response.id], seen | {response.next})

    walk(conversation.start, [], frozenset({conversation.start}))
    return found


def readout(html: str) -> tuple[str, float]:
    text = re.search(r'class="igm-readout-value"[^>]*>([^<]+)<', html)
    value = re.search(r'data-value="([^"]+)"', html)
    assert text and value, html
    return text.group(1), float(value.group(1))


def assert_shows_engine(view: ConversationView, path: list[str], lang: str) -> None:
    """The view is at ``path``: its playthrough, readouts and chart are the engine's."""
    assert view.conversation is not None and view.case is not None
    expected = play(view.conversation, view.case.scores, path)
    assert view.playthrough == expected
    p = model_for(view.case.domain).predict(expected.scores)
    assert readout(view.intention_out.value) == (fmt_number(p.intention, lang, 0), p.intention)
    assert readout(view.ability_out.value) == (fmt_number(p.ability, lang, 0), p.ability)
    assert readout(view.behaviour_out.value) == (
        fmt_percent(p.behaviour_probability, lang),
        p.behaviour_probability,
    )
    assert view.chart._params[SCORES_PARAM] == [expected.scores[k] for k in DETERMINANTS]
    offered = [b.description for b in view.response_buttons]
    assert offered == [r.text(lang) for r in expected.turn.responses]
    assert view.back_button.disabled == (not path)
    assert ("path=" + ",".join(path) in view.address.query) == bool(path)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_path_of_every_scenario_shows_the_engine(folder: Path, lang: str) -> None:
    conversations = list_conversations(folder / "conversations")
    assert conversations
    for conversation in conversations:
        for path in all_paths(conversation):
            view = ConversationView(conversation.id, lang)
            assert_shows_engine(view, [], lang)
            for index, response_id in enumerate(path):
                buttons = {
                    b.description: b for b in view.response_buttons
                }  # a click, as the page does it
                turn = view.playthrough.turn
                buttons[turn.response(response_id).text(lang)].click()
                assert_shows_engine(view, path[: index + 1], lang)
            assert view.playthrough.finished
            ending = view.playthrough.ending
            assert t(f"conversation.ending.{ending}", lang) in view.end.value
            assert view.end.layout.display is None
            profile = mi_profile(view.playthrough.mi_codes)
            for key in profile.advice():
                assert t(f"conversation.advice.{key}", lang) in view.end.value
            # step back and restart
            view.back_button.click()
            assert_shows_engine(view, path[:-1], lang)
            assert view.end.layout.display == "none"
            view.restart_button.click()
            assert_shows_engine(view, [], lang)


def test_the_status_announces_the_answer_and_the_focus_moves(folder: Path) -> None:
    view = ConversationView("oefen-marja", "nl")
    view.choose("reflecteer")
    assert view.announcer.message == t(
        "conversation_app.status.answer",
        "nl",
        name=view.speaker(),
        text=view.playthrough.turn.client("nl"),
    )
    marker = view.announcer.focus
    assert marker.startswith("button.igm-conv-r")
    assert all(marker.split(".")[-1] in b._dom_classes for b in view.response_buttons)
    serial = view.announcer.serial
    view.choose("open-vraag")
    assert view.announcer.serial > serial
    assert view.announcer.focus.startswith("#igm-conv-end-heading-")
    assert view.announcer.focus[1:] in view.end.value
    assert t("conversation.ending.good", "nl") in view.announcer.message


def open_widgets(widget: Any) -> list[Any]:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += open_widgets(child)
    return found


def test_no_open_widget_names_a_closed_one_after_a_rebuild(folder: Path) -> None:
    """A page draws every open widget: one holding a closed child would break the page (the
    language switch and the picker rebuild the view after choices)."""
    from ipywidgets.widgets.widget import _instances

    view = ConversationView("oefen-marja", "nl")
    view.choose("weerleg")
    view.set_language("en")
    view.choose("opdracht")
    view.set_language("nl")
    assert_shows_engine(view, ["weerleg", "opdracht"], "nl")
    for widget in list(_instances.values()):
        for child in getattr(widget, "children", ()) or ():
            assert child.comm is not None, f"{type(widget).__name__} holds a closed widget"


def test_language_switch_keeps_the_path(folder: Path) -> None:
    view = ConversationView("oefen-marja", "nl")
    view.choose("reflecteer")
    view.set_language("en")
    assert_shows_engine(view, ["reflecteer"], "en")
    assert str(escape(t("conversation.estimate", "en"))) in view.effect.value


def test_the_address_path_is_replayed_as_far_as_it_fits(folder: Path) -> None:
    view = ConversationView("oefen-marja", "en")
    view.apply_address("?conversation=oefen-marja&lang=en&path=reflecteer,<b>x</b>,open-vraag")
    assert_shows_engine(view, ["reflecteer"], "en")
    assert "&lt;b&gt;x&lt;/b&gt;" in view.address_note.value
    assert "<b>" not in view.address_note.value
    # another scenario's path is not played here
    other = ConversationView("oefen-marja", "en")
    other.apply_address("?conversation=something-else&path=reflecteer")
    assert_shows_engine(other, [], "en")


def test_query_helpers() -> None:
    assert path_from_query("?path=a,%20b,,c") == ["a", "b", "c"]
    assert path_from_query("?lang=nl") == []
    assert len(path_from_query("?path=" + ",".join(["x"] * 500))) == 41
    assert conversation_query("?token=1", "nl", "c", ["a", "b"]) == (
        "?token=1&lang=nl&conversation=c&path=a,b"
    )
    assert conversation_query("", "en", "c", []) == "?lang=en&conversation=c"


def test_replay_stops_at_the_first_response_not_offered(folder: Path) -> None:
    conversation = scan_conversations(folder / "conversations").conversations[0]
    case = {c.id: c for c in scan_cases(folder).cases}[conversation.case_id]
    path = all_paths(conversation)[0]
    playthrough, ignored = replay(conversation, case.scores, [path[0], "nope", *path[1:]])
    assert playthrough == play(conversation, case.scores, path[:1])
    assert ignored and str(ignored[0]).startswith("path=nope")
    full, none = replay(conversation, case.scores, path)
    assert full.finished and none == ()


def test_hostile_scenario_text_stays_text(folder: Path) -> None:
    """Scenario text reaches the page as text: Jinja escapes it, a button shows it as text."""
    source = (TEST_SCENARIOS / "oefen-marja.yaml").read_text(encoding="utf-8")
    hostile = (
        source.replace("id: oefen-marja", "id: boos")
        .replace(
            "Op mijn leeftijd willen ze je toch niet meer.",
            "<img src=x onerror=alert(1)> & <script>alert(2)</script>",
        )
        .replace("Een reflectie laat zien dat je luistert.", "<b>vet</b>")
    )
    hostile = hostile.replace('"Oefengesprek met Marja"', '"<i>titel</i>"')
    (folder / "conversations" / "boos.yaml").write_text(hostile, encoding="utf-8")
    view = ConversationView("boos", "nl")
    assert view.conversation is not None and view.conversation.id == "boos"
    html = " ".join(
        str(x.value)
        for x in open_widgets(view.widget)
        if isinstance(getattr(x, "value", None), str)
    )
    assert "<img" not in html and "<script>alert" not in html and "<i>titel" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;" in view.current.value
    view.choose("reflecteer")
    assert "&lt;b&gt;vet&lt;/b&gt;" in view.effect.value
    assert "&lt;img" in view.transcript.value


def test_a_bad_file_is_skipped_with_a_note(folder: Path) -> None:
    bad = folder / "conversations" / "kapot.yaml"
    source = (TEST_SCENARIOS / "oefen-marja.yaml").read_text(encoding="utf-8")
    bad.write_text(
        source.replace("id: oefen-marja", "id: kapot").replace("next: twijfel", "next: nergens", 1)
    )
    view = ConversationView("kapot", "nl")
    assert view.conversation is not None and view.conversation.id != "kapot"
    text = " ".join(str(getattr(x, "value", "")) for x in open_widgets(view.widget))
    assert "kapot.yaml" in text
    assert t("conversation_app.skipped.hint", "nl") in text
    assert t("conversation_app.fallback", "nl", conversation="kapot") in text


def test_no_scenario_at_all(cases_dir: Path) -> None:
    shutil.rmtree(cases_dir / "conversations", ignore_errors=True)
    (cases_dir / "conversations").mkdir()  # a folder without scenarios (none falls back)
    view = ConversationView(None, "en")
    assert view.conversation is None
    text = " ".join(str(getattr(x, "value", "")) for x in open_widgets(view.widget))
    assert t("conversation_app.none", "en") in text
    assert t("notice.illustrative", "en") in text


def test_the_chart_is_the_theme_s_and_fits_its_box() -> None:
    from igm import find_case

    case = find_case("marja-bijstand")
    spec = scores_spec(case.scores, "nl")
    assert spec["width"] == "container"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    bars = spec["layer"][0]["encoding"]
    assert bars["color"]["scale"]["range"] == ["#0072B2", "#D55E00"]  # Okabe–Ito
    assert [r["start"] for r in spec["data"]["values"]] == [case.scores[k] for k in DETERMINANTS]


# --- standard 7: a hostile scenario in every text, and broken files beside good ones -----------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_of_a_hostile_scenario_is_shown_as_written(cases_dir: Path, lang: str) -> None:
    """Played to the good ending: title, summary, role, speaker, each client turn, each
    response offered, the explanations and the outcome are on the page as written; no tag,
    handler or link in any HTML part came from the scenario."""
    from tests.conversation_hostile import HOSTILE_ID, texts, write_hostile
    from tests.widgets.test_hostile_cases import _one_line, _shown

    write_hostile(cases_dir / "conversations")
    view = ConversationView(HOSTILE_ID, lang)
    assert view.conversation is not None and view.conversation.id == HOSTILE_ID
    seen = [_shown(view.widget, f"simulator {lang} start")]
    for response_id in ("reflecteer", "open-vraag"):
        buttons = {b.description: b for b in view.response_buttons}
        buttons[view.playthrough.turn.response(response_id).text(lang)].click()
        seen.append(_shown(view.widget, f"simulator {lang} after {response_id}"))
    assert view.playthrough.ending == "good"
    shown = _one_line("\n".join(seen))
    hostile = texts(lang)
    left_out = {"explanation-opening-weerleg", "explanation-twijfel-vraag-toestemming"}
    left_out |= {"explanation-twijfel-opdracht", "outcome-gemengd-einde", "outcome-slecht-einde"}
    left_out |= {"client-gemengd-einde", "client-slecht-einde"}  # endings not reached
    for tag, text in hostile.items():
        if tag not in left_out:
            assert _one_line(text) in shown, f"{tag} is not shown as written"
    # the picker offers the title as an option's label: text
    picker = next(x for x in open_widgets(view.widget) if isinstance(x, w.Dropdown))
    assert (hostile["title"], HOSTILE_ID) in picker.options


def test_broken_files_are_skipped_naming_file_and_field(cases_dir: Path) -> None:
    """A response that goes to no turn, and a file that is not YAML: the good scenarios are
    offered, the note names each broken file (and the field, where there is one)."""
    from tests.conversation_hostile import (
        NOT_YAML_FILE,
        UNKNOWN_NEXT_FIELD,
        UNKNOWN_NEXT_FILE,
        write_broken,
    )

    write_broken(cases_dir / "conversations")
    good = [c.id for c in list_conversations(cases_dir / "conversations")]
    for lang in LANGUAGES:
        view = ConversationView(None, lang)
        assert view.conversation is not None
        picker = next(x for x in open_widgets(view.widget) if isinstance(x, w.Dropdown))
        assert [value for _label, value in picker.options] == good
        notes = " ".join(
            str(x.value)
            for x in open_widgets(view.widget)
            if "igm-case-skipped" in str(getattr(x, "value", ""))
        )
        assert f"{UNKNOWN_NEXT_FILE}:33: {UNKNOWN_NEXT_FIELD}: " in notes
        assert f"{NOT_YAML_FILE}:" in notes
        assert t("conversation_app.skipped.many", lang, count=2) in notes
        assert "<script>window" not in notes  # the broken file's content is not in the page
