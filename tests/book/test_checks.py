"""The formative checks in the book's chapters ({igm-check}, book/checks.yml).

The data: every chapter has two or three questions in both languages, every option its
feedback. The built pages: both editions show the same checks, and without JavaScript the
explained answer is there. In Chromium (every non-local request blocked): a reader answers a
check with the keyboard only, hears the feedback in a live region, the page passes axe-core,
and at 390 px nothing overflows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from book.checks import CHECKS_PER_CHAPTER, OPTIONS_PER_CHECK, Check, checks_html, load_checks
from igm.i18n import LANGUAGES, t
from tests.book.conftest import BOOK
from tests.browser_helpers import assert_accessible

CHECKS = load_checks()
#: The chapters: numbered pages of the book (``01-why-behaviour``, ``05b-the-conversation``).
_VERDICT = re.compile(r"(Goed|Niet goed|Right|Correct|Ja|Yes|Nee|No|Precies|Exactly)\.")
CHAPTERS = sorted(p.stem for p in (BOOK / "nl").glob("[0-9][0-9]*.md"))


def _built_checks(html: str) -> list[tuple[str, int]]:
    """(check id, number of radio buttons) per check, in page order."""
    found = []
    for block in re.split(r'(?=<div class="igm-check" )', html)[1:]:
        check_id = re.search(r'data-check="([^"]+)"', block)
        assert check_id, block[:200]
        radios = len(re.findall(r'<input type="radio"', block.split("</fieldset>")[0]))
        found.append((check_id.group(1), radios))
    return found


# ---- the data ------------------------------------------------------------------------------


def test_every_chapter_has_two_or_three_checks() -> None:
    """Does every chapter (and only a chapter) have 2-3 checks in the data file?"""
    assert sorted(CHECKS) == CHAPTERS
    for chapter, checks in CHECKS.items():
        assert len(checks) in CHECKS_PER_CHAPTER, chapter


def test_every_check_is_complete_in_both_languages() -> None:
    """Stem, 3-4 options, exactly one right, feedback on every option, in nl and en?"""
    for chapter, checks in CHECKS.items():
        for check in checks:
            where = f"{chapter}/{check.id}"
            assert len(check.options) in OPTIONS_PER_CHECK, where
            assert sum(o.correct for o in check.options) == 1, where
            for lang in LANGUAGES:
                assert check.question[lang].strip(), where
                for option in check.options:
                    assert option.text[lang].strip(), where
                    assert option.feedback[lang].strip(), where
                    assert option.feedback[lang] != option.text[lang], where
                    # The page puts "Goed." / "Niet goed." before it: no second verdict.
                    assert not _VERDICT.match(option.feedback[lang]), where


def test_dutch_checks_write_decimal_commas() -> None:
    """No number with a decimal point in the Dutch texts."""
    for checks in CHECKS.values():
        for check in checks:
            texts = [check.question["nl"]]
            texts += [x for o in check.options for x in (o.text["nl"], o.feedback["nl"])]
            for text in texts:
                assert not re.search(r"\d\.\d", text), text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["options"][0]["feedback"].pop("en"), "no text in en"),
        (lambda c: c["options"][1].update(correct=True), "exactly one option"),
        (lambda c: c["options"].pop(), "options"),
        (lambda c: c.update(id="Not An Id"), "lower-case"),
    ],
)
def test_loader_rejects_an_incomplete_check(tmp_path: Path, change: Any, message: str) -> None:
    """A check without feedback in one language, with two right answers, with too few
    options or a bad id fails the build instead of reaching the page."""
    import yaml

    def check(n: int) -> dict[str, Any]:
        return {
            "id": f"q{n}",
            "question": {"nl": "Vraag?", "en": "Question?"},
            "options": [
                {
                    "text": {"nl": f"optie {i}", "en": f"option {i}"},
                    "correct": i == 0,
                    "feedback": {"nl": "Omdat.", "en": "Because."},
                }
                for i in range(3)
            ],
        }

    data = {"01-x": [check(1), check(2)]}
    change(data["01-x"][0])
    path = tmp_path / "checks.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_checks(path)


def test_check_texts_are_escaped() -> None:
    """A text is data: markup in it reaches the page as text."""
    from book.checks import Option

    hostile = '<img src=x onerror="alert(1)">'
    both = dict.fromkeys(LANGUAGES, hostile)
    check = Check(
        "q1",
        both,
        tuple(Option(both, i == 0, both) for i in range(3)),
    )
    html = checks_html((check,), "nl", "igm-check-x")
    assert "<img" not in html
    assert "&lt;img src=x onerror=" in html


def test_every_chapter_source_has_the_directive() -> None:
    """Does every chapter in both editions show its checks (once)?"""
    for lang in LANGUAGES:
        for chapter in CHAPTERS:
            text = (BOOK / lang / f"{chapter}.md").read_text(encoding="utf-8")
            assert text.count("```{igm-check}") == 1, f"{lang}/{chapter}"


# ---- the built pages -----------------------------------------------------------------------


def test_both_editions_show_the_same_checks(built_book: Path) -> None:
    """Same checks, same options, in the same order, in nl and en; as in the data file."""
    for chapter, checks in CHECKS.items():
        expected = [(c.id, len(c.options)) for c in checks]
        for lang in LANGUAGES:
            html = (built_book / lang / f"{chapter}.html").read_text(encoding="utf-8")
            assert _built_checks(html) == expected, f"{lang}/{chapter}"


def test_without_javascript_the_answer_is_explained(built_book: Path) -> None:
    """The button is hidden until the script shows it; every option's feedback is in the page."""
    for lang in LANGUAGES:
        for chapter, checks in CHECKS.items():
            html = (built_book / lang / f"{chapter}.html").read_text(encoding="utf-8")
            assert html.count('class="igm-check-button" hidden') == len(checks)
            assert html.count('<details class="igm-check-answer">') == len(checks)
            assert t("book.check.intro", lang) in html


