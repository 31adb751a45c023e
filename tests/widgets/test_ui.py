"""Shared widget pieces: language from the query string, number formats, theme, bundle."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from widgets import offline, theme
from widgets.ui import CASE_ID_CHARS, case_from_query, fmt_percent, fmt_points, language_from_query


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("", "nl"),
        ("lang=en", "en"),
        ("?lang=en", "en"),
        ("lang=EN", "en"),
        ("lang=fr", "nl"),
        ("x=1&lang=nl", "nl"),
    ],
)
def test_language_from_query(query: str, lang: str) -> None:
    assert language_from_query(query) == lang


def test_language_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "lang=en")
    assert language_from_query() == "en"
    monkeypatch.delenv("QUERY_STRING")
    assert language_from_query() == "nl"


@pytest.mark.parametrize(
    ("query", "case_id"),
    [
        ("", None),
        ("lang=en", None),
        ("?lang=nl&case=marja-bijstand", "marja-bijstand"),
        ("case=%20lotte-na-burn-out%20&lang=en", "lotte-na-burn-out"),
        ("case=", None),
        ("case=" + "x" * 500, "x" * CASE_ID_CHARS),
    ],
)
def test_case_from_query(query: str, case_id: str | None) -> None:
    assert case_from_query(query) == case_id


def test_case_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "lang=en&case=hiba-ingenieur")
    assert case_from_query() == "hiba-ingenieur"
    assert language_from_query() == "en"
    monkeypatch.delenv("QUERY_STRING")
    assert case_from_query() is None


def test_formats() -> None:
    assert fmt_percent(0.2345, "nl") == "23,4%" or fmt_percent(0.2345, "nl") == "23,5%"
    assert fmt_percent(0.5, "en") == "50.0%"
    assert fmt_points(0.031, "nl") == "+3,1"
    assert fmt_points(-0.031, "en") == "−3.1"


def test_theme_uses_okabe_ito_and_system_fonts() -> None:
    config = theme.config()["config"]
    assert config["range"]["category"][:3] == ["#E69F00", "#56B4E9", "#009E73"]
    assert "system-ui" in config["font"] and "http" not in str(config)


def test_chart_loads_the_local_bundle_by_url() -> None:
    import altair as alt

    path = offline.write_bundle()
    assert path.stat().st_size > 500_000
    text = path.read_text(encoding="utf-8")
    assert "esm.sh" not in text.split("\n", 5)[0]
    spec = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q").to_dict()
    chart = offline.jupyter_chart(spec, {"p": [1, 2]})
    assert chart.spec == spec and chart._params == {"p": [1, 2]}
    # The kit's Chart does not carry the bundle: its script imports it from the server.
    assert chart._esm == offline.loader_esm(offline.bundle_url(path))
    assert len(chart._esm) < 3000 and text[1000:1100] not in chart._esm


def test_chart_script_names_the_bundle_by_its_content() -> None:
    path = offline.write_bundle()
    url = offline.bundle_url(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    assert url == f"voila/templates/igm/static/{path.name}?v={digest}"
    esm = offline.chart_class()._esm
    assert json.dumps(url) in esm
    # relative to the page's base URL (Voila's page config), made absolute for import()
    assert "jupyter-config-data" in esm and "baseUrl" in esm and "import(" in esm
    assert "igm-chart-error" in esm and "role" in esm  # a failed import shows a message
    assert "http" not in esm  # no other host


def test_voila_serves_the_bundle_from_the_template_static_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With JUPYTER_PATH as ``igm serve`` and the server config set it (the kit's template
    folder, then ``<cache>/jupyter``), Voila's template static route (the same handler in
    both) resolves the bundle's URL to the bundle file."""
    from voila.static_file_handler import TemplateStaticFileHandler

    from apps.server import TEMPLATE_ROOT

    path = offline.write_bundle()
    monkeypatch.setenv(
        "JUPYTER_PATH", os.pathsep.join([str(TEMPLATE_ROOT), str(offline.jupyter_dir())])
    )
    url = offline.bundle_url(path).split("?")[0]
    assert url.startswith("voila/templates/")
    found = TemplateStaticFileHandler.get_absolute_path("", url.removeprefix("voila/templates/"))
    assert Path(found) == path


