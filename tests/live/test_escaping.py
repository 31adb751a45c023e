"""Hostile text in every live page comes out as text: escaped, never markup, never a template.

A real server (tests/live/conftest.py) on a folder of hostile cases: the ones of
``tests/book/hostile/`` (HTML, ``<script>``, ``javascript:`` links, Jinja expressions that would
write a marker file if anything rendered them) and one written here whose title and name hold
``<script>alert(1)</script>``, ``{{ 7*7 }}`` and ``{% raw %}``; an invalid case file whose *name*
is HTML; participants whose nicknames are HTML and Jinja; request parameters that are HTML.
Each page, the trainer screen, its live feed, the participant page and the trainer's home, is
read as HTML: the hostile text is in its text as written, and no tag, attribute or script of
the page came from it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import live.store
from igm.cases import list_cases
from igm.determinants import DETERMINANTS
from igm.i18n import LANGUAGES
from tests.case_folder import REPO_CASES
from tests.live.conftest import TRAINER_TOKEN, Client, LiveServer, start_server

HOSTILE = Path(__file__).resolve().parents[1] / "book" / "hostile"
PAYLOAD = "<script>alert(1)</script> {{ 7*7 }} {% raw %} {# x #}"
TITLE = {"nl": f"Sam {PAYLOAD} nl", "en": f"Sam {PAYLOAD} en"}
NAME = "<b>Sam</b> {{ 7*7 }}"
NICKNAME = "<script>alert('nick')</script>{{ 7*7 }}"
#: An invalid case file whose name is markup: the trainer's home names it in its warning.
BAD_FILE = "<img src=x onerror=alert(3)>.yaml"
KEY = {"X-Live-Trainer-Token": TRAINER_TOKEN}


class Page(HTMLParser):
    """The tags with their attributes, the text and the script contents of a page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    @property
    def all_text(self) -> str:
        """The text as a reader sees it, plus every attribute value (labels, titles)."""
        values = [v or "" for _tag, attrs in self.tags for v in attrs.values()]
        return "\n".join([*self.text, *values])


def sam_case() -> str:
    """Marja's case as ``hostile-sam``, with the payload in its title and name."""
    text = (REPO_CASES / "marja-bijstand.yaml").read_text(encoding="utf-8")
    text = text.replace("id: marja-bijstand", "id: hostile-sam", 1)
    head, rest = text.split("\ntitle:\n", 1)
    _old_title, tail = rest.split("\n\n", 1)
    head = "\n".join(
        f'name: "{NAME}"' if line.startswith("name:") else line for line in head.splitlines()
    )
    title = "\n".join(f'  {lang}: "{TITLE[lang]}"' for lang in LANGUAGES)
    return f"{head}\ntitle:\n{title}\n\n{tail}"


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "template-was-rendered"


