"""Does the book's in-browser model give the same numbers as the engine?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from book.build import formula_latex, model_spec
from igm import DETERMINANTS, list_cases, model_for
from igm.determinants import KUNNEN
from igm.i18n import t
from igm.weights import domain_weights

# A few score combinations besides each case's own: extremes, uneven mixes, and the ones the
# power mean of kunnen is about: one kunnen determinant at 1 (ability 0: pow(0, p) is Infinity
# in JavaScript as in numpy) or at 2, with all others at 7.
COMBINATIONS = [
    dict.fromkeys(DETERMINANTS, 1),
    dict.fromkeys(DETERMINANTS, 7),
    dict(zip(DETERMINANTS, [7, 2, 5, 1, 6, 3, 4], strict=True)),
    dict(zip(DETERMINANTS, [2, 6, 3, 7, 1, 5, 4], strict=True)),
    *(dict.fromkeys(DETERMINANTS, 7) | {key: low} for key in KUNNEN for low in (1, 2)),
]


def test_spec_is_generated_from_the_engine_weights() -> None:
    """Does the spec carry the engine's normalised weights, both exponents, base rate and
    ceiling, with ability as the power mean of the kunnen shares?"""
    case = list_cases()[0]
    weights = domain_weights(case.domain)
    spec = model_spec(case.domain, case.scores, "nl")
    text = json.dumps(spec)
    for value in weights.normalised_values().values():
        assert repr(value) in text
    assert repr(weights.curve_exponent) in text
    assert repr(weights.base_rate.value) in text and repr(weights.ceiling.value) in text
    p = weights.compensation_exponent.value
    transforms = [step for layer in spec["layer"] for step in layer["transform"]]
    ability = next(step["calculate"] for step in transforms if step.get("as") == "ability")
    assert ability.startswith("100 * pow(") and ability.endswith(f", {1.0 / p!r})")
    for key in KUNNEN:
        assert f"pow(datum.x_{key}, {p!r})" in ability
    names = [p["bind"]["name"] for p in spec["params"]]
    assert all(
        t(f"determinant.{k}.name", "nl") in n for k, n in zip(DETERMINANTS, names, strict=True)
    )
    assert [p["value"] for p in spec["params"]] == [case.scores[k] for k in DETERMINANTS]


def test_formula_shows_the_engine_weights() -> None:
    """Does the LaTeX formula show this domain's weights and link parameters?"""
    weights = domain_weights("return_to_work")
    latex = "\n".join(formula_latex("return_to_work"))
    for value in weights.normalised_values().values():
        assert f"{value:.3f}" in latex
    assert f"{weights.base_rate.value:g}" in latex
    assert f"p = {weights.compensation_exponent.value:g}" in latex


def _set(page: Any, root: str, scores: dict[str, float]) -> None:
    page.evaluate(
        """([root, values]) => {
            const inputs = document.querySelectorAll(root + " input[type=range]");
            values.forEach((v, i) => {
                inputs[i].value = String(v);
                inputs[i].dispatchEvent(new Event("input", {bubbles: true}));
            });
        }""",
        [root, [scores[k] for k in DETERMINANTS]],
    )
    page.wait_for_timeout(150)


def _readout(page: Any, root: str) -> dict[str, float]:
    return {
        name: float(page.get_attribute(f"{root} .igm-book-{name}", "data-value"))
        for name in ("intention", "ability", "behaviour")
    }


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_case_pages_agree_with_the_engine(built_book: Path, page: Any, lang: str) -> None:
    """For every case: after moving the sliders, does the page show what model.predict says?"""
    for case in list_cases():
        page.goto((built_book / lang / "cases" / f"{case.id}.html").as_uri())
        root = f"#{page.get_attribute('.igm-book-model', 'id')}"
        page.wait_for_selector(f"{root}[data-ready='true']", timeout=15_000)
        model = model_for(case.domain)
        labels = page.eval_on_selector_all(
            f"{root} input[type=range]", "els => els.map(e => e.closest('label').innerText)"
        )
        assert len(labels) == len(DETERMINANTS)
        assert all(
            t(f"determinant.{k}.name", lang) in lab
            for k, lab in zip(DETERMINANTS, labels, strict=True)
        )
        for scores in [case.scores.as_dict(), *COMBINATIONS]:
            _set(page, root, scores)
            shown = _readout(page, root)
            p = model.predict(case.scores.with_values(scores))
            assert shown["intention"] == pytest.approx(p.intention, abs=1e-6), (case.id, scores)
            assert shown["ability"] == pytest.approx(p.ability, abs=1e-6), (case.id, scores)
            assert shown["behaviour"] == pytest.approx(100 * p.behaviour_probability, abs=1e-6)
            text = page.inner_text(f"{root} .igm-book-behaviour")
            assert text == f"{round(100 * p.behaviour_probability)}%", (case.id, scores, text)


@pytest.mark.browser
def test_keyboard_moves_a_slider(built_book: Path, page: Any) -> None:
    """Can a keyboard user move a determinant, and does the readout follow the engine?"""
    case = list_cases()[0]
    page.goto((built_book / "nl" / "cases" / f"{case.id}.html").as_uri())
    page.wait_for_selector(".igm-book-model[data-ready='true']", timeout=15_000)
    key = DETERMINANTS[2]
    slider = page.locator(".igm-book-model input[type=range]").nth(2)
    slider.focus()
    down = case.scores[key] > 1
    page.keyboard.press("ArrowLeft" if down else "ArrowRight")
    page.wait_for_timeout(150)
    expected = case.scores[key] + (-1 if down else 1)
    assert float(slider.input_value()) == expected
    p = model_for(case.domain).predict(case.scores.with_values({key: expected}))
    shown = float(page.get_attribute(".igm-book-behaviour", "data-value"))
    assert shown == pytest.approx(100 * p.behaviour_probability, abs=1e-6)
