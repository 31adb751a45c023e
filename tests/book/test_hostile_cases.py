"""Hostile case files in a real book build: their texts show literally, nothing in them runs.

The cases in ``tests/book/hostile/`` pass the validator; their texts hold template
expressions (Jinja/MyST substitutions that would write a marker file), directives that would
insert files (``literalinclude`` of a file outside the project and of an exercise's answer
key, ``include``, ``raw``, ``eval-rst``), roles (``{download}`` ...), HTML and ``<script>``
(also in the title), Markdown links to ``javascript:``, ``:::`` fences, maths and lines of
10,000 characters. ``@MARKER@`` and ``@SECRET@`` in them are filled in with paths in a
temporary folder.

The book is built once for this module, for real and strict: :func:`book.build.build_book`
(what ``igm book`` runs) on a temporary copy of ``book/``, both editions, with
``IGM_CASES_DIR`` on a folder holding the hostile cases and one invalid case file.
"""

from __future__ import annotations

import html
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from igm.cases import Case, load_case
from igm.i18n import LANGUAGES
from tests.book.conftest import BOOK, REPO, case_strings, pages
from tests.conversation_hostile import (
    HOSTILE_ID,
    NOT_YAML_FILE,
    UNKNOWN_NEXT_FIELD,
    UNKNOWN_NEXT_FILE,
    write_broken,
    write_hostile,
)

HOSTILE = Path(__file__).parent / "hostile"
#: Lines that must never reach a built file: the content of the files the cases try to insert.
SECRET_OUTSIDE = "IGM-SECRET-OUTSIDE-THE-PROJECT"
SECRET_ANSWER_KEY = "# IGM-SECRET-ANSWER-KEY"
#: The invalid case file next to the hostile ones (a score out of range).
BROKEN = "broken-score.yaml"
#: hostile-long.yaml's narrative: these words repeated to one line of 10,000 characters.
LONG_WORDS = "{{ n_draws }} ``` :::{note} $x$ <b>x</b> [a](javascript:alert(11)) | "


@dataclass(frozen=True)
class HostileBuild:
    html: Path  # the built book (``<copy>/_build/html``)
    cases: Path  # the cases folder the build read
    marker: Path  # the file a template expression would have written
    log: list[str]  # what build_book said
    seconds: float


def _book_copy(target: Path) -> Path:
    """The book's sources without build output or generated case pages."""
    ignore = shutil.ignore_patterns("_build", "cases", "conf.py", "__pycache__")
    for part in ("nl", "en", "_ext", "_static", "_templates"):
        shutil.copytree(BOOK / part, target / part, ignore=ignore)
    shutil.copy2(BOOK / "glossary.yml", target)
    return target


def _cases_folder(root: Path, marker: Path, secret: Path) -> Path:
    folder = root / "cases"
    folder.mkdir()
    for path in sorted(HOSTILE.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        text = text.replace("@MARKER@", str(marker)).replace("@SECRET@", str(secret))
        (folder / path.name).write_text(text, encoding="utf-8")
    valid = (HOSTILE / "hostile-template.yaml").read_text(encoding="utf-8")
    broken = valid.replace("id: hostile-template", "id: broken-score").replace(
        "score: 2", "score: 8", 1
    )
    (folder / BROKEN).write_text(broken, encoding="utf-8")
    # The practice conversations: a hostile one (on a hostile case) and two broken files.
    write_hostile(folder / "conversations", case_id="hostile-template")
    write_broken(folder / "conversations", case_id="hostile-template")
    return folder


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileBuild]:
    from book.build import build_book

    root = tmp_path_factory.mktemp("hostile-book")
    marker = root / "MARKER"
    secret = root / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET_OUTSIDE + "\n", encoding="utf-8")
    # ../../../exercises/items/ seen from <copy>/<lang>/cases/ is root/exercises/items/
    items = root / "exercises" / "items"
    items.mkdir(parents=True)
    answer_key = REPO / "exercises" / "items" / "recognise-determinant.yaml"
    (items / answer_key.name).write_text(
        SECRET_ANSWER_KEY + "\n" + answer_key.read_text(encoding="utf-8"), encoding="utf-8"
    )
    cases = _cases_folder(root, marker, secret)
    book = _book_copy(root / "book")
    log: list[str] = []
    started = time.monotonic()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IGM_CASES_DIR", str(cases))
        html_dir = build_book(book_dir=book, strict=True, progress=log.append)
    seconds = time.monotonic() - started
    print(f"\n[hostile book] both editions in {seconds:.1f} s: " + " | ".join(log))
    yield HostileBuild(html_dir, cases, marker, log, seconds)


