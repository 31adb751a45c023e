"""The explorer's and the planner's state in the page's address, headless: the address follows
every change, a reload's query string gives the same sliders and plan back, and a value that is
not valid gives a note (escaped) and the case's own setting, never an exception. The plan's
buttons get the plan text as it is shown."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from markupsafe import escape

from igm.i18n import LANGUAGES, t
from igm.report import plan_file_name
from widgets.explorer import Explorer
from widgets.planner import Planner

CASE_ID = "marja-bijstand"


def _params(query: str) -> dict[str, list[str]]:
    return parse_qs(query.lstrip("?"))


def test_the_explorer_address_follows_the_sliders_and_a_reload_restores_them() -> None:
    explorer = Explorer(CASE_ID, "en")
    assert _params(explorer.address.query) == {"lang": ["en"], "case": [CASE_ID]}
    target = 7 if explorer.sliders["attitude"].value != 7 else 1
    explorer.sliders["attitude"].value = target
    assert _params(explorer.address.query)["attitude"] == [str(target)]

    reloaded = Explorer(CASE_ID, "en")
    reloaded.apply_address(explorer.address.query)
    assert reloaded.scores() == explorer.scores()
    assert reloaded.prediction == explorer.prediction
    assert reloaded.address.query == explorer.address.query
    assert reloaded.address_note.value == ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_bad_explorer_setting_gives_a_note_and_the_cases_score(lang: str) -> None:
    explorer = Explorer(CASE_ID, lang)
    case_scores = explorer.scores()
    explorer.apply_address("attitude=9&capacity=%3Cscript%3Ealert(1)%3C/script%3E")
    assert explorer.scores() == case_scores
    note = explorer.address_note.value
    assert "<script>" not in note
    assert str(escape("capacity=<script>alert(1)</script>")) in note
    assert str(escape(t("url.ignored", lang, values="x")).split("x")[0]) in note
    assert explorer.address_note in explorer.widget.children
    explorer.set_case("hiba-ingenieur")  # another case: the note was about the old one
    assert explorer.address_note.value == ""


def test_settings_for_a_case_that_is_not_shown_are_not_applied() -> None:
    explorer = Explorer("no-such-case", "nl")
    before = explorer.scores()
    explorer.apply_address("case=no-such-case&attitude=1&capacity=1")
    assert explorer.scores() == before


def test_the_planner_address_and_buttons_follow_the_plan_and_a_shared_link_restores_it() -> None:
    planner = Planner(CASE_ID, "nl")
    ids = [i.id for i in planner.case.interventions]
    planner.choose([ids[0], ids[2]])
    assert _params(planner.address.query)["plan"] == [f"{ids[0]},{ids[2]}"]
    assert planner.plan_buttons.text == planner.export_box.value == planner.export()
    assert planner.plan_buttons.filename == plan_file_name(planner.case, "nl")

    shared = Planner(CASE_ID, "nl")
    shared.apply_address(planner.address.query)
    assert [i.id for i in shared.chosen] == [ids[0], ids[2]]
    assert shared.export() == planner.export()

    planner.set_language("en")
    assert _params(planner.address.query)["lang"] == ["en"]
    assert planner.plan_buttons.labels["download"] == t("planner.plan.download", "en")


def test_unknown_steps_in_a_planner_link_give_a_note() -> None:
    planner = Planner(CASE_ID, "en")
    first = planner.case.interventions[0].id
    planner.apply_address(f"plan={first},<img src=x>")
    assert [i.id for i in planner.chosen] == [first]
    assert "<img" not in planner.address_note.value
    assert str(escape("plan=<img src=x>")) in planner.address_note.value
