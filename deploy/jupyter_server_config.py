"""Jupyter server configuration for a learner's server under JupyterHub (and the image).

Copied to /etc/jupyter/jupyter_server_config.py by the Dockerfile; tests/deploy runs a local
``jupyter server --config deploy/jupyter_server_config.py`` with it. See docs/deployment.md.
"""

import os

c = get_config()  # type: ignore[name-defined]  # noqa: F821

# Where the kit's source tree is (apps/, apps/jupyter/); the image and TLJH use /srv/igm-kit.
IGM_HOME = os.environ.get("IGM_HOME", "/srv/igm-kit")
# Set here, not in a login profile: hub-spawned servers (systemd, Kubernetes) do not read one,
# and kernels inherit this environment. The chart bundle (written once at install time by
# widgets.offline.write_bundle) lives in IGM_CACHE_DIR/jupyter/voila/templates/igm/static/;
# with IGM_CACHE_DIR/jupyter on JUPYTER_PATH, next to the kit's Voila template, Voila serves it
# at /user/<name>/voila/templates/igm/static/… and the charts' browsers fetch it from there.
os.environ.setdefault("IGM_CACHE_DIR", os.path.join(IGM_HOME, "var", "cache"))
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    p
    for p in (
        os.path.join(IGM_HOME, "apps", "jupyter"),
        os.path.join(os.environ["IGM_CACHE_DIR"], "jupyter"),
        os.environ.get("JUPYTER_PATH"),
    )
    if p
)

# The apps as a server extension: /user/<name>/voila/render/apps/explorer.ipynb
c.ServerApp.jpserver_extensions = {"voila": True}
# The kit's Voila template (apps/jupyter/voila/templates/igm, on JUPYTER_PATH): no CDN.
c.VoilaConfiguration.template = "igm"
c.VoilaConfiguration.theme = "light"
# Without these two the extension's page config points MathJax 2 at cdnjs (the kit's page
# script loads no MathJax, but no page may even name another host).
c.ServerApp.tornado_settings = {"mathjax_url": None, "mathjax_config": None}
# jupyter_server compresses nothing: gzip as `igm serve` does, each static file (the page
# script, the chart bundle) compressed once, and files whose URL names their content
# cached by the browser. The hub gives the server its base URL as JUPYTERHUB_SERVICE_PREFIX.
# The kit's template loads its own page script (frontend/) in place of Voila's front end;
# the page config hook gives it its texts (see apps/page.py).
try:
    from apps.page import page_config_hook
    from apps.server import make_gzip_transform
except ImportError:  # the kit is not importable by the server's Python: plain gzip
    c.ServerApp.tornado_settings["compress_response"] = True
else:
    c.ServerApp.tornado_settings["transforms"] = [
        make_gzip_transform(os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"))
    ]
    c.VoilaConfiguration.page_config_hook = page_config_hook
# Kernels on Unix sockets, not localhost TCP ports: on a shared machine (TLJH) a socket file
# is only open to its learner, and many kernels starting at once cannot race for ports.
c.KernelManager.transport = "ipc"
# Stop kernels of abandoned tabs (a closed tab stops its own): each app kernel holds ≈ 80 MiB.
c.MappingKernelManager.cull_idle_timeout = 1800
c.MappingKernelManager.cull_interval = 300
