"""Sessions, participants and append-only answers in the gradebook database."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from igm.cases import CaseError, find_case
from igm.determinants import DETERMINANTS
from igm.i18n import t
from igm.model import model_for
from igm.report import bottleneck_sentence, in_sentence, lever_name
from live.pages import room_html
from live.room import summarise
from live.store import LiveError, LiveStore, validate_answer

FULL = dict.fromkeys(DETERMINANTS, 4)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[LiveStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    else:
        from tests.database_fixtures import reset_postgres

        url = request.getfixturevalue("postgres_url")
        reset_postgres(url)
    s = LiveStore(url)
    try:
        yield s
    finally:
        s.close()


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("scores", {**FULL, "attitude": 8}),
        ("scores", {**FULL, "attitude": 0}),
        ("scores", {**FULL, "attitude": 3.5}),
        ("scores", {**FULL, "attitude": "4"}),
        ("scores", {**FULL, "attitude": True}),
        ("scores", {k: v for k, v in FULL.items() if k != "capacity"}),
        ("scores", {**FULL, "motivation": 4}),
        ("scores", [4] * 7),
        ("prediction", 101),
        ("prediction", -1),
        ("prediction", 50.5),
        ("prediction", "50"),
        ("prediction", None),
        ("vote", "motivation"),
        ("vote", 3),
        ("guess", 3),
    ],
)
def test_validation_is_strict(kind: str, value: Any) -> None:
    with pytest.raises(LiveError):
        validate_answer(kind, value)


def _room_text(summary: dict[str, Any], lang: str) -> str:
    """The trainer's room as text: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", room_html(summary, lang))).split())


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_trainer_screen_names_the_knelpunt_once_and_words_capacity_as_adapting(
    store: LiveStore, lang: str
) -> None:
    """One name (knelpunt) for one thing, and capacity as adapting the work and the load."""
    code = store.create_session("lotte-na-burn-out", lang)["code"]
    store.update(code, round=3, revealed=True)
    a, _ = store.join(code, "Anna")
    store.submit(code, a, "scores", {**FULL, "capacity": 1})
    store.submit(code, a, "vote", "capacity")
    summary = summarise(store.room(code))
    assert summary["reference"]["bottleneck"] == "capacity"
    page = _room_text(summary, lang)
    capacity = lever_name("capacity", lang)
    case = find_case("lotte-na-burn-out")
    reference = model_for(case.domain).predict(case.scores)
    assert bottleneck_sentence(reference, lang) in page
    assert f"{t('output.bottleneck', lang)}: {in_sentence(capacity)}." in page  # "Knelpunt: ... ."
    assert not re.search(r"hefboom|\blevers?\b", page, re.I)  # the same thing's other name
    assert t("live.trainer.votes_summary", lang, n=1, top_n=1, top=capacity) in page
    assert not re.search(r"verhoog|\braise", page, re.I)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_trainer_screen_says_when_there_is_no_single_knelpunt(store: LiveStore, lang: str) -> None:
    """Hiba's two best levers are about equal; the room's average of flat answers (all 7s)
    has no knelpunt at all: the screen says so (and to combine steps), and never crashes."""
    code = store.create_session("hiba-ingenieur", lang)["code"]
    store.update(code, round=3)
    a, _ = store.join(code, "Anna")
    store.submit(code, a, "scores", dict.fromkeys(DETERMINANTS, 7))
    hidden = summarise(store.room(code))
    assert hidden["reference"] is None
    assert not re.search(r"knelpunt|bottleneck", _room_text(hidden, lang), re.I)  # not yet
    store.update(code, revealed=True)
    summary = summarise(store.room(code))
    assert summary["reference"]["bottleneck"] is None
    assert summary["reference"]["close_levers"] == ["knowledge_skills", "home_situation"]
    assert summary["room_model"]["bottleneck"] is None
    assert summary["room_model"]["close_levers"] is None
    json.dumps(summary)  # the feed sends it as JSON
    page = _room_text(summary, lang)
    about_equal = {"nl": "ongeveer gelijk", "en": "about equal"}[lang]
    none = {"nl": "Geen enkel knelpunt", "en": "No single bottleneck"}[lang]
    combine = {"nl": "Combineer stappen", "en": "Combine steps"}[lang]
    assert about_equal in page and none in page and combine in page
    for key in ("knowledge_skills", "home_situation"):
        assert lever_name(key, lang) in page
    assert ": –" not in page  # no knelpunt is said, not left blank
    assert not re.search(r"hefboom|\blevers?\b", page, re.I)


def test_answers_are_appended_and_the_latest_counts(store: LiveStore) -> None:
    code = store.create_session("marja-bijstand", "nl")["code"]
    store.update(code, round=3)
    a, _ = store.join(code, "Anna")
    b, _ = store.join(code.lower(), "")
    store.submit(code, a, "scores", {**FULL, "self_efficacy": 1})
    store.submit(code, a, "scores", {**FULL, "self_efficacy": 2})  # changes her mind
    store.submit(code, b, "scores", {**FULL, "self_efficacy": 7})
    store.submit(code, b, "prediction", 35)
    store.submit(code, a, "vote", "self_efficacy")
    room = store.room(code)
    assert room.participants == 2 and room.answers_stored == 5
    assert sorted(s["self_efficacy"] for s in room.scores) == [2, 7]
    assert store.my_answers(code, a)["answers"]["scores"]["self_efficacy"] == 2
    summary = summarise(room)
    assert summary["disagreement"][0]["key"] == "self_efficacy"
    assert summary["room_model"]["behaviour"] is not None
    assert "Geloof in eigen kunnen" in room_html(summary, "nl")
    rows = list(csv.reader(io.StringIO(store.export_csv(code))))
    assert len(rows) == 3 and rows[1][3] == "Anna"
    assert len(store.export_csv(code, all_rows=True).strip().splitlines()) == 6
    with store.engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("UPDATE live_answers SET kind = 'vote'"))
        conn.commit()


def test_closed_sessions_store_nothing_and_can_be_reopened(store: LiveStore) -> None:
    code = store.create_session("lotte-na-burn-out", "en")["code"]
    token, _ = store.join(code)
    store.update(code, status="closed")
    with pytest.raises(LiveError) as err:
        store.submit(code, token, "scores", FULL)
    assert err.value.key == "live.error.closed" and err.value.status == 409
    with pytest.raises(LiveError):
        store.join(code)
    assert store.room(code).answers_stored == 0
    store.update(code, status="open")
    store.submit(code, token, "scores", FULL)  # the same participant keeps their place
    assert store.room(code).answers_stored == 1


def test_unknown_things_are_refused(store: LiveStore) -> None:
    with pytest.raises(CaseError):
        store.create_session("nobody")
    with pytest.raises(LiveError) as err:
        store.join("ZZZZZ")
    assert err.value.status == 404
    code = store.create_session("marja-bijstand")["code"]
    with pytest.raises(LiveError) as err:
        store.submit(code, "not-a-token", "scores", FULL)
    assert err.value.status == 403
    token, _ = store.join(code)
    with pytest.raises(LiveError) as err:
        store.submit(code, token, "vote", "capacity")  # round 3 is not open yet
    assert err.value.key == "live.error.round_not_open"
    with pytest.raises(LiveError):
        store.join(code, "x" * 41)


def test_names_cannot_inject_spreadsheet_formulas(store: LiveStore) -> None:
    code = store.create_session("marja-bijstand")["code"]
    store.join(code, "=HYPERLINK(1)")
    assert "'=HYPERLINK(1)" in store.export_csv(code)
