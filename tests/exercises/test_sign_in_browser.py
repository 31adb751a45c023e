"""Acceptance, in Chromium against a real ``igm serve``: a second browser that types an existing
learner's number without that learner's code is refused, with exactly the message an unknown
number gets. The trainer imports a class in the dashboard and prints the code sheet.

Screenshots (artifacts/): ``sign_in_refused_1366.png``, ``sign_in_refused_390.png``,
``class_roster_1366.png``, ``class_roster_390.png``, ``code_sheet_print.png``.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest

from gradebook import open_gradebook
from igm.i18n import t
from tests.browser_helpers import assert_accessible
from tests.conftest import guarded_page
from tests.exercises.conftest import TRAINER_TOKEN, ExerciseServer
from tests.exercises.roster_helpers import roster_code_at
from tests.exercises.test_app_browser import LOAD_TIMEOUT, exercise_url, identify, open_dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REFUSED = {lang: t("gradebook.error.sign_in_refused", lang) for lang in ("nl", "en")}


def refusal_shown(page: Any, number: str, code: str, lang: str) -> str:
    """Open the exercise, sign in with ``number`` and ``code``; the message shown."""
    page.goto(exercise_url_for(page, lang), wait_until="commit", timeout=LOAD_TIMEOUT)
    page.wait_for_selector(".igm-identity input", timeout=LOAD_TIMEOUT)
    identify(page, "", number, lang, code=code)
    alert = page.locator(".igm-message [role=alert]")
    alert.wait_for(timeout=LOAD_TIMEOUT)
    assert page.locator(".igm-exercise-form").count() == 0
    return str(alert.inner_text())


_SERVER: dict[str, ExerciseServer] = {}


def exercise_url_for(_page: Any, lang: str) -> str:
    return exercise_url(_SERVER["server"], "compare-clients", lang)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_a_classmates_number_without_their_code_is_refused_like_an_unknown_number(
    browser: Any, exercise_server: ExerciseServer, artifacts_dir: Path, width: int, height: int
) -> None:
    _SERVER["server"] = exercise_server
    lang = "nl" if width > 1000 else "en"
    owner_number = f"K{width:04d}01"
    code = roster_code_at(exercise_server.database_url, owner_number, "Kim Klasgenoot")
    # the owner signs in in their own browser
    with guarded_page(browser, width, height) as owner:
        owner.goto(exercise_url_for(owner, lang), wait_until="commit", timeout=LOAD_TIMEOUT)
        owner.wait_for_selector(".igm-identity input", timeout=LOAD_TIMEOUT)
        identify(owner, "Kim Klasgenoot", owner_number, lang, code=code)
        owner.wait_for_selector(".igm-exercise-form", timeout=LOAD_TIMEOUT)
        assert owner_number in owner.locator(".igm-identity").inner_text()
    # a second browser types the owner's number with a made-up code, and a number nobody has
    with guarded_page(browser, width, height) as other:
        existing = refusal_shown(other, owner_number, "ABCD-EFGH", lang)
        other.screenshot(path=str(artifacts_dir / f"sign_in_refused_{width}.png"), full_page=True)
        assert_accessible(other)
        unknown = refusal_shown(other, f"Z{width:04d}99", "ABCD-EFGH", lang)
    assert existing == unknown == REFUSED[lang]
    assert owner_number not in existing and "Kim" not in existing
    # nothing was bound or stored for the second browser
    with open_gradebook(exercise_server.database_url) as gb:
        assert [e.number for e in gb.roster() if e.last_signed_in_at].count(owner_number) == 1
        assert all(ln.learner_number != f"Z{width:04d}99" for ln in gb.learners())


def _download(page: Any, filename: str) -> str:
    href = page.locator(f'a[download="{filename}"]').get_attribute("href")
    assert href is not None
    return base64.b64decode(href.split("base64,", 1)[1]).decode("utf-8")


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_trainer_imports_a_class_and_prints_the_code_sheet(
    browser: Any,
    exercise_server: ExerciseServer,
    artifacts_dir: Path,
    tmp_path: Path,
    width: int,
    height: int,
) -> None:
    lang = "nl"
    hostile = "<img src=x onerror=window.__pwned=1>Eva"
    roster = tmp_path / "klas.csv"
    roster.write_text(
        f"naam;leerlingnummer\nAnna de Boer;R{width}001\n{hostile};R{width}002\n"
        f"Mohammed El Amrani;R{width}003\n",
        encoding="utf-8",
    )
    with guarded_page(browser, width, height) as page:
        open_dashboard(page, exercise_server, lang)
        page.get_by_label(t("dashboard.token", lang), exact=True).fill(TRAINER_TOKEN)
        page.get_by_role("button", name=t("dashboard.open", lang)).click()
        section = page.locator(".igm-class")
        section.wait_for(timeout=LOAD_TIMEOUT)
        page.get_by_label(t("dashboard.class.name", lang), exact=True).fill(f"Klas {width}")
        page.locator(".igm-class-file textarea").fill(roster.read_text(encoding="utf-8"))
        page.wait_for_timeout(500)  # the text reaches the kernel
        page.get_by_role("button", name=t("dashboard.class.import", lang)).click()
        page.locator('a[download="igm-codes.html"]').wait_for(timeout=LOAD_TIMEOUT)
        assert page.evaluate("window.__pwned") is None
        roster_table = page.locator(".igm-roster")
        roster_table.get_by_text(f"R{width}003").wait_for(timeout=LOAD_TIMEOUT)
        assert hostile in roster_table.inner_text()  # shown as text
        sheet = _download(page, "igm-codes.html")
        codes = _download(page, "igm-codes.csv")
        section.scroll_into_view_if_needed()
        section.screenshot(path=str(artifacts_dir / f"class_roster_{width}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page)
        # a lost code: reset from the dashboard, shown once
        page.get_by_label(t("dashboard.class.reset_number", lang), exact=True).fill(f"r{width}001")
        page.get_by_role("button", name=t("dashboard.class.reset", lang)).click()
        page.get_by_text(re.compile(r"Nieuwe code voor Anna de Boer")).wait_for(
            timeout=LOAD_TIMEOUT
        )
    assert "&lt;img" in sheet and "<img src=x" not in sheet
    assert len(re.findall(r'class="igm-slip"', sheet)) == 3
    assert f"R{width}002" in codes
    if width > 1000:
        with guarded_page(browser, 1366, 768) as printed:
            printed.set_content(sheet)
            printed.emulate_media(media="print")
            printed.screenshot(path=str(artifacts_dir / "code_sheet_print.png"), full_page=True)
            assert printed.evaluate("window.__pwned") is None
