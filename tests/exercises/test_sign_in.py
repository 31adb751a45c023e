"""Sign-in with a personal code in the exercise app, and the dashboard's class section: one
message for a wrong code and an unknown number, a per-page throttle, codes shown once."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import exercises.app as ea
from exercises.app import ExerciseApp
from exercises.roster import ClassSection, code_sheet_csv, code_sheet_html
from gradebook import Gradebook, open_gradebook
from gradebook.codes import FREE_TRIES
from igm.i18n import t
from tests.exercises.roster_helpers import roster_code

HOSTILE = "<img src=x onerror=alert(1)>;=1+1"


@pytest.fixture
def gb(tmp_path: Path) -> Iterator[Gradebook]:
    with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as book:
        yield book


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)


def test_a_class_makes_the_app_ask_for_the_code(gb: Gradebook) -> None:
    typed = ExerciseApp("compare-clients", "nl", gb, env={})
    assert typed.sign_in is not None and typed.sign_in.mode == "typed"  # no class yet
    code = roster_code(gb, "s1234567", "Sam")
    app = ExerciseApp("compare-clients", "nl", gb, env={})
    assert app.sign_in is not None and app.sign_in.mode == "code"
    assert app.sign_in.name_input is None and app.sign_in.code_input is not None
    assert not app.identify("Sam", "s1234567")  # no typed identity beside codes
    assert app.sign_in_with_code("s1234567", code)
    assert app.learner is not None and app.learner.learner_number == "S1234567"


def test_wrong_code_and_unknown_number_look_the_same_on_the_page(gb: Gradebook) -> None:
    code = roster_code(gb, "s1234567", "Sam")
    other = roster_code(gb, "s7654321", "Kim")
    shown = []
    for number, typed in (("s1234567", other), ("s9999999", code)):
        ea._KERNEL_LEARNER = None
        app = ExerciseApp("compare-clients", "en", gb, env={})
        assert not app.sign_in_with_code(number, typed)
        assert app.learner is None and app.form is None
        assert app.sign_in is not None and app.sign_in.code_input.value == ""
        shown.append(app.message.value)
    assert shown[0] == shown[1]
    assert t("gradebook.error.sign_in_refused", "en") in shown[0]


def test_the_page_throttles_its_own_tries(gb: Gradebook) -> None:
    code = roster_code(gb, "s1234567", "Sam")
    app = ExerciseApp("compare-clients", "nl", gb, env={})
    for n in range(FREE_TRIES):  # a different unknown number each time: not the DB's count
        assert not app.sign_in_with_code(f"s900000{n}", "ABCD-EFGH")
    assert not app.sign_in_with_code("s1234567", code)  # right, but this page must wait
    assert "Te veel pogingen" in app.message.value
    assert app.learner is None


def test_typed_sign_in_refuses_a_number_that_has_a_code(gb: Gradebook) -> None:
    roster_code(gb, "s1234567", "Sam")
    app = ExerciseApp("compare-clients", "nl", gb, env={"IGM_SIGN_IN": "typed"})
    assert app.sign_in is not None and app.sign_in.mode == "typed"
    assert not app.identify("Sam", "s1234567")
    assert t("exercise_app.identity.use_code", "nl") in app.message.value
    assert app.identify("Solo", "s5555555")  # one learner on a laptop, as before


def test_forced_code_mode_without_a_class_lets_nobody_in_by_typing(gb: Gradebook) -> None:
    app = ExerciseApp("compare-clients", "nl", gb, env={"IGM_SIGN_IN": "code"})
    assert not app.identify("Sam", "s1234567")
    assert not app.sign_in_with_code("s1234567", "ABCD-EFGH")
    assert gb.learners() == []


def _download(html: str, filename: str) -> str:
    found = re.search(
        rf'download="{re.escape(filename)}" href="data:[^;]+;charset=utf-8;base64,([^"]+)"', html
    )
    assert found, html
    return base64.b64decode(found.group(1)).decode("utf-8")


def test_class_section_imports_shows_codes_once_and_resets(gb: Gradebook) -> None:
    section = ClassSection(gb, "nl")
    data = f'naam;leerlingnummer\n"{HOSTILE}";s1234567\nSam;s7654321\n'.encode()
    assert section.import_csv(data, "2B")
    sheet = _download(section.result.value, "igm-codes.html")
    assert "<img src=x" not in sheet and "&lt;img src=x" in sheet  # a name is text
    codes = dict(
        re.findall(
            r"<dd>(S\d+)</dd>\s*<dt>[^<]+</dt><dd class=\"igm-slip-code\">([A-Z2-9-]+)</dd>", sheet
        )
    )
    assert sorted(codes) == ["S1234567", "S7654321"]
    csv_text = _download(section.result.value, "igm-codes.csv")
    assert "'=1+1" in csv_text and codes["S7654321"] in csv_text
    assert "<img src=x" not in section.roster.value and "S7654321" in section.roster.value
    assert t("dashboard.class.not_yet", "nl") in section.roster.value
    assert gb.sign_in("s7654321", codes["S7654321"])
    section.draw()
    assert section.roster.value.count(t("dashboard.class.not_yet", "nl")) == 1
    # a bad file: every problem named, nothing imported
    assert not section.import_csv(b"naam;nummer\nBo;12\n;s1111111\n", "3C")
    assert "Regel 2, number" in section.result.value and "Regel 3, name" in section.result.value
    assert gb.classes() == ["2B"]
    # a lost code: the new one shown once, the old one refused
    issued = section.reset("s7654321")
    assert issued is not None and issued.code in section.result.value
    with pytest.raises(Exception, match="do not belong together"):
        gb.sign_in("s7654321", codes["S7654321"])
    assert section.issue_missing() == []


def test_code_sheet_has_a_slip_per_learner_with_the_address(gb: Gradebook) -> None:
    result = gb.import_roster("2B", [])
    assert result.issued == []
    roster_code(gb, "s1234567", HOSTILE)
    issued = gb.reset_code("s1234567")
    html = code_sheet_html([issued], "en", "http://192.168.1.20:8866/")
    assert html.count('class="igm-slip"') == 1 and "@media print" in html
    assert issued.code in html and "http://192.168.1.20:8866/" in html
    assert HOSTILE not in html
    assert (
        code_sheet_csv([issued], "en").splitlines()[0] == "Class,Learner number,Name,Personal code"
    )
