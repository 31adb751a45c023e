"""Charts with no network: Altair's JupyterChart script, read from a local file.

``alt.JupyterChart`` normally imports vega-embed from a public CDN. ``JupyterChart.enable_offline()``
fixes that by bundling the script with vl-convert, but it loads vl-convert's V8 runtime in
every kernel (about +100 MiB each). Here the bundle is made ONCE (at serve or install time,
:func:`write_bundle`) and cached as a file; each kernel only reads that file
(:func:`use_local_bundle`), which is what ``enable_offline`` does, minus the runtime.

The apps show their charts with :class:`Chart` (:func:`jupyter_chart`): the same front end as
``alt.JupyterChart`` (the same script and synced traits) without importing Altair, whose
import (with jsonschema and narwhals) adds about 45 MiB to every kernel. The apps build their
Vega-Lite specs as dicts, so they need none of Altair's Python side.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = [
    "bundle_path",
    "cache_dir",
    "chart_class",
    "jupyter_chart",
    "use_local_bundle",
    "write_bundle",
]


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


def bundle_path() -> Path:
    """Where the JupyterChart bundle for the installed altair and vl-convert lives."""
    return cache_dir() / f"jupyterchart_{_versions()}.js"


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


def use_local_bundle() -> None:
    """Make every ``alt.JupyterChart`` load its JavaScript from the cached file (idempotent).

    Writes the file first if it does not exist yet (this one time it uses vl-convert).
    """
    from altair import JupyterChart

    if getattr(JupyterChart, "_igm_local", False):
        return
    JupyterChart._esm = write_bundle().read_text(encoding="utf-8")
    JupyterChart._is_offline = True
    JupyterChart._igm_local = True  # type: ignore[attr-defined]


#: vega-embed options of every chart: no action menu (export links), SVG (sharp, and readable
#: by the accessibility tree).
EMBED_OPTIONS: dict[str, Any] = {"actions": False, "renderer": "svg"}
#: Altair's JupyterChart CSS (vega-embed's action menu must not be cut off).
_CHART_CSS = ".vega-embed { overflow: visible; }"
_CHART: Any = None


def chart_class() -> Any:
    """The :class:`Chart` widget class, built on first use (it reads the bundle file once)."""
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
        # and watch it.
        Chart._esm = write_bundle().read_text(encoding="utf-8")
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
