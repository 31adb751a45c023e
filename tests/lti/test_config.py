"""The LTI configuration: a wrong file stops ``igm serve`` with its reason (from ``[serve]
lti_config`` or env ``IGM_LTI_CONFIG``), and ``igm lti`` prints what a platform needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from igm_kit.cli import main
from lti.config import LtiConfigError, generate_tool_key, load_lti_config
from tests.lti.platform import CLIENT_ID, DEPLOYMENT_ID

REGISTRATION = {
    "client_id": CLIENT_ID,
    "auth_login_url": "https://lms.example.org/auth",
    "auth_token_url": "https://lms.example.org/token",
    "key_set_url": "https://lms.example.org/jwks",
    "deployment_ids": [DEPLOYMENT_ID],
}


def write_config(folder: Path, data: object) -> Path:
    path = folder / "lti.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"platforms": {}}, "'platforms' must map"),
        ({"platforms": {"https://lms": {"client_id": "1"}}}, "missing auth_login_url"),
        (
            {"platforms": {"https://lms": {**REGISTRATION, "deployment_ids": "d1"}}},
            "deployment_ids must be a list",
        ),
        ({"tool_url": "ftp://x", "platforms": {"https://lms": REGISTRATION}}, "tool_url"),
    ],
)
def test_a_wrong_configuration_names_what_to_change(
    tmp_path: Path, data: object, says: str
) -> None:
    generate_tool_key(tmp_path / "lti-tool-key.pem")
    with pytest.raises(LtiConfigError, match=says):
        load_lti_config(write_config(tmp_path, data))


def test_without_a_tool_key_it_says_how_to_make_one(tmp_path: Path) -> None:
    path = write_config(tmp_path, {"platforms": {"https://lms": REGISTRATION}})
    with pytest.raises(LtiConfigError, match="igm lti keygen"):
        load_lti_config(path)


def test_serve_stops_on_a_wrong_lti_config_from_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IGM_LTI_CONFIG", raising=False)
    monkeypatch.setenv("IGM_DATABASE_URL", f"sqlite:///{tmp_path / 'igm.sqlite3'}")
    missing = tmp_path / "nowhere" / "lti.json"
    toml = tmp_path / "igm.toml"
    toml.write_text(f'[serve]\nlti_config = "{missing.as_posix()}"\n', encoding="utf-8")
    assert main(["serve", "--config", str(toml)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("igm: lti_config: ") and "no such file" in err
    assert "Traceback" not in err


def test_serve_stops_on_a_wrong_lti_config_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGM_DATABASE_URL", f"sqlite:///{tmp_path / 'igm.sqlite3'}")
    monkeypatch.setenv("IGM_LTI_CONFIG", str(write_config(tmp_path, {"platforms": []})))
    generate_tool_key(tmp_path / "lti-tool-key.pem")
    toml = tmp_path / "igm.toml"
    toml.write_text("[serve]\n", encoding="utf-8")
    assert main(["serve", "--config", str(toml)]) == 1
    assert "igm: lti_config: " in capsys.readouterr().err


def test_lti_urls_prints_the_addresses_and_the_public_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(
        tmp_path, {"tool_url": "https://igm.example.org/igm", "platforms": {"x": REGISTRATION}}
    )
    assert main(["lti", "keygen", "--config", str(path)]) == 0
    assert (tmp_path / "lti-tool-key.pem").stat().st_mode & 0o077 == 0
    capsys.readouterr()
    assert main(["lti", "urls", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    for url in ("lti/login", "lti/launch", "lti/jwks"):
        assert f"https://igm.example.org/igm/{url}" in out
    assert '"kty": "RSA"' in out and "PRIVATE" not in out
