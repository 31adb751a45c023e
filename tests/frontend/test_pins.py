"""The Python widget packages the kit installs are the ones the page script was built against.

The page script (``frontend/``, built into the Voila template) is the browser side of
ipywidgets and anywidget; the kernel side is the Python packages. ``frontend/build.mjs``
records what it bundled in ``igm-page.versions.json`` beside the script: the npm packages'
exact versions, the Python packages they belong with (``pythonCounterparts`` in
``frontend/package.json``) and the widget protocol versions the npm packages speak. These
tests hold the installed Python packages and ``pyproject.toml``'s exact pins to that record,
through what each Python package itself says: its version, the protocol versions ipywidgets
declares, and the npm versions of the front end each Python package ships.
"""

from __future__ import annotations

import importlib
import importlib.resources
import json
import re
from importlib.metadata import distribution, version
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
BUILT_AGAINST = ROOT / "apps" / "jupyter" / "voila" / "templates" / "igm" / "static"
REBUILD = "`cd frontend && npm ci && npm run build`"

# The page script calls the protected ManagerBase._loadFromKernel of this base-manager version
# (frontend/src/manager.js, WidgetManager.loadAllWidgetStates): 1.0.x has no public method that
# fetches every widget's state. Before changing this version, check that the method still
# exists and does the same in the new version, then write the new version here.
BASE_MANAGER_REVIEWED = "1.0.13"


def built_against() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (BUILT_AGAINST / "igm-page.versions.json").read_text(encoding="utf-8")
    )
    return data


def bundled_by_ipywidgets_front_end() -> dict[str, str]:
    """The @jupyter-widgets packages in ipywidgets' own front end, as built: the labextension of
    jupyterlab_widgets (the version ipywidgets requires), whose licence list names each
    bundled package with its exact version."""
    dist = distribution("jupyterlab_widgets")
    listing = next(
        (
            f
            for f in dist.files or []
            if f.as_posix().endswith(
                "@jupyter-widgets/jupyterlab-manager/static/third-party-licenses.json"
            )
        ),
        None,
    )
    assert listing is not None, "jupyterlab_widgets has no third-party-licenses.json"
    packages = json.loads(Path(str(dist.locate_file(listing))).read_text(encoding="utf-8"))
    return {p["name"]: p["versionInfo"] for p in packages["packages"]}


def test_installed_anywidget_is_the_one_the_page_script_was_built_against() -> None:
    built = built_against()
    assert version("anywidget") == built["python"]["anywidget"], (
        f"anywidget {version('anywidget')} is installed, the page script was built for "
        f"{built['python']['anywidget']}: install the version pyproject.toml pins"
    )
    # Python anywidget ships the npm package as its JupyterLab extension, same version.
    shipped = importlib.resources.files("anywidget") / "labextension" / "package.json"
    front_end = json.loads(shipped.read_text(encoding="utf-8"))
    assert (front_end["name"], front_end["version"]) == ("anywidget", built["npm"]["anywidget"])
    # What a widget asks of the page: "~0.11.*" is any 0.11 release.
    import anywidget

    wanted = anywidget.AnyWidget._model_module_version.default_value
    assert re.fullmatch(r"~(\d+)\.(\d+)\.\*", wanted), wanted
    assert built["npm"]["anywidget"].startswith(wanted[1:-1]), (wanted, built["npm"])


def test_installed_ipywidgets_is_the_one_the_page_script_was_built_against() -> None:
    built = built_against()
    assert version("ipywidgets") == built["python"]["ipywidgets"], (
        f"ipywidgets {version('ipywidgets')} is installed, the page script was built for "
        f"{built['python']['ipywidgets']}: install the version pyproject.toml pins"
    )
    # The protocol versions the kernel side speaks (ipywidgets/_version.py defines them all;
    # the package root re-exports all but the control protocol's).
    declared = importlib.import_module("ipywidgets._version")
    spoken = {name: getattr(declared, name) for name in built["ipywidgets_protocols"]}
    assert spoken == built["ipywidgets_protocols"]
    # ipywidgets' own front end was built from the same @jupyter-widgets packages (controls
    # 5.0.x is the browser side of ipywidgets 8.1.x).
    theirs = bundled_by_ipywidgets_front_end()
    ours = {name: v for name, v in built["npm"].items() if name.startswith("@jupyter-widgets/")}
    assert {name: theirs.get(name) for name in ours} == ours, (
        f"ipywidgets {version('ipywidgets')}'s front end bundles {theirs}; the page script "
        f"{ours}: pin those in frontend/package.json and rebuild with {REBUILD}"
    )


def test_pyproject_pins_them_exactly() -> None:
    built = built_against()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {
        req.name: str(req.specifier)
        for req in map(Requirement, project["dependencies"])
        if req.name in built["python"]
    }
    assert pins == {name: f"=={v}" for name, v in built["python"].items()}


def test_the_private_widget_manager_call_is_reviewed_for_the_pinned_version() -> None:
    """One call of the protected ``_loadFromKernel``, in one method; and a new base-manager
    version fails here until someone has checked it (BASE_MANAGER_REVIEWED above)."""
    package = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))
    pinned = package["devDependencies"]["@jupyter-widgets/base-manager"]
    assert pinned == built_against()["npm"]["@jupyter-widgets/base-manager"]
    assert pinned == BASE_MANAGER_REVIEWED, (
        f"@jupyter-widgets/base-manager {pinned} is not the reviewed {BASE_MANAGER_REVIEWED}: "
        "check that ManagerBase._loadFromKernel still exists and fetches every widget's state, "
        "then update BASE_MANAGER_REVIEWED in this file"
    )
    calls = {
        source.name: source.read_text(encoding="utf-8").count("._loadFromKernel(")
        for source in (FRONTEND / "src").glob("*.js")
    }
    assert {name: n for name, n in calls.items() if n} == {"manager.js": 1}
    manager = (FRONTEND / "src" / "manager.js").read_text(encoding="utf-8")
    assert re.search(
        r"async loadAllWidgetStates\(\) \{\s*await this\._loadFromKernel\(\);\s*\}", manager
    )
