"""The kit's shipped files are found as package data, and a checkout is told from an install."""

from __future__ import annotations

from pathlib import Path

from igm import resources

REPO = Path(__file__).resolve().parents[2]


def test_package_data_is_found_in_the_packages() -> None:
    assert resources.package_path("igm") == REPO / "igm"
    assert resources.package_path("apps", "explorer.ipynb").is_file()
    assert resources.caseload_csv() == REPO / "igm" / "data" / "caseload.csv"
    assert resources.caseload_csv().is_file()


def test_a_checkout_is_a_source_tree_and_its_cases_are_its_own() -> None:
    assert resources.source_checkout() == REPO
    assert resources.shipped_cases_dir() == REPO / "case_studies"


def test_an_installed_packages_folder_is_never_a_checkout(tmp_path: Path) -> None:
    for name in ("site-packages", "dist-packages"):
        folder = tmp_path / "lib" / name / "book"
        folder.mkdir(parents=True)
        assert resources.installed(folder)
    assert not resources.installed(REPO / "book")
