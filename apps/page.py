"""What Voila puts in each app page for the kit's page script (``frontend/``).

The kit's Voila template (``apps/jupyter/voila/templates/igm``) replaces Voila's front end
with one script, ``igm-page.js``, built from ``frontend/``. :func:`page_config_hook` is set as
``VoilaConfiguration.page_config_hook`` by ``igm serve`` and by
``deploy/jupyter_server_config.py``: it gives the page its languages (the template's
``?lang=`` switch accepts any of :data:`igm.i18n.LANGUAGES`, else the default) and the script
its texts (from the one catalogue, every language, since the page picks its language in the
browser), and drops the list of JupyterLab extensions, which only Voila's own front end loads.
"""

from __future__ import annotations

import logging
from typing import Any

from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

__all__ = ["PAGE_TEXT_KEYS", "page_config_hook", "page_texts"]

#: Catalogue keys (``page.<key>``) of the texts the page script can show.
PAGE_TEXT_KEYS: tuple[str, ...] = ("connection_failed", "reconnecting", "connection_lost", "busy")


def page_texts() -> dict[str, dict[str, str]]:
    """The page script's texts: ``{lang: {key: text}}``."""
    return {lang: {key: t(f"page.{key}", lang) for key in PAGE_TEXT_KEYS} for lang in LANGUAGES}


def page_config_hook(
    current_page_config: dict[str, Any],
    base_url: str,
    settings: dict[str, Any],
    log: logging.Logger,
    voila_configuration: Any,
    notebook_path: str,
) -> dict[str, Any]:
    """A ``VoilaConfiguration.page_config_hook``: the page config for the kit's page script."""
    config = dict(current_page_config)
    config["federated_extensions"] = []
    config["igmTexts"] = page_texts()
    config["igmLanguages"] = list(LANGUAGES)
    config["igmDefaultLanguage"] = DEFAULT_LANGUAGE
    return config
