"""igm-grader: grade exercises and write the gradebook OUTSIDE the learners' Jupyter servers.

A JupyterHub service (docs/grading-trust.md). The learner's kernel sends its answers with the
server's hub token; this service asks the hub who owns the token, rebuilds the learner's
variant from a secret only it knows, grades, and records the attempt with credentials only it
has. Learners get public views and feedback, never keys, credentials or another identity.

Run (the console script ``igm-grader``, from ``pip install 'igm-kit[hub]'``; the hub starts it
as a managed service, or a Deployment or systemd unit runs it next to the hub)::

    IGM_DATABASE_URL=postgresql+psycopg://igm_grader:…@db/igm IGM_GRADER_SECRET=… \\
    JUPYTERHUB_API_URL=http://hub:8081/hub/api JUPYTERHUB_SERVICE_NAME=igm-grader \\
    JUPYTERHUB_SERVICE_PREFIX=/services/igm-grader/ igm-grader --port 8000

(``python -m exercises.grading_service`` is the same program.)

API (JSON; every request needs ``Authorization: token <hub token>``):

* ``GET  {prefix}api/exercises/<id>?lang=nl`` → the learner's variant, public view only;
* ``POST {prefix}api/exercises/<id>/attempts`` ``{"answers": {...}, "lang": "nl"}`` →
  ``{"attempt_no", "result": GradeResult.to_dict()}``; a malformed answer → 422 with
  ``{"error": key, "messages": {nl, en}}`` and nothing stored;
* ``GET  {prefix}api/me/attempts[?exercise=<id>]`` → the learner's own attempts and, per
  exercise, the ``attempt_no`` that counts under the exercise's retry policy;
* ``GET  {prefix}api/export?kind=gradebook|attempts&lms=generic|brightspace|canvas|moodle
  [&exercise=<id>]…`` → CSV from :mod:`gradebook.export` (as ``igm grades export`` writes it),
  for hub users in the trainers group only (``IGM_GRADER_TRAINERS``, default ``igm-trainers``).

Who is asking: JupyterHub's own :class:`~jupyterhub.services.auth.HubAuth`, through the
:class:`~jupyterhub.services.auth.HubAuthenticated` handler mixin. It takes the token from the
``Authorization`` header, asks the hub (``GET {JUPYTERHUB_API_URL}/user`` with that token) and
caches the reply for a minute; the token must carry ``access:services!service=<name>`` (or the
unfiltered ``access:services``), and its owner must be a user, not a service. Without a valid
token: 403. When the hub cannot answer (down, 5xx, more than 10 s): 503 with ``Retry-After``,
nothing cached, so a hub restart does not lock learners out for a minute.

Rate limit: at most ``IGM_GRADER_RATE`` (default 10) POSTs of attempts per user per exercise
in any 60 seconds (every POST counts, a malformed one too); more → 429 with
``{"error": "rate_limited", "messages": {nl, en}, "retry_after": s}`` (and a ``Retry-After``
header), nothing stored. The count lives in this process's memory: run one grader process (a
restart forgets it, which only loosens the limit for a minute).

Groups: JupyterHub (2.0 and later) answers ``GET /hub/api/user`` with the token owner's model,
``name`` and ``groups`` included whatever the token's own scopes (on that endpoint the hub adds
``read:users:name`` and ``read:users:groups`` for the owner). Membership is cached with the
identity for a minute, so removing a trainer from the group takes effect within a minute.

Database work runs in worker threads (:func:`asyncio.to_thread`), each call with a gradebook
facade of its own on the shared engine: a slow commit, or a SQLite file locked by another
writer, delays that one request, never the event loop that serves everyone else.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import logging
import math
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import tornado.log
import tornado.web
from sqlalchemy import Engine

from database.engine import safe_url
from exercises import Exercise, InvalidAnswer, get_exercise
from exercises.attempts import Taken, take_attempt
from exercises.catalog import RetiredExercise
from exercises.grades import counting_attempt, grade_sheet
from exercises.settings import Refusal, quiz_settings, quiz_view
from gradebook import Gradebook, GradebookError, open_gradebook
from gradebook.errors import InvalidIdentity
from gradebook.export import LMS_STYLES, attempts_csv
from gradebook.validation import normalise_learner_number
from igm.i18n import LANGUAGES, t
from igm.safe_json import TooDeep, loads_limited

try:
    from jupyterhub.services.auth import (  # type: ignore[import-untyped]
        HubAuth,
        HubAuthenticated,
        UserNotAllowed,
    )
except ImportError as err:  # pragma: no cover - the `hub` extra is missing
    raise ImportError(
        "igm-grader needs JupyterHub's service library: pip install 'igm-kit[hub]'"
    ) from err

__all__ = [
    "GraderSettings",
    "HubUser",
    "RateLimiter",
    "main",
    "make_app",
    "make_hub_auth",
    "settings_from_env",
    "variant_key",
]

log = logging.getLogger("igm.grader")

#: Default limit on POSTed attempts per user per exercise per minute; ``IGM_GRADER_RATE``.
DEFAULT_RATE = 10
#: The hub group whose members may export grades; ``IGM_GRADER_TRAINERS``.
DEFAULT_TRAINERS_GROUP = "igm-trainers"
DEFAULT_SERVICE_NAME = "igm-grader"
EXPORT_KINDS = ("gradebook", "attempts")
#: How long the hub's answer about a token is trusted (group changes take effect this late).
HUB_CACHE_SECONDS = 60
#: How long a request waits for the hub to say who owns its token before it gets 503.
HUB_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class HubUser:
    """The owner of a hub token, as the hub describes them: name and group names."""

    name: str
    groups: frozenset[str] = frozenset()

    @classmethod
    def from_model(cls, model: Mapping[str, Any]) -> HubUser:
        """From the hub's user model; no ``groups`` in it (an older or stricter hub): none."""
        groups = model.get("groups")
        names = (
            frozenset(g for g in groups if isinstance(g, str))
            if isinstance(groups, list)
            else frozenset()
        )
        return cls(str(model["name"]), names)


