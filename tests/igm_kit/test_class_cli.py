"""`igm class import|codes|reset|list`: codes shown once (CSV and sheet), hashes stored."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from gradebook import SignInRefused, open_gradebook
from igm_kit.cli import main as igm


def codes_of(text: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(text)))
    return {row[1]: row[3] for row in rows[1:]}


def test_import_codes_reset_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'gb.sqlite3'}"
    roster = tmp_path / "klas.csv"
    roster.write_text("naam,nummer\nSam,s1234567\n=1+1,s7654321\n", encoding="utf-8")
    sheet = tmp_path / "sheet.html"
    assert (
        igm(
            [
                "class",
                "import",
                str(roster),
                "--class",
                "2B",
                "--database",
                url,
                "--sheet",
                str(sheet),
                "--url",
                "http://kit.example/",
            ]
        )
        == 0
    )
    codes = codes_of(capsys.readouterr().out)
    assert sorted(codes) == ["S1234567", "S7654321"]
    assert codes["S1234567"] in sheet.read_text(encoding="utf-8")
    with open_gradebook(url) as gb:
        gb.register_learner("s5555555", "Oud")  # typed in before the class existed
        assert gb.sign_in("s1234567", codes["S1234567"])
    assert igm(["class", "codes", "--class", "2B", "--database", url]) == 0
    assert list(codes_of(capsys.readouterr().out)) == ["S5555555"]
    assert igm(["class", "reset", "s1234567", "--database", url]) == 0
    new = codes_of(capsys.readouterr().out)["S1234567"]
    with open_gradebook(url) as gb:
        with pytest.raises(SignInRefused):
            gb.sign_in("s1234567", codes["S1234567"])
        assert gb.sign_in("s1234567", new)
    assert igm(["class", "list", "--database", url]) == 0
    assert "S5555555" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("naam;nummer\nBo;12\n", encoding="utf-8")
    assert igm(["class", "import", str(bad), "--class", "3C", "--database", url]) == 1
    assert "Row 2, number" in capsys.readouterr().err
