"""A hostile practice conversation and two broken ones, for the tests of standard 7.

:func:`hostile_scenario` is the engine's test scenario (``oefen-marja``, valid) under another
id, with every text a scenario has (title, summary, role, speaker, the client's turns, the
responses, their explanations and the outcomes) replaced by markup, script, template and
MyST/Markdown syntax, a ``:::`` line, a word of some 260 letters, right-to-left script and
emoji. Each text starts with a tag of its own (``[title-nl]`` ...) so a test can find it.
The title and the first response start with a spreadsheet formula.

:func:`write_broken` puts two invalid files beside it: one whose response names a turn that
does not exist (``turns[1].responses[0].next``) and one that is not YAML at all.

Every surface must show these texts as written: never as markup, never evaluated, and a
page that ran them would set ``window.__pwned`` (:data:`PWNED`) or ask ``evil.example``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from igm.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests" / "igm" / "conversation_files" / "conversations" / "oefen-marja.yaml"
HOSTILE_ID = "oefen-boos"
#: What a page would run, link or render if it took scenario text for markup or code.
MARKUP = (
    '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=1</script> '
    "{{ 7*7 }} ${7*7} {% raw %} **bold** {ref}`x` [link](http://evil.example)"
)
#: A word without spaces (260 letters): it must wrap, not widen the page.
LONG_WORD = "Arbeidsongeschiktheidsverzekering" * 8
#: Right-to-left script and emoji (with a skin tone and a zero-width joiner).
RTL = "مرحبا بالعالم שלום 👋🏽 👩‍💼"
FORMULA = '=HYPERLINK("http://evil.example","klik")'
#: The speaker is one plain string (not per language).
SPEAKER = '<b>Marja</b> {{ 7*7 }} <img src=x onerror="window.__pwned=1"> ${7*7} שלום 👋🏽'
#: True in a page that ran any of it.
PWNED = "() => window.__pwned !== undefined"

UNKNOWN_NEXT_FILE = "kapot-volgende.yaml"
UNKNOWN_NEXT_FIELD = "turns[1].responses[0].next"
NOT_YAML_FILE = "geen-yaml.yaml"


def hostile_text(field: str, lang: str, formula: bool = False) -> str:
    """The text of ``field`` in ``lang``: a tag, markup, a ``:::`` line, a long word, RTL."""
    start = f"{FORMULA} " if formula else ""
    return f"{start}[{field}-{lang}] {MARKUP}\n:::\n{LONG_WORD} {RTL}"


def _bilingual(field: str, formula: bool = False) -> dict[str, str]:
    return {lang: hostile_text(field, lang, formula) for lang in LANGUAGES}


def hostile_data(case_id: str = "marja-bijstand") -> dict[str, Any]:
    """The hostile scenario as data (see the module's docstring)."""
    data = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    data["id"] = HOSTILE_ID
    data["case"] = case_id
    data["speaker"] = SPEAKER
    data["title"] = _bilingual("title", formula=True)
    for field in ("summary", "role"):
        data[field] = _bilingual(field)
    for turn in data["turns"]:
        turn["client"] = _bilingual(f"client-{turn['id']}")
        if "outcome" in turn:
            turn["outcome"] = _bilingual(f"outcome-{turn['id']}")
        for index, response in enumerate(turn.get("responses", ())):
            key = f"{turn['id']}-{response['id']}"
            response["text"] = _bilingual(f"text-{key}", formula=index == 0)
            response["explanation"] = _bilingual(f"explanation-{key}")
    return data


def hostile_scenario(case_id: str = "marja-bijstand") -> str:
    """The hostile scenario as a YAML file's text."""
    return yaml.safe_dump(hostile_data(case_id), allow_unicode=True, sort_keys=False, width=1000)


def texts(lang: str, case_id: str = "marja-bijstand") -> dict[str, str]:
    """Every text of the hostile scenario in ``lang``, by its tag (``title``, ``client-opening``,
    ``text-opening-reflecteer`` ...), and the speaker."""
    data = hostile_data(case_id)
    found = {"speaker": SPEAKER}
    for field in ("title", "summary", "role"):
        found[field] = data[field][lang]
    for turn in data["turns"]:
        found[f"client-{turn['id']}"] = turn["client"][lang]
        if "outcome" in turn:
            found[f"outcome-{turn['id']}"] = turn["outcome"][lang]
        for response in turn.get("responses", ()):
            key = f"{turn['id']}-{response['id']}"
            found[f"text-{key}"] = response["text"][lang]
            found[f"explanation-{key}"] = response["explanation"][lang]
    return found


def unknown_next_scenario(case_id: str = "marja-bijstand") -> str:
    """The test scenario as ``kapot-volgende`` whose first response of turn 2 goes nowhere."""
    text = SOURCE.read_text(encoding="utf-8").replace("id: oefen-marja", "id: kapot-volgende")
    text = text.replace("case: marja-bijstand", f"case: {case_id}", 1)
    return text.replace("next: goed-einde", "next: nergens", 1)


def write_hostile(conversations: Path, case_id: str = "marja-bijstand") -> Path:
    conversations.mkdir(parents=True, exist_ok=True)
    path = conversations / f"{HOSTILE_ID}.yaml"
    path.write_text(hostile_scenario(case_id), encoding="utf-8")
    return path


def write_broken(conversations: Path, case_id: str = "marja-bijstand") -> None:
    """The two invalid files: an unknown ``next`` target, and a file that is not YAML."""
    conversations.mkdir(parents=True, exist_ok=True)
    (conversations / UNKNOWN_NEXT_FILE).write_text(unknown_next_scenario(case_id), encoding="utf-8")
    (conversations / NOT_YAML_FILE).write_text(
        "Dit is geen YAML: [niet gesloten, {ook niet\n<script>window.__pwned=1</script>\n",
        encoding="utf-8",
    )


def cases_folder(
    root: Path, *, test_scenario: bool = True, hostile: bool = True, broken: bool = True
) -> Path:
    """``root/cases``: the kit's cases, and in ``conversations/`` the engine's test scenario,
    the hostile one and the broken ones (as asked)."""
    folder = root / "cases"
    (folder / "conversations").mkdir(parents=True)
    for case in (ROOT / "case_studies").glob("*.yaml"):
        shutil.copy(case, folder / case.name)
    if test_scenario:
        shutil.copy(SOURCE, folder / "conversations" / SOURCE.name)
    if hostile:
        write_hostile(folder / "conversations")
    if broken:
        write_broken(folder / "conversations")
    return folder
