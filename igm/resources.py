"""Where the kit's shipped files are: package data, found through :mod:`importlib.resources`.

The kit runs from a git checkout (``make run``) and from an installed wheel (``pipx install
igm-kit``) alike. Its files beside the code (the apps' notebooks, the Voila template, the book's
sources, the cases, the caseload) are package data, so they are found from the installed
packages, never from a guess about the repository's layout. What differs between the two is
only where a user's *own* files go (the built book, the cases a trainer edits, the database):
in a checkout they stay in its git-ignored folders, as before; an installed kit never writes
into its own package folder (see :func:`source_checkout`).

Voila, Sphinx and pandas need real folders and files, so these functions return paths on disk;
the kit is not run from a zip file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = [
    "caseload_csv",
    "installed",
    "package_path",
    "shipped_cases_dir",
    "source_checkout",
]


def package_path(package: str, *parts: str) -> Path:
    """The folder of an importable package of the kit, or a file or folder inside it."""
    found = resources.files(package)
    for part in parts:
        found = found.joinpath(part)
    if not isinstance(found, Path):  # e.g. a package imported from a zip file
        raise RuntimeError(
            f"igm-kit needs its package {package!r} as files on disk, not {found!r}; "
            "install it with pip (not as a zip file)"
        )
    return found


def source_checkout() -> Path | None:
    """The source tree the kit runs from, when it is one (a git checkout, an editable or a
    ``PYTHONPATH`` install); None when the kit is installed (``site-packages``).

    A source tree has ``pyproject.toml`` beside the packages and is not inside an installed
    packages folder; an installed kit must never write into its own folder.
    """
    root = package_path("igm").parent
    if (root / "pyproject.toml").is_file() and not installed(root):
        return root
    return None


def installed(path: Path) -> bool:
    """Whether ``path`` lies in an installed packages folder, where the kit never writes."""
    return bool({"site-packages", "dist-packages"} & set(path.resolve().parts))


def shipped_cases_dir() -> Path:
    """The cases the kit comes with: the checkout's ``case_studies/``, or the installed copy
    (``igm/data/case_studies``, read-only: ``igm serve`` copies it for a trainer to edit)."""
    checkout = source_checkout()
    if checkout is not None and (checkout / "case_studies").is_dir():
        return checkout / "case_studies"
    return package_path("igm", "data", "case_studies")


def caseload_csv() -> Path:
    """The synthetic, fictional caseload (``igm/data/caseload.csv``, see ``caseload.md``)."""
    return package_path("igm", "data", "caseload.csv")
