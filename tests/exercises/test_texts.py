"""Does every text of the exercises exist in Dutch and English, with the same placeholders?"""

from __future__ import annotations

import string
from collections import Counter
from importlib import resources
from typing import Any

import pytest
import yaml

from exercises._texts import all_texts, recognise_items
from igm import DETERMINANTS
from igm.i18n import LANGUAGES, t

#: How a trainer names each determinant in a sentence.
SHORT_NAMES = {
    "nl": {
        "attitude": "houding",
        "social_influence": "sociale invloed",
        "self_efficacy": "geloof in eigen kunnen",
        "knowledge_skills": "kennis en vaardigheden",
        "home_situation": "thuissituatie",
        "capacity": "belastbaarheid",
        "self_regulation": "zelfregulatie",
    },
    "en": {
        "attitude": "attitude",
        "social_influence": "social influence",
        "self_efficacy": "self-efficacy",
        "knowledge_skills": "knowledge and skills",
        "home_situation": "home situation",
        "capacity": "capacity",
        "self_regulation": "self-regulation",
    },
}
ITEM_FILES = (
    "exercises.yaml",
    "messages.yaml",
    "recognise-determinant.yaml",
    "model-limits.yaml",
    "choose-knob.yaml",
    "intervention-plan.yaml",
)


def _bilingual_nodes(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every mapping in the YAML that holds a language key."""
    found = []
    if isinstance(node, dict):
        if set(node) & set(LANGUAGES):
            found.append((where, node))
        else:
            for key, value in node.items():
                found += _bilingual_nodes(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _bilingual_nodes(value, f"{where}[{i}]")
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("name", ITEM_FILES)
def test_every_yaml_text_has_both_languages_and_the_same_placeholders(name: str) -> None:
    raw = resources.files("exercises").joinpath("items", name).read_text(encoding="utf-8")
    nodes = _bilingual_nodes(yaml.safe_load(raw))
    assert nodes, f"{name}: no texts found"
    for where, node in nodes:
        assert set(node) == set(LANGUAGES), f"{name}{where}: languages {sorted(node)}"
        for lang in LANGUAGES:
            assert isinstance(node[lang], str) and node[lang].strip(), f"{name}{where}.{lang}"
        assert _fields(node["nl"]) == _fields(node["en"]), f"{name}{where}: placeholders differ"
        if len(node["nl"]) > 20:
            assert node["nl"] != node["en"], f"{name}{where}: not translated"


def test_all_texts_loads_every_text_in_both_languages() -> None:
    texts = list(all_texts())
    assert len(texts) > 100
    for where, text in texts:
        for lang in LANGUAGES:
            assert text(lang).strip(), f"{where} ({lang})"


def test_no_stigmatising_labels() -> None:
    for where, text in all_texts():
        for lang in LANGUAGES:
            lowered = text(lang).lower()
            for label in ("niet-willer", "niet willer", "onwillig", "unwilling", "lazy", "lui "):
                assert label not in lowered, f"{where} ({lang}) uses {label!r}"


def test_recognise_bank_has_at_least_two_items_per_determinant_with_a_real_confusion() -> None:
    items = recognise_items()
    assert len(items) >= 14
    assert len({item.id for item in items}) == len(items)
    per = Counter(item.determinant for item in items)
    assert set(per) == set(DETERMINANTS)
    assert min(per.values()) >= 2
    for item in items:
        assert item.confusion in DETERMINANTS and item.confusion != item.determinant, item.id
        for lang in LANGUAGES:
            # the quote must not name its own determinant
            name = t(f"determinant.{item.determinant}.name", lang).lower()
            assert name not in item.quote(lang).lower(), item.id
            # the explanation names both the right determinant and the likely confusion
            why = item.why(lang).lower()
            for key in (item.determinant, item.confusion):
                assert SHORT_NAMES[lang][key] in why, (item.id, lang, key)
