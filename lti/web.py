"""The tool's endpoints under ``<base>lti/`` (tornado handlers, mounted by apps.server).

Platform-facing: ``login`` (OIDC login initiation, GET or POST), ``launch`` (the signed
``id_token``), ``deeplink`` (the trainer's pick, answered with a signed deep-linking response)
and ``jwks`` (the tool's public key). Kernel-facing, with the key only the server's kernels
hold (env ``IGM_LTI_KERNEL_KEY``, made at start): ``redeem`` (a page's one-time ticket →
its learner) and ``passback`` (send the counting grade of a launch).

A refused launch answers 403 with a page that says so in Dutch and English, without a
traceback or the library's message (that goes to the server's log). Tornado's XSRF check is
off for these handlers: the platform's cross-site POSTs cannot carry it; a launch is
protected by its signature, state cookie and single-use nonce instead, the pick by its
random, single-use launch id, and the kernel endpoints by the kernel key.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from typing import Any

import tornado.ioloop
import tornado.web
from sqlalchemy import Engine

from database.engine import make_engine, upgrade
from exercises import get_exercise, list_exercises
from gradebook import Gradebook, GradebookError
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from lti import identity
from lti.config import LtiConfig, load_lti_config
from lti.store import LaunchStore, NewLaunch, ValueStore
from widgets.templates import environment

__all__ = ["KERNEL_KEY_ENV", "KERNEL_URL_ENV", "handlers"]

#: The key the server's kernels present to ``redeem`` and ``passback``.
KERNEL_KEY_ENV = "IGM_LTI_KERNEL_KEY"
#: Where the kernels reach those endpoints (``http://127.0.0.1:PORT/BASE/lti/``).
KERNEL_URL_ENV = "IGM_LTI_URL"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def _log(text: str) -> None:
    print(f"igm lti: {text}", file=sys.stderr, flush=True)


class _Base(tornado.web.RequestHandler):
    def initialize(self, config: LtiConfig, engine: Engine, base_url: str) -> None:
        self.config = config
        self.engine = engine
        self.base_url = base_url

    def check_xsrf_cookie(self) -> None:
        return None  # see the module docstring

    @property
    def secure(self) -> bool:
        return self.request.protocol == "https" or (self.config.tool_url or "").startswith(
            "https://"
        )

    def tool_url(self) -> str:
        return (
            self.config.tool_url or f"{self.request.protocol}://{self.request.host}{self.base_url}"
        )

    def page(self, status: int, name: str, **context: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(environment("lti").get_template(name).render(**context))

    def refuse(self, reason: str, key: str = "lti.refused", lang: str = DEFAULT_LANGUAGE) -> None:
        _log(f"{self.request.path}: refused: {reason}")
        sections = [
            {"lang": x, "heading": t(f"{key}.heading", x), "message": t(f"{key}.message", x)}
            for x in self._languages(lang)
        ]
        self.page(403, "message.html", sections=sections)

    @staticmethod
    def _languages(lang: str) -> list[str]:
        return [lang, *(x for x in LANGUAGES if x != lang)]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # never a traceback to the client; the log has it
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code}\n")


class LoginHandler(_Base):
    """OIDC login initiation: redirect to the platform's authorisation endpoint."""

    def _login(self) -> None:

        from lti.adapters import KitLogin, KitSession, TornadoCookies, TornadoRequest

        request = TornadoRequest(self, secure=self.secure)
        issuer = str(request.get_param("iss") or "")
        client_id = request.get_param("client_id")
        deployment_id = request.get_param("lti_deployment_id")
        if not self.config.knows(issuer, client_id, deployment_id):
            self.refuse(
                f"login: not configured: iss={issuer!r} client_id={client_id!r} "
                f"deployment={deployment_id!r}",
                "lti.not_registered",
            )
            return
        cookies = TornadoCookies(request, self.base_url)
        session = KitSession(request, ValueStore(self.engine))
        login = KitLogin(request, self.config.tool_conf(), session, cookies)
        try:
            location = login.redirect(self.tool_url() + "lti/launch")
        except Exception as exc:  # the library raises plain Exception for bad config too
            self.refuse(f"login: {exc!r}")
            return
        cookies.write(self)
        self.redirect(location)

    def get(self) -> None:
        self._login()

    def post(self) -> None:
        self._login()


class JwksHandler(_Base):
    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(self.config.jwks()))