def variant_key(secret: str, exercise_id: str, user: str) -> str:
    """The id a learner's variant is made from: unguessable without the service's secret."""
    digest = hmac.new(secret.encode(), f"{exercise_id}:{user}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def make_hub_auth(
    api_url: str,
    service_name: str = DEFAULT_SERVICE_NAME,
    *,
    cache_seconds: int = HUB_CACHE_SECONDS,
) -> Any:
    """JupyterHub's :class:`HubAuth` for this service.

    It identifies a caller with ``GET {api_url}/user`` and the caller's own token (the service
    needs no scope of its own for that), caches the hub's answer for ``cache_seconds``, and
    lets in only tokens that carry ``access:services!service=<service_name>``.
    """
    if not service_name.strip():
        raise ValueError("JUPYTERHUB_SERVICE_NAME: the service's name in the hub's configuration")
    return HubAuth(
        api_url=api_url.rstrip("/"),
        access_scopes={f"access:services!service={service_name}"},
        cache_max_age=cache_seconds,
    )


class RateLimiter:
    """At most ``limit`` events per key in any ``window`` seconds (a sliding window).

    :meth:`hit` records an event and returns 0, or, when the key is at its limit, records
    nothing and returns the seconds until the oldest event leaves the window.
    """

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1:
            raise ValueError(f"rate limit {limit!r}: at least 1 attempt per window")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: dict[tuple[str, ...], deque[float]] = {}

    def hit(self, *key: str) -> float:
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self.window:
            events.popleft()
        if len(events) >= self.limit:
            return self.window - (now - events[0])
        events.append(now)
        if len(self._events) > 10_000:  # forget keys whose window has passed
            self._events = {
                k: v for k, v in self._events.items() if v and now - v[-1] < self.window
            }
        return 0.0


