"""ServeConfig: defaults, TOML file, environment and flags in that order; errors that name the
field and the allowed values; and a Voila that accepts (and runs with) the generated config."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from apps.page import page_config_hook
from apps.serve_config import (
    DEFAULT_CONFIG_FILE,
    ROOM_HOST,
    TRAINER_KEY_FILE,
    PoolAwareKernelManager,
    RoomAddress,
    ServeConfig,
    ServeConfigError,
    TrainerKey,
    add_serve_arguments,
    config_from_args,
    discover_notebooks,
    load_serve_config,
    room_address,
    startup_lines,
    trainer_key,
    trainer_key_file,
    voila_config,
)
from tests.conftest import run_in_thread, stop_process_group

REPO = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-Pa55word"
TOKEN = "t" * 24


def write(tmp_path: Path, text: str, name: str = DEFAULT_CONFIG_FILE) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_local_and_safe(tmp_path: Path) -> None:
    cfg = load_serve_config(environ={}, cwd=tmp_path)
    assert cfg == ServeConfig()
    assert (cfg.host, cfg.port, cfg.base_url) == ("127.0.0.1", 8866, "/")
    assert cfg.database_url is None and cfg.trainer_token is None
    assert cfg.pool_size >= 1 and cfg.cull_idle_seconds > 0


def test_file_then_env_then_flags(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
[serve]
host = "0.0.0.0"
port = 9000
base_url = "/igm/"
pool_size = 3
cull_idle_seconds = 600
database_url = "sqlite:///from-file.sqlite3"

[serve.pools]
"apps/explorer.ipynb" = 12
""",
    )
    env = {
        "IGM_DATABASE_URL": f"postgresql+psycopg://igm:{SECRET}@db:5432/igm",
        "IGM_TRAINER_TOKEN": TOKEN,
    }
    cfg = load_serve_config(environ=env, cwd=tmp_path, overrides={"port": 9100, "host": None})
    assert cfg.host == "0.0.0.0"  # file (the None flag does not override)
    assert cfg.port == 9100  # flag beats file
    assert cfg.base_url == "/igm/"
    assert cfg.database_url == env["IGM_DATABASE_URL"]  # env beats file
    assert cfg.trainer_token == TOKEN
    assert cfg.pool_size_for("apps/explorer.ipynb") == 12
    assert cfg.pool_size_for("apps/planner.ipynb") == 3
    assert cfg.pool_size_for("apps/case_editor.ipynb") == 1  # a trainer's app: one kernel
    assert cfg.pool_size_for("exercises/dashboard.ipynb") == 1
    assert cfg.cull_interval_seconds == 150
    shown = json.dumps(cfg.redacted()) + repr(cfg)
    assert SECRET not in shown and TOKEN not in shown


def test_explicit_config_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ServeConfigError, match=r"config .*does not exist"):
        load_serve_config(tmp_path / "nope.toml", environ={})


@pytest.mark.parametrize(
    ("toml", "field", "allowed"),
    [
        ("port = 70000", "port", "1 to 65535"),
        ('port = "80"', "port", "1 to 65535"),
        ("pool_size = -1", "pool_size", "0 (off) to 128"),
        ('host = "not a host!"', "host", "127.0.0.1"),
        ('base_url = "igm"', "base_url", "starts and ends with '/'"),
        ("cull_idle_seconds = 5", "cull_idle_seconds", "60 to 604800"),
        ('database_url = "mysql://u:pw@h/db"', "database_url", "postgresql+psycopg://"),
        ('trainer_token = "short"', "trainer_token", "at least 16 characters"),
        ("colour = 1", "serve.colour", "pool_size"),
        ('[serve.pools]\n"../etc/x.ipynb" = 2', "pools", "apps/explorer.ipynb"),
        ('[serve.pools]\n"apps/explorer.ipynb" = 1000', "pools.apps/explorer.ipynb", "0 to 128"),
        ('lti_config = "lti-tool-key.pem"', "lti_config", "/srv/igm/lti.json"),
        ('lti_config = ""', "lti_config", "/srv/igm/lti.json"),
        ("lti_config = 1", "lti_config", "/srv/igm/lti.json"),
    ],
)
def test_errors_name_the_field_and_the_allowed_values(
    tmp_path: Path, toml: str, field: str, allowed: str
) -> None:
    path = write(tmp_path, "[serve]\n" + toml + "\n")
    with pytest.raises(ServeConfigError) as err:
        load_serve_config(path, environ={})
    message = str(err.value)
    assert message.startswith(f"{field} (from {path})"), message
    assert "allowed: " in message and allowed in message, message
    assert "pw@" not in message  # a password is never repeated


