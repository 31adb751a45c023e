"""Charts with no network: Altair's JupyterChart script, read from a local file.

``alt.JupyterChart`` normally imports vega-embed from a public CDN. ``JupyterChart.enable_offline()``
fixes that by bundling the script with vl-convert, but it loads vl-convert's V8 runtime in
every kernel (about +100 MiB each). Here the bundle is made ONCE (at serve or install time,
:func:`write_bundle`) and cached as a file, which the browser loads (below).

The apps show their charts with :class:`Chart` (:func:`jupyter_chart`): the same front end as
``alt.JupyterChart`` (the same script and synced traits) without importing Altair, whose
import (with jsonschema and narwhals) adds about 45 MiB to every kernel. The apps build their
Vega-Lite specs as dicts, so they need none of Altair's Python side.

The bundle (~900 KB) is not sent by the kernel: an anywidget's ``_esm`` goes over the kernel's
websocket with every widget, uncompressed and never cached (60 learners, two charts: 100 MB per
app open). It is a *static file* of the kit's Voila template instead: the bundle is written to
``<cache_dir>/jupyter/voila/templates/igm/static/`` and that ``jupyter`` folder is put on
``JUPYTER_PATH`` (by ``igm serve`` and by ``deploy/jupyter_server_config.py``), so Voila's
template static route ``<base>voila/templates/igm/static/<file>`` serves it, standalone and
as a server extension alike. ``Chart._esm`` is a small loader (:func:`loader_esm`) that
imports that URL, with the file's content hash as ``?v=``: the browser fetches it once
(gzipped by the kit's server) and keeps it. If it cannot be loaded, the chart says so in
place of the chart (no silent fallback to sending the bundle over the websocket).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

__all__ = [
    "BUNDLE_SCRIPT_URLDIR",
    "bundle_path",
    "bundle_url",
    "cache_dir",
    "chart_class",
    "jupyter_chart",
    "jupyter_dir",
    "loader_esm",
    "write_bundle",
]

#: The Voila template whose static folder holds the bundle (the kit's, see apps/jupyter).
TEMPLATE = "igm"
#: Where Voila serves the template's static files, relative to the base URL (in ``igm serve``
#: and in the server extension alike).
BUNDLE_SCRIPT_URLDIR = f"voila/templates/{TEMPLATE}/static/"


def cache_dir() -> Path:
    """Folder for generated files: ``$IGM_CACHE_DIR``, else ``$XDG_CACHE_HOME/igm-kit``."""
    explicit = os.environ.get("IGM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "igm-kit"


def _versions() -> str:
    from importlib.metadata import version

    return f"altair-{version('altair')}_vlc-{version('vl-convert-python')}"


def jupyter_dir() -> Path:
    """``<cache_dir>/jupyter``: a Jupyter data folder of generated files, on ``JUPYTER_PATH``
    in ``igm serve`` and in ``deploy/jupyter_server_config.py`` (Voila finds the bundle there)."""
    return cache_dir() / "jupyter"


def bundle_path() -> Path:
    """Where the JupyterChart bundle for the installed altair and vl-convert lives: a static
    file of the ``igm`` Voila template in :func:`jupyter_dir`."""
    return (
        jupyter_dir()
        / "voila"
        / "templates"
        / TEMPLATE
        / "static"
        / f"jupyterchart_{_versions()}.js"
    )


def bundle_url(path: Path | None = None) -> str:
    """The bundle's URL relative to the server's base URL, with its content hash as ``?v=``
    (a new bundle gets a new URL, so browsers may keep each one for a year)."""
    path = path or bundle_path()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return f"{BUNDLE_SCRIPT_URLDIR}{path.name}?v={digest}"


def _bundle_source() -> str:
    """Altair's JupyterChart script bundled with vega, vega-lite and vega-embed (no imports)."""
    import vl_convert as vlc
    from altair.jupyter.jupyter_chart import load_js_src
    from altair.utils._importers import vl_version_for_vl_convert

    lines = load_js_src().split("\n")
    # Same as JupyterChart.enable_offline: drop the leading CDN imports and comments.
    while lines and (not lines[0].strip() or lines[0].startswith(("import", "//"))):
        lines.pop(0)
    return str(vlc.javascript_bundle("\n".join(lines), vl_version=vl_version_for_vl_convert()))


def write_bundle(force: bool = False) -> Path:
    """Write the bundle file once (needs vl-convert); return its path."""
    path = bundle_path()
    if path.exists() and not force:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(_bundle_source(), encoding="utf-8")
    tmp.replace(path)  # atomic: concurrent kernels never read half a file
    return path


