"""A conversation session over HTTP (issue 18, point 4): the trainer starts it from the
dashboard, only the trainer moves it on, every POST needs the XSRF token, votes are
rate-limited, and every text of a scenario or a participant stays literal."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from live.limits import ANSWERS
from tests.live.conftest import TRAINER_TOKEN, Client, LiveServer, start_server
from tests.live.conversation_setup import CONVERSATION_ID, TEST_CONVERSATION, conversation_cases

HOSTILE = '<img src=x onerror="alert(1)">&amp;'


@pytest.fixture
def talk_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    folder = conversation_cases(tmp_path, monkeypatch)
    # A second scenario whose client and response texts are markup, as a prankster writes them.
    text = TEST_CONVERSATION.read_text(encoding="utf-8")
    text = text.replace("id: oefen-marja", "id: oefen-hostile")
    text = text.replace("Op mijn leeftijd willen ze je toch niet meer.", HOSTILE.replace('"', "'"))
    text = text.replace("Daar moet je niet in blijven hangen.", "<script>alert(2)</script>")
    (folder / "conversations" / "oefen-hostile.yaml").write_text(text, encoding="utf-8")
    yield from start_server(f"sqlite:///{tmp_path / 'live.sqlite3'}", TRAINER_TOKEN)


def trainer(server: LiveServer) -> Client:
    c = Client()
    c.request(f"{server.url}live/trainer?key={TRAINER_TOKEN}")
    return c


def test_the_trainer_starts_a_conversation_from_the_dashboard(talk_server: LiveServer) -> None:
    base = talk_server.url + "live/"
    c = trainer(talk_server)
    status, page, _ = c.request(base + "trainer")
    assert status == 200 and 'name="conversation"' in page and "Oefengesprek met Marja" in page
    status, _, headers = c.request(
        base + "trainer/start", form={"conversation": CONVERSATION_ID, "lang": "en"}
    )
    assert status == 302
    code = headers["Location"].rsplit("/", 1)[1]
    assert talk_server.store.session(code)["conversation_id"] == CONVERSATION_ID
    status, page, _ = c.request(base + f"trainer/{code}")
    assert status == 200 and "Close the vote" in page and "Practice conversation with Marja" in page
    status, _, _ = c.request(base + "trainer/start", form={"conversation": "../../etc/passwd"})
    assert status == 404
    _, page, _ = c.request(base + "trainer")
    assert "Gesprek: Oefengesprek met Marja" in page  # the list of sessions (nl)


def test_only_the_trainer_moves_the_conversation_and_posts_need_xsrf(
    talk_server: LiveServer,
) -> None:
    base = talk_server.url + "live/"
    code = talk_server.store.create_conversation_session(CONVERSATION_ID)["code"]
    url = base + f"trainer/{code}/conversation"
    phone = Client()
    phone.request(f"{base}join?code={code}")
    assert phone.request(url, {"action": "close", "step": 0})[0] == 403
    c = trainer(talk_server)
    c.request(base + f"trainer/{code}")
    assert c.request(url, {"action": "close", "step": 0}, xsrf=False)[0] == 403
    status, body, _ = c.request(url, {"action": "close", "step": 3})
    assert (status, body["error"]) == (409, "live.conversation.error.stale")
    assert c.request(url, {"action": "close", "step": 0, "extra": 1})[0] == 400
    assert c.request(url, {"action": "close", "step": 0})[0] == 200
    assert talk_server.store.session(code)["phase"] == "deciding"
    _, joined, _ = phone.request(base + "api/join", {"code": code})
    vote = {"code": code, "token": joined["token"], "step": 0, "response": "reflecteer"}
    assert phone.request(base + "api/conversation/vote", vote, xsrf=False)[0] == 403
    status, body, _ = phone.request(base + "api/conversation/vote?lang=en", vote)
    assert (status, body["message"]) == (409, "The vote on this turn is closed.")


def test_votes_are_rate_limited_per_device(talk_server: LiveServer) -> None:
    base = talk_server.url + "live/"
    code = talk_server.store.create_conversation_session(CONVERSATION_ID)["code"]
    phone = Client()
    phone.request(f"{base}join?code={code}")
    _, joined, _ = phone.request(base + "api/join", {"code": code})
    vote = {"code": code, "token": joined["token"], "step": 0, "response": "reflecteer"}
    statuses = [phone.request(base + "api/conversation/vote", vote)[0] for _ in range(30)]
    assert statuses[: int(ANSWERS.burst) - 1].count(200) == int(ANSWERS.burst) - 1
    assert statuses.count(429) >= 15
    assert talk_server.store.conversation_room(code).counts == {"reflecteer": 1}


def test_scenario_and_participant_texts_stay_literal(talk_server: LiveServer) -> None:
    base = talk_server.url + "live/"
    code = talk_server.store.create_conversation_session("oefen-hostile", "nl")["code"]
    phone = Client()
    _, page, _ = phone.request(f"{base}join?code={code}")
    assert "<script>alert(2)" not in page and "<img src=x" not in page
    assert "\\u003cscript\\u003ealert(2)" in page  # in the page's JSON, escaped by tojson
    phone.request(base + "api/join", {"code": code, "nickname": HOSTILE})
    _, view, _ = phone.request(f"{base}api/conversation?code={code}")
    assert view["options"][1]["text"] == "<script>alert(2)</script>"  # literal, for textContent
    c = trainer(talk_server)
    _, page, _ = c.request(base + f"trainer/{code}")
    assert "<script>alert(2)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#39;alert(1)&#39;&gt;&amp;amp;" in page


def test_a_trainer_feed_cut_off_by_a_closed_browser_is_no_error(
    talk_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The trainer closes the browser while the screen's feed waits (rounds and conversation):
    when the session changes, the feed sees the client gone and ends quietly, no 5xx and no
    error logged. (A 500 without a traceback is what tornado logs for a feed still waiting
    when the server itself stops: its task is cancelled. That is not a client disconnect.)"""
    caplog.set_level(logging.INFO, logger="tornado")
    base = talk_server.url + "live/"
    header = {"X-Live-Trainer-Token": TRAINER_TOKEN}
    port = int(talk_server.url.rsplit(":", 1)[1].strip("/"))
    codes = (
        talk_server.store.create_session("marja-bijstand", "nl")["code"],
        talk_server.store.create_conversation_session(CONVERSATION_ID, "nl")["code"],
    )
    for code in codes:
        _, body, _ = Client().request(f"{base}trainer/{code}/feed?since=0&html=0", headers=header)
        feed = f"/live/trainer/{code}/feed?since={body['version']}"
        with socket.create_connection(("127.0.0.1", port)) as browser:
            browser.sendall(
                f"GET {feed} HTTP/1.1\r\nHost: x\r\nX-Live-Trainer-Token: {TRAINER_TOKEN}\r\n\r\n".encode()
            )
            time.sleep(0.3)  # the feed waits for a change; then the browser is closed
        time.sleep(0.3)
        phone = Client()
        phone.request(f"{base}join?code={code}")
        assert phone.request(base + "api/join", {"code": code})[0] == 200  # a change
        deadline = time.monotonic() + 10
        while not any(feed in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline, "the cut-off feed never ended"
            time.sleep(0.05)
    ended = [r for r in caplog.records if "/feed?since=" in r.getMessage()]
    assert len(ended) == 4 and all(" 200 " in f" {r.getMessage()}" for r in ended), ended
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- standard 7: a hostile scenario on every page and in the export; broken files beside it ----


@pytest.fixture
def hostile_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """The test scenario, the hostile one and two broken files (tests/conversation_hostile)."""
    from tests.conversation_hostile import cases_folder

    monkeypatch.setenv("IGM_CASES_DIR", str(cases_folder(tmp_path)))
    yield from start_server(f"sqlite:///{tmp_path / 'live.sqlite3'}", TRAINER_TOKEN)


def _text(html: str) -> str:
    from tests.live.test_escaping import Page

    return " ".join(Page(html).all_text.split())


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_hostile_scenario_stays_literal_on_every_page_and_in_the_export(
    hostile_server: LiveServer, lang: str
) -> None:
    """Started from the dashboard and played to the good ending: the dashboard, the
    projector at every phase, its feed, the phone page and the phone's JSON show each text as
    written, no tag or handler of a page came from it; the export defuses formulas."""
    import csv
    import io

    from tests.conversation_hostile import FORMULA, HOSTILE_ID, texts
    from tests.live.test_escaping import assert_only_own_markup

    base = hostile_server.url + "live/"
    store = hostile_server.store
    c = trainer(hostile_server)
    pages: dict[str, str] = {}
    _, pages["dashboard"], _ = c.request(base + f"trainer?lang={lang}")
    status, _, headers = c.request(
        base + "trainer/start", form={"conversation": HOSTILE_ID, "lang": lang}
    )
    assert status == 302
    code = headers["Location"].rsplit("/", 1)[1]
    phone = Client()
    _, pages["phone page"], _ = phone.request(f"{base}join?code={code}&lang={lang}")
    _, joined, _ = phone.request(base + "api/join", {"code": code, "nickname": FORMULA})
    token = joined["token"]
    views = []
    for step, response_id in enumerate(("reflecteer", "open-vraag")):
        _, views_now, _ = phone.request(f"{base}api/conversation?code={code}&lang={lang}")
        views.append(views_now)
        vote = {"code": code, "token": token, "step": step, "response": response_id}
        assert phone.request(base + "api/conversation/vote", vote)[0] == 200
        _, pages[f"projector voting {step}"], _ = c.request(base + f"trainer/{code}")
        moved = c.request(base + f"trainer/{code}/conversation", {"action": "close", "step": step})
        assert moved[0] == 200, moved
        _, pages[f"projector shown {step}"], _ = c.request(base + f"trainer/{code}")
        _, feed, _ = c.request(base + f"trainer/{code}/feed?since=0")
        if isinstance(feed, dict) and "html" in feed:
            pages[f"feed {step}"] = feed["html"]
        _, views_now, _ = phone.request(f"{base}api/conversation?code={code}&lang={lang}")
        views.append(views_now)
        moved = c.request(
            base + f"trainer/{code}/conversation", {"action": "next", "step": step + 1}
        )
        assert moved[0] == 200, moved
    assert store.conversation_room(code).response_ids == ["reflecteer", "open-vraag"]
    _, pages["projector ended"], _ = c.request(base + f"trainer/{code}")
    _, pages["phone page ended"], _ = phone.request(f"{base}join?code={code}&lang={lang}")
    _, views_now, _ = phone.request(f"{base}api/conversation?code={code}&lang={lang}")
    views.append(views_now)

    for where, html in pages.items():
        page = assert_only_own_markup(where, html)
        assert "evil.example" not in " ".join(
            str(v) for _tag, attrs in page.tags for v in attrs.values()
        ), f"{where}: a link or source from the scenario"
    hostile = texts(lang)
    shown = _text("\n".join(pages.values()))
    on_projector = ["title", "speaker", "client-opening", "client-twijfel", "client-goed-einde"]
    on_projector += ["text-opening-reflecteer", "text-opening-weerleg", "text-twijfel-open-vraag"]
    on_projector += ["text-twijfel-opdracht", "text-twijfel-vraag-toestemming"]
    on_projector += ["explanation-opening-reflecteer", "explanation-twijfel-open-vraag"]
    on_projector += ["outcome-goed-einde"]
    missing = [tag for tag in on_projector if " ".join(hostile[tag].split()) not in shown]
    assert not missing, f"not on the pages as written: {missing}"
    # The phone draws from JSON with textContent: the texts come as they are written.
    sent = json.dumps(views, ensure_ascii=False)
    for tag in ("client-opening", "text-opening-reflecteer", "text-twijfel-open-vraag"):
        assert json.dumps(hostile[tag], ensure_ascii=False)[1:-1] in sent, tag

    status, exported, _ = c.request(base + f"trainer/{code}/export.csv")
    assert status == 200
    rows = list(csv.reader(io.StringIO(exported)))
    assert len(rows) == 3, rows  # a header and one row per turn voted on
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), f"a formula: {cell!r}"
    assert rows[1][rows[0].index("nickname")] == "'" + FORMULA
    assert rows[1][rows[0].index("conversation")] == HOSTILE_ID