def test_lti_config_from_the_file_and_the_environment_which_wins(tmp_path: Path) -> None:
    assert load_serve_config(environ={}, cwd=tmp_path).lti_config is None  # LTI off
    write(tmp_path, '[serve]\nlti_config = "/srv/igm/lti.json"\n')
    assert load_serve_config(environ={}, cwd=tmp_path).lti_config == "/srv/igm/lti.json"
    env = {"IGM_LTI_CONFIG": "/etc/igm/other-lti.json"}
    assert load_serve_config(environ=env, cwd=tmp_path).lti_config == env["IGM_LTI_CONFIG"]
    with pytest.raises(ServeConfigError, match=r"^lti_config \(from IGM_LTI_CONFIG\)"):
        load_serve_config(environ={"IGM_LTI_CONFIG": "/srv/igm/lti.toml"}, cwd=tmp_path)


def test_env_and_flag_errors_say_where_the_value_came_from(tmp_path: Path) -> None:
    with pytest.raises(ServeConfigError, match=r"^database_url \(from IGM_DATABASE_URL\)"):
        load_serve_config(environ={"IGM_DATABASE_URL": "oracle://x"}, cwd=tmp_path)
    with pytest.raises(ServeConfigError, match=r"^port \(from command line\)"):
        load_serve_config(environ={}, cwd=tmp_path, overrides={"port": 0})


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "[serve\nport = 1")
    with pytest.raises(ServeConfigError, match="not valid TOML"):
        load_serve_config(path, environ={})


def test_cli_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IGM_DATABASE_URL", raising=False)
    monkeypatch.delenv("IGM_TRAINER_TOKEN", raising=False)
    write(tmp_path, "[serve]\npool_size = 5\n", "room.toml")
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    args = parser.parse_args(
        ["--config", "room.toml", "--port", "8900", "--base-url", "/k/", "--cull-idle-seconds", "0"]
    )
    cfg = config_from_args(args)
    assert (cfg.port, cfg.base_url, cfg.pool_size, cfg.cull_idle_seconds) == (8900, "/k/", 5, 0)


def test_voila_config_traits() -> None:
    cfg = ServeConfig(
        host="0.0.0.0",
        port=9001,
        base_url="/igm/",
        pool_size=2,
        pools={"apps/explorer.ipynb": 10},
        cull_idle_seconds=900,
    )
    c = voila_config(cfg, ["apps/explorer.ipynb", "apps/planner.ipynb"])
    assert (c.Voila.ip, c.Voila.port, c.Voila.base_url) == ("0.0.0.0", 9001, "/igm/")
    assert c.VoilaConfiguration.preheat_kernel is True
    assert c.VoilaKernelManager.kernel_pools_config == {
        "default": {"pool_size": 0},
        "apps/explorer.ipynb": {"pool_size": 10},
        "apps/planner.ipynb": {"pool_size": 2},
    }
    assert "preheat_denylist" not in c.VoilaKernelManager  # Voila matches it on absolute paths
    assert c.MappingKernelManager.cull_idle_timeout == 900
    # Every 30 s: a kernel no browser connected to stops after 120 s idle (the default).
    assert c.MappingKernelManager.cull_interval == 30
    assert c.PoolAwareKernelManager.unconnected_timeout == 120
    assert c.VoilaConfiguration.multi_kernel_manager_class.endswith("PoolAwareKernelManager")
    assert c.VoilaConfiguration.page_config_hook is page_config_hook
    assert c.KernelManager.transport == "ipc"
    off = voila_config(
        ServeConfig(pool_size=0, cull_idle_seconds=0, unconnected_kernel_seconds=0),
        ["apps/explorer.ipynb"],
    )
    assert off.VoilaConfiguration.preheat_kernel is False
    assert off.MappingKernelManager.cull_idle_timeout == 0
    # Idle culling off, the unconnected kernels still stopped: an idle time no kernel reaches.
    unconnected = voila_config(ServeConfig(cull_idle_seconds=0), [])
    assert unconnected.MappingKernelManager.cull_idle_timeout > 365 * 86400
    assert unconnected.PoolAwareKernelManager.unconnected_timeout == 120