_LOADER = """\
// igm-kit Chart: Altair's JupyterChart script (vega, vega-lite, vega-embed; ~900 KB) is a static
// file of the server, fetched once by the browser, instead of part of every widget's message.
const PATH = __PATH__;
const MESSAGE = __MESSAGE__;

function baseUrl() {
  const config = document.getElementById("jupyter-config-data");
  if (config) {
    try {
      const base = JSON.parse(config.textContent).baseUrl;
      if (base) return base;
    } catch (error) {
      // fall back on the page's own address
    }
  }
  const at = location.pathname.indexOf("/voila/");
  return at >= 0 ? location.pathname.slice(0, at + 1) : "/";
}

// Absolute: this module itself is imported from a blob: URL.
const SCRIPT_URL = new URL(baseUrl() + PATH, location.href).href;
let script; // one import per page; every chart on it shares the module

async function render(context) {
  let chart;
  try {
    script ??= import(SCRIPT_URL).then((module) => module.default ?? module);
    chart = await script;
  } catch (error) {
    script = undefined;
    const note = document.createElement("p");
    note.className = "igm-chart-error";
    note.setAttribute("role", "alert");
    note.textContent = MESSAGE + " " + SCRIPT_URL + " (" + error.message + ")";
    context.el.replaceChildren(note);
    console.error("igm-kit: chart script not loaded", SCRIPT_URL, error);
    return;
  }
  return chart.render(context);
}

export default { render };
"""


def loader_esm(url: str) -> str:
    """The ``_esm`` of :class:`Chart`: imports the bundle from ``url`` (relative to the page's
    base URL, e.g. :func:`bundle_url`) and renders with it; if the import fails, a message
    (``.igm-chart-error``, ``role=alert``) takes the chart's place."""
    from igm.i18n import LANGUAGES, t

    # Both languages: the widget does not know the page's (nl first).
    message = " / ".join(t("chart.load_failed", lang) for lang in LANGUAGES)
    return _LOADER.replace("__PATH__", json.dumps(url)).replace("__MESSAGE__", json.dumps(message))


#: vega-embed options of every chart: no action menu (export links), SVG (sharp, and readable
#: by the accessibility tree).
EMBED_OPTIONS: dict[str, Any] = {"actions": False, "renderer": "svg"}
#: Altair's JupyterChart CSS (vega-embed's action menu must not be cut off), and the message
#: shown when the chart script does not load.
_CHART_CSS = (
    ".vega-embed { overflow: visible; }"
    " .igm-chart-error { color: #a1141b; border-left: 4px solid #a1141b; padding-left: 0.5rem; }"
)
_CHART: Any = None


def chart_class() -> Any:
    """The :class:`Chart` widget class, built on first use (it hashes the bundle file once,
    after writing it if it does not exist)."""
    global _CHART
    if _CHART is None:
        import anywidget
        import traitlets

        class Chart(anywidget.AnyWidget):
            """``alt.JupyterChart``'s front end without Altair's Python side.

            The synced traits are JupyterChart's (its script reads all of them); ``spec`` is a
            Vega-Lite spec as a dict and ``_params`` the values of its top-level parameters.
            Selections and VegaFusion are not used by the kit and not handled here.
            """

            spec = traitlets.Dict(allow_none=True).tag(sync=True)
            debounce_wait = traitlets.Float(default_value=10).tag(sync=True)
            max_wait = traitlets.Bool(default_value=True).tag(sync=True)
            local_tz = traitlets.Unicode(default_value=None, allow_none=True).tag(sync=True)
            embed_options = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
            _vl_selections = traitlets.Dict().tag(sync=True)
            _params = traitlets.Dict().tag(sync=True)
            _js_watch_plan = traitlets.Any(allow_none=True).tag(sync=True)
            _js_to_py_updates = traitlets.Any(allow_none=True).tag(sync=True)
            _py_to_js_updates = traitlets.Any(allow_none=True).tag(sync=True)

        # Set after the class statement: anywidget would take a str naming a file for a path
        # and watch it. A loader of a few hundred bytes, not the bundle (see the module doc).
        Chart._esm = loader_esm(bundle_url(write_bundle()))
        Chart._css = _CHART_CSS
        Chart.__module__ = __name__
        Chart.__qualname__ = "Chart"
        _CHART = Chart
    return _CHART


def __getattr__(name: str) -> Any:
    if name == "Chart":
        return chart_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def jupyter_chart(spec: dict[str, Any], params: dict[str, Any] | None = None) -> Any:
    """A :class:`Chart` showing a Vega-Lite ``spec`` (a dict), rendered offline.

    The spec is used as is (no validation). ``params`` gives the starting values of
    top-level parameters; set ``chart._params = {...}`` later to change them in the browser
    without re-embedding the chart (fast).
    """
    return chart_class()(spec=spec, _params=dict(params or {}), embed_options=dict(EMBED_OPTIONS))
