"""Acceptance (issue 17): the kit as a trainer installs it, far from the checkout.

The wheel is built from the checkout and installed into a fresh virtualenv in a temporary
folder (``requirements.lock`` as constraints: the versions CI tests). Then, from an EMPTY
working folder and with an environment that names neither the checkout nor the test's Python
(no ``PYTHONPATH``, a ``HOME`` of its own, ``PATH`` = the venv's ``bin`` and the system's),
the trainer's commands run as the README says: ``igm book``, ``igm serve``, ``igm session
start``, ``igm grades export``. Chromium (every request off this machine refused) opens the
explorer, the score-case exercise (identify, answer, see the result), the live trainer home
and ``/book/nl/``.

What it pins down: the installed package holds everything the kit reads (notebooks, template,
page script, book sources, cases, caseload, migrations); every file the kit writes lands in a
folder the user owns (``./igm-book``, ``./case_studies``, the database in the user data
folder, generated files in the user cache folder), never in ``site-packages``; and nothing
is imported from the checkout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from igm.determinants import DETERMINANTS
from igm.i18n import t
from tests.conftest import ARTIFACTS, free_port, require, stop_process_group, wait_until_up

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
TOKEN = "test-trainer-token-distribution"
CASE = "marja-bijstand"
LOAD_TIMEOUT = 180_000  # ms: a cold kernel on a busy 2-core machine
EXECUTION_ERROR = "There was an error when executing cell"
#: Files of each kind of package data the kit reads at run time.
PACKAGE_DATA = (
    "apps/explorer.ipynb",
    "apps/jupyter/voila/templates/igm/index.html.j2",
    "apps/jupyter/voila/templates/igm/static/igm-page.js",
    "exercises/score-case.ipynb",
    "exercises/items/exercises.yaml",
    "exercises/grading_cases/noor-werkervaringsplaats.yaml",  # score-case's grader-only cases
    "book/nl/_config.yml",
    "book/en/index.md",
    "book/_ext/igm_book.py",
    "book/_static/igm-book.js",
    "book/_templates/igm-lang-switch.html",
    "book/glossary.yml",
    f"igm/data/case_studies/{CASE}.yaml",
    "igm/data/case_studies/conversations/marja-twijfel.yaml",
    "igm/data/case_studies/conversations/README.md",
    "igm/data/caseload.csv",
    "igm/data/catalogue.yaml",
    "database/migrations/env.py",
    "live/static/live.js",
    "live/static/live-common.js",
    "live/static/conversation.js",
)


def run(command: list[str], cwd: Path, env: dict[str, str], log: str, timeout: float) -> str:
    """Run a command to the end; fail with its output's tail when it fails. Returns stdout."""
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / log).write_text(done.stdout + done.stderr, encoding="utf-8")
    assert done.returncode == 0, f"{command}: {done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def clean_environment(home: Path, venv: Path) -> dict[str, str]:
    """What a trainer's shell has after ``pipx install``: the venv's scripts on PATH and
    nothing that points into the checkout or at the test's Python."""
    return {
        "PATH": os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "IGM_TRAINER_TOKEN": TOKEN,
    }


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


@pytest.fixture(scope="module")
def kit(tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    """The wheel, a fresh venv with it, the book built and the server started, from ``work``."""
    require(Path("/usr/bin/chromium").exists(), "no Chromium at /usr/bin/chromium")
    tmp = tmp_path_factory.mktemp("distribution")
    outside = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    wheels = tmp / "wheels"
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(wheels), str(REPO)],
        tmp,
        outside,
        "distribution_wheel.log",
        600,
    )
    (wheel,) = wheels.glob("igm_kit-*.whl")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp, outside, "distribution_venv.log", 300)
    install = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    install += ["-c", str(REPO / "requirements.lock"), str(wheel)]
    run(install, tmp, outside, "distribution_install.log", 2400)

    home, work = tmp / "home", tmp / "work"
    home.mkdir()
    work.mkdir()  # empty: the trainer's folder
    env = clean_environment(home, venv)
    igm = str(venv / "bin" / "igm")
    book = run([igm, "book"], work, env, "distribution_book.log", 2400)

    # Preheat one kernel each for the two notebooks the browser opens; the config file lies
    # outside the working folder, which must start empty.
    config = tmp / "igm.toml"
    config.write_text(
        '[serve]\npool_size = 0\n[serve.pools]\n"apps/explorer.ipynb" = 1\n'
        '"exercises/score-case.ipynb" = 1\n',
        encoding="utf-8",
    )
    port = free_port()
    serve_log = tmp / "serve.log"
    with open(serve_log, "wb") as log:
        proc = subprocess.Popen(
            [igm, "serve", "--port", str(port), "--config", str(config)],
            cwd=work,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_until_up(url, proc, timeout=300)
            yield {
                "url": url,
                "venv": venv,
                "wheel": wheel,
                "work": work,
                "home": home,
                "env": env,
                "igm": igm,
                "book": book,
                "serve_log": serve_log,
            }
        finally:
            stop_process_group(proc, timeout=20)
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "distribution_serve.log").write_bytes(serve_log.read_bytes())


def test_the_wheel_holds_the_whole_kit(kit: dict[str, Any]) -> None:
    with zipfile.ZipFile(kit["wheel"]) as wheel:
        names = set(wheel.namelist())
    missing = [name for name in PACKAGE_DATA if name not in names]
    assert not missing, missing
    assert any(n.startswith("database/migrations/versions/") for n in names)
    assert not any("/_build/" in n or "/cases/" in n for n in names)  # no build output


