"""JupyterHub configuration for tests/deploy/test_real_hub.py: a real hub, nothing else real.

Run as ``python -m jupyterhub -f tests/deploy/hub_config.py`` with the environment below; the
test module does that. The hub's REST API listens on 127.0.0.1 only; there is no
configurable-http-proxy (:class:`NoProxy` keeps the route table in memory) and no
single-user server: :class:`RecordingSpawner` "starts" a server by answering HTTP inside the
hub process and writing the environment the hub gives that server (its
``JUPYTERHUB_API_TOKEN``, which a learner's kernels inherit) to a file for the test to read.

Environment (all required):

``IGM_TEST_HUB_DIR``        a private temporary directory: hub database, cookie secret, records
``IGM_TEST_HUB_PORT``       the hub's port (API at ``http://127.0.0.1:<port>/hub/api``)
``IGM_TEST_GRADER_PORT``    where the igm-grader service listens (an external service)
``IGM_TEST_GRADER_TOKEN``   the igm-grader service's own API token
``IGM_TEST_ADMIN_TOKEN``    token of the test's admin service (creates users, groups, tokens)

Roles are those of docs/deployment.md (``server``, ``igm-trainer``), plus ``igm-learner``: the
scope ``access:services!service=igm-grader`` for the members of the group ``igm-learners``
(see the test module: the ``server`` role alone does not get that scope into a server's token).
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import tornado.web
from jupyterhub.proxy import Proxy
from jupyterhub.spawner import Spawner

GRADER = "igm-grader"
ADMIN_SERVICE = "igm-test-admin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NoProxy(Proxy):
    """A proxy that is never started: the route table lives in the hub's memory.

    The test talks to the hub's and the grader's own ports; nothing is proxied.
    """

    should_start = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.routes: dict[str, dict[str, Any]] = {}

    async def add_route(self, routespec: str, target: str, data: dict[str, Any]) -> None:
        routespec = self.validate_routespec(routespec)
        self.routes[routespec] = {"routespec": routespec, "target": target, "data": data}

    async def delete_route(self, routespec: str) -> None:
        self.routes.pop(self.validate_routespec(routespec), None)

    async def get_all_routes(self) -> dict[str, dict[str, Any]]:
        return dict(self.routes)


class _Ok(tornado.web.RequestHandler):
    def get(self, *_args: str) -> None:
        self.finish({"ok": True})


class RecordingSpawner(Spawner):
    """A "server" that is a tiny HTTP handler in the hub's process.

    ``start`` writes the environment the hub made for the server (``get_env()``: the
    ``JUPYTERHUB_*`` variables, the server's API token among them) to
    ``$IGM_TEST_HUB_DIR/server-env-<user>.json`` (mode 600).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._http: Any = None

    async def start(self) -> tuple[str, int]:
        env = self.get_env()
        wanted = {k: v for k, v in env.items() if k.startswith("JUPYTERHUB_")}
        path = Path(os.environ["IGM_TEST_HUB_DIR"]) / f"server-env-{self.user.name}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(wanted, f)
        port = free_port()
        self._http = tornado.web.Application([(r"/(.*)", _Ok)]).listen(port, "127.0.0.1")
        return ("127.0.0.1", port)

    async def poll(self) -> int | None:
        return None if self._http is not None else 0

    async def stop(self, now: bool = False) -> None:
        if self._http is not None:
            self._http.stop()
            self._http = None


def configure(c: Any) -> None:
    """Fill the hub's config ``c`` from the environment (see the module docstring)."""
    workdir = Path(os.environ["IGM_TEST_HUB_DIR"])
    hub_port = int(os.environ["IGM_TEST_HUB_PORT"])
    grader_port = int(os.environ["IGM_TEST_GRADER_PORT"])

    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = hub_port
    # the public address is never bound (no proxy runs); a free port all the same
    c.JupyterHub.bind_url = f"http://127.0.0.1:{free_port()}/"
    c.JupyterHub.db_url = f"sqlite:///{workdir / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(workdir / "jupyterhub_cookie_secret")
    c.JupyterHub.proxy_class = NoProxy
    c.JupyterHub.spawner_class = RecordingSpawner
    c.JupyterHub.authenticator_class = "dummy"
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.log_level = "DEBUG"

    c.JupyterHub.services = [
        {
            "name": GRADER,
            "url": f"http://127.0.0.1:{grader_port}",
            "api_token": os.environ["IGM_TEST_GRADER_TOKEN"],
        },
        {"name": ADMIN_SERVICE, "api_token": os.environ["IGM_TEST_ADMIN_TOKEN"]},
    ]
    c.JupyterHub.load_groups = {"igm-trainers": {"users": []}, "igm-learners": {"users": []}}
    c.JupyterHub.load_roles = [
        {
            "name": "igm-test-admin",
            "scopes": ["admin:users", "admin:groups", "admin:servers", "tokens"],
            "services": [ADMIN_SERVICE],
        },
        # docs/deployment.md, hub.loadRoles.server: the token in each learner's server
        {
            "name": "server",
            "scopes": [
                "users:activity!user",
                "access:servers!user",
                f"access:services!service={GRADER}",
            ],
        },
        # docs/deployment.md, hub.loadRoles.igm-trainer
        {
            "name": "igm-trainer",
            "groups": ["igm-trainers"],
            "scopes": [f"access:services!service={GRADER}"],
        },
        # what learners need in addition: they must HOLD the scope themselves
        {
            "name": "igm-learner",
            "groups": ["igm-learners"],
            "scopes": [f"access:services!service={GRADER}"],
        },
    ]


if "get_config" in globals():  # loaded by ``jupyterhub -f``, not imported
    configure(get_config())  # type: ignore[name-defined]  # noqa: F821
