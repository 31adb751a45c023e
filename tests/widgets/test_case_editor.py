"""The case editor, headless: fields checked as typed by the case validator, the live panel is the
engine's prediction, saving writes a case that loads, and nothing is overwritten without a yes."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from igm.case_writer import case_to_data
from igm.cases import find_case, list_cases, load_case, scan_cases
from igm.i18n import t
from igm.model import model_for
from igm.report import in_sentence, lever_gain, lever_name
from widgets.case_editor import CaseEditor, app, field_for_problem
from widgets.ui import fmt_number, fmt_percent

REPO_CASES = Path(__file__).resolve().parents[2] / "case_studies"


def walk(widget: Any) -> list[Any]:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += walk(child)
    return found


def type_in(editor: CaseEditor, key: str, value: Any) -> None:
    editor.fields[key].control.value = value


def fill_valid_case(editor: CaseEditor, case_id: str = "sanne-herintreding") -> None:
    """Fill a new case completely, field by field, as a trainer would."""
    type_in(editor, "id", case_id)
    type_in(editor, "name", "Sanne")
    type_in(editor, "fictional", True)
    type_in(editor, "group", "long_term_job_seeker")
    type_in(editor, "domain", "job_search")
    for field in ("title", "summary", "narrative"):
        type_in(editor, f"{field}.nl", f"Sanne: {field} in het Nederlands")
        type_in(editor, f"{field}.en", f"Sanne: {field} in English")
    for part in ("action", "target", "context", "time"):
        type_in(editor, f"target_behaviour.{part}.nl", f"{part} nl")
        type_in(editor, f"target_behaviour.{part}.en", f"{part} en")
    for key in editor.sliders:
        type_in(editor, f"scores.{key}.evidence.nl", f"Observatie over {key}.")
        type_in(editor, f"scores.{key}.evidence.en", f"Observation about {key}.")
    for i, first in enumerate(("attitude", "self_efficacy", "home_situation")):
        where = f"interventions[{i}]"
        type_in(editor, f"{where}.id", f"interventie-{i + 1}")
        for field in ("label", "description"):
            type_in(editor, f"{where}.{field}.nl", f"{field} {i + 1}")
            type_in(editor, f"{where}.{field}.en", f"{field} {i + 1} en")
        type_in(editor, f"{where}.effects.0.key", first)
        type_in(editor, f"{where}.effects.0.points", 2)


def test_field_for_problem_names_the_field_that_shows_it() -> None:
    keys = ["id", "title.nl", "title.en", "interventions[0].id", "interventions[0].effects"]
    assert field_for_problem("id", keys) == "id"
    assert field_for_problem("title", keys) == "title.nl"
    assert field_for_problem("title.en", keys) == "title.en"
    assert (
        field_for_problem("interventions[0].effects.motivation", keys) == "interventions[0].effects"
    )
    assert field_for_problem("interventions", keys) == "interventions[0].id"
    assert field_for_problem("", keys) == ""
    assert field_for_problem("unknown_top_field", keys) == ""


def test_a_new_case_shows_no_message_before_a_field_is_touched(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    assert editor.problems  # the empty case is not valid ...
    assert editor.field_messages() == {}  # ... but nobody has typed yet
    assert editor.picker.options[0] == (t("case_editor.new", "nl"), "")
    assert {value for _, value in editor.picker.options[1:]} == {c.id for c in list_cases()}


def test_a_field_error_appears_as_typed_and_goes_when_fixed(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    type_in(editor, "id", "mijn casus")
    message = editor.field_messages()["id"]
    assert message == t("case.problem.bad_id", "nl", value="mijn casus")
    assert 'role="alert"' in editor.fields["id"].error.value
    assert "igm-invalid" in editor.fields["id"].control._dom_classes
    type_in(editor, "id", "mijn-casus")
    assert "id" not in editor.field_messages()
    assert "igm-invalid" not in editor.fields["id"].control._dom_classes
    # an emptied required text says it is missing, in the reader's language
    type_in(editor, "title.en", "x")
    type_in(editor, "title.en", "   ")
    assert editor.field_messages()["title.en"] == t(
        "case.problem.missing_language", "nl", languages="nl, en"
    )


def test_messages_follow_the_language(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    type_in(editor, "id", "Met Hoofdletters")
    editor.set_language("en")
    assert editor.fields["id"].control.value == "Met Hoofdletters"  # what was typed stays
    assert editor.field_messages()["id"] == t("case.problem.bad_id", "en", value="Met Hoofdletters")
    assert editor.fields["id"].control.description == t("case_editor.field.id", "en")


def test_live_panel_is_the_engine_prediction(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    assert t("case_editor.live.no_domain", "nl") in editor.live.value
    type_in(editor, "domain", "return_to_work")
    editor.sliders["capacity"].value = 2
    editor.sliders["self_efficacy"].value = 6
    scores = editor.scores()
    p = model_for("return_to_work").predict(scores)
    html = editor.live.value
    assert f'data-value="{p.behaviour_probability!r}"' in html
    assert fmt_percent(p.behaviour_probability, "nl") in html
    assert f">{fmt_number(p.intention, 'nl', 0)}<" in html
    assert f">{fmt_number(p.ability, 'nl', 0)}<" in html
    assert t("determinant." + p.bottleneck + ".name", "nl") in html
    levers = re.findall(r"<li>(.*?)</li>", html)
    assert len(levers) == 3
    assert levers[0].startswith(t(f"determinant.{p.levers[0].key}.name", "nl").replace("/", "/"))
    assert fmt_number(100 * p.levers[0].gain, "nl") in levers[0]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_live_panel_words_capacity_as_adapting_the_work(cases_dir: Path, lang: str) -> None:
    editor = CaseEditor(lang)
    type_in(editor, "domain", "return_to_work")
    editor.sliders["capacity"].value = 1
    p = model_for("return_to_work").predict(editor.scores())
    assert p.bottleneck == "capacity"
    text = html.unescape(editor.live.value)
    assert (
        t("case_editor.live.bottleneck", lang, name=in_sentence(lever_name("capacity", lang)))
        in text
    )
    first = re.findall(r"<li>(.*?)</li>", text)[0]
    assert first.endswith(lever_gain("capacity", p.levers[0].gain, lang))
    assert not re.search(r"verhoog|\braise", text, re.I)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_intervention_effects_are_asked_as_the_authors_estimate(lang: str) -> None:
    hint = t("case_editor.intervention.hint", lang)
    assert {"nl": "schatting als casusschrijver", "en": "estimate as the case author"}[lang] in hint
    assert {"nl": "werk en de belasting aan", "en": "the work and the load"}[lang] in hint
    assert not re.search(r"verhoog|\braise", hint, re.I)
    label = t("case_editor.intervention.points", lang, number=1)
    assert {"nl": "geschatte", "en": "estimated"}[lang] in label


def test_save_writes_a_case_that_loads_and_lists(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    fill_valid_case(editor)
    editor.sliders["attitude"].value = 6
    assert editor.problems == []
    path = editor.save()
    assert path == cases_dir / "sanne-herintreding.yaml"
    assert t("case_editor.saved", "nl", file="sanne-herintreding.yaml") in editor.status_out.value
    case = load_case(path)
    assert case.scores["attitude"] == 6
    assert case.interventions[1].effects == {"self_efficacy": 2.0}
    assert "sanne-herintreding" in {c.id for c in list_cases()}
    # the picker now holds the new case, selected
    assert editor.picker.value == "sanne-herintreding"
    # saving again overwrites the case's own file without asking
    type_in(editor, "title.en", "Sanne: a better title")
    assert editor.save() == path
    assert load_case(path).title("en") == "Sanne: a better title"


def test_save_with_problems_shows_every_message_and_writes_nothing(cases_dir: Path) -> None:
    before = sorted(p.name for p in cases_dir.iterdir())
    editor = CaseEditor("en")
    type_in(editor, "id", "half-af")
    assert editor.save() is None
    messages = editor.field_messages()
    assert messages["name"] == t("case.problem.missing", "en")
    assert messages["fictional"] == t("case.problem.not_fictional", "en")
    assert "scores.attitude.evidence.nl" in messages
    assert messages["interventions[0].id"] == t("case.problem.missing", "en")
    assert 'role="alert"' in editor.status_out.value
    assert sorted(p.name for p in cases_dir.iterdir()) == before


def test_an_existing_case_is_never_overwritten_without_a_yes(cases_dir: Path) -> None:
    original = (cases_dir / "marja-bijstand.yaml").read_bytes()
    editor = CaseEditor("nl")
    fill_valid_case(editor, case_id="marja-bijstand")  # a new case with an existing id
    assert editor.save() is None
    assert editor.confirm.layout.display == "flex"
    assert "marja-bijstand.yaml" in editor.confirm_text.value
    assert (cases_dir / "marja-bijstand.yaml").read_bytes() == original
    editor.cancel_overwrite()
    assert editor.confirm.layout.display == "none"
    assert t("case_editor.cancelled", "nl") in editor.status_out.value
    assert (cases_dir / "marja-bijstand.yaml").read_bytes() == original
    # the second time the trainer says yes
    assert editor.save() is None
    overwrite = next(b for b in walk(editor.widget) if "igm-overwrite" in b._dom_classes)
    overwrite.click()
    assert find_case("marja-bijstand").name == "Sanne"


def test_an_intervention_without_effects_is_not_saved(cases_dir: Path) -> None:
    editor = CaseEditor("en")
    fill_valid_case(editor)
    type_in(editor, "interventions[2].effects.0.key", "")
    assert editor.save() is None
    assert editor.field_messages()["interventions[2].effects"] == t(
        "case.problem.effects_count", "en", count=0, max=3
    )
    assert not (cases_dir / "sanne-herintreding.yaml").exists()


def test_editing_an_existing_case_and_renaming_it(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    editor.picker.value = "lotte-na-burn-out"
    lotte = find_case("lotte-na-burn-out")
    assert editor.form_data() == case_to_data(lotte)
    assert editor.sliders["capacity"].value == lotte.scores["capacity"]
    assert editor.problems == []
    # saving it unchanged gives the same file back
    before = (cases_dir / "lotte-na-burn-out.yaml").read_text(encoding="utf-8")
    editor.save()
    assert (cases_dir / "lotte-na-burn-out.yaml").read_text(encoding="utf-8") == before
    # another id that belongs to another case asks first
    type_in(editor, "id", "marja-bijstand")
    assert editor.save() is None and editor.confirm.layout.display == "flex"
    # a free id makes a new file next to the old one
    type_in(editor, "id", "lotte-variant")
    assert editor.save() == cases_dir / "lotte-variant.yaml"
    assert {"lotte-na-burn-out", "lotte-variant"} <= {c.id for c in list_cases()}


def test_interventions_add_remove_and_duplicate_effects(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    fill_valid_case(editor)
    editor.add_intervention()
    assert "interventions[3].id" in editor.fields
    # the new, empty intervention is not valid yet
    editor.save()
    assert "interventions[3].id" in editor.field_messages()
    editor.remove_intervention(1)
    assert "interventions[3].id" not in editor.fields
    assert editor.fields["interventions[1].id"].control.value == "interventie-3"
    editor.remove_intervention(2)
    # the same determinant twice in one intervention: the editor says so and does not save
    type_in(editor, "interventions[0].effects.1.key", "attitude")
    name = t("determinant.attitude.name", "nl")
    assert editor.field_messages()["interventions[0].effects"] == t(
        "case_editor.intervention.duplicate", "nl", name=name
    )
    assert editor.save() is None
    type_in(editor, "interventions[0].effects.1.key", "capacity")
    assert "interventions[0].effects" not in editor.field_messages()
    path = editor.save()
    assert path is not None
    assert load_case(path).interventions[0].effects == {"attitude": 2.0, "capacity": 1.0}


def test_trainer_token_gate(cases_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IGM_TRAINER_TOKEN", "a-trainer-token-for-tests")
    widget = app(lang="en")
    shown = walk(widget)
    # only the token field: no case, no form
    assert not any("igm-editor-picker" in getattr(x, "_dom_classes", ()) for x in shown)
    assert not any(hasattr(x, "options") and len(x.options) > 2 for x in shown)
    password = next(x for x in shown if type(x).__name__ == "Password")
    button = next(x for x in shown if "igm-open" in getattr(x, "_dom_classes", ()))
    password.value = "wrong"
    button.click()
    assert t("case_editor.gate.wrong", "en") in str(
        [x.value for x in walk(widget) if hasattr(x, "value")]
    )
    assert not any("igm-editor-picker" in getattr(x, "_dom_classes", ()) for x in walk(widget))
    password.value = "a-trainer-token-for-tests"
    button.click()
    assert any("igm-editor-picker" in getattr(x, "_dom_classes", ()) for x in walk(widget))


def test_every_control_has_a_label(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    for widget in walk(editor.widget):
        kind = type(widget).__name__
        if kind in {"Text", "Textarea", "Dropdown", "Checkbox", "Password", "ToggleButtons"}:
            assert widget.description.strip(), widget
        if kind == "Button":
            assert widget.description.strip(), widget
        if kind == "ScoreSlider":
            assert widget.label.strip()


def test_hostile_text_is_a_value_and_escaped_text(cases_dir: Path) -> None:
    evil = "<script>window.__pwned=1</script>{{ 7*7 }}"
    editor = CaseEditor("nl")
    fill_valid_case(editor, case_id="kwaadaardig")
    type_in(editor, "title.nl", evil)
    type_in(editor, "scores.attitude.evidence.en", evil)
    path = editor.save()
    assert path is not None
    assert load_case(path).title("nl") == evil
    editor.picker.value = ""
    editor.picker.value = "kwaadaardig"
    assert editor.fields["title.nl"].control.value == evil
    labels = [label for label, _ in editor.picker.options]
    assert any(evil in label for label in labels)  # a dropdown label is text, not markup
    for widget in walk(editor.widget):
        if type(widget).__name__ == "HTML":
            assert "<script>" not in widget.value


def shown(widget: Any) -> bool:
    return widget.layout.display != "none"


def button(editor: CaseEditor, css_class: str) -> Any:
    return next(b for b in walk(editor.widget) if css_class in getattr(b, "_dom_classes", ()))


def test_picking_another_case_with_unsaved_changes_asks_first(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    editor.picker.value = "marja-bijstand"  # nothing typed yet: opens without a question
    assert not shown(editor.discard_box)
    assert editor.fields["id"].control.value == "marja-bijstand"
    assert not editor.has_unsaved_changes()

    type_in(editor, "title.nl", "Marja, herschreven")
    assert editor.has_unsaved_changes()
    editor.picker.value = "lotte-na-burn-out"
    assert shown(editor.discard_box)
    question = t("case_editor.unsaved.question", "nl")
    assert question in editor.discard_text.value and 'role="alert"' in editor.discard_text.value
    assert editor.fields["id"].control.value == "marja-bijstand"  # nothing opened yet

    # "no": the picker shows Marja again and the edit stays
    button(editor, "igm-keep").click()
    assert not shown(editor.discard_box)
    assert editor.picker.value == "marja-bijstand"
    assert editor.fields["title.nl"].control.value == "Marja, herschreven"
    assert editor.has_unsaved_changes()

    # a new case asks too; "yes" opens it and the edit is gone (the file never had it)
    editor.picker.value = ""
    assert shown(editor.discard_box)
    button(editor, "igm-discard").click()
    assert not shown(editor.discard_box)
    assert editor.picker.value == "" and editor.loaded_id == ""
    assert editor.fields["id"].control.value == ""
    assert not editor.has_unsaved_changes()
    assert find_case("marja-bijstand").title("nl") != "Marja, herschreven"


def test_no_question_when_nothing_is_left_changed(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    editor.picker.value = "marja-bijstand"
    original = editor.fields["name"].control.value
    type_in(editor, "name", "Marja B.")
    type_in(editor, "name", original)  # typed and undone: nothing to lose
    editor.sliders["attitude"].value = 7
    editor.sliders["attitude"].value = find_case("marja-bijstand").scores["attitude"]
    assert not editor.has_unsaved_changes()
    editor.picker.value = "lotte-na-burn-out"
    assert not shown(editor.discard_box)
    assert editor.fields["id"].control.value == "lotte-na-burn-out"
    # a moved score alone is a change
    editor.sliders["capacity"].value = 1 if editor.sliders["capacity"].value != 1 else 2
    editor.picker.value = "marja-bijstand"
    assert shown(editor.discard_box)


def test_language_switch_keeps_edits_and_does_not_ask(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    editor.picker.value = "marja-bijstand"
    type_in(editor, "summary.en", "A shorter summary.")
    editor.set_language("en")
    assert not shown(editor.discard_box)
    assert editor.fields["summary.en"].control.value == "A shorter summary."
    assert editor.picker.value == "marja-bijstand"
    # the edit is still unsaved after the switch: picking another case asks, in English now
    editor.picker.value = "lotte-na-burn-out"
    assert t("case_editor.unsaved.question", "en") in editor.discard_text.value
    assert button(editor, "igm-discard").description == t("case_editor.unsaved.discard", "en")


def test_saving_answers_the_question_and_clears_the_changes(cases_dir: Path) -> None:
    editor = CaseEditor("nl")
    editor.picker.value = "marja-bijstand"
    type_in(editor, "name", "Marja de Vries")
    editor.picker.value = "lotte-na-burn-out"
    assert shown(editor.discard_box)
    assert editor.save() == cases_dir / "marja-bijstand.yaml"
    assert not shown(editor.discard_box)
    assert editor.picker.value == "marja-bijstand"
    assert not editor.has_unsaved_changes()
    editor.picker.value = "lotte-na-burn-out"  # saved: opens at once
    assert not shown(editor.discard_box)
    assert editor.fields["id"].control.value == "lotte-na-burn-out"


def write_broken_case(cases_dir: Path) -> Path:
    """A copy of Marja's case as ``kapot.yaml`` with an attitude score of 9 (1-7 allowed)."""
    text = (cases_dir / "marja-bijstand.yaml").read_text(encoding="utf-8")
    text = text.replace("id: marja-bijstand", "id: kapot", 1)
    text = re.sub(r"(  attitude:\n    score: )\d", r"\g<1>9", text, count=1)
    path = cases_dir / "kapot.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_picker_names_skipped_case_files_with_what_is_wrong(cases_dir: Path) -> None:
    assert CaseEditor("nl").picker_notes.children == ()  # every file valid: no note
    write_broken_case(cases_dir)
    problem = scan_cases(cases_dir).problems[0]
    assert problem.file.endswith("kapot.yaml") and problem.line
    for lang in ("nl", "en"):
        editor = CaseEditor(lang)
        assert "kapot" not in [value for _, value in editor.picker.options]
        note = " ".join(child.value for child in editor.picker_notes.children)
        text = html.unescape(note)
        expected = f"kapot.yaml:{problem.line}: {problem.field}: {problem.message(lang)}"
        assert expected in text
        assert t("case.skipped.heading.one", lang) in text
        assert t("case_editor.skipped.hint", lang) in text
        assert 'role="note"' in note

    # writing the case again under the same file name replaces the broken file: the note goes
    editor = CaseEditor("nl")
    fill_valid_case(editor, case_id="kapot")
    assert editor.save() is None and shown(editor.confirm)  # the file exists: asks first
    button(editor, "igm-overwrite").click()
    assert find_case("kapot").name == "Sanne"
    assert editor.picker_notes.children == ()
    assert editor.picker.value == "kapot"


def test_enter_in_the_token_field_opens_the_editor(
    cases_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGM_TRAINER_TOKEN", "a-trainer-token-for-tests")
    widget = app(lang="nl")
    password = next(x for x in walk(widget) if type(x).__name__ == "Password")

    def press_enter() -> None:
        # what the browser's Text/Password view sends for Enter
        password._handle_custom_msg({"event": "submit"}, [])

    password.value = "niet-de-goede-code"
    press_enter()
    alerts = [x.value for x in walk(widget) if 'role="alert"' in str(getattr(x, "value", ""))]
    assert len(alerts) == 1 and t("case_editor.gate.wrong", "nl") in html.unescape(alerts[0])
    assert password.value == ""  # emptied to type again (the field keeps the focus)
    assert not any("igm-editor-picker" in getattr(x, "_dom_classes", ()) for x in walk(widget))
    password.value = "a-trainer-token-for-tests"
    press_enter()
    assert any("igm-editor-picker" in getattr(x, "_dom_classes", ()) for x in walk(widget))