def test_kernel_limits_and_trusted_proxies(tmp_path: Path) -> None:
    gib = 2**30
    assert ServeConfig(pool_size=1).kernel_limit(16 * gib) == 81 - 10  # 12 GiB / 150 MB, pools
    assert ServeConfig(pool_size=1).kernel_limit(1 * gib) == 4  # never below 4
    assert ServeConfig(max_kernels=7).kernel_limit(16 * gib) == 7
    path = write(
        tmp_path,
        '[serve]\nmax_kernels = 9\nmax_kernels_per_client = 2\ntrusted_proxies = ["10.0.0.0/8"]\n',
    )
    cfg = load_serve_config(path, environ={})
    assert (cfg.max_kernels, cfg.max_kernels_per_client) == (9, 2)
    assert cfg.trusted_proxies == ("10.0.0.0/8",)
    env = load_serve_config(path, environ={"IGM_TRUSTED_PROXIES": "127.0.0.1, ::1"})
    assert env.trusted_proxies == ("127.0.0.1", "::1")
    with pytest.raises(ServeConfigError, match="trusted_proxies"):
        load_serve_config(environ={"IGM_TRUSTED_PROXIES": "proxy.example"}, cwd=tmp_path)
    with pytest.raises(ServeConfigError, match="unconnected_kernel_seconds"):
        ServeConfig(unconnected_kernel_seconds=3)


def test_discover_notebooks() -> None:
    found = discover_notebooks(REPO)
    assert "apps/explorer.ipynb" in found
    assert all(nb.startswith(("apps/", "exercises/")) for nb in found)


def test_culler_skips_pooled_kernels() -> None:
    import asyncio

    async def run() -> list[str]:
        async def ready(kid: str) -> dict[str, str]:
            return {"kernel_id": kid}

        km = PoolAwareKernelManager()
        km._pools = {"apps/explorer.ipynb": [asyncio.ensure_future(ready("pooled"))]}
        await asyncio.sleep(0)
        culled: list[str] = []

        async def fake_parent(self: object, kernel_id: str) -> None:
            culled.append(kernel_id)

        base = PoolAwareKernelManager.__mro__[1]
        original = base.cull_kernel_if_idle
        base.cull_kernel_if_idle = fake_parent  # type: ignore[method-assign]
        try:
            await km.cull_kernel_if_idle("pooled")
            await km.cull_kernel_if_idle("in-use")
        finally:
            base.cull_kernel_if_idle = original  # type: ignore[method-assign]
        return culled

    assert run_in_thread(lambda: asyncio.run(run())) == ["in-use"]


def test_voila_accepts_the_config() -> None:
    """The kit's Voila class takes the generated config: traits land on the kernel manager."""
    import tempfile

    from apps.server import make_app_class

    cfg = ServeConfig(port=18999, pool_size=0, pools={"apps/explorer.ipynb": 1})
    app = make_app_class()(config=voila_config(cfg))
    app.initialize([str(REPO), "--no-browser"])
    app.connection_dir = tempfile.mkdtemp()
    # Building the settings creates the kernel manager but starts no kernel yet: the pool
    # tasks wait on the (not running) event loop.
    import asyncio

    def check() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            check_settings()
        finally:
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()
            asyncio.set_event_loop(None)

    def check_settings() -> None:
        app.init_settings()
        km = app.kernel_manager
        assert isinstance(km, PoolAwareKernelManager)
        assert km.cull_idle_timeout == cfg.cull_idle_seconds
        assert km.kernel_pools_config["apps/explorer.ipynb"] == {"pool_size": 1}
        assert app.voila_configuration.preheat_kernel is True
        assert (app.port, app.base_url) == (18999, "/")
        # the regression this module exists for: the explorer notebook really gets a pool
        assert len(km._pools["apps/explorer.ipynb"]) == 1
        assert km._pools.get("apps/planner.ipynb", []) == []
        for pool in km._pools.values():
            for task in pool:  # not started: close the kernel start it wraps, then cancel
                frame = task.get_coro().cr_frame
                inner = frame.f_locals.get("aw") if frame is not None else None
                if inner is not None:
                    inner.close()
                task.cancel()

    run_in_thread(check)