@pytest.fixture
def cases(tmp_path: Path, marker: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    for path in HOSTILE.glob("*.yaml"):
        text = path.read_text(encoding="utf-8").replace("@MARKER@", str(marker))
        (folder / path.name).write_text(text, encoding="utf-8")
    (folder / "hostile-sam.yaml").write_text(sam_case(), encoding="utf-8")
    shutil.copy(REPO_CASES / "marja-bijstand.yaml", folder / BAD_FILE)  # its id is not its name
    monkeypatch.setenv("IGM_CASES_DIR", str(folder))
    monkeypatch.setattr(live.store, "_LAST_GOOD", {})
    ids = sorted(c.id for c in list_cases(folder))
    assert ids == ["hostile-long", "hostile-markup", "hostile-sam", "hostile-template"], ids
    return folder


@pytest.fixture
def server(cases: Path, live_db: str) -> Iterator[LiveServer]:
    yield from start_server(live_db, TRAINER_TOKEN)


def assert_only_own_markup(where: str, html: str) -> Page:
    """No tag, attribute, link or script of ``html`` came from a hostile text."""
    page = Page(html)
    for tag, attributes in page.tags:
        assert tag not in {"img", "iframe", "b", "i", "object", "embed"}, f"{where}: <{tag}>"
        if tag == "script":  # the page's own: its file, or its JSON messages
            assert attributes.get("src") or attributes.get("type") == "application/json", where
        for name, value in attributes.items():
            assert not name.startswith("on"), f"{where}: {name}={value!r}"
            if name in {"href", "src", "action"}:
                assert not (value or "").lower().startswith("javascript:"), where
    for script in page.scripts:
        assert "alert(" not in script, f"{where}: {script[:200]}"
    # A template engine that rendered case text would have turned {{ 7*7 }} into 49.
    assert "alert(1)</script>" not in html and "alert('nick')</script>" not in html, where
    return page


def answer_everything(server: LiveServer, code: str, n: int = 3) -> None:
    base = f"{server.url}live/"
    for i in range(n):
        phone = Client()
        phone.request(f"{base}join?code={code}")
        _, joined, _ = phone.request(base + "api/join", {"code": code, "nickname": NICKNAME})
        token = joined["token"]
        answers: list[tuple[str, Any]] = [
            ("scores", {k: 1 + (i + j) % 7 for j, k in enumerate(DETERMINANTS)}),
            ("prediction", 20 * i),
            ("vote", DETERMINANTS[i]),
        ]
        for kind, value in answers:
            status, body, _ = phone.request(
                base + "api/answer", {"code": code, "token": token, "kind": kind, "value": value}
            )
            assert status == 200, body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_hostile_case_and_participant_text_is_escaped_in_every_page(
    server: LiveServer, marker: Path, lang: str
) -> None:
    base = f"{server.url}live/"
    trainer = Client()
    pages: dict[str, str] = {}
    _, pages["trainer home"], _ = trainer.request(f"{base}trainer?lang={lang}", headers=KEY)
    for case_id in ("hostile-sam", "hostile-markup", "hostile-template", "hostile-long"):
        session = server.store.create_session(case_id, lang)
        code = session["code"]
        server.store.update(code, round=3)
        answer_everything(server, code)
        server.store.update(code, revealed=True)
        for where, url, headers in (
            ("participant", f"{base}join?code={code}", {}),
            ("trainer screen", f"{base}trainer/{code}", KEY),
        ):
            status, pages[f"{where} {case_id}"], _ = Client().request(url, headers=headers)
            assert status == 200, (where, case_id)
        status, feed, _ = Client().request(f"{base}trainer/{code}/feed?since=0", headers=KEY)
        assert status == 200
        pages[f"feed {case_id}"] = feed["html"]
        assert feed["summary"]["participants"] == 3
    _, pages["trainer home"], _ = trainer.request(f"{base}trainer?lang={lang}", headers=KEY)

    for where, html in pages.items():
        page = assert_only_own_markup(where, html)
        assert NICKNAME not in page.all_text, f"{where}: nicknames are never shown"
    # The case's own words, as written, where a reader meets them.
    title = TITLE[lang]
    for where in ("participant hostile-sam", "trainer screen hostile-sam", "trainer home"):
        assert title in Page(pages[where]).all_text, where
        assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} {% raw %} {# x #}" in pages[where]
    assert NAME in Page(pages["participant hostile-sam"]).all_text  # round 2's question
    # The skipped file's name, in the trainer's warning, as text.
    assert BAD_FILE in Page(pages["trainer home"]).all_text
    assert not marker.exists()  # no template expression from a case was ever run


def test_hostile_request_text_is_escaped(server: LiveServer) -> None:
    """What a link can put in a page: the login form's return address, a session code."""
    base = f"{server.url}live/"
    # Sent as it is (no percent-encoding): a browser would encode it, an attacker's script
    # need not.
    evil = '"><script>alert(1)</script>{{7*7}}'
    status, html, _ = Client().request(f"{base}trainer?x={evil}")
    assert status == 403
    page = assert_only_own_markup("login", html)
    nxt = next(a for tag, a in page.tags if tag == "input" and a.get("name") == "next")
    assert nxt["value"] == f"/live/trainer?x={evil}"  # one attribute, as it came
    status, html, _ = Client().request(f"{base}join?code={evil}&lang={evil}")
    assert status == 404
    assert_only_own_markup("code page", html)
    assert '<html lang="nl">' in html  # an unknown language falls back, never echoed
