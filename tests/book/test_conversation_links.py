"""The conversation chapter links every practice conversation to the conversation simulator.

``{igm-conversations}`` lists the valid files of the conversations folder (title and summary as
text) with an "Open as app" link made as the model's is (:func:`book.build.app_href`): relative,
so it reaches ``voila/render/apps/conversation.ipynb`` under any base URL of ``igm serve``, with
the page's language and the conversation, and with the note that the apps need ``igm serve``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from book.build import app_href, book_conversations
from igm.i18n import LANGUAGES, t
from tests.book.test_app_link import open_app_links

CHAPTER = "05b-the-conversation"
#: The three conversations the chapter's prose introduces (issue 18).
PROMISED = {"marja-twijfel", "lotte-belastbaarheid", "hoekstra-banenafspraak"}


@pytest.mark.parametrize("base", ["/", "/igm/"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_link_opens_the_simulator_with_that_conversation(base: str, lang: str) -> None:
    page = f"http://127.0.0.1:8866{base}book/{lang}/{CHAPTER}.html"
    href = app_href(CHAPTER, lang, app="conversation", conversation="marja-twijfel")
    assert urljoin(page, href) == (
        f"http://127.0.0.1:8866{base}voila/render/apps/conversation.ipynb"
        f"?lang={lang}&conversation=marja-twijfel"
    )


def test_the_chapter_promises_only_conversations_the_kit_has() -> None:
    assert {c.id for c in book_conversations()} >= PROMISED


@pytest.mark.usefixtures("built_book")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_built_chapter_links_each_conversation_once_with_the_note(lang: str) -> None:
    links = [
        link
        for link in open_app_links()
        if link.page == f"{lang}/{CHAPTER}.html" and "conversation.ipynb" in link.href
    ]
    ids = [parse_qs(urlsplit(link.href).query)["conversation"][0] for link in links]
    assert ids == [c.id for c in book_conversations()]
    assert ids, "no conversation linked"
    for link in links:
        assert link.note == t("book.model.open_app_note", lang)
        assert parse_qs(urlsplit(link.href).query)["lang"] == [lang]
        assert urljoin(f"http://h/book/{link.page}", link.href).startswith(
            "http://h/voila/render/apps/conversation.ipynb?"
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_titles_and_summaries_are_shown_as_written(built_book: Path, lang: str) -> None:
    """A conversation file is data: its title and summary reach the page as text, escaped,
    with no smart quotes."""
    page = (built_book / lang / f"{CHAPTER}.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for conversation in book_conversations():
        for value in (conversation.title(lang), conversation.summary(lang)):
            assert value in text, value
