"""A test platform (tests/lti/platform.py) and a real kit server configured to trust it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lti.config import generate_tool_key
from tests.conftest import free_port, run_server
from tests.lti.platform import Platform


@dataclass(frozen=True)
class LtiSetup:
    platform: Platform
    kit_url: str
    database_url: str


@pytest.fixture(scope="session")
def lti_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LtiSetup]:
    folder = Path(tmp_path_factory.mktemp("lti"))
    platform = Platform(free_port())
    platform.start()
    config = folder / "lti.json"
    config.write_text(json.dumps({"platforms": {platform.issuer: [platform.registration()]}}))
    generate_tool_key(folder / "lti-tool-key.pem")
    database_url = f"sqlite:///{folder / 'igm.sqlite3'}"
    env = {"IGM_DATABASE_URL": database_url, "IGM_LTI_CONFIG": str(config)}
    try:
        with run_server(env, log_name="serve-lti.log", pool_size=0) as url:
            platform.tool_url = url
            yield LtiSetup(platform, url, database_url)
    finally:
        platform.stop()