class LaunchHandler(_Base):
    """The platform posts ``id_token`` and ``state``: check, then open the exercise (a
    resource link) or the picker (deep linking)."""

    async def post(self) -> None:
        from lti.adapters import (
            KitLaunch,
            KitSession,
            TornadoCookies,
            TornadoRequest,
            timed_session,
        )

        request = TornadoRequest(self, secure=self.secure)
        session = KitSession(request, ValueStore(self.engine))
        launch = KitLaunch(
            request,
            self.config.tool_conf(),
            session_service=session,
            cookie_service=TornadoCookies(request, self.base_url),
            requests_session=timed_session(),
        )
        loop = tornado.ioloop.IOLoop.current()
        try:
            # the platform's JWKS is fetched with a blocking client: off the event loop
            read: Any = launch.get_launch_data
            claims: dict[str, Any] = await loop.run_in_executor(None, read)
        except Exception as exc:  # every failure is a refusal, logged
            self.refuse(f"launch: {exc!r}", self._refusal(request.get_param("id_token")))
            return
        lang = identity.language(claims)
        if launch.is_deep_link_launch():
            self._picker(launch, claims, lang)
        elif launch.is_resource_launch():
            self._open_exercise(claims, lang)
        else:
            self.refuse("launch: message type not supported", lang=lang)

    def _refusal(self, id_token: Any) -> str:
        """Which refusal to show: "not registered" when the (unverified) token names a
        platform, client or deployment the configuration does not have. Only the wording
        depends on it; the launch is refused either way."""
        import jwt

        try:
            claims = jwt.decode(str(id_token or ""), options={"verify_signature": False})
        except jwt.PyJWTError:
            return "lti.refused"
        aud = claims.get("aud")
        client_id = aud[0] if isinstance(aud, list) and aud else aud
        deployment_id = claims.get(identity.CLAIM + "deployment_id")
        known = self.config.knows(
            str(claims.get("iss", "")),
            str(client_id) if client_id else None,
            str(deployment_id) if deployment_id else None,
        )
        return "lti.refused" if known else "lti.not_registered"

    def _picker(self, launch: Any, claims: dict[str, Any], lang: str) -> None:
        if not identity.is_instructor(identity.roles(claims)):
            self.refuse("deep linking by a non-instructor", lang=lang)
            return
        self.page(
            200,
            "picker.html",
            lang=lang,
            action=self.base_url + "lti/deeplink",
            launch_id=launch.get_launch_id(),
            exercises=[(ex.id, ex.title(lang)) for ex in list_exercises()],
        )

    def _open_exercise(self, claims: dict[str, Any], lang: str) -> None:
        exercise_id = identity.exercise_from_launch(claims)
        try:
            exercise = get_exercise(exercise_id or "")
        except (KeyError, ValueError):
            self.refuse(f"launch: unknown exercise {exercise_id!r}", "lti.no_exercise", lang)
            return
        issuer, subject = str(claims["iss"]), str(claims["sub"])
        aud = claims.get("aud")
        client_id = str(aud[0] if isinstance(aud, list) else aud)
        number = identity.learner_number(issuer, subject)
        name = identity.display_name(claims, t("lti.default_name", lang))
        ags = claims.get(AGS_CLAIM) or {}
        with Gradebook(self.engine) as gradebook:
            try:
                try:
                    gradebook.learner(number)
                except GradebookError:
                    gradebook.register_learner(number, name, identity_source="lti")
            except GradebookError as exc:
                self.refuse(f"launch: learner: {exc}", lang=lang)
                return
        ticket = LaunchStore(self.engine).create(
            NewLaunch(
                learner_number=number,
                exercise_id=exercise.id,
                issuer=issuer,
                client_id=client_id,
                deployment_id=str(claims.get(identity.CLAIM + "deployment_id", "")),
                subject=subject,
                roles=identity.roles(claims),
                lang=lang,
                lineitem=str(ags["lineitem"]) if ags.get("lineitem") else None,
                ags_scopes=[str(s) for s in ags.get("scope", [])],
            )
        )
        query = f"?lti={ticket}" + ("" if lang == DEFAULT_LANGUAGE else f"&lang={lang}")
        self.redirect(
            f"{self.base_url}voila/render/exercises/{exercise.id}.ipynb{query}", status=303
        )