def test_broken_files_are_listed_and_sessions_start_from_the_good_ones(
    hostile_server: LiveServer,
) -> None:
    from tests.conversation_hostile import (
        HOSTILE_ID,
        NOT_YAML_FILE,
        UNKNOWN_NEXT_FIELD,
        UNKNOWN_NEXT_FILE,
    )
    from tests.live.test_escaping import Page

    base = hostile_server.url + "live/"
    c = trainer(hostile_server)
    for lang in ("nl", "en"):
        status, html, _ = c.request(base + f"trainer?lang={lang}")
        assert status == 200
        page = Page(html)
        offered = [
            a.get("value")
            for tag, a in page.tags
            if tag == "option" and a.get("value") and "disabled" not in a
        ]
        assert HOSTILE_ID in offered and CONVERSATION_ID in offered
        assert "kapot-volgende" not in offered and "geen-yaml" not in offered
        text = _text(html)
        assert f"{UNKNOWN_NEXT_FILE}:33: {UNKNOWN_NEXT_FIELD}:" in text
        assert f"{NOT_YAML_FILE}:" in text
        assert "<script>window.__pwned" not in html
    status, _, headers = c.request(base + "trainer/start", form={"conversation": CONVERSATION_ID})
    assert status == 302
    code = headers["Location"].rsplit("/", 1)[1]
    assert hostile_server.store.session(code)["conversation_id"] == CONVERSATION_ID
    status, _, _ = c.request(base + "trainer/start", form={"conversation": "kapot-volgende"})
    assert status == 404