def rate_from_env(value: str | None) -> int:
    """``IGM_GRADER_RATE``: a whole number of attempts per minute (default 10)."""
    if value is None or not value.strip():
        return DEFAULT_RATE
    try:
        rate = int(value)
    except ValueError:
        rate = 0
    if rate < 1:
        raise ValueError(f"IGM_GRADER_RATE={value!r}: a whole number of attempts per minute, >= 1")
    return rate


# --- the database calls: each runs in a worker thread, with a facade of its own ---------------
# (a Gradebook facade holds one session, which is not for sharing between threads)


def _record_attempt(
    engine: Engine,
    learner: str,
    exercise_id: str,
    variant: str,
    answers: Any,
    item_scores: Mapping[str, float],
    max_points: float,
) -> int:
    """Register the hub user (once) and store their attempt; its number."""
    with Gradebook(engine) as gradebook:
        gradebook.register_learner(learner, learner, identity_source="hub")
        attempt = gradebook.for_learner(learner).record_attempt(
            exercise_id, variant, answers, item_scores, max_points
        )
        return attempt.attempt_no


def _attempts_used(engine: Engine, learner: str, exercise_id: str) -> int:
    """How many attempts the learner stored at the exercise (0: none, or not registered)."""
    with Gradebook(engine) as gradebook:
        try:
            return len(gradebook.for_learner(learner).attempts(exercise_id))
        except GradebookError:
            return 0


def _take_attempt(
    engine: Engine, exercise: Exercise, learner: str, key: str, answers: Any, lang: str
) -> Taken | Refusal:
    """The learner's attempt through :func:`exercises.settings.take_attempt` (the one place
    local grading uses too): settings checked, the attempt's variant graded, stored, feedback
    withheld until the answers are released."""

    def record(variant: Any, result: Any) -> int:
        return _record_attempt(
            engine,
            learner,
            exercise.id,
            variant.fingerprint,
            answers,
            result.item_scores,
            result.max_points,
        )

    used = _attempts_used(engine, learner, exercise.id)
    return take_attempt(exercise, key, used, answers, lang, record)


def _public_view(engine: Engine, exercise: Exercise, learner: str, key: str, lang: str) -> Any:
    """The public view of the learner's next attempt, with the quiz settings."""
    used = _attempts_used(engine, learner, exercise.id)
    view = exercise.variant_for(key, used + 1).public_view(lang)
    view["quiz"] = quiz_view(quiz_settings(exercise.id), used)
    return view


def _my_attempts(engine: Engine, learner: str, exercise_id: str | None) -> dict[str, Any]:
    """The learner's attempts and, per exercise, the attempt that counts under its policy."""
    with Gradebook(engine) as gradebook:
        try:
            view = gradebook.for_learner(learner)
        except GradebookError:  # not registered: no attempt yet
            return {"counting": {}, "attempts": []}
        attempts = view.attempts(exercise_id)
        counting: dict[str, int] = {}
        for exercise in sorted({a.exercise_id for a in attempts}):
            counted = counting_attempt(view, exercise)
            if counted is not None:
                counting[exercise] = counted.attempt_no
        return {
            "counting": counting,
            "attempts": [
                {
                    "exercise_id": a.exercise_id,
                    "attempt_no": a.attempt_no,
                    "points": a.points,
                    "max_points": a.max_points,
                }
                for a in attempts
            ],
        }


def _export_csv(engine: Engine, kind: str, lms: str, exercise_ids: list[str] | None) -> str:
    """The CSV ``igm grades export`` writes: every attempt, or one grade per learner."""
    with Gradebook(engine) as gradebook:
        if kind == "attempts":
            return attempts_csv(gradebook, exercise_ids)
        return grade_sheet(gradebook, exercise_ids, lms=lms)


# --- the web app ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Service:
    """What every handler shares."""

    engine: Engine
    secret: str = field(repr=False)
    hub_auth: Any
    limiter: RateLimiter
    trainers_group: str


