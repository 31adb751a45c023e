"""The tool's LTI 1.3 configuration: which platforms may launch the kit, and the tool's key.

One JSON file (named by env ``IGM_LTI_CONFIG`` or ``lti_config`` in the ``[serve]`` table)::

    {
      "tool_url": "https://igm.example.org/igm/",
      "tool_key": "lti-tool-key.pem",
      "platforms": {
        "https://canvas.instructure.com": [{
          "client_id": "10000000000001",
          "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
          "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
          "key_set_url": "https://sso.canvaslms.com/api/lti/security/jwks",
          "deployment_ids": ["1:abc"]
        }]
      }
    }

``platforms`` is pylti1p3's own tool configuration (issuer → list of registrations, see
``pylti1p3.tool_config.ToolConfDict``; ``auth_audience`` is optional). ``tool_url`` is the
kit's public address (what the platform was given); without it, the address of each request.
``tool_key`` is the tool's private RSA key (PEM), relative to the file; ``igm lti keygen``
makes it once. The key stays on the server: never paste it into a platform; give the
platform the JWKS URL (``<tool_url>lti/jwks``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_KEY_FILE",
    "LtiConfig",
    "LtiConfigError",
    "config_path",
    "generate_tool_key",
    "load_lti_config",
]

#: The environment variable that names the configuration file.
CONFIG_ENV = "IGM_LTI_CONFIG"
#: The tool key's file name beside the configuration when ``tool_key`` is not given.
DEFAULT_KEY_FILE = "lti-tool-key.pem"
_REQUIRED = ("client_id", "auth_login_url", "auth_token_url", "deployment_ids")


class LtiConfigError(ValueError):
    """The LTI configuration cannot be used: the message says what to change."""


@dataclass(frozen=True)
class LtiConfig:
    """A loaded configuration: the platforms, the tool's keys (PEM) and public address."""

    path: Path
    platforms: Mapping[str, list[dict[str, Any]]]
    private_key: str
    public_key: str
    tool_url: str | None = None

    def tool_conf(self) -> Any:
        """pylti1p3's ``ToolConfDict`` with the tool's key set for every registration."""
        from pylti1p3.tool_config.dict import ToolConfDict

        data: Any = {iss: [dict(r) for r in regs] for iss, regs in self.platforms.items()}
        conf = ToolConfDict(data)
        for iss, registrations in self.platforms.items():
            for registration in registrations:
                client_id = str(registration["client_id"])
                conf.set_private_key(iss, self.private_key, client_id=client_id)
                conf.set_public_key(iss, self.public_key, client_id=client_id)
        return conf

    def knows(
        self, issuer: str, client_id: str | None = None, deployment_id: str | None = None
    ) -> bool:
        """Whether a registration of ``issuer`` (with ``client_id`` and ``deployment_id``,
        when given) is configured: what the refusal page says when it is not."""
        for registration in self.platforms.get(issuer, []):
            if client_id and str(registration["client_id"]) != client_id:
                continue
            deployments = [str(d) for d in registration["deployment_ids"]]
            if not deployment_id or deployment_id in deployments:
                return True
        return False

    def jwks(self) -> dict[str, Any]:
        """The tool's public key set, as ``<base>lti/jwks`` serves it."""
        from pylti1p3.registration import Registration

        return {"keys": [dict(Registration.get_jwk(self.public_key))]}


def config_path(
    environ: Mapping[str, str] | None = None, configured: str | None = None
) -> Path | None:
    """The configuration file: ``configured`` (serve config), else ``IGM_LTI_CONFIG``; None:
    LTI is off."""
    env = os.environ if environ is None else environ
    value = configured or env.get(CONFIG_ENV, "").strip()
    return Path(value).expanduser() if value else None


def _platforms(data: Any, path: Path) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(data, dict) or not data:
        raise LtiConfigError(
            f"{path}: 'platforms' must map each platform's issuer to its registration"
        )
    out: dict[str, list[dict[str, Any]]] = {}
    for issuer, value in data.items():
        registrations = value if isinstance(value, list) else [value]
        for registration in registrations:
            if not isinstance(registration, dict):
                raise LtiConfigError(
                    f"{path}: platform {issuer!r}: a registration must be an object"
                )
            missing = [key for key in _REQUIRED if key not in registration]
            if missing:
                raise LtiConfigError(f"{path}: platform {issuer!r}: missing {', '.join(missing)}")
            if not registration.get("key_set_url") and not registration.get("key_set"):
                raise LtiConfigError(f"{path}: platform {issuer!r}: give key_set_url (its JWKS)")
            if not isinstance(registration["deployment_ids"], list):
                raise LtiConfigError(f"{path}: platform {issuer!r}: deployment_ids must be a list")
            registration.setdefault("default", len(registrations) == 1)
        out[str(issuer)] = [dict(r) for r in registrations]
    return out


def public_pem(private_pem: str) -> str:
    """The public key (PEM) of a private RSA key (PEM)."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def key_path(path: Path, data: Mapping[str, Any]) -> Path:
    """Where the tool key of the configuration at ``path`` is kept."""
    return (path.parent / str(data.get("tool_key") or DEFAULT_KEY_FILE)).resolve()


def load_lti_config(path: str | Path) -> LtiConfig:
    """Read and check the configuration file and the tool key it names."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LtiConfigError(f"{file}: no such file ({CONFIG_ENV})") from None
    except json.JSONDecodeError as exc:
        raise LtiConfigError(f"{file}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise LtiConfigError(f"{file}: must be a JSON object")
    tool_url = data.get("tool_url")
    if tool_url is not None and (
        not isinstance(tool_url, str) or not tool_url.startswith(("http://", "https://"))
    ):
        raise LtiConfigError(f"{file}: tool_url must be the kit's http(s) address, ending in /")
    if isinstance(tool_url, str) and not tool_url.endswith("/"):
        tool_url += "/"
    key_file = key_path(file, data)
    try:
        private = key_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LtiConfigError(f"{key_file}: no tool key; make one with: igm lti keygen") from None
    try:
        public = public_pem(private)
    except ValueError as exc:
        raise LtiConfigError(f"{key_file}: not an unencrypted private key in PEM ({exc})") from None
    return LtiConfig(file, _platforms(data.get("platforms"), file), private, public, tool_url)


def generate_tool_key(path: str | Path, bits: int = 2048) -> bool:
    """Write a new private RSA key (PEM, readable by the owner only) at ``path`` unless one is
    there. Returns whether a key was made. A kept key keeps every platform's registration
    valid: the platforms fetch its public half from ``<base>lti/jwks``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    target = Path(path)
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return True
