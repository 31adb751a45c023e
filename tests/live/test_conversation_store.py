"""A conversation session in the database (issue 18, point 4), on SQLite and PostgreSQL:
votes count once per device and turn (the latest counts), the chosen response moves the path
on, and a vote for a response the turn does not offer, or after the vote closed, is refused."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from igm.cases import CaseError
from live.store import LiveError, LiveStore
from tests.live.conversation_setup import CONVERSATION_ID, conversation_cases


@pytest.fixture
def store(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveStore]:
    conversation_cases(tmp_path, monkeypatch)
    s = LiveStore(db_url)
    try:
        yield s
    finally:
        s.close()


def room_of(store: LiveStore, n: int) -> tuple[str, list[str]]:
    code = store.create_conversation_session(CONVERSATION_ID, "nl")["code"]
    tokens = [store.join(code, f"p{i}", device=f"device-{i}")[0] for i in range(n)]
    return code, tokens


def test_a_conversation_session_starts_at_the_first_turn(store: LiveStore) -> None:
    session = store.create_conversation_session(CONVERSATION_ID, "en")
    assert session["kind"] == "conversation"
    assert session["conversation_id"] == CONVERSATION_ID
    assert session["case_id"] == "marja-bijstand"
    assert (session["step"], session["phase"]) == (0, "voting")
    assert store.session(session["code"])["phase"] == "voting"
    room = store.conversation_room(session["code"])
    assert room.path == () and room.counts == {} and room.participants == 0
    listed = store.sessions()[0]
    assert listed["kind"] == "conversation" and listed["conversation_id"] == CONVERSATION_ID


def test_unknown_or_path_like_conversations_are_refused(store: LiveStore) -> None:
    for name in ("no-such-talk", "../marja-bijstand", "/etc/passwd", ""):
        with pytest.raises(CaseError):
            store.create_conversation_session(name)


def test_votes_count_once_per_device_and_turn_and_the_latest_counts(store: LiveStore) -> None:
    code, tokens = room_of(store, 5)
    # Device 0 changes its mind twice; the same device joining again is the same participant.
    store.vote(code, tokens[0], 0, "weerleg")
    store.vote(code, tokens[0], 0, "weerleg")
    again, _ = store.join(code, "p0 again", device="device-0")
    assert again == tokens[0]
    store.vote(code, again, 0, "reflecteer")
    for token in tokens[1:3]:
        store.vote(code, token, 0, "reflecteer")
    store.vote(code, tokens[3], 0, "weerleg")
    room = store.conversation_room(code)
    assert room.counts == {"reflecteer": 3, "weerleg": 1}
    assert room.votes_stored == 6 and room.participants == 5
    assert store.my_vote(code, tokens[0])["vote"] == "reflecteer"
    assert store.my_vote(code, tokens[4])["vote"] is None


def test_the_majority_moves_the_path_on_and_the_next_turn_opens(store: LiveStore) -> None:
    code, tokens = room_of(store, 3)
    store.vote(code, tokens[0], 0, "weerleg")
    store.vote(code, tokens[1], 0, "reflecteer")
    store.vote(code, tokens[2], 0, "reflecteer")
    after = store.close_vote(code, 0)
    assert (after["step"], after["phase"]) == (1, "shown")
    room = store.conversation_room(code)
    assert [(s.turn_id, s.response_id, s.chosen_by) for s in room.path] == [
        ("opening", "reflecteer", "room")
    ]
    assert room.path[0].counts == {"reflecteer": 2, "weerleg": 1}
    assert room.counts == {}  # nobody voted at the next turn yet
    # While the chosen response is shown, nobody votes; then the next turn opens.
    with pytest.raises(LiveError) as shown:
        store.vote(code, tokens[0], 1, "open-vraag")
    assert shown.value.key == "live.conversation.error.vote_closed"
    assert store.next_turn(code, 1)["phase"] == "voting"
    store.vote(code, tokens[0], 1, "open-vraag")
    assert store.conversation_room(code).counts == {"open-vraag": 1}
    # A second click on a stale screen does nothing.
    with pytest.raises(LiveError) as stale:
        store.next_turn(code, 1)
    assert stale.value.key == "live.conversation.error.stale"


def test_a_tie_waits_for_the_trainer_who_may_also_pick_another(store: LiveStore) -> None:
    code, tokens = room_of(store, 2)
    store.vote(code, tokens[0], 0, "weerleg")
    store.vote(code, tokens[1], 0, "reflecteer")
    assert store.close_vote(code, 0)["phase"] == "deciding"
    with pytest.raises(LiveError) as closed:
        store.vote(code, tokens[0], 0, "reflecteer")
    assert closed.value.key == "live.conversation.error.vote_closed"
    with pytest.raises(LiveError):
        store.choose(code, 0, "open-vraag")  # not a response of this turn
    assert store.choose(code, 0, "weerleg")["phase"] == "shown"
    store.next_turn(code, 1)
    # The trainer's own pick while the room votes (it closes the vote).
    store.vote(code, tokens[0], 1, "open-vraag")
    store.choose(code, 1, "opdracht")
    with pytest.raises(LiveError):
        store.vote(code, tokens[1], 1, "open-vraag")
    assert store.next_turn(code, 2)["phase"] == "ended"
    room = store.conversation_room(code)
    assert room.response_ids == ["weerleg", "opdracht"]
    assert [s.chosen_by for s in room.path] == ["trainer", "trainer"]
    assert room.path[1].counts == {"open-vraag": 1}
    with pytest.raises(LiveError):
        store.close_vote(code, 2)


def test_no_votes_at_all_is_a_tie(store: LiveStore) -> None:
    code, _ = room_of(store, 1)
    assert store.close_vote(code, 0)["phase"] == "deciding"


@pytest.mark.parametrize(
    ("step", "response", "key"),
    [
        (0, "open-vraag", "live.conversation.error.response"),  # a response of another turn
        (0, "nothing-like-it", "live.conversation.error.response"),
        (0, 7, "live.conversation.error.response"),
        (0, None, "live.conversation.error.response"),
        (True, "reflecteer", "live.conversation.error.response"),
        ("0", "reflecteer", "live.conversation.error.response"),
        (1, "open-vraag", "live.conversation.error.vote_closed"),  # a turn not yet open
    ],
)
def test_a_vote_not_on_offer_is_refused(
    store: LiveStore, step: object, response: object, key: str
) -> None:
    code, tokens = room_of(store, 1)
    with pytest.raises(LiveError) as refused:
        store.vote(code, tokens[0], step, response)
    assert refused.value.key == key
    assert store.conversation_room(code).votes_stored == 0


def test_votes_need_a_participant_and_an_open_session(store: LiveStore) -> None:
    code, tokens = room_of(store, 1)
    other = store.create_conversation_session(CONVERSATION_ID)["code"]
    with pytest.raises(LiveError) as stranger:
        store.vote(other, tokens[0], 0, "reflecteer")  # a token of another session
    assert stranger.value.status == 403
    store.update(code, status="closed")
    with pytest.raises(LiveError) as closed:
        store.vote(code, tokens[0], 0, "reflecteer")
    assert closed.value.key == "live.error.closed"
    rounds = store.create_session("marja-bijstand")["code"]
    with pytest.raises(LiveError) as not_a_talk:
        store.conversation_room(rounds)
    assert not_a_talk.value.key == "live.conversation.error.not_conversation"


def test_votes_are_append_only(store: LiveStore) -> None:
    code, tokens = room_of(store, 1)
    store.vote(code, tokens[0], 0, "reflecteer")
    for statement in (
        "UPDATE live_conversation_votes SET response_id = 'weerleg'",
        "DELETE FROM live_conversation_votes",
    ):
        with pytest.raises(DBAPIError), store.engine.begin() as connection:
            connection.execute(text(statement))
    assert store.conversation_room(code).counts == {"reflecteer": 1}


def test_the_export_has_the_votes_per_turn(store: LiveStore) -> None:
    code, tokens = room_of(store, 2)
    store.join(code, "=HYPERLINK()", device="device-0")
    store.vote(code, tokens[0], 0, "weerleg")
    store.vote(code, tokens[0], 0, "reflecteer")
    store.vote(code, tokens[1], 0, "reflecteer")
    store.close_vote(code, 0)
    store.next_turn(code, 1)
    store.vote(code, tokens[1], 1, "opdracht")
    rows = list(csv.DictReader(io.StringIO(store.export_csv(code))))
    assert [(r["position"], r["turn"], r["vote"], r["chosen"], r["chosen_by"]) for r in rows] == [
        ("0", "opening", "reflecteer", "reflecteer", "room"),
        ("0", "opening", "reflecteer", "reflecteer", "room"),
        ("1", "twijfel", "opdracht", "", ""),
    ]
    assert rows[0]["nickname"] == "'=HYPERLINK()"  # a formula is defused
    every = list(csv.DictReader(io.StringIO(store.export_csv(code, all_rows=True))))
    assert [r["response"] for r in every] == ["weerleg", "reflecteer", "reflecteer", "opdracht"]
