"""apps.page: what Voila puts in each app page for the kit's page script."""

from __future__ import annotations

import logging

from apps.page import PAGE_TEXT_KEYS, page_config_hook, page_texts
from igm.i18n import LANGUAGES, t


def test_page_texts_come_from_the_catalogue_in_both_languages() -> None:
    texts = page_texts()
    assert list(texts) == list(LANGUAGES)
    for lang in LANGUAGES:
        assert set(texts[lang]) == set(PAGE_TEXT_KEYS)
        for key in PAGE_TEXT_KEYS:
            assert texts[lang][key] == t(f"page.{key}", lang)
            assert texts[lang][key].strip()
    assert texts["nl"]["connection_lost"] != texts["en"]["connection_lost"]


def test_hook_adds_the_texts_and_drops_the_lab_extensions() -> None:
    given = {
        "baseUrl": "/user/anna01/",
        "kernelId": "abc",
        "federated_extensions": [{"name": "anywidget", "load": "static/remoteEntry.js"}],
    }
    config = page_config_hook(given, "/user/anna01/", {}, logging.getLogger("t"), None, "x.ipynb")
    assert config["federated_extensions"] == []
    assert config["igmTexts"] == page_texts()
    assert config["baseUrl"] == "/user/anna01/" and config["kernelId"] == "abc"
    # Voila passes its own dict: the hook does not change it
    assert len(given["federated_extensions"]) == 1 and "igmTexts" not in given
