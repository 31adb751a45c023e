"""pylti1p3's request, cookie, session and redirect interfaces for tornado handlers.

The library ships them for Django and Flask (``pylti1p3.contrib``); these follow those, with
two changes that make a launch single-use: the nonce store is the database
(:class:`lti.store.ValueStore`), a nonce is *consumed* when a launch is checked, and a state
is never "already valid" (pylti1p3 otherwise accepts the same ``id_token`` again once it was
accepted, to survive reloads). A reload of a launch is therefore refused; the learner opens
the exercise again from the learning environment.
"""

from __future__ import annotations

from typing import Any

import requests
from pylti1p3.cookie import CookieService
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request
from pylti1p3.session import SessionService

from lti.store import ValueStore

__all__ = [
    "HTTP_TIMEOUT_SECONDS",
    "KitLaunch",
    "KitLogin",
    "KitSession",
    "TornadoCookies",
    "TornadoRequest",
    "timed_session",
]

#: Every call to a platform (JWKS, token, scores) gives up after this long.
HTTP_TIMEOUT_SECONDS = 10.0
#: How long login values (nonce, state) live: the platform answers within seconds.
LOGIN_SECONDS = 600


class _TimedSession(requests.Session):
    """A requests session with a default timeout (pylti1p3 sets none: a platform that never
    answers would hold a server thread forever)."""

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", HTTP_TIMEOUT_SECONDS)
        return super().request(method, url, *args, **kwargs)


def timed_session() -> requests.Session:
    session = _TimedSession()
    session.headers["User-Agent"] = "igm-kit LTI tool"
    return session


class TornadoRequest(Request):
    """The parameters, cookies and scheme of a tornado request, read once (the handler may
    hand this object to a thread)."""

    def __init__(self, handler: Any, *, secure: bool) -> None:
        request = handler.request
        self._params = {
            key: handler.get_argument(key)
            for key in {*request.query_arguments, *request.body_arguments}
        }
        self._cookies = {name: morsel.value for name, morsel in request.cookies.items()}
        self._secure = secure

    @property
    def session(self) -> dict[str, Any]:
        return {}  # unused: the launch data storage is the database

    def is_secure(self) -> bool:
        return self._secure

    def get_param(self, key: str) -> Any:
        return self._params.get(key)

    def get_cookie(self, key: str) -> str | None:
        return self._cookies.get(key)


class TornadoCookies(CookieService):
    """pylti1p3's cookies (the ``state``), written on the handler's response. Under HTTPS
    they are ``SameSite=None; Secure``: the platform posts the launch from its own site."""

    def __init__(self, request: TornadoRequest, path: str) -> None:
        self._request = request
        self._path = path
        self.to_set: dict[str, tuple[str, int | None]] = {}

    def _key(self, name: str) -> str:
        return f"{self._cookie_prefix}-{name}"

    def get_cookie(self, name: str) -> str | None:
        return self._request.get_cookie(self._key(name))

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self.to_set[self._key(name)] = (str(value), exp)

    def write(self, handler: Any) -> None:
        secure = self._request.is_secure()
        for key, (value, exp) in self.to_set.items():
            handler.set_cookie(
                key,
                value,
                path=self._path,
                expires_days=None,
                max_age=exp,
                httponly=True,
                secure=secure,
                samesite="None" if secure else "Lax",
            )


class DatabaseStorage(LaunchDataStorage[Any]):
    """Launch data in ``lti_values`` (no session cookie: keys are random and short-lived)."""

    def __init__(self, values: ValueStore) -> None:
        super().__init__()
        self.values = values

    def get_session_cookie_name(self) -> None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return self.values.get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self.values.set(self._prepare_key(key), value, exp or LOGIN_SECONDS)

    def check_value(self, key: str) -> bool:
        return self.values.has(self._prepare_key(key))

    def consume(self, key: str) -> bool:
        return self.values.consume(self._prepare_key(key))


class KitSession(SessionService):
    """pylti1p3's session service on the database, with single-use nonces."""

    def __init__(self, request: TornadoRequest, values: ValueStore) -> None:
        self.storage = DatabaseStorage(values)
        self.storage.set_request(request)
        self.data_storage = self.storage
        self._launch_data_lifetime = LOGIN_SECONDS

    def check_nonce(self, nonce: str) -> bool:
        return self.storage.consume(self._get_key("nonce", nonce))

    def check_state_is_valid(self, state: str, id_token_hash: str) -> bool:
        return False  # every launch needs its state cookie (and an unused nonce)

    def set_state_valid(self, state: str, id_token_hash: str) -> None:
        return None

    def forget_launch_data(self, key: str) -> bool:
        """Delete a deep-linking launch's data once it was answered; False if already gone."""
        return self.storage.consume(self._get_key(key, add_prefix=False))


class _Redirect(Redirect[str]):
    def __init__(self, location: str) -> None:
        self._location = location

    def do_redirect(self) -> str:
        return self._location

    def do_js_redirect(self) -> str:
        return self._location

    def set_redirect_url(self, location: str) -> None:
        self._location = location

    def get_redirect_url(self) -> str:
        return self._location


class KitLogin(OIDCLogin):  # type: ignore[type-arg]
    """OIDC login initiation: ``redirect(launch_url)`` returns the platform URL to go to."""

    def get_redirect(self, url: str) -> _Redirect:
        return _Redirect(url)


class KitLaunch(MessageLaunch):  # type: ignore[type-arg]
    """A launch, checked by pylti1p3; ``exp`` and ``iat`` must be present (PyJWT checks
    ``exp`` only when the token has one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options: Any = {"verify_aud": False, "require": ["exp", "iat"]}
        self.set_jwt_verify_options(options)

    def _get_request_param(self, key: str) -> Any:
        return self._request.get_param(key)