class _Page(HTMLParser):
    """What a built page holds: case texts, scripts, style sheets and every tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.case_texts: list[str] = []
        self.scripts: list[tuple[str | None, str]] = []  # (src, inline content)
        self.styles: list[str] = []  # inline style sheets
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._text: list[str] | None = None
        self._depth = 0
        self._in: str | None = None  # "script" or "style" while inside one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self.scripts.append((attributes.get("src"), ""))
        if tag == "style":
            self.styles.append("")
        if tag in {"script", "style"}:
            self._in = tag
        if tag == "span":
            if self._text is not None:
                self._depth += 1
            elif "igm-case-text" in (attributes.get("class") or "").split():
                self._text, self._depth = [], 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._in = None
        if tag == "span" and self._text is not None:
            self._depth -= 1
            if self._depth == 0:
                self.case_texts.append("".join(self._text))
                self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)
        if self._in == "script":
            src, content = self.scripts[-1]
            self.scripts[-1] = (src, content + data)
        if self._in == "style":
            self.styles[-1] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _hostile_cases(build: HostileBuild) -> list[Case]:
    return [load_case(p) for p in sorted(build.cases.glob("hostile-*.yaml"))]


def test_nothing_in_a_case_ran(hostile_build: HostileBuild) -> None:
    """Did no template expression of the cases write its marker file?"""
    assert not hostile_build.marker.exists()
    assert not list(hostile_build.marker.parent.rglob("MARKER*"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_case_text_is_shown_literally(hostile_build: HostileBuild, lang: str) -> None:
    """Does each text of each hostile case appear on its page exactly as written?"""
    for case in _hostile_cases(hostile_build):
        page = _parse(hostile_build.html / lang / "cases" / f"{case.id}.html")
        for text in case_strings(case, lang):
            assert text in page.case_texts, f"{case.id}: {text[:80]!r} is not shown as written"


def test_the_payloads_are_on_the_page_as_text(hostile_build: HostileBuild) -> None:
    """The payloads, one by one, in the text of the built page (and escaped in its HTML)."""
    marker, secret = hostile_build.marker, hostile_build.marker.parent / "outside" / "secret.txt"
    payloads = {
        "hostile-template": [
            f"{{{{ lipsum.__globals__['__builtins__']['__import__']('os').popen('touch {marker}').read() }}}}",
            "{{ n_draws }}",
            "{% set x = 1 %}",
        ],
        "hostile-markup": [
            f"```{{literalinclude}} {secret}\n```",
            "```{literalinclude} ../../../exercises/items/recognise-determinant.yaml\n```",
            f"```{{include}} {secret}\n```",
            "```{raw} html\n<script>alert('raw')</script>\n```",
            "```{eval-rst}\n.. raw:: html\n   <script>alert('rst')</script>",
            f"{{download}}`{secret}`",
            "<script>alert('nl-title')</script><img src=x onerror=alert(1)> Markup",
            "[klik](javascript:alert(3))",
            "<https://example.org/autolink>",
            ":::{note}\nGeen notitie, gewoon tekst.\n:::",
            "$x^2$ $$y$$",
            "&amp; &lt;b&gt;",
            "'enkel' \"dubbel\" -- --- ...",
        ],
        "hostile-long": [(LONG_WORDS * 200)[:10_000]],
    }
    for case_id, texts in payloads.items():
        path = hostile_build.html / "nl" / "cases" / f"{case_id}.html"
        raw = path.read_text(encoding="utf-8")
        shown = "\n".join(_parse(path).case_texts)
        for text in texts:
            assert text in shown, f"{case_id}: {text!r} not shown literally"
            if "\n" not in text:  # the same text as HTML: docutils escapes & < > " and @
                escaped = html.escape(text, quote=False).replace('"', "&quot;")
                assert escaped.replace("@", "&#64;") in raw, text


def test_no_file_was_inserted(hostile_build: HostileBuild) -> None:
    """Is the content of the files the cases point at nowhere in the built book?"""
    for path in hostile_build.html.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET_OUTSIDE.encode() not in data, f"{path} holds the outside file"
            assert SECRET_ANSWER_KEY.encode() not in data, f"{path} holds the answer key"
    assert not list(hostile_build.html.rglob("_downloads")), "a {download} role copied a file"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_script_handler_or_link_from_a_case(hostile_build: HostileBuild, lang: str) -> None:
    """On every page (case titles are in every sidebar): only the book's own scripts, no
    event handler, frame, style sheet, image or other tag from a case, no ``javascript:``
    link."""
    for path in pages(hostile_build.html, lang):
        page = _parse(path)
        for src, content in page.scripts:
            assert src is None or not re.match(r"[a-z]+:", src), f"{path}: script {src}"
            assert "alert(" not in content, f"{path}: a case's script: {content[:80]!r}"
        assert not [sheet for sheet in page.styles if "display:none" in sheet], path
        for tag, attributes in page.tags:
            assert tag not in {"iframe", "img", "b"}, f"{path}: <{tag}> {attributes}"
            for name, value in attributes.items():
                assert not (name.startswith("on") and "alert" in (value or "")), (path, name)
                if name in {"href", "src", "action", "formaction"}:
                    assert not (value or "").strip().lower().startswith("javascript:"), path
            if tag == "a":
                assert "example.org/autolink" not in (attributes.get("href") or ""), path


def test_search_index_keeps_titles_escaped(hostile_build: HostileBuild) -> None:
    """Sphinx 7's search page inserts section titles as HTML: are they stored escaped?"""
    from sphinx.search import js_index

    for lang in LANGUAGES:
        index_file = hostile_build.html / lang / "searchindex.js"
        index = js_index.loads(index_file.read_text(encoding="utf-8"))
        titles = list(index["alltitles"])
        assert any("alert(1)" in title for title in titles) or lang == "en"
        assert not [title for title in titles if "<" in title], "an unescaped title"