class _Base(HubAuthenticated, tornado.web.RequestHandler):  # type: ignore[misc]
    """A request from a hub user, identified by JupyterHub's :class:`HubAuthenticated` mixin.

    ``hub_scopes`` (the mixin's) is ``hub_auth.access_scopes``: the token must carry
    ``access:services!service=<name>``. The token is read from the ``Authorization`` header
    only (``token …`` or ``bearer …``); never from the body, and not from the URL (HubAuth's
    ``allow_token_in_url`` is off by default).
    """

    def initialize(self, service: _Service) -> None:
        self.service = service
        self.hub_auth = service.hub_auth
        self.user = ""

    def check_hub_user(self, model: dict[str, Any]) -> dict[str, Any]:
        """The mixin's scope check, and: the token belongs to a person, not a service."""
        if not isinstance(model.get("name"), str):
            raise UserNotAllowed({"kind": "unknown", "name": "?"})
        model.setdefault("scopes", [])  # a reply without scopes grants nothing
        allowed: dict[str, Any] = super().check_hub_user(model)
        if allowed.get("kind") != "user":
            raise UserNotAllowed(model)
        return allowed

    async def hub_user(self) -> HubUser:
        """The owner of the request's hub token; 403 without a valid one, 503 if the hub
        cannot say (nothing cached then: HubAuth caches only the hub's answers)."""
        try:
            model = await asyncio.wait_for(self.hub_auth.get_user(self, sync=False), HUB_TIMEOUT_S)
        except (tornado.web.HTTPError, asyncio.TimeoutError, ValueError):
            # HubAuth: 500 when the hub is unreachable, 502 when it answers 5xx; ValueError
            # when its answer is not JSON
            raise tornado.web.HTTPError(
                503, reason="the hub cannot confirm who you are right now; try again shortly"
            ) from None
        try:
            allowed = self.check_hub_user(model) if isinstance(model, dict) else None
        except UserNotAllowed:
            allowed = None
        if allowed is None:
            raise tornado.web.HTTPError(403, reason="a hub token with access to this service")
        self.current_user = allowed
        return HubUser.from_model(allowed)

    async def prepare(self) -> None:
        user = (await self.hub_user()).name
        try:
            self.user = normalise_learner_number(user, "hub")
        except InvalidIdentity:
            raise tornado.web.HTTPError(
                403, reason="this hub user name cannot be stored in the gradebook"
            ) from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code == 503:
            self.set_header("Retry-After", "10")
        self.finish({"error": self._reason})

    def exercise(self, exercise_id: str) -> Exercise:
        try:
            return get_exercise(exercise_id)
        except RetiredExercise as retired:
            raise tornado.web.HTTPError(404, reason=str(retired)) from None
        except (KeyError, ValueError):
            raise tornado.web.HTTPError(404, reason=f"no exercise {exercise_id!r}") from None

    def lang(self, value: Any) -> str:
        return value if value in ("nl", "en") else "nl"


class ExerciseHandler(_Base):
    async def get(self, exercise_id: str) -> None:
        exercise = self.exercise(exercise_id)
        key = variant_key(self.service.secret, exercise.id, self.user)
        lang = self.lang(self.get_query_argument("lang", None))
        view = await asyncio.to_thread(
            _public_view, self.service.engine, exercise, self.user, key, lang
        )
        self.finish(view)


