"""Charts with no network: Altair's JupyterChart with its JavaScript read from a local file.

``alt.JupyterChart`` normally imports vega-embed from a public CDN. ``JupyterChart.enable_offline()``
fixes that by bundling the script with vl-convert, but it loads vl-convert's V8 runtime in
every kernel (about +100 MiB each). Here the bundle is made ONCE (at serve or install time,
:func:`write_bundle`) and cached as a file; each kernel only reads that file
(:func:`use_local_bundle`), which is what ``enable_offline`` does, minus the runtime.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["bundle_path", "cache_dir", "jupyter_chart", "use_local_bundle", "write_bundle"]


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


def jupyter_chart(spec: dict[str, Any], params: dict[str, Any] | None = None) -> Any:
    """An ``alt.JupyterChart`` showing a Vega-Lite ``spec`` (a dict), rendered offline.

    The spec is used as is (no second validation). ``params`` gives the starting values of
    top-level parameters; set ``chart._params = {...}`` later to change them in the browser
    without re-embedding the chart (fast).
    """
    import altair as alt

    use_local_bundle()
    chart = alt.JupyterChart(None, embed_options={"actions": False, "renderer": "svg"})
    with chart.hold_sync():
        chart.spec = spec
        chart._params = dict(params or {})
    return chart