def test_everything_is_imported_from_the_venv(kit: dict[str, Any]) -> None:
    code = (
        "import apps, book, database, exercises, gradebook, igm, igm_kit, live, widgets; "
        "import igm.resources as r; "
        "print(*(m.__file__ for m in (apps, book, database, exercises, gradebook, igm, "
        "igm_kit, live, widgets)), sep='\\n'); print(r.source_checkout())"
    )
    python = str(kit["venv"] / "bin" / "python")
    out = run([python, "-c", code], kit["work"], kit["env"], "distribution_imports.log", 120)
    *files, checkout = out.split()
    packages = site_packages(kit["venv"])
    assert len(files) == 9
    for file in files:
        assert Path(file).is_relative_to(packages), file
        assert not Path(file).is_relative_to(REPO), file
    assert checkout == "None"
    version = run([kit["igm"], "--version"], kit["work"], kit["env"], "distribution_v.log", 60)
    assert version.split() == ["igm-kit", kit["wheel"].name.split("-")[1]]


def test_the_book_and_the_cases_are_in_the_working_folder(kit: dict[str, Any]) -> None:
    work = kit["work"]
    for lang in ("nl", "en"):
        assert (work / "igm-book" / lang / "index.html").is_file()
        assert (work / "igm-book" / lang / "cases" / f"{CASE}.html").is_file()
    assert (work / "igm-book" / "index.html").is_file()
    log = kit["serve_log"].read_text(encoding="utf-8", errors="replace")
    assert f"copied the kit's cases to {work / 'case_studies'}" in log, log[-3000:]
    assert (work / "case_studies" / f"{CASE}.yaml").is_file()
    assert (work / "case_studies" / "conversations" / "marja-twijfel.yaml").is_file()
    assert sorted(p.name for p in work.iterdir()) == ["case_studies", "igm-book"]
    # The cases a command sees from this folder are the trainer's copy.
    listed = run([kit["igm"], "cases"], work, kit["env"], "distribution_cases.log", 120)
    assert CASE in listed
    # Nothing was written into the installed package: no build, no case pages, no bundle.
    packages = site_packages(kit["venv"])
    for path in ("book/_build", "book/nl/cases", "book/en/cases", "book/_static/igm-vega.js"):
        assert not (packages / path).exists(), path
    assert "Traceback" not in log, log[-3000:]


def test_the_explorer_opens_with_the_cases(kit: dict[str, Any], page: Any) -> None:
    page.goto(
        kit["url"] + "voila/render/apps/explorer.ipynb", wait_until="commit", timeout=LOAD_TIMEOUT
    )
    page.wait_for_selector(
        f".igm-behaviour-readout .igm-readout-value, :text('{EXECUTION_ERROR}')",
        timeout=LOAD_TIMEOUT,
    )
    text = str(page.inner_text("body"))
    assert EXECUTION_ERROR not in text and "Traceback" not in text, text[-3000:]
    options = page.locator(".igm-case-picker select option").all_inner_texts()
    assert len(options) >= 6, options
    page.screenshot(path=str(ARTIFACTS / "distribution_explorer.png"))


def test_an_exercise_is_answered_and_stored_in_the_users_database(
    kit: dict[str, Any], page: Any
) -> None:
    lang = "nl"
    page.goto(
        kit["url"] + "voila/render/exercises/score-case.ipynb",
        wait_until="commit",
        timeout=LOAD_TIMEOUT,
    )
    name = page.get_by_label(t("exercise_app.identity.name", lang), exact=True)
    name.wait_for(timeout=LOAD_TIMEOUT)
    name.fill("Sam Tester")
    page.get_by_label(t("exercise_app.identity.number", lang), exact=True).fill("4711")
    page.get_by_role("button", name=t("exercise_app.identity.start", lang)).click()
    for key in DETERMINANTS:
        label = t("exercise_app.score_for", lang, item=t(f"determinant.{key}.name", lang))
        page.get_by_label(label, exact=True).select_option(label="4")
    page.locator(".igm-submit").click()
    page.get_by_text(t("exercise_app.result.heading", lang, n=1)).wait_for(timeout=LOAD_TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "distribution_exercise.png"))

    # The kernel and the command share the installed kit's default database: the user's.
    database = kit["home"] / ".local" / "share" / "igm-kit" / "igm.sqlite3"
    assert database.is_file()
    csv = run(
        [kit["igm"], "grades", "export", "--exercise", "score-case"],
        kit["work"],
        kit["env"],
        "distribution_grades.log",
        120,
    )
    assert "4711" in csv and "Sam Tester" in csv, csv


def test_the_live_trainer_home_has_the_session_and_the_cases(
    kit: dict[str, Any], page: Any
) -> None:
    started = run(
        [kit["igm"], "session", "start", CASE, "--url", kit["url"]],
        kit["work"],
        kit["env"],
        "distribution_session.log",
        120,
    )
    found = re.search(r"live/join\?code=([^\s&]+)", started)
    assert found, started
    code = unquote(found.group(1))
    page.goto(kit["url"] + f"live/trainer?key={TOKEN}")
    page.get_by_role("heading", name=t("live.trainer.start_heading", "nl")).wait_for()
    values = page.locator("select option").evaluate_all("els => els.map(e => e.value)")
    assert CASE in values
    assert code in str(page.inner_text("body"))
    page.screenshot(path=str(ARTIFACTS / "distribution_live.png"))


def test_the_book_is_served(kit: dict[str, Any], page: Any) -> None:
    response = page.goto(kit["url"] + "book/nl/")
    assert response is not None and response.status == 200
    heading = page.get_by_role("heading", level=1).first  # the page's own, not the theme's
    heading.wait_for()
    assert heading.inner_text().strip()
    assert "Willen en kunnen" in page.title()
    response = page.goto(kit["url"] + f"book/nl/cases/{CASE}.html")
    assert response is not None and response.status == 200
    page.screenshot(path=str(ARTIFACTS / "distribution_book.png"))