class AttemptHandler(_Base):
    async def post(self, exercise_id: str) -> None:
        exercise = self.exercise(exercise_id)
        try:
            body = loads_limited(self.request.body or b"{}")
        except TooDeep:
            raise tornado.web.HTTPError(400, reason="body nests too deep") from None
        except ValueError:
            raise tornado.web.HTTPError(400, reason="body is not JSON") from None
        answers = body.get("answers") if isinstance(body, dict) else None
        lang = self.lang(body.get("lang") if isinstance(body, dict) else None)
        limiter = self.service.limiter
        wait = limiter.hit(self.user, exercise.id)
        if wait:
            seconds = max(1, math.ceil(wait))
            self.set_status(429)
            self.set_header("Retry-After", str(seconds))
            values = {"limit": limiter.limit, "seconds": seconds}
            self.finish(
                {
                    "error": "rate_limited",
                    "retry_after": seconds,
                    "messages": {lg: t("grader.rate_limited", lg, **values) for lg in LANGUAGES},
                }
            )
            return
        key = variant_key(self.service.secret, exercise.id, self.user)
        given = answers if isinstance(answers, dict) else {}
        try:
            taken = await asyncio.to_thread(
                _take_attempt, self.service.engine, exercise, self.user, key, given, lang
            )
        except InvalidAnswer as err:
            self.set_status(422)
            self.finish({"error": err.key, "item": err.item, "messages": err.messages})
            return
        except GradebookError as err:
            raise tornado.web.HTTPError(409, reason=err.message(lang)) from None
        if isinstance(taken, Refusal):  # not open, closed, attempts used up: nothing stored
            self.set_status(403)
            self.finish({"error": taken.key, "messages": taken.messages})
            return
        self.finish(
            {
                "attempt_no": taken.attempt_no,
                "result": taken.result.to_dict(),
                "released": taken.released,
                "next_is_new": taken.next_is_new,
            }
        )


class MyAttemptsHandler(_Base):
    async def get(self) -> None:
        wanted = self.get_query_argument("exercise", None)
        exercise_id = self.exercise(wanted).id if wanted else None
        mine = await asyncio.to_thread(_my_attempts, self.service.engine, self.user, exercise_id)
        self.finish(mine)


class ExportHandler(_Base):
    """CSV of the gradebook for trainers: the same text ``igm grades export`` writes."""

    async def prepare(self) -> None:
        # Trainers need not have a learner id: only the group counts here.
        hub_user = await self.hub_user()
        group = self.service.trainers_group
        if group not in hub_user.groups:
            raise tornado.web.HTTPError(
                403, reason=f"only members of the hub group {group!r} may export"
            )
        self.user = hub_user.name

    async def get(self) -> None:
        kind = self.get_query_argument("kind", "gradebook")
        lms = self.get_query_argument("lms", "generic")
        if kind not in EXPORT_KINDS:
            raise tornado.web.HTTPError(400, reason=f"kind: one of {', '.join(EXPORT_KINDS)}")
        if lms not in LMS_STYLES:
            raise tornado.web.HTTPError(400, reason=f"lms: one of {', '.join(LMS_STYLES)}")
        wanted = self.get_query_arguments("exercise")
        exercise_ids = [self.exercise(e).id for e in wanted] or None
        text = await asyncio.to_thread(_export_csv, self.service.engine, kind, lms, exercise_ids)
        name = f"igm-{kind}" + (f"-{lms}" if kind == "gradebook" else "") + ".csv"
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        self.set_header("Cache-Control", "no-store")
        self.finish(text.encode("utf-8"))


def make_app(
    engine: Engine,
    secret: str,
    hub_auth: Any,
    prefix: str = "/services/igm-grader/",
    *,
    rate: int = DEFAULT_RATE,
    rate_window: float = 60.0,
    trainers_group: str = DEFAULT_TRAINERS_GROUP,
) -> tornado.web.Application:
    """The grader's web app.

    ``engine``: the gradebook's database (migrated: :func:`gradebook.open_gradebook`);
    ``hub_auth``: :func:`make_hub_auth`; ``rate``: attempts per user per exercise per
    ``rate_window`` s; ``trainers_group``: the hub group whose members may export grades.
    """
    if len(secret) < 32:
        raise ValueError("IGM_GRADER_SECRET: at least 32 characters")
    if not trainers_group.strip():
        raise ValueError("IGM_GRADER_TRAINERS: the name of a hub group")
    if not hub_auth.access_scopes:  # HubAuthenticated would then let every hub token in
        raise ValueError("hub_auth: the scope a caller needs (make_hub_auth sets it)")
    service = _Service(engine, secret, hub_auth, RateLimiter(rate, rate_window), trainers_group)
    args = {"service": service}
    api = prefix.rstrip("/") + "/api/"
    return tornado.web.Application(
        [
            (api + r"exercises/([a-z0-9-]+)", ExerciseHandler, args),
            (api + r"exercises/([a-z0-9-]+)/attempts", AttemptHandler, args),
            (api + r"me/attempts", MyAttemptsHandler, args),
            (api + r"export", ExportHandler, args),
        ]
    )