@pytest.mark.slow
def test_voila_runs_with_the_config_and_fills_the_pool(tmp_path: Path) -> None:
    """Start the kit's Voila with a generated config on a free port: it serves the landing
    page and logs a filled pool for the explorer."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = f"""
from apps.serve_config import ServeConfig, voila_config
from apps.server import REPO_ROOT, make_app_class
cfg = ServeConfig(port={port}, pool_size=0, pools={{"apps/explorer.ipynb": 1}}, cull_idle_seconds=120)
app = make_app_class()(config=voila_config(cfg))
app.initialize([str(REPO_ROOT), "--no-browser"])
app.start()
"""
    log = tmp_path / "voila.log"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=REPO,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        filled = False
        while time.monotonic() < deadline and not filled:
            assert proc.poll() is None, log.read_text()
            time.sleep(1)
            filled = "Kernel pool of apps/explorer.ipynb is filled with 1 kernel" in log.read_text()
        assert filled, log.read_text()[-3000:]
        text = log.read_text()
        assert "Culling kernels with idle durations > 120 seconds" in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
    finally:
        stop_process_group(proc, timeout=20)


# --- a room: --room, --public-url, the room's address ---------------------------------------
def parse_serve(*argv: str) -> ServeConfig:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return config_from_args(parser.parse_args(list(argv)))


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no igm.toml
    monkeypatch.delenv("IGM_DATABASE_URL", raising=False)
    monkeypatch.delenv("IGM_TRAINER_TOKEN", raising=False)
    return tmp_path


def test_serve_stays_on_loopback_and_room_listens_on_the_lan(clean_env: Path) -> None:
    assert parse_serve().host == "127.0.0.1"
    assert parse_serve("--room").host == ROOM_HOST == "0.0.0.0"
    assert parse_serve("--room", "--host", "192.168.1.20").host == "192.168.1.20"
    write(clean_env, '[serve]\nhost = "127.0.0.1"\n')
    assert parse_serve("--room").host == "0.0.0.0"  # the flag wins over the file


def test_public_url_is_checked_and_builds_the_join_address(clean_env: Path) -> None:
    cfg = parse_serve("--room", "--public-url", "http://192.168.1.20:8871")
    assert cfg.public_url == "http://192.168.1.20:8871"
    room = room_address(cfg, lan=lambda: "10.0.0.5")
    assert room == RoomAddress("http://192.168.1.20:8871/", "public_url")  # wins over detection
    for wrong in ("192.168.1.20:8871", "ftp://x/", "http://", "http://h:99999/"):
        with pytest.raises(ServeConfigError, match=r"public_url.*command line"):
            parse_serve("--public-url", wrong)


def test_room_address_detected_from_the_lan_else_a_warned_fallback() -> None:
    room = ServeConfig(host="0.0.0.0", port=8871, base_url="/igm/")
    assert room_address(room, lan=lambda: "192.168.1.20") == RoomAddress(
        "http://192.168.1.20:8871/igm/", "detected"
    )
    fallback = room_address(room, lan=lambda: None)
    assert fallback == RoomAddress("http://127.0.0.1:8871/igm/", "fallback")
    assert fallback is not None and not fallback.reachable
    # A server on loopback: the trainer's browser's address (None); a named host: that host.
    assert room_address(ServeConfig(), lan=lambda: "192.168.1.20") is None
    assert room_address(ServeConfig(host="localhost")) is None
    assert room_address(ServeConfig(host="192.168.1.7", port=9000)) == RoomAddress(
        "http://192.168.1.7:9000/", "host"
    )
    assert room_address(ServeConfig(host="fe80::1", port=9000)) == RoomAddress(
        "http://[fe80::1]:9000/", "host"
    )


def test_lan_address_is_a_real_non_loopback_address_or_none() -> None:
    import ipaddress

    from live.urls import lan_address

    found = lan_address()  # this machine's: no packet is sent
    if found is not None:
        address = ipaddress.ip_address(found)
        assert address.version == 4 and not address.is_loopback and not address.is_unspecified


def test_startup_lines_show_the_room_address_and_the_trainer_key(tmp_path: Path) -> None:
    key = TrainerKey("k" * 32, "file", tmp_path / "trainer-key")
    room = RoomAddress("http://192.168.1.20:8871/", "public_url")
    text = "\n".join(startup_lines("0.0.0.0", 8871, "/", key, room))
    assert "igm-kit apps: http://127.0.0.1:8871/" in text  # this computer, not 0.0.0.0
    assert "ROOM ADDRESS" in text and "http://192.168.1.20:8871/live/join" in text
    assert f"trainer key (trainerssleutel): {'k' * 32} (kept in {tmp_path / 'trainer-key'})" in text
    assert "0.0.0.0" not in text and "WARNING" not in text
    warned = startup_lines(
        "0.0.0.0", 8871, "/", key, RoomAddress("http://127.0.0.1:8871/", "fallback")
    )
    assert any("WARNING" in line and "--public-url" in line for line in warned)
    local = "\n".join(startup_lines("127.0.0.1", 8866, "/", key, None))
    assert "ROOM ADDRESS" not in local
    assert "***" in repr(key) and "k" * 32 not in repr(key)


# --- one trainer key, kept beside the database ------------------------------------------
def test_trainer_key_is_made_once_beside_the_sqlite_database(tmp_path: Path) -> None:
    cfg = ServeConfig(database_url=f"sqlite:///{tmp_path / 'room' / 'igm.sqlite3'}")
    first = trainer_key(cfg)
    assert first.created and first.source == "file"
    assert first.path == tmp_path / "room" / TRAINER_KEY_FILE
    assert len(first.value) >= 16 and " " not in first.value
    if os.name == "posix":
        assert first.path.stat().st_mode & 0o777 == 0o600
    again = trainer_key(cfg)  # the next start
    assert (again.value, again.created) == (first.value, False)
    # A configured key wins, and the stored one stays for later.
    configured = trainer_key(replace(cfg, trainer_token=TOKEN))
    assert (configured.value, configured.source, configured.path) == (TOKEN, "config", None)
    assert trainer_key(cfg, "c" * 20).value == "c" * 20  # serve(trainer_token=...)
    assert trainer_key(cfg).value == first.value


def test_a_stored_key_readable_by_others_is_closed_and_a_bad_one_refused(tmp_path: Path) -> None:
    cfg = ServeConfig(database_url=f"sqlite:///{tmp_path / 'igm.sqlite3'}")
    path = tmp_path / TRAINER_KEY_FILE
    path.write_text("own-key-of-the-trainer-1234\n", encoding="utf-8")
    path.chmod(0o644)
    assert trainer_key(cfg).value == "own-key-of-the-trainer-1234"
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    path.write_text("short\n", encoding="utf-8")
    with pytest.raises(ServeConfigError, match=r"trainer key.*too short.*delete the file"):
        trainer_key(cfg)


def test_trainer_key_file_of_other_databases_is_in_the_kits_data_folder(tmp_path: Path) -> None:
    from database.engine import data_dir

    assert trainer_key_file(f"sqlite:///{tmp_path / 'x.sqlite3'}") == tmp_path / TRAINER_KEY_FILE
    assert trainer_key_file("postgresql+psycopg://u:p@db/igm") == data_dir() / TRAINER_KEY_FILE
    assert trainer_key_file("sqlite://") == data_dir() / TRAINER_KEY_FILE  # in memory


def test_database_is_the_one_spelling_and_database_url_still_works(clean_env: Path) -> None:
    url = f"sqlite:///{clean_env / 'a.sqlite3'}"
    assert parse_serve("--database", url).database_url == url
    assert parse_serve("--database-url", url).database_url == url  # older notes
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    assert "--database-url" not in parser.format_help() and "--database URL" in parser.format_help()
