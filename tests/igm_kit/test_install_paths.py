"""Where the ``igm`` command puts a user's files when the kit is installed, not a checkout.

The whole path (wheel, fresh venv, ``igm book`` and ``igm serve`` from an empty folder, the
browser) is tests/test_distribution.py; these are the rules it rests on, one at a time.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import igm_kit
import igm_kit.cli as cli
from book import build
from database.engine import MissingDriverError, require_driver

REPO = Path(__file__).resolve().parents[2]
IGM = [str(Path(sys.executable).parent / "igm")]


def test_the_version_is_written_once() -> None:
    """pyproject.toml reads it from igm_kit/__init__.py; no other file spells it."""
    assert version("igm-kit") == igm_kit.__version__
    project = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]$', project, re.M)
    assert not re.search(r"^version\s*=", project, re.M)
    spelled = [
        path.relative_to(REPO).as_posix()
        for folder in ("igm", "igm_kit", "apps", "book", "database", "live", "widgets")
        for path in (REPO / folder).rglob("*.py")
        if "__version__ =" in path.read_text(encoding="utf-8")
    ]
    assert spelled == ["igm_kit/__init__.py"]


@pytest.fixture
def installed_kit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The command as an installed kit sees it, run in an empty folder; returns that folder."""
    monkeypatch.setattr(cli, "source_checkout", lambda: None)
    # use_user_cases sets os.environ itself: set first, so that the teardown removes it again.
    monkeypatch.setenv("IGM_CASES_DIR", "")
    monkeypatch.delenv("IGM_CASES_DIR")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def test_without_a_folder_the_commands_read_the_shipped_cases(installed_kit: Path) -> None:
    assert cli.use_user_cases(create=False) is None
    assert "IGM_CASES_DIR" not in os.environ
    assert list(installed_kit.iterdir()) == []


def test_serve_copies_the_cases_once_into_a_folder_the_trainer_owns(
    installed_kit: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = cli.use_user_cases(create=True)
    assert folder == installed_kit / "case_studies"
    assert os.environ["IGM_CASES_DIR"] == str(folder)
    assert "copied the kit's cases to" in capsys.readouterr().out
    shipped = sorted(p.name for p in (REPO / "case_studies").iterdir())
    assert sorted(p.name for p in folder.iterdir()) == shipped
    assert all(p.stat().st_mode & stat.S_IWUSR for p in folder.iterdir())
    # The trainer's edits stay: a second start uses the folder as it is.
    (folder / "marja-bijstand.yaml").write_text("edited", encoding="utf-8")
    os.environ.pop("IGM_CASES_DIR")
    assert cli.use_user_cases(create=True) == folder
    assert "copied" not in capsys.readouterr().out
    assert (folder / "marja-bijstand.yaml").read_text(encoding="utf-8") == "edited"


def test_an_explicit_cases_folder_wins(
    installed_kit: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGM_CASES_DIR", str(REPO / "case_studies"))
    assert cli.use_user_cases(create=True) is None
    assert not (installed_kit / "case_studies").exists()


def test_a_checkout_keeps_its_own_cases(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IGM_CASES_DIR", "")
    monkeypatch.delenv("IGM_CASES_DIR")
    monkeypatch.chdir(tmp_path)
    assert cli.use_user_cases(create=True) is None
    assert list(tmp_path.iterdir()) == []


def test_the_book_goes_to_the_working_folder_when_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A checkout builds in book/_build/html (make run); an install never in its package."""
    assert build.default_out() == REPO / "book" / "_build" / "html"
    installed = tmp_path / "lib" / "python3" / "site-packages" / "book"
    installed.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert build.default_out(installed) == tmp_path / "igm-book"


def test_installed_book_sources_are_built_in_a_copy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    installed = tmp_path / "site-packages" / "book"
    for name in build.BOOK_SOURCES:
        source = REPO / "book" / name
        if source.is_dir():
            (installed / name).mkdir(parents=True)
            (installed / name / "page.md").write_text(name, encoding="utf-8")
        else:
            (installed / name).write_text(name, encoding="utf-8")
    monkeypatch.setenv("IGM_CACHE_DIR", str(tmp_path / "cache"))
    before = sorted(p.relative_to(installed) for p in installed.rglob("*"))
    copy = build._work_copy(installed, tmp_path / "out")
    assert copy.is_relative_to(tmp_path / "cache")
    assert (copy / "nl" / "page.md").read_text(encoding="utf-8") == "nl"
    assert (copy / "glossary.yml").is_file()
    (copy / "nl" / "cases").mkdir()  # generated by a build; kept by the next copy
    assert build._work_copy(installed, tmp_path / "out") == copy
    assert (copy / "nl" / "cases").is_dir()
    assert build._work_copy(installed, tmp_path / "other") != copy
    assert sorted(p.relative_to(installed) for p in installed.rglob("*")) == before


def test_a_missing_postgresql_driver_is_named_with_its_extra() -> None:
    with pytest.raises(MissingDriverError, match=r"igm-kit\[postgres\]") as info:
        require_driver("postgresql+nosuchdriver://igm:s3cret@db/igm")
    assert "s3cret" not in str(info.value)
    require_driver("sqlite:///x.sqlite3")  # SQLite needs nothing
    require_driver("postgresql+psycopg://igm:s3cret@db/igm")  # installed by make


@pytest.mark.parametrize(
    "args",
    [
        ["grades", "export", "--database", "postgresql+nosuchdriver://igm:s3cret@db/igm"],
        [
            "session",
            "start",
            "marja-bijstand",
            "--database",
            "postgresql+nosuchdriver://u:s3cret@db/x",
        ],
    ],
)
def test_the_commands_say_which_driver_is_missing(args: list[str]) -> None:
    out = subprocess.run([*IGM, *args], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 1
    assert "igm-kit[postgres]" in out.stderr and "Traceback" not in out.stderr, out.stderr
    assert "s3cret" not in out.stderr