def test_an_invalid_case_is_skipped_with_one_warning(hostile_build: HostileBuild) -> None:
    """One line about the invalid file, before the builds; no page for it; the book built."""
    about = [i for i, line in enumerate(hostile_build.log) if BROKEN in line]
    assert len(about) == 1, hostile_build.log
    first_build = next(i for i, line in enumerate(hostile_build.log) if "building" in line)
    assert about[0] < first_build
    assert "scores.attitude.score" in hostile_build.log[about[0]]
    for lang in LANGUAGES:
        built = sorted(p.stem for p in (hostile_build.html / lang / "cases").glob("*.html"))
        assert built == ["hostile-long", "hostile-markup", "hostile-template"]
        # The prose links to the sample cases, which this folder does not have: plain text.
        chapter = (hostile_build.html / lang / "06-cases.html").read_text(encoding="utf-8")
        assert "Hoekstra Installatietechniek" in chapter
        assert "cases/hoekstra-installatietechniek" not in chapter


def test_the_interactive_model_still_works(hostile_build: HostileBuild) -> None:
    """raw_enabled is off for page sources; the igm-model directive's HTML is still there."""
    for lang in LANGUAGES:
        raw = (hostile_build.html / lang / "cases" / "hostile-markup.html").read_text("utf-8")
        assert 'class="igm-book-model"' in raw
        assert 'data-case="hostile-markup"' in raw
        assert '<script type="application/json" class="igm-book-spec">' in raw
        chapter = (hostile_build.html / lang / "07-the-model.html").read_text(encoding="utf-8")
        assert "{igm-number}" not in chapter and "n_draws" not in chapter


