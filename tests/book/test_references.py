"""Is every reference of the book complete, findable and cited, the same in both editions?

A reader (or an accrediting body) must be able to find each source: authors, year, title, where
it appeared, and a DOI or stable URL wherever one exists. A source the text never cites does not
belong on the list, and the Dutch and English editions list the same sources.

The references are the model's sources in ``igm/data/weights.yaml`` (the ``igm-references``
directive prints them in both editions) and the hand-written list in each ``references.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from igm.i18n import LANGUAGES
from igm.weights import sources
from tests.book.conftest import BOOK

#: "Authors (year[, date]). Title. Source." - the year may be "z.d."/"n.d." (no date).
_ENTRY = re.compile(
    r"^(?P<authors>[^()]+?)(?: \((?P<gloss>[^()]*)\))? \((?P<year>\d{4}|z\.d\.|n\.d\.)(?:, [^)]+)?\)\. "
    r"(?P<title>.+?[.?!]) (?P<source>.+)$",
    re.DOTALL,
)
_DOI = re.compile(r"https://doi\.org/10\.\d{4,9}/\S+")
_URL = re.compile(r"https?://[^\s)]+")
#: Sources with no DOI or stable URL the kit could check, and why. Keep this list short.
NO_LINK: dict[tuple[str, str], str] = {
    ("Fishbein", "2000"): "journal article; its DOI could not be checked with the kit's tools",
    ("Fishbein", "2010"): "book",
    ("Montaño", "2015"): "book chapter",
    ("Miller", "2013"): "book",
    ("Mullainathan", "2013"): "book",
}
#: Legislation has no author or year in its citation: it is found by its official URL.
_LEGISLATION = re.compile(r"https://(?:wetten\.overheid\.nl|eur-lex\.europa\.eu)/\S+")
#: The kit's own assumptions: a source key, not a publication.
NOT_A_PUBLICATION = {"assumption"}


@dataclass(frozen=True)
class Reference:
    text: str
    first_author: str
    year: str
    #: What the text may cite it by besides the first author: a law's name or acronym ("AVG"),
    #: an organisation's name in the reader's language, the title of an organisation's report.
    names: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """The same in both editions: the DOI or URL (an organisation's name is translated)."""
        link = _DOI.search(self.text) or _URL.search(self.text)
        if link:
            return (self.year, re.sub(r"/(?:NL|EN)/", "/", link.group(0)))
        return (self.first_author, self.year)


def _parse(text: str) -> Reference:
    flat = " ".join(text.split())
    match = _ENTRY.match(flat)
    law = _LEGISLATION.search(flat)
    if law and not match:
        name = re.split(r",| \(", flat, maxsplit=1)[0]
        acronyms = set(re.findall(r"\b[A-Z]{3,}\b", flat[: law.start()])) - {"EU"}
        return Reference(flat, "law", law.group(0), (name, *sorted(acronyms)))
    assert match, f"not 'Authors (year). Title. Source.': {flat!r}"
    first_author = match["authors"].split(",")[0].strip()
    year = "n.d." if match["year"] in {"z.d.", "n.d."} else match["year"]
    names = [first_author] + ([match["gloss"]] if match["gloss"] else [])
    if not re.search(r"\b[A-Z]\.", match["authors"]):  # an organisation: a short name, a title
        names.append(" ".join(first_author.split()[:3]))
        names.append(" ".join(match["title"].strip("*").split()[:2]).strip("*"))
    return Reference(flat, first_author, year, tuple(names))


def _listed(lang: str) -> list[str]:
    """The hand-written entries of an edition's references page, one string each."""
    page = (BOOK / lang / "references.md").read_text(encoding="utf-8")
    entries: list[str] = []
    in_entry = False
    for line in page.splitlines():
        if line.startswith("- "):
            entries.append(line[2:])
            in_entry = True
        elif in_entry and line.startswith("  "):
            entries[-1] += " " + line.strip()
        else:
            in_entry = False  # a blank line, heading or paragraph ends the entry
    return entries


def references(lang: str) -> list[Reference]:
    """Every reference an edition shows: the model's sources and the hand-written list."""
    model = [text for key, text in sources().items() if key not in NOT_A_PUBLICATION]
    return [_parse(text) for text in [*model, *_listed(lang)]]


def _chapters_text(lang: str) -> str:
    """The prose of an edition, without its references page."""
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((BOOK / lang).glob("*.md"))
        if p.name != "references.md"
    )


def _cited(ref: Reference, text: str) -> bool:
    """Is the reference cited by author and year, e.g. "(Brouwer e.a., 2009)", "Ajzen (1991)"?

    Legislation is cited by its name; an organisation may be named before or after the year and
    across a line break ("In 2020 the Dutch Data Protection Authority ...").
    """
    if ref.first_author == "law":
        return any(re.search(rf"\b{re.escape(name)}\b", text) for name in ref.names)
    year = {"n.d.": r"(?:z\.d\.|n\.d\.)"}.get(ref.year, re.escape(ref.year))
    for name in ref.names:
        said = r"\s+".join(re.escape(word) for word in name.split())
        for pattern in (said + r"[^;]{0,80}?" + year, year + r"[^;]{0,40}?" + said):
            if re.search(pattern, text, re.IGNORECASE):
                return True
    return False


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reference_is_complete(lang: str) -> None:
    """Authors, year, title and source, and a DOI or URL unless the entry is known to have none."""
    refs = references(lang)
    assert len(refs) >= 15
    for ref in refs:
        linked = _DOI.search(ref.text) or _URL.search(ref.text)
        if (ref.first_author, ref.year) in NO_LINK:
            assert not linked, f"{ref.key} now has a link: take it off NO_LINK"
        else:
            assert linked, f"no DOI or URL: {ref.text}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reference_is_cited_in_the_text(lang: str) -> None:
    text = _chapters_text(lang)
    uncited = [ref.text[:60] for ref in references(lang) if not _cited(ref, text)]
    assert uncited == [], f"listed but never cited in the {lang} chapters: {uncited}"


def test_both_editions_list_the_same_references() -> None:
    nl, en = ({ref.key for ref in references(lang)} for lang in LANGUAGES)
    assert nl == en
    assert len(nl) == len(references("nl")), "two references share an author and year"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_reader_is_not_asked_to_check_the_sources(lang: str) -> None:
    """The kit checks its own references; it does not pass that job on to the reader."""
    page = (BOOK / lang / "references.md").read_text(encoding="utf-8").lower()
    for phrase in ("controleer ze", "check them", "check them against the paper"):
        assert phrase not in page


def test_corrected_sources_stay_corrected() -> None:
    """The return-to-work TPB paper is Brouwer, Krol et al. 2009, not the 2010 subgroup paper."""
    brouwer = sources()["brouwer2009"]
    assert "Krol" in brouwer and "19(2), 166–174" in brouwer
    assert "10.1007/s10926-009-9172-5" in brouwer
    assert "Blonk" not in sources()["vanhooft2004"]  # the 2004 paper has four authors
    for lang in LANGUAGES:
        page = (BOOK / lang / "references.md").read_text(encoding="utf-8")
        assert "Blonk (2018)" not in page and "Blonk, R. W. B. (2018)" not in page