# --- the igm-grader command ----------------------------------------------------------------------


@dataclass(frozen=True)
class GraderSettings:
    """The service's settings, from its environment (docs/deployment.md)."""

    database_url: str = field(repr=False)  # may hold a password
    secret: str = field(repr=False)
    api_url: str
    service_name: str = DEFAULT_SERVICE_NAME
    prefix: str = f"/services/{DEFAULT_SERVICE_NAME}/"
    rate: int = DEFAULT_RATE
    trainers_group: str = DEFAULT_TRAINERS_GROUP


def settings_from_env(env: Mapping[str, str]) -> GraderSettings:
    """Read and check the settings; ``ValueError`` naming the variable that is wrong."""

    def required(name: str, what: str) -> str:
        value = env.get(name, "").strip()
        if not value:
            raise ValueError(f"{name} is not set: {what}")
        return value

    database_url = required(
        "IGM_DATABASE_URL", "the gradebook's database, e.g. postgresql+psycopg://USER@HOST/DB"
    )
    secret = required("IGM_GRADER_SECRET", "at least 32 random characters (openssl rand -hex 32)")
    if len(secret) < 32:
        raise ValueError("IGM_GRADER_SECRET: at least 32 characters")
    api_url = required("JUPYTERHUB_API_URL", "the hub's API, e.g. http://hub:8081/hub/api")
    name = env.get("JUPYTERHUB_SERVICE_NAME", "").strip() or DEFAULT_SERVICE_NAME
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX", "").strip() or f"/services/{name}/"
    if not prefix.startswith("/"):
        raise ValueError(f"JUPYTERHUB_SERVICE_PREFIX={prefix!r}: a path such as /services/{name}/")
    trainers = env.get("IGM_GRADER_TRAINERS", "").strip() or DEFAULT_TRAINERS_GROUP
    rate = rate_from_env(env.get("IGM_GRADER_RATE"))
    return GraderSettings(database_url, secret, api_url, name, prefix, rate, trainers)


async def _serve(settings: GraderSettings, engine: Engine, ip: str, port: int) -> None:
    """Listen until SIGTERM or SIGINT."""
    hub_auth = make_hub_auth(settings.api_url, settings.service_name)
    app = make_app(
        engine,
        settings.secret,
        hub_auth,
        settings.prefix,
        rate=settings.rate,
        trainers_group=settings.trainers_group,
    )
    server = app.listen(port, ip)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
            loop.add_signal_handler(signum, stop.set)
    log.info(
        "igm-grader listening on http://%s:%d%s (hub API %s, gradebook %s)",
        ip,
        port,
        settings.prefix,
        settings.api_url,
        safe_url(settings.database_url),
    )
    await stop.wait()
    server.stop()
    log.info("igm-grader stopped")


def main(argv: Sequence[str] | None = None) -> int:
    """``igm-grader [--ip IP] [--port PORT]``; the settings come from the environment."""
    parser = argparse.ArgumentParser(
        prog="igm-grader",
        description="The igm-kit grading service for JupyterHub (docs/grading-trust.md). "
        "Settings from the environment: IGM_DATABASE_URL, IGM_GRADER_SECRET, JUPYTERHUB_API_URL, "
        "JUPYTERHUB_SERVICE_NAME, JUPYTERHUB_SERVICE_PREFIX, IGM_GRADER_RATE, IGM_GRADER_TRAINERS.",
    )
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    args = parser.parse_args(argv)
    try:
        settings = settings_from_env(os.environ)
    except ValueError as err:
        parser.error(str(err))
    tornado.log.enable_pretty_logging()  # INFO and up, with tornado's access log
    with open_gradebook(settings.database_url) as gradebook:  # migrated before serving
        asyncio.run(_serve(settings, gradebook.engine, args.ip, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