# ---- in Chromium ---------------------------------------------------------------------------


def _open(page: Any, path: Path) -> None:
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".igm-checks[data-ready='true']", timeout=15_000)


def _focus_before_checks(page: Any) -> None:
    """Put the keyboard focus just before the checks, on their intro line (made focusable
    here only; a reader tabs there through the page, which this saves)."""
    page.evaluate(
        """() => {
          const intro = document.querySelector('.igm-checks-intro');
          intro.setAttribute('tabindex', '-1');
          intro.focus();
        }"""
    )


def _feedback(page: Any, box: str) -> str:
    locator = page.locator(f"{box} .igm-check-feedback")
    locator.wait_for(state="visible")
    return str(locator.inner_text())


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "chapter"), [("nl", "03-kunnen"), ("en", "05-working-with-the-model")]
)
def test_a_check_answers_by_keyboard_with_feedback(
    built_book: Path, page: Any, lang: str, chapter: str, artifacts_dir: Path
) -> None:
    """Tab into the first question, choose a wrong option with Space and the arrow keys, press
    the button with Space: feedback "Niet goed." and that option's explanation. Then the right
    option, Enter: "Goed.". Offline (the page fixture blocks every other host), axe-clean."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1366, "height": 768})
    _open(page, built_book / lang / f"{chapter}.html")
    check = CHECKS[chapter][0]
    box = f"[data-check='{check.id}']"
    wrong = next(i for i, o in enumerate(check.options) if not o.correct)

    _focus_before_checks(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "radio"
    page.keyboard.press("Space")  # the first option
    for _ in range(wrong):
        page.keyboard.press("ArrowDown")
    assert page.locator(f"{box} input:checked").get_attribute("value") == str(wrong)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "igm-check-button"
    page.keyboard.press("Space")
    said = _feedback(page, box)
    assert said.startswith(t("book.check.wrong", lang)), said
    assert check.options[wrong].feedback[lang] in said
    assert page.locator(f"{box} .igm-check-feedback").get_attribute("aria-live") == "polite"

    page.keyboard.press("Shift+Tab")  # back into the radio group, on the chosen option
    steps = check.answer - wrong
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    assert page.locator(f"{box} input:checked").get_attribute("value") == str(check.answer)
    assert page.locator(f"{box} .igm-check-feedback").inner_text() == ""  # stale feedback gone
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    said = _feedback(page, box)
    assert said.startswith(t("book.check.right", lang)), said
    assert check.options[check.answer].feedback[lang] in said
    assert page.locator(f"{box} .igm-check-answer").is_visible()  # all answers, after a check

    page.locator(box).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / f"book-check-{lang}-{chapter}-1366.png"))
    assert_accessible(page, ".igm-checks")  # the page as a whole: test_offline.py
    assert not errors, errors


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "chapter"), [("nl", "03-kunnen"), ("en", "05b-the-conversation")])
def test_checks_fit_a_phone(
    built_book: Path, page: Any, lang: str, chapter: str, artifacts_dir: Path
) -> None:
    """At 390 px the checks wrap inside the page: no horizontal scrolling; a check still works
    (button press without choosing: "choose an answer first") and axe-core stays clean."""
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, built_book / lang / f"{chapter}.html")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page is {overflow}px wider than the screen"
    for check in page.locator(".igm-check").all():
        box = check.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    last = CHECKS[chapter][-1]
    selector = f"[data-check='{last.id}']"
    page.locator(f"{selector} .igm-check-button").press("Enter")
    assert _feedback(page, selector) == t("book.check.choose_first", lang)
    page.locator(f"{selector} input[value='{last.answer}']").press("Space")
    page.locator(f"{selector} .igm-check-button").press("Enter")
    assert _feedback(page, selector).startswith(t("book.check.right", lang))
    page.locator(".igm-checks").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / f"book-check-{lang}-{chapter}-390.png"))
    page.locator(selector).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / f"book-check-{lang}-{chapter}-390-answered.png"))
    assert_accessible(page, ".igm-checks")  # the page as a whole: test_offline.py


@pytest.mark.browser
def test_without_javascript_the_page_explains_the_answers(built_book: Path, browser: Any) -> None:
    """With JavaScript off: the questions and their explained answers, no dead button."""
    from tests.conftest import is_local

    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 768}
    )
    blocked: list[str] = []
    try:
        page = context.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if is_local(route.request.url)
                else (blocked.append(route.request.url), route.abort())
            ),
        )
        page.goto((built_book / "nl" / "04-gap.html").as_uri(), wait_until="load")
        checks = CHECKS["04-gap"]
        assert page.locator(".igm-check fieldset").count() == len(checks)
        assert page.locator(".igm-check-button:visible").count() == 0
        first = page.locator(".igm-check-answer").first
        first.locator("summary").click()
        assert checks[0].options[0].feedback["nl"] in first.inner_text()
    finally:
        context.close()
    assert not blocked, blocked