class DeepLinkHandler(_Base):
    """The trainer picked an exercise: a signed deep-linking response, posted back."""

    def post(self) -> None:
        from pylti1p3.deep_link_resource import DeepLinkResource
        from pylti1p3.lineitem import LineItem

        from lti.adapters import KitLaunch, KitSession, TornadoCookies, TornadoRequest

        request = TornadoRequest(self, secure=self.secure)
        session = KitSession(request, ValueStore(self.engine))
        launch_id = str(request.get_param("launch") or "")
        try:
            launch = KitLaunch.from_cache(
                launch_id,
                request,
                self.config.tool_conf(),
                session_service=session,
                cookie_service=TornadoCookies(request, self.base_url),
            )
            exercise = get_exercise(str(request.get_param("exercise") or ""))
        except Exception as exc:
            self.refuse(f"deep link: {exc!r}")
            return
        if not launch.is_deep_link_launch() or not session.forget_launch_data(launch_id):
            self.refuse("deep link: not a deep-linking launch, or answered already")
            return
        lang = identity.language(launch.get_launch_data())
        title = exercise.title(lang)
        resource = (
            DeepLinkResource()
            .set_url(self.tool_url() + "lti/launch")
            .set_title(title)
            .set_custom_params({"exercise": exercise.id})
            .set_lineitem(
                LineItem()
                .set_tag(exercise.id)
                .set_label(title)
                .set_score_maximum(float(exercise.max_points))
                .set_resource_id(exercise.id)
            )
        )
        deep_link = launch.get_deep_link()
        self.page(
            200,
            "autopost.html",
            lang=lang,
            heading=t("lti.picker.sending", lang),
            action=deep_link._deep_link_settings["deep_link_return_url"],
            jwt=deep_link.get_response_jwt([resource]),
        )


class _KernelBase(_Base):
    def prepare(self) -> None:
        given = self.request.headers.get("X-IGM-Kernel-Key", "")
        if not secrets.compare_digest(given, os.environ.get(KERNEL_KEY_ENV, "\0")):
            raise tornado.web.HTTPError(403)

    def body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            raise tornado.web.HTTPError(400) from None
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(400)
        return data


class RedeemHandler(_KernelBase):
    """A page's kernel redeems its ticket once: → the learner and its passback key."""

    def post(self) -> None:
        data = self.body()
        redeemed = LaunchStore(self.engine).redeem(
            str(data.get("ticket", "")), str(data.get("exercise", ""))
        )
        if redeemed is None:
            self.set_status(410)
            self.finish({"error": "ticket unknown, used or expired"})
            return
        self.finish(
            {
                "launch": redeemed.launch_id,
                "key": redeemed.kernel_key,
                "learner_number": redeemed.learner_number,
                "display_name": redeemed.display_name,
                "graded": redeemed.graded,
            }
        )


class PassbackHandler(_KernelBase):
    """Send the counting grade of the launch's learner at its exercise to the platform."""

    async def post(self) -> None:
        from lti.passback import score_for, send_score

        data = self.body()
        store = LaunchStore(self.engine)
        try:
            found = store.for_kernel(int(data.get("launch", 0)), str(data.get("key", "")))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise tornado.web.HTTPError(403)
        launch, number = found
        if not launch.lineitem:
            self.finish({"sent": False, "reason": "no line item"})
            return
        with Gradebook(self.engine) as gradebook:
            score = score_for(gradebook, number, launch.exercise_id, launch.subject)
        if score is None:
            self.finish({"sent": False, "reason": "no attempt"})
            return
        loop = tornado.ioloop.IOLoop.current()
        try:
            await loop.run_in_executor(
                None,
                send_score,
                self.config,
                launch.issuer,
                launch.client_id,
                launch.lineitem,
                list(launch.ags_scopes),
                score,
            )
        except Exception as exc:  # the attempt is kept; the next submit retries
            _log(f"passback of launch {launch.id}: {exc!r}")
            store.note_passback(launch.id, repr(exc))
            self.finish({"sent": False, "reason": "platform"})
            return
        store.note_passback(launch.id, None)
        self.finish({"sent": True, "score": score.given, "maximum": score.maximum})


def handlers(base_url: str, port: int, config_file: str | None = None) -> list[Any]:
    """The tool's handlers, or none when no LTI configuration is given (env
    ``IGM_LTI_CONFIG`` or ``config_file``). Puts the kernel key and the address of the kernel
    endpoints in the environment the server's kernels inherit."""
    from lti.config import config_path

    path = config_path(configured=config_file)
    if path is None:
        return []
    config = load_lti_config(path)
    engine = make_engine()
    upgrade(engine)
    os.environ.setdefault(KERNEL_KEY_ENV, secrets.token_urlsafe(32))
    os.environ[KERNEL_URL_ENV] = f"http://127.0.0.1:{port}{base_url}lti/"
    args = {"config": config, "engine": engine, "base_url": base_url}
    return [
        (base_url + "lti/login", LoginHandler, args),
        (base_url + "lti/launch", LaunchHandler, args),
        (base_url + "lti/deeplink", DeepLinkHandler, args),
        (base_url + "lti/jwks", JwksHandler, args),
        (base_url + "lti/redeem", RedeemHandler, args),
        (base_url + "lti/passback", PassbackHandler, args),
    ]
