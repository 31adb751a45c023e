"""A bad case file never takes the explorer or the planner down, and a case that is fixed or
broken while the server runs shows at the next page view (``app()``), without a restart.

The cases folder is a copy of ``case_studies/`` in a temporary folder (``IGM_CASES_DIR``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import ipywidgets as w
import pytest
from markupsafe import escape

import widgets.explorer as explorer_module
import widgets.planner as planner_module
from igm.cases import cases_dir, find_case, list_cases
from igm.i18n import t
from tests.case_folder import (
    BAD_ID,
    REPO_CASES,
    bad_case_text,
    break_case,
    copy_cases,
    fix_bad_case,
)
from widgets.explorer import Explorer
from widgets.planner import Planner

VALID_IDS = sorted(case.id for case in list_cases(REPO_CASES))
SKIPPED_NOTE = 'class="igm-case-skipped"'


def walk(widget: Any) -> list[Any]:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += walk(child)
    return found


def picker_ids(widget: w.Widget) -> list[str]:
    pickers = [x for x in walk(widget) if "igm-case-picker" in getattr(x, "_dom_classes", ())]
    assert len(pickers) <= 1
    return [value for _label, value in pickers[0].options] if pickers else []


def page_html(widget: w.Widget) -> str:
    return "\n".join(x.value for x in walk(widget) if isinstance(x, w.HTML))


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the case folder with one invalid file (attitude scored 8), in IGM_CASES_DIR."""
    folder = copy_cases(tmp_path / "cases")
    monkeypatch.setenv("IGM_CASES_DIR", str(folder))
    assert cases_dir() == folder
    return folder


@pytest.mark.parametrize("make", [Explorer, Planner])
def test_an_invalid_file_is_skipped_with_a_note_under_the_picker(cases: Path, make: Any) -> None:
    app = make(None, "nl")
    assert picker_ids(app.widget) == VALID_IDS
    page = page_html(app.widget)
    assert t("case.skipped.heading.one", "nl") in page
    assert f"{BAD_ID}.yaml:" in page and "scores.attitude.score" in page
    assert str(cases) not in page  # the file's name, never the server's path
    # The note sits right under the picker, before the case itself.
    children = list(app.widget.children)
    picker_at = next(i for i, c in enumerate(children) if "igm-case-picker" in c._dom_classes)
    assert SKIPPED_NOTE in children[picker_at + 1].value
    english = make(None, "en")
    assert t("case.skipped.heading.one", "en") in page_html(english.widget)


@pytest.mark.parametrize("module", [explorer_module, planner_module])
def test_app_takes_the_folder_as_it_is_at_each_page_view(cases: Path, module: Any) -> None:
    first = module.app(lang="nl")
    assert picker_ids(first) == VALID_IDS
    fix_bad_case(cases)
    second = module.app(lang="nl")
    assert picker_ids(second) == sorted([*VALID_IDS, BAD_ID])
    assert SKIPPED_NOTE not in page_html(second)
    break_case(cases, "lotte-na-burn-out")
    third = module.app(lang="nl")
    assert picker_ids(third) == sorted({*VALID_IDS, BAD_ID} - {"lotte-na-burn-out"})
    assert "lotte-na-burn-out.yaml:" in page_html(third) and "fictional" in page_html(third)