def test_book_pages_cannot_insert_files_or_raw_html(tmp_path: Path) -> None:
    """Not even the book's own pages can include a file or raw HTML by directive.

    A chapter of a copy of the book gets ``literalinclude``, ``include`` and ``raw``: the
    build (not strict, Dutch only) leaves them out, and a strict build would fail on them.
    """
    from book.build import build_book

    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_OUTSIDE + "\n", encoding="utf-8")
    book = _book_copy(tmp_path / "book")
    chapter = book / "nl" / "09-for-trainers.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8")
        + f"\n```{{literalinclude}} {secret}\n```\n\n```{{include}} {secret}\n```\n\n"
        + "```{raw} html\n<p>IGM-RAW-HTML</p>\n```\n",
        encoding="utf-8",
    )
    html_dir = build_book(book_dir=book, languages=("nl",), strict=False, progress=lambda _: None)
    built = (html_dir / "nl" / "09-for-trainers.html").read_text(encoding="utf-8")
    assert SECRET_OUTSIDE not in built
    assert "IGM-RAW-HTML" not in built


# --- practice conversations (standard 7): the ``{igm-conversations}`` listing ------------------

CONVERSATION_CHAPTER = "05b-the-conversation"


def _listing(build: HostileBuild, lang: str) -> str:
    """The ``{igm-conversations}`` list of the chapter, as built."""
    raw = (build.html / lang / f"{CONVERSATION_CHAPTER}.html").read_text(encoding="utf-8")
    found = re.search(r'<ul class="[^"]*igm-conversations[^"]*">.*?</ul>', raw, re.S)
    assert found, f"{lang}: no conversation list in the chapter"
    return found.group(0)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_hostile_conversation_is_listed_as_text(hostile_build: HostileBuild, lang: str) -> None:
    """Its title and summary in the list as written (escaped in the HTML), and nothing in them
    became an element, a link, a role or a fence: the list's own tags only."""
    from tests.conversation_hostile import texts

    listing = _listing(hostile_build, lang)
    parsed = _Page()
    parsed.feed(listing)
    parsed.close()
    shown = html.unescape(re.sub(r"<[^>]+>", "", listing))
    for field in ("title", "summary"):
        text = texts(lang, "hostile-template")[field]
        assert text in shown, f"{field} is not shown as written"
        escaped = html.escape(text, quote=False).replace('"', "&quot;").replace("@", "&#64;")
        assert escaped in listing, f"{field} is not escaped as written"
    tags = {tag for tag, _attributes in parsed.tags}
    assert tags <= {"ul", "li", "p", "strong", "span", "a"}, tags
    assert "<strong>bold</strong>" not in listing and "<script" not in listing
    links = [a.get("href") or "" for tag, a in parsed.tags if tag == "a"]
    assert [link for link in links if "evil.example" in link] == []
    assert all("conversation.ipynb" in link for link in links), links
    # one strong per conversation, around its title: none from the text's **bold**
    assert listing.count("<strong>") == len(links)


def test_broken_conversations_are_skipped_with_one_line_each(hostile_build: HostileBuild) -> None:
    """One line per broken file (naming the file, and the field where there is one) before the
    builds; the book built and lists the valid conversation only."""
    first_build = next(i for i, line in enumerate(hostile_build.log) if "building" in line)
    for name in (UNKNOWN_NEXT_FILE, NOT_YAML_FILE):
        about = [i for i, line in enumerate(hostile_build.log) if name in line]
        assert len(about) == 1 and about[0] < first_build, (name, hostile_build.log)
    (unknown,) = [line for line in hostile_build.log if UNKNOWN_NEXT_FILE in line]
    assert f"{UNKNOWN_NEXT_FIELD}:" in unknown
    for lang in LANGUAGES:
        listing = _listing(hostile_build, lang)
        assert re.findall(r"conversation=([a-z0-9-]+)", listing) == [HOSTILE_ID]
        assert "kapot-volgende" not in listing and "geen-yaml" not in listing
