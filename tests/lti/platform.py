"""A test LTI 1.3 platform: its own RSA keys and JWKS, an OIDC authorisation endpoint that
answers the tool's login redirect by auto-posting a signed ``id_token``, a token endpoint,
a line item's scores endpoint and a deep-linking return URL that verify the tool's JWTs
against the tool's JWKS. It records what it received, for the tests to read.

Launches are prepared by the test (:meth:`Platform.prepare`) and started in the browser at
``/start?hint=...``, the way a learning environment's link starts one.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
import tornado.httpserver
import tornado.web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from markupsafe import escape

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
CLIENT_ID = "igm-test-client"
DEPLOYMENT_ID = "deployment-1"
KID = "platform-key-1"
SCORE_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass
class LaunchSpec:
    """One launch the platform will sign: who, what, and how (``mode``: ``ok``, ``forged``
    (signed with another key under the platform's key id) or ``expired``). ``issuer`` and
    ``deployment_id`` default to the platform's own; others are what a platform or
    deployment the kit was not told about would send."""

    sub: str
    name: str
    kind: str = "resource"  # or "deeplink"
    exercise: str = "recognise-determinant"
    locale: str = "en-US"
    mode: str = "ok"
    roles: list[str] = field(
        default_factory=lambda: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    )
    issuer: str | None = None
    deployment_id: str = DEPLOYMENT_ID
    #: Whether the login initiation names the deployment (``lti_deployment_id`` is optional).
    deployment_at_login: bool = True


class Platform:
    """The platform's state; :meth:`start` serves it on ``port`` in a thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.tool_url = ""  # set once the kit runs
        self.launches: dict[str, LaunchSpec] = {}
        self.posted: list[dict[str, str]] = []  # id_token + state, as auto-posted
        self.tokens: set[str] = set()
        self.scores: list[dict[str, Any]] = []
        #: What the scores endpoint answers: 200 (received), or e.g. 500 (down; not received,
        #: the refused score is kept in ``refused_scores``).
        self.scores_status = 200
        self.refused_scores: list[dict[str, Any]] = []
        self.deep_links: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None

    # --- test API ----------------------------------------------------------------------
    def prepare(self, spec: LaunchSpec) -> str:
        hint = secrets.token_hex(8)
        self.launches[hint] = spec
        return f"{self.issuer}/start?hint={hint}"

    def registration(self) -> dict[str, Any]:
        """The kit's LTI configuration entry for this platform."""
        return {
            "client_id": CLIENT_ID,
            "auth_login_url": f"{self.issuer}/auth",
            "auth_token_url": f"{self.issuer}/token",
            "key_set_url": f"{self.issuer}/jwks",
            "deployment_ids": [DEPLOYMENT_ID],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=KID, alg="RS256", use="sig")
        return {"keys": [jwk]}

    def tool_key(self, token: str) -> Any:
        """The tool's public key for ``token`` (its JWKS, fetched as a platform does)."""
        with urllib.request.urlopen(self.tool_url + "lti/jwks", timeout=10) as response:
            keys = json.loads(response.read())["keys"]
        kid = jwt.get_unverified_header(token).get("kid")
        key = next(k for k in keys if k.get("kid") == kid)
        return RSAAlgorithm.from_jwk(json.dumps(key))

    def id_token(self, spec: LaunchSpec, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": spec.sub,
            "iat": now - 400 if spec.mode == "expired" else now,
            "exp": now - 60 if spec.mode == "expired" else now + 300,
            "nonce": nonce,
            "name": spec.name,
            CLAIM + "deployment_id": spec.deployment_id,
            CLAIM + "version": "1.3.0",
            CLAIM + "roles": spec.roles,
            CLAIM + "launch_presentation": {"locale": spec.locale},
        }
        if spec.kind == "deeplink":
            claims[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.issuer}/deep_link_return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "platform-data-42",
            }
        else:
            claims[CLAIM + "message_type"] = "LtiResourceLinkRequest"
            claims[CLAIM + "resource_link"] = {"id": f"link-{spec.exercise}"}
            claims[CLAIM + "target_link_uri"] = self.tool_url + "lti/launch"
            claims[CLAIM + "custom"] = {"exercise": spec.exercise}
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": SCORE_SCOPES,
                "lineitem": f"{self.issuer}/lineitems/{spec.exercise}/lineitem",
                "lineitems": f"{self.issuer}/lineitems",
            }
        key = self.other_key if spec.mode == "forged" else self.key
        return jwt.encode(claims, _pem(key), algorithm="RS256", headers={"kid": KID})

    # --- server ------------------------------------------------------------------------
    def app(self) -> tornado.web.Application:
        platform = self

        class Base(tornado.web.RequestHandler):
            def check_xsrf_cookie(self) -> None:
                return None

        class Start(Base):
            def get(self) -> None:
                hint = self.get_argument("hint")
                spec = platform.launches[hint]
                params = {
                    "iss": spec.issuer or platform.issuer,
                    "login_hint": spec.sub,
                    "target_link_uri": platform.tool_url + "lti/launch",
                    "lti_message_hint": hint,
                    "client_id": CLIENT_ID,
                }
                if spec.deployment_at_login:
                    params["lti_deployment_id"] = spec.deployment_id
                self.redirect(platform.tool_url + "lti/login?" + urlencode(params))

        class Auth(Base):
            def get(self) -> None:
                redirect_uri = self.get_argument("redirect_uri")
                if (
                    self.get_argument("client_id") != CLIENT_ID
                    or redirect_uri != platform.tool_url + "lti/launch"
                    or self.get_argument("response_type") != "id_token"
                    or self.get_argument("scope") != "openid"
                ):
                    platform.errors.append(f"auth: bad request {self.request.query}")
                    raise tornado.web.HTTPError(400)
                spec = platform.launches[self.get_argument("lti_message_hint")]
                token = platform.id_token(spec, self.get_argument("nonce"))
                state = self.get_argument("state")
                platform.posted.append({"id_token": token, "state": state})
                self.finish(
                    f'<!DOCTYPE html><html lang="en"><body><form id="f" method="post" '
                    f'action="{escape(redirect_uri)}">'
                    f'<input type="hidden" name="id_token" value="{escape(token)}">'
                    f'<input type="hidden" name="state" value="{escape(state)}"></form>'
                    '<script>document.getElementById("f").submit()</script></body></html>'
                )

        class Jwks(Base):
            def get(self) -> None:
                self.finish(platform.jwks())

        class Token(Base):
            def post(self) -> None:
                assertion = self.get_argument("client_assertion")
                try:
                    jwt.decode(
                        assertion,
                        platform.tool_key(assertion),
                        algorithms=["RS256"],
                        audience=f"{platform.issuer}/token",
                        issuer=CLIENT_ID,
                    )
                except Exception as exc:
                    platform.errors.append(f"token: {exc!r}")
                    raise tornado.web.HTTPError(401) from None
                token = secrets.token_hex(16)
                platform.tokens.add(token)
                self.finish(
                    {
                        "access_token": token,
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "scope": self.get_argument("scope"),
                    }
                )

        class Scores(Base):
            def post(self, lineitem: str) -> None:
                auth = self.request.headers.get("Authorization", "")
                if not auth.startswith("Bearer ") or auth[7:] not in platform.tokens:
                    platform.errors.append("scores: no valid token")
                    raise tornado.web.HTTPError(401)
                content_type = self.request.headers.get("Content-Type", "")
                body = json.loads(self.request.body)
                score = {"lineitem": lineitem, "content_type": content_type, **body}
                if platform.scores_status != 200:
                    platform.refused_scores.append(score)
                    raise tornado.web.HTTPError(platform.scores_status)
                platform.scores.append(score)
                self.finish({})

        class DeepLinkReturn(Base):
            def post(self) -> None:
                token = self.get_argument("JWT")
                try:
                    claims = jwt.decode(
                        token,
                        platform.tool_key(token),
                        algorithms=["RS256"],
                        audience=platform.issuer,
                        issuer=CLIENT_ID,
                    )
                except Exception as exc:
                    platform.errors.append(f"deep link: {exc!r}")
                    raise tornado.web.HTTPError(400) from None
                platform.deep_links.append(claims)
                items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
                titles = ", ".join(str(escape(item.get("title", ""))) for item in items)
                self.finish(
                    f"<!DOCTYPE html><html lang='en'><body><p id='received'>Received: {titles}</p></body></html>"
                )

        return tornado.web.Application(
            [
                (r"/start", Start),
                (r"/auth", Auth),
                (r"/jwks", Jwks),
                (r"/token", Token),
                (r"/lineitems/([^/]+)/lineitem/scores", Scores),
                (r"/deep_link_return", DeepLinkReturn),
            ]
        )

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            self._server = tornado.httpserver.HTTPServer(self.app())
            self._server.listen(self.port, "127.0.0.1")
            ready.set()
            loop.run_forever()

        threading.Thread(target=run, name="lti-test-platform", daemon=True).start()
        ready.wait(10)

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._server.stop)
            self._loop.call_soon_threadsafe(self._loop.stop)
