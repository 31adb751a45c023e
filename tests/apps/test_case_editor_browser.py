"""The case editor in Chromium, served by a real ``serve()`` on a copy of the cases folder: a
trainer unlocks it, writes a case from scratch with keyboard and mouse, sees a field error appear
and go, saves, and finds the case in ``igm cases`` and in the explorer's case picker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from igm import DETERMINANTS, DeterminantScores, list_cases, model_for
from igm.cases import scan_cases
from igm.i18n import t
from igm.report import bottleneck_sentence
from tests.browser_helpers import assert_accessible
from tests.conftest import ARTIFACTS, run_server
from widgets.ui import fmt_percent

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TRAINER_TOKEN = "test-trainer-token-case-editor"
LOAD_TIMEOUT = 150_000  # a cold kernel on a busy 2-core machine
REPO = Path(__file__).resolve().parents[2]
NEW_ID = "sanne-herintreding"
NEW_TITLE = {"nl": "Sanne: weer aan het werk na tien jaar zorg", "en": "Sanne: back to work"}


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory: Any) -> Iterator[tuple[str, Path]]:
    """(base URL, cases folder): ``serve()`` on a copy of ``case_studies/``, with a trainer
    token; preheated kernels for the editor and the explorer only (as a served kit has them)."""
    cases = tmp_path_factory.mktemp("editor-cases")
    for path in (REPO / "case_studies").glob("*.yaml"):
        shutil.copy(path, cases / path.name)
    database = tmp_path_factory.mktemp("editor-db") / "igm.sqlite3"
    env = {
        "IGM_CASES_DIR": str(cases),
        "IGM_TRAINER_TOKEN": TRAINER_TOKEN,
        "IGM_DATABASE_URL": f"sqlite:///{database}",
    }
    config = "pool_size=0, pools={'apps/case_editor.ipynb': 1, 'apps/explorer.ipynb': 1}"
    with run_server(env, log_name="serve_case_editor.log", config=config) as url:
        yield url, cases


def open_editor(page: Any, url: str, lang: str, enter: bool = False) -> None:
    """Open the editor and unlock it: by the button, or by Enter in the token field."""
    query = "?lang=en" if lang == "en" else ""
    page.goto(
        f"{url}voila/render/apps/case_editor.ipynb{query}",
        wait_until="commit",
        timeout=LOAD_TIMEOUT,
    )
    page.wait_for_selector(".igm-token input[type=password]", timeout=LOAD_TIMEOUT)
    assert page.locator(".igm-editor-picker").count() == 0  # nothing but the token field
    token = page.get_by_label(t("case_editor.gate.token", lang), exact=True)
    token.fill(TRAINER_TOKEN)
    if enter:
        token.press("Enter")
    else:
        page.get_by_role("button", name=t("case_editor.gate.open", lang)).click()
    try:
        page.wait_for_selector(".igm-editor-picker select", timeout=LOAD_TIMEOUT)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"case_editor_unlock_failed_{lang}.png"))
        raise AssertionError("the editor did not open: " + page.inner_text("body")[:2000]) from None
    try:
        page.wait_for_selector(".igm-live .igm-readout, .igm-live p", timeout=LOAD_TIMEOUT)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"case_editor_form_failed_{lang}.png"), full_page=True)
        raise


def in_lang(field: str, lang: str, ui: str = "nl") -> str:
    return t(
        "case_editor.in_language", ui, field=field, language=t(f"case_editor.language.{lang}", ui)
    )


def type_into(page: Any, label: str, text: str, scope: Any = None) -> None:
    """Click a labelled field and type ``text`` key by key (as a trainer does)."""
    field = (scope or page).get_by_label(label, exact=True)
    field.click()
    field.press("Control+a")
    field.press("Delete")
    field.press_sequentially(text, delay=0)


def full_screenshot(page: Any, path: Path, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.screenshot(path=str(path), full_page=True)


def fill_new_case(page: Any) -> None:
    """Every field of a new case, in Dutch, by keyboard and mouse."""
    type_into(page, t("case_editor.field.name", "nl"), "Sanne")
    checkbox = page.get_by_label(t("case_editor.field.fictional", "nl"))
    checkbox.focus()
    page.keyboard.press("Space")
    page.get_by_label(t("case_editor.field.group", "nl"), exact=True).select_option(
        label=t("group.return_after_sickness", "nl")
    )
    page.get_by_label(t("case_editor.field.domain", "nl"), exact=True).select_option(
        label=t("domain.return_to_work", "nl")
    )
    for field in ("title", "summary", "narrative"):
        label = t(f"case_editor.field.{field}", "nl")
        type_into(
            page, in_lang(label, "nl"), NEW_TITLE["nl"] if field == "title" else f"{field} nl"
        )
        type_into(
            page, in_lang(label, "en"), NEW_TITLE["en"] if field == "title" else f"{field} en"
        )
    for part in ("action", "target", "context", "time"):
        label = t(f"case_editor.tact.{part}", "nl")
        page.get_by_label(in_lang(label, "nl"), exact=True).fill(f"{part} nl")
        page.get_by_label(in_lang(label, "en"), exact=True).fill(f"{part} en")
    for key in DETERMINANTS:
        label = t("case_editor.evidence", "nl", name=t(f"determinant.{key}.name", "nl"))
        page.get_by_label(in_lang(label, "nl"), exact=True).fill(f"Observatie: {key}.")
        page.get_by_label(in_lang(label, "en"), exact=True).fill(f"Observation: {key}.")
    for i, key in enumerate(("capacity", "self_regulation", "attitude")):
        box = page.locator(f".igm-intervention-{i}")
        number = i + 1
        box.get_by_label(t("case_editor.intervention.id", "nl", number=number), exact=True).fill(
            f"stap-{number}"
        )
        for field in ("label", "description"):
            label = t(f"case_editor.intervention.{field}", "nl")
            box.get_by_label(in_lang(label, "nl"), exact=True).fill(f"{field} {number}")
            box.get_by_label(in_lang(label, "en"), exact=True).fill(f"{field} {number} en")
        box.get_by_label(
            t("case_editor.intervention.effect", "nl", number=1), exact=True
        ).select_option(label=t(f"determinant.{key}.name", "nl"))


def test_trainer_writes_a_case_and_it_shows_everywhere(
    page: Any, editor_server: tuple[str, Path], artifacts_dir: Path
) -> None:
    url, cases = editor_server
    page.set_viewport_size({"width": 1366, "height": 768})
    open_editor(page, url, "nl")
    assert t("notice.illustrative", "nl") in page.inner_text("body")
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert_accessible(page)

    # a field error appears as the id is typed with a space, and goes when it is fixed
    id_label = t("case_editor.field.id", "nl")
    type_into(page, id_label, "sanne herintreding")
    message = t("case.problem.bad_id", "nl", value="sanne herintreding")
    error = page.locator(".igm-error-id p", has_text=message)
    error.wait_for(timeout=20_000)  # (it showed, for the part typed, from the first space)
    assert error.get_attribute("role") == "alert"
    assert_accessible(page)  # the form with a message shown
    type_into(page, id_label, NEW_ID)
    page.wait_for_function("() => !document.querySelector('.igm-error-id p')", timeout=20_000)

    fill_new_case(page)

    # the live panel follows a score moved by keyboard: the engine's prediction for it
    expected = model_for("return_to_work").predict(
        DeterminantScores.from_mapping({**dict.fromkeys(DETERMINANTS, 4), "capacity": 2})
    )
    slider = page.locator(".igm-slider-capacity input[type=range]")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "want => document.querySelector('.igm-live .igm-behaviour-readout .igm-readout-value')"
        ".dataset.value === want",
        arg=repr(expected.behaviour_probability),
        timeout=20_000,
    )
    assert fmt_percent(expected.behaviour_probability, "nl") in page.inner_text(".igm-live")
    assert bottleneck_sentence(expected, "nl") in page.inner_text(".igm-bottleneck")

    # save by keyboard
    page.get_by_role("button", name=t("case_editor.save", "nl")).focus()
    page.keyboard.press("Enter")
    saved = t("case_editor.saved", "nl", file=f"{NEW_ID}.yaml")
    page.get_by_text(saved).wait_for(timeout=30_000)
    assert page.locator(".igm-field-error p").count() == 0
    assert (cases / f"{NEW_ID}.yaml").is_file()
    assert_accessible(page)
    full_screenshot(page, artifacts_dir / "case_editor_nl_1366.png", 1366, 768)

    # igm cases lists it (the same cases folder, a new process)
    listed = subprocess.run(
        [sys.executable, "-m", "igm_kit.cli", "cases"],
        env={**os.environ, "IGM_CASES_DIR": str(cases)},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert NEW_ID in listed and NEW_TITLE["nl"] in listed

    # the explorer's case picker offers it, without a restart (its kernel was preheated
    # before the case existed)
    page.goto(f"{url}voila/render/apps/explorer.ipynb", wait_until="commit", timeout=LOAD_TIMEOUT)
    page.wait_for_selector(".igm-case-picker select", timeout=LOAD_TIMEOUT)
    options = page.locator(".igm-case-picker select option").all_inner_texts()
    # (ipywidgets shows the spaces in an option as no-break spaces)
    assert NEW_TITLE["nl"] in [o.replace("\xa0", " ").strip() for o in options], options


def test_existing_case_is_not_overwritten_without_a_yes(
    page: Any, editor_server: tuple[str, Path]
) -> None:
    url, cases = editor_server
    before = {
        name: (cases / name).read_bytes()
        for name in ("marja-bijstand.yaml", "lotte-na-burn-out.yaml")
    }
    open_editor(page, url, "en")
    marja = next(c for c in list_cases(cases) if c.id == "marja-bijstand")
    page.get_by_label(t("case_editor.pick", "en"), exact=True).select_option(
        label=f"{marja.title('en')} (marja-bijstand.yaml)"
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('.igm-field-id input')].some(i => i.value === 'marja-bijstand')",
        timeout=20_000,
    )
    # pick another case's id: saving asks first
    type_into(page, t("case_editor.field.id", "en"), "lotte-na-burn-out")
    page.get_by_role("button", name=t("case_editor.save", "en")).click()
    confirm = page.locator(".igm-confirm")
    confirm.get_by_text("lotte-na-burn-out.yaml").wait_for(timeout=20_000)
    assert_accessible(page)
    confirm.get_by_role("button", name=t("case_editor.cancel", "en")).click()
    page.get_by_text(t("case_editor.cancelled", "en")).wait_for(timeout=20_000)
    assert {name: (cases / name).read_bytes() for name in before} == before

    # the form has an unsaved change (the id): picking a new case asks first; "no" keeps it
    picker = page.locator(".igm-editor-picker select")
    picker.select_option(label=t("case_editor.new", "en"))
    question = page.locator(".igm-discard-confirm")
    question.get_by_text(t("case_editor.unsaved.question", "en")).wait_for(timeout=20_000)
    assert_accessible(page)
    question.get_by_role("button", name=t("case_editor.unsaved.keep", "en")).click()
    question.wait_for(state="hidden", timeout=20_000)
    assert picker.input_value().endswith("(marja-bijstand.yaml)")
    assert page.get_by_label(t("case_editor.field.id", "en"), exact=True).input_value() == (
        "lotte-na-burn-out"
    )


def test_editor_on_a_phone_in_english(
    page: Any, editor_server: tuple[str, Path], artifacts_dir: Path
) -> None:
    url, cases = editor_server
    page.set_viewport_size({"width": 390, "height": 844})
    # a case file the editor cannot open: the picker says which and what is wrong in it
    broken = cases / "kapot.yaml"
    text = (cases / "marja-bijstand.yaml").read_text(encoding="utf-8")
    broken.write_text(
        text.replace("id: marja-bijstand", "id: kapot", 1).replace(
            "  attitude:\n    score: 3", "  attitude:\n    score: 9", 1
        ),
        encoding="utf-8",
    )
    try:
        problem = scan_cases(cases).problems[0]
        open_editor(page, url, "en", enter=True)  # unlocked by Enter in the token field
    finally:
        broken.unlink()
    note = page.locator(".igm-editor-notes")
    expected = f"kapot.yaml:{problem.line}: {problem.field}: {problem.message('en')}"
    assert expected in note.inner_text().replace("\n", " "), note.inner_text()
    assert t("case_editor.skipped.hint", "en") in note.inner_text()
    # a new case starts with three empty interventions (the last part of the form to arrive)
    page.wait_for_selector(".igm-intervention-2 select", timeout=LOAD_TIMEOUT)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert t("case_editor.intro", "en") in page.inner_text("body")
    # nothing wider than the screen: no sideways scrolling
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    assert_accessible(page)
    full_screenshot(page, artifacts_dir / "case_editor_en_390.png", 390, 844)
