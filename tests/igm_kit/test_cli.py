"""The `igm` command, run as a user runs it: a real subprocess, exit codes and output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from igm.cases import cases_dir, list_cases
from igm.determinants import DETERMINANTS
from igm.i18n import t
from igm.model import model_for

IGM = [shutil.which("igm") or str(Path(sys.executable).parent / "igm")]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IGM, *args], capture_output=True, text=True, timeout=60)


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("igm-kit ")
    out = run("--help")
    assert out.returncode == 0
    for command in ("cases", "predict", "validate"):
        assert command in out.stdout


def test_cases_lists_every_case_with_title_and_group() -> None:
    out = run("cases", "--lang", "en")
    assert out.returncode == 0
    for case in list_cases():
        line = next(line for line in out.stdout.splitlines() if case.id in line)
        assert case.title("en") in line


@pytest.mark.parametrize("case", [c.id for c in list_cases()])
def test_predict_json_matches_the_engine(case: str) -> None:
    out = run("predict", case, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    c = next(c for c in list_cases() if c.id == case)
    p = model_for(c.domain).predict(c.scores)
    assert data["case"] == case
    assert data["intention"] == pytest.approx(p.intention, abs=1e-3)
    assert data["ability"] == pytest.approx(p.ability, abs=1e-3)
    assert data["behaviour_probability"] == pytest.approx(p.behaviour_probability, abs=1e-5)
    assert data["behaviour_interval"] == pytest.approx(list(p.behaviour_interval), abs=1e-5)
    assert set(data["contributions"]) == set(DETERMINANTS)
    assert data["bottleneck"] == p.bottleneck
    assert data["bottleneck_share"] == pytest.approx(p.bottleneck_share, abs=1e-4)
    assert data["close_levers"] == (list(p.close_levers) if p.close_levers else None)
    assert data["levers"] == [lever.key for lever in p.levers]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_predict_json_carries_the_notice_in_the_output_language(lang: str) -> None:
    out = run("predict", "marja-bijstand", "--json", "--lang", lang)
    assert out.returncode == 0, out.stderr
    notice = json.loads(out.stdout)["notice"]
    assert notice == t("notice.illustrative", lang)
    word = {"nl": "echte mensen", "en": "real people"}[lang]
    assert word in notice


def test_predict_set_and_path() -> None:
    path = cases_dir() / "marja-bijstand.yaml"
    before = json.loads(run("predict", str(path), "--json").stdout)
    after = json.loads(run("predict", str(path), "--json", "--set", "self_efficacy=6").stdout)
    assert after["scores"]["self_efficacy"] == 6
    assert after["behaviour_probability"] > before["behaviour_probability"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_predict_summary_in_language(lang: str) -> None:
    out = run("predict", "milan-startkwalificatie", "--lang", lang)
    assert out.returncode == 0
    words = {
        "nl": ["Intentie", "Kans op het gedrag", "Knelpunt: zelfregulatie", "illustratief"],
        "en": ["Intention", "Behaviour probability", "Bottleneck: self-regulation", "illustrative"],
    }
    for word in words[lang]:
        assert word in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["predict", "nobody"], "deze casus bestaat niet"),
        (["predict", "nobody", "--lang", "en"], "no such case"),
        (
            ["predict", "marja-bijstand", "--set", "self_efficacy=9", "--lang", "en"],
            "out of range; allowed: 1 to 7",
        ),
        (
            ["predict", "marja-bijstand", "--set", "self_efficacy=9"],
            "9 valt buiten de schaal; toegestaan: 1 tot en met 7",
        ),
        (
            ["predict", "marja-bijstand", "--set", "motivation=3", "--lang", "en"],
            "unknown determinant 'motivation'",
        ),
        (["predict", "marja-bijstand", "--set", "self_efficacy"], "schrijf het als NAAM=WAARDE"),
        (["predict", "marja-bijstand", "--set", "capacity=veel"], "‘veel’ is geen getal"),
        (
            ["predict", "marja-bijstand", "--set", "capacity=veel", "--lang", "en"],
            "is not a number",
        ),
        (["predict", "/no/such/file.yaml"], "bestand niet gevonden"),
        (["predict", "/no/such/file.yaml", "--lang", "en"], "file not found"),
        (["cases", "--dir", "/no/such/folder"], "No such file or directory"),
        (["validate", "/"], "geen casus- of gespreksbestanden (*.yaml) in deze map"),
        (
            ["validate", "/", "--lang", "en"],
            "no case or conversation files (*.yaml) in this folder",
        ),
    ],
)
def test_user_mistakes_give_a_message_not_a_traceback(args: list[str], message: str) -> None:
    out = run(*args)
    assert out.returncode == 1
    assert message in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_validate_checks_conversations_beside_the_cases(tmp_path: Path) -> None:
    fixture = Path(__file__).parents[1] / "igm" / "conversation_files" / "conversations"
    good = (fixture / "oefen-marja.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "conversations"
    folder.mkdir()
    (folder / "oefen-marja.yaml").write_text(good, encoding="utf-8")
    ok = run("validate", str(folder), "--lang", "en")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "1 file(s) valid." in ok.stdout
    (folder / "kapot.yaml").write_text(
        good.replace("id: oefen-marja", "id: kapot").replace("next: goed-einde", "next: nergens"),
        encoding="utf-8",
    )
    out = run("validate", str(folder), "--lang", "en")
    assert out.returncode == 1
    line = next(line for line in out.stdout.splitlines() if "nergens" in line)
    assert line.startswith(f"{folder / 'kapot.yaml'}:")
    assert "turns[1].responses[0].next: 'nergens' is not a turn in this conversation" in line
    assert "oefen-marja.yaml" not in out.stdout
    shipped = run("validate", str(cases_dir()))  # a cases folder includes its conversations/
    assert shipped.returncode == 0, shipped.stdout
    assert "Traceback" not in out.stderr


def test_validate_ok_and_problems(tmp_path: Path) -> None:
    ok = run("validate", str(cases_dir()))
    assert ok.returncode == 0, ok.stdout
    broken = tmp_path / "kapot.yaml"
    broken.write_text("id: kapot\nscores: {attitude: {score: 12}}\n")
    empty = tmp_path / "leeg.yaml"
    empty.write_text("")
    files = (str(broken), str(empty), str(cases_dir() / "marja-bijstand.yaml"))
    out = run("validate", *files, "--lang", "en")
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert (
        f"{broken}:2: scores.attitude.score: 12 is out of range; allowed: a whole number from 1 to 7"
        in lines
    )
    assert any(line.startswith(f"{empty}: ") and "is empty" in line for line in lines)
    dutch = run("validate", *files)  # Dutch unless --lang en
    assert dutch.returncode == 1
    assert (
        f"{broken}:2: scores.attitude.score: 12 valt buiten de schaal; toegestaan: een heel getal"
        " van 1 tot en met 7" in dutch.stdout.splitlines()
    )
    assert not any("marja-bijstand" in line for line in lines)
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "argv", [["predict", "marja-bijstand", "--json"], ["cases"], ["validate", "case_studies"]]
)
def test_engine_commands_load_no_ui_database_or_server(argv: list[str]) -> None:
    """The CLI imports each command's package only when that command runs: `igm predict`
    loads the engine, not widgets, Voila, a web server or a database library."""
    code = (
        "import sys\nfrom igm_kit.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "heavy = {'widgets', 'ipywidgets', 'voila', 'jupyter_server', 'tornado', 'sqlalchemy',"
        " 'gradebook', 'live', 'exercises', 'book', 'database', 'altair'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "command",
    [
        ["serve"],
        ["grades", "export"],
        ["session", "start"],
        ["session", "close"],
        ["session", "reopen"],
        ["session", "export"],
    ],
)
def test_every_command_spells_the_database_option_the_same(command: list[str]) -> None:
    """``--database URL`` everywhere; the old spellings (serve's ``--database-url``, session's
    ``--db``) still work but are not shown."""
    shown = run(*command, "--help").stdout
    assert "--database URL" in shown, shown
    assert "--database-url" not in shown and "--db " not in shown and "--db\n" not in shown


def test_serve_and_session_start_spell_the_public_url_the_same() -> None:
    for command in (["serve"], ["session", "start"]):
        shown = run(*command, "--help").stdout
        assert "--public-url URL" in shown and "--url" not in shown
    assert "--room" in run("serve", "--help").stdout


@pytest.fixture
def cases_with_conversation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the cases with the engine's test conversation in conversations/."""
    folder = tmp_path / "cases"
    shutil.copytree(cases_dir(), folder)
    fixture = Path(__file__).parents[1] / "igm" / "conversation_files" / "conversations"
    (folder / "conversations").mkdir(exist_ok=True)
    shutil.copy(fixture / "oefen-marja.yaml", folder / "conversations" / "oefen-marja.yaml")
    monkeypatch.setenv("IGM_CASES_DIR", str(folder))
    return folder


