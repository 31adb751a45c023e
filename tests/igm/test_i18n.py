"""The translation catalogue: nothing exists in one language only."""

from __future__ import annotations

import pytest

from igm.cases import GROUPS
from igm.determinants import DETERMINANTS
from igm.i18n import LANGUAGES, Text, catalogue, fmt_number, missing_translations, t
from igm.weights import DOMAINS


def test_every_entry_has_both_languages() -> None:
    assert missing_translations() == []


def test_missing_translation_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    """Would an entry without English be caught?"""
    broken = dict(catalogue()) | {"demo.key": Text(nl="Alleen Nederlands", en="")}
    monkeypatch.setattr("igm.i18n.catalogue", lambda: broken)
    assert missing_translations() == ["demo.key (en)"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_model_vocabulary_is_complete(lang: str) -> None:
    for key in DETERMINANTS:
        assert t(f"determinant.{key}.name", lang)
        assert t(f"determinant.{key}.description", lang)
    for group in GROUPS:
        assert t(f"group.{group}", lang)
    for domain in DOMAINS:
        assert t(f"domain.{domain}", lang)


def test_formatting_and_unknown_key() -> None:
    assert t("cli.cases.header", "en", count=3) == "Cases (3):"
    with pytest.raises(KeyError, match="no catalogue entry"):
        t("no.such.key")
    with pytest.raises(ValueError, match="unknown language"):
        Text(nl="a", en="b")("de")


def test_a_text_is_a_mapping_from_language_to_string() -> None:
    text = Text({"nl": "Houding"}, en="Attitude")
    assert dict(text) == {"nl": "Houding", "en": "Attitude"}
    assert text("en") == text["en"] == "Attitude"
    assert Text(nl="Houding")("en") == ""  # missing, reported by missing_translations
    assert text == Text(nl="Houding", en="Attitude") and len({text, Text(dict(text))}) == 1
    with pytest.raises(ValueError, match="unknown language"):
        Text(de="Einstellung")


def test_the_decimal_mark_follows_the_language() -> None:
    assert fmt_number(4.75, "nl", 2) == "4,75"
    assert fmt_number(4.75, "en", 2) == "4.75"
    assert fmt_number(7.0, "nl", None) == "7"


def test_no_stigmatising_labels() -> None:
    text = " ".join(" ".join(entry.values()) for entry in catalogue().values()).lower()
    for label in ("niet-willer", "niet-kunner", "profiteur", "uitkeringstrekker"):
        assert label not in text