@pytest.mark.parametrize("module", [explorer_module, planner_module])
def test_a_preheated_kernel_reads_the_folder_again_when_the_request_comes(
    cases: Path, module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Voila runs the notebook in a pooled kernel before anyone asks for the page, then waits
    in ``language_from_query`` for the request. A file fixed in between shows on that page."""

    def request_arrives_after_the_fix() -> str:
        fix_bad_case(cases)
        return "en"

    monkeypatch.setattr(module, "language_from_query", request_arrives_after_the_fix)
    widget = module.app()
    assert picker_ids(widget) == sorted([*VALID_IDS, BAD_ID])
    assert SKIPPED_NOTE not in page_html(widget)
    assert t("ui.case", "en") in [x.description for x in walk(widget) if hasattr(x, "options")]


@pytest.mark.parametrize("make", [Explorer, Planner])
def test_an_open_app_survives_a_file_that_breaks(cases: Path, make: Any) -> None:
    """The app keeps the cases it read: switching to a case whose file broke since then uses
    the case as it was read (nothing is read again, nothing raises in the kernel)."""
    app = make(None, "nl")
    for path in cases.glob("*.yaml"):
        path.write_text("scores: [", encoding="utf-8")  # every file broken now
    app.set_case("lotte-na-burn-out")
    assert app.case.id == "lotte-na-burn-out"
    app.set_language("en")
    assert picker_ids(app.widget) == VALID_IDS
    app.set_case(VALID_IDS[0])
    assert app.case.id == VALID_IDS[0]


@pytest.mark.parametrize("make", [Explorer, Planner])
def test_a_case_asked_for_that_is_not_valid_falls_back_with_a_notice(
    cases: Path, make: Any
) -> None:
    app = make(BAD_ID, "nl")
    assert app.case is not None and app.case.id == VALID_IDS[0]
    assert t("case.skipped.fallback", "nl", case=BAD_ID) in page_html(app.widget)
    fix_bad_case(cases)
    assert app.refresh() is True  # the page's next view would show the case asked for
    assert app.case.id == BAD_ID
    assert t("case.skipped.fallback", "nl", case=BAD_ID) not in page_html(app.widget)
    assert app.refresh() is False  # nothing changed: nothing rebuilt


@pytest.mark.parametrize("module", [explorer_module, planner_module])
def test_no_valid_case_at_all_says_so_then_recovers(cases: Path, module: Any) -> None:
    for path in cases.glob("*.yaml"):
        if path.stem != BAD_ID:
            path.unlink()
    widget = module.app(lang="nl")
    page = page_html(widget)
    assert t("case.skipped.none", "nl") in page and f"{BAD_ID}.yaml:" in page
    assert picker_ids(widget) == []
    switch = next(x for x in walk(widget) if "igm-language-switch" in x._dom_classes)
    switch.value = "en"  # the reader can still switch language
    assert t("case.skipped.none", "en") in page_html(widget)
    fix_bad_case(cases)
    assert picker_ids(module.app(lang="nl")) == [BAD_ID]


def test_text_from_a_bad_file_reaches_the_page_as_text(cases: Path) -> None:
    hostile = bad_case_text(score=5).replace(
        "group: long_term_job_seeker", "group: <img src=x onerror=alert(1)>", 1
    )
    (cases / f"{BAD_ID}.yaml").write_text(hostile, encoding="utf-8")
    page = page_html(Explorer(None, "nl").widget)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("module", [explorer_module, planner_module])
def test_app_shows_the_case_of_the_query_string(
    cases: Path, module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The book's "Open as app" link: ``?lang=..&case=..`` opens the app at that case; a case
    that is not valid (unknown, or a file that is broken) shows the first one, with a notice."""
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    wanted = VALID_IDS[-1]
    monkeypatch.setenv("QUERY_STRING", f"lang=en&case={wanted}")
    widget = module.app()
    picker = next(x for x in walk(widget) if "igm-case-picker" in x._dom_classes)
    assert picker.value == wanted and picker.label == find_case(wanted).title("en")
    assert picker.description == t("ui.case", "en")
    for unknown in (BAD_ID, "<b>no-such-case</b>"):
        monkeypatch.setenv("QUERY_STRING", f"case={quote(unknown)}")
        widget = module.app()
        picker = next(x for x in walk(widget) if "igm-case-picker" in x._dom_classes)
        assert picker.value == VALID_IDS[0]
        page = page_html(widget)
        assert escape(t("case.skipped.fallback", "nl", case=unknown)) in page
        assert "<b>" not in page