def test_conversations_lists_them(cases_with_conversation: Path) -> None:
    out = run("conversations", "--lang", "en")
    assert out.returncode == 0, out.stderr
    line = next(line for line in out.stdout.splitlines() if "oefen-marja" in line)
    assert line.split() == [
        "oefen-marja",
        *["Practice", "conversation", "with", "Marja"],
        "[marja-bijstand]",
    ]
    assert "marja-twijfel" in out.stdout  # the shipped ones beside it


def test_converse_plays_a_path_with_the_engines_numbers(cases_with_conversation: Path) -> None:
    from igm.cases import find_case
    from igm.conversations import find_conversation, play

    out = run("converse", "oefen-marja", "reflecteer", "opdracht", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    conversation = find_conversation(
        str(cases_with_conversation / "conversations" / "oefen-marja.yaml")
    )
    case = find_case("marja-bijstand")
    model = model_for(case.domain)
    for n, step in enumerate(data["steps"], start=1):
        expected = model.predict(
            play(conversation, case.scores, ["reflecteer", "opdracht"][:n]).scores
        )
        assert step["behaviour_probability"] == round(expected.behaviour_probability, 6)
        assert step["intention"] == round(expected.intention, 4)
    assert [s["mi"] for s in data["steps"]] == ["complex_reflection", "advice_without_permission"]
    assert data["ending"] == "poor" and data["profile"]["non_adherent"] == 1
    assert data["profile"]["advice"][0] == "ask_permission"
    text = run("converse", "oefen-marja", "reflecteer", "--lang", "en")
    assert (
        "Choose your response:" in text.stdout
        and "open-vraag: What would work give you?" in text.stdout
    )
    wrong = run("converse", "oefen-marja", "open-vraag", "--lang", "en")
    assert wrong.returncode != 0
    assert (
        "'open-vraag' is not a response to turn 'opening'; choose from: reflecteer, weerleg"
        in wrong.stderr
    )
    assert "Traceback" not in wrong.stderr


def test_conversations_warns_about_broken_files_and_lists_the_rest(
    cases_with_conversation: Path,
) -> None:
    """Beside a hostile scenario, one whose response goes nowhere and one that is not YAML:
    a warning on stderr for each (file and field), the valid ones listed, titles as written."""
    from tests.conversation_hostile import (
        HOSTILE_ID,
        NOT_YAML_FILE,
        UNKNOWN_NEXT_FIELD,
        UNKNOWN_NEXT_FILE,
        texts,
        write_broken,
        write_hostile,
    )

    write_hostile(cases_with_conversation / "conversations")
    write_broken(cases_with_conversation / "conversations")
    out = run("conversations", "--lang", "en")
    assert out.returncode == 0, out.stderr
    warnings = out.stderr.splitlines()
    (unknown,) = [line for line in warnings if UNKNOWN_NEXT_FILE in line]
    assert f"{UNKNOWN_NEXT_FIELD}: " in unknown
    assert len([line for line in warnings if NOT_YAML_FILE in line]) == 1
    listed = out.stdout
    assert "oefen-marja" in listed and HOSTILE_ID in listed and "marja-twijfel" in listed
    assert "kapot-volgende" not in listed and "geen-yaml" not in listed
    assert texts("en")["title"] in listed  # as written: the tags, braces and the long word
    assert "<script>window" not in out.stderr  # the broken file's content is not echoed