def test_wait_for_request_reads_voilas_request_info(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kit's own ``wait_for_request`` (no ``voila.utils`` import in the kernels) gets the
    request variables from Voila's real ``voila/query/<kernel id>`` websocket handler."""
    import asyncio
    import json
    import os
    import socket
    import threading

    import tornado.web
    from voila.request_info_handler import RequestInfoSocketHandler

    from widgets.ui import wait_for_request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kernel_id = "0b5a3c7e-1111-4222-8333-444455556666"
    ready = threading.Event()

    def serve() -> None:
        async def main() -> None:
            app = tornado.web.Application([(r"/voila/query/(.*)", RequestInfoSocketHandler)])
            server = app.listen(port, address="127.0.0.1")
            # as Voila does when a page takes the kernel (before or after the kernel asks)
            RequestInfoSocketHandler.send_updates(
                {"kernel_id": kernel_id, "payload": json.dumps({"QUERY_STRING": "lang=en"})}
            )
            ready.set()
            await asyncio.sleep(10)  # a daemon thread: the test does not wait for it
            server.stop()

        asyncio.run(main())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    for name, value in {
        "VOILA_PREHEAT": "True",
        "VOILA_APP_IP": "127.0.0.1",
        "VOILA_APP_PORT": str(port),
        "VOILA_SERVER_URL": "/",
        "VOILA_KERNEL_ID": kernel_id,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
    monkeypatch.setenv("QUERY_STRING", "")
    wait_for_request()
    assert os.environ["QUERY_STRING"] == "lang=en"


def test_label_lines_break_between_words_only() -> None:
    name = "Mentale en fysieke belastbaarheid (werk en belasting aanpassen)"
    lines = theme.label_lines(name)
    assert " ".join(lines) == name
    assert all(len(line) <= theme.LABEL_LINE_CHARS for line in lines)
    assert len(lines) <= 3  # a row of ROW_PX holds three lines
    assert theme.label_lines("Thuissituatie") == ["Thuissituatie"]


def test_fit_container_makes_every_app_chart_as_wide_as_its_box() -> None:
    """Every chart of the explorer, the planner and the caseload view takes its container's
    width (a phone's too), wraps long titles, and gives long y labels their lines on a narrow
    chart; Altair accepts the result as Vega-Lite."""
    import altair as alt

    from igm import list_cases, model_for
    from widgets.caseload_view import CaseloadView, association_spec, relevance_spec
    from widgets.explorer import contribution_spec
    from widgets.planner import compare_spec, levers_spec

    case = list_cases()[0]
    model = model_for(case.domain)
    before = model.predict(case.scores)
    comparison = model.compare(case.scores, {"attitude": 1.5})
    view = CaseloadView(lang="nl")
    from igm.caseload import determinant_relevance

    relevance = determinant_relevance(view.selected())
    specs = {
        "contribution": contribution_spec(before, before, "nl"),
        "compare": compare_spec(comparison, "nl"),
        "levers": levers_spec(comparison, "nl"),
        "scatter": view.scatter.spec,
        "relevance": relevance_spec(relevance, "nl"),
        "association": association_spec(relevance, "nl"),
        "potential": view.potential.spec,
    }
    for name, spec in specs.items():
        assert spec["width"] == "container", name
        assert spec["autosize"]["type"] == "fit-x", name
        title = spec.get("title")
        title = title.get("text") if isinstance(title, dict) else title
        for line in [title] if isinstance(title, str) else title or []:
            assert len(line) <= theme.TITLE_LINE_CHARS, (name, line)
        alt.Chart.from_dict(spec) if "layer" not in spec else alt.LayerChart.from_dict(spec)
    lines = next(p for p in specs["levers"]["params"] if p["name"] == theme.LABEL_LINES_PARAM)
    capacity = "Mentale en fysieke belastbaarheid (werk en belasting aanpassen)"
    assert lines["value"][capacity] == theme.label_lines(capacity)
    axis = specs["levers"]["encoding"]["y"]["axis"]
    assert theme.LABEL_LINES_PARAM in axis["labelExpr"] and axis["labelLimit"] >= 400
