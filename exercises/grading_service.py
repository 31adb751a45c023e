"""igm-grader: grade exercises and write the gradebook OUTSIDE the learners' Jupyter servers.

A JupyterHub service (docs/grading-trust.md). The learner's kernel sends its answers with the
server's hub token; this service asks the hub who owns the token, rebuilds the learner's
variant from a secret only it knows, grades, and records the attempt with credentials only it
has. Learners get public views and feedback, never keys, credentials or another identity.

Run (the hub starts it as a managed service, or a Deployment runs it next to the hub)::

    IGM_DATABASE_URL=postgresql+psycopg://igm_grader:…@db/igm IGM_GRADER_SECRET=… \\
    JUPYTERHUB_API_URL=http://hub:8081/hub/api JUPYTERHUB_SERVICE_NAME=igm-grader \\
    JUPYTERHUB_SERVICE_PREFIX=/services/igm-grader/ python exercises/grading_service.py --port 8000

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

Rate limit: at most ``IGM_GRADER_RATE`` (default 10) POSTs of attempts per user per exercise
in any 60 seconds (every POST counts, a malformed one too); more → 429 with
``{"error": "rate_limited", "messages": {nl, en}, "retry_after": s}`` (and a ``Retry-After``
header), nothing stored. The count lives in this process's memory: run one grader process (a
restart forgets it, which only loosens the limit for a minute).

Groups: JupyterHub (2.0 and later) answers ``GET /hub/api/user`` with the token owner's model,
``name`` and ``groups`` included whatever the token's own scopes (on that endpoint the hub adds
``read:users:name`` and ``read:users:groups`` for the owner); :class:`HubIdentity` keeps both.
Membership is cached with the identity for a minute, so removing a trainer from the group
takes effect within a minute.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import math
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import tornado.httpclient
import tornado.ioloop
import tornado.web

from exercises import InvalidAnswer, get_exercise
from gradebook import Gradebook, GradebookError, open_gradebook
from gradebook.errors import InvalidIdentity
from gradebook.export import LMS_STYLES, attempts_csv, gradebook_csv
from gradebook.validation import normalise_learner_number
from igm.i18n import LANGUAGES, t

__all__ = ["HubIdentity", "HubUnavailable", "HubUser", "RateLimiter", "make_app", "variant_key"]


#: Default limit on POSTed attempts per user per exercise per minute; ``IGM_GRADER_RATE``.
DEFAULT_RATE = 10
#: The hub group whose members may export grades; ``IGM_GRADER_TRAINERS``.
DEFAULT_TRAINERS_GROUP = "igm-trainers"
EXPORT_KINDS = ("gradebook", "attempts")


@dataclass(frozen=True)
class HubUser:
    """The owner of a hub token, as the hub describes them: name and group names."""

    name: str
    groups: frozenset[str] = frozenset()


Identify = Callable[[str], Awaitable[HubUser | None]]


def variant_key(secret: str, exercise_id: str, user: str) -> str:
    """The id a learner's variant is made from: unguessable without the service's secret."""
    digest = hmac.new(secret.encode(), f"{exercise_id}:{user}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


class HubUnavailable(Exception):
    """The hub could not say who owns a token (down, too slow, 5xx): try again later."""


class HubIdentity:
    """Who owns a hub token, asked of the hub (``GET {api}/user``) and cached for a minute.

    Gives a :class:`HubUser` (name and groups) or ``None``. The token must carry
    ``access:services!service=<name>`` (or the unfiltered ``access:services``): a token the
    hub issued for something else is refused. Only the hub's clear answers are cached (a
    reply, or 401/403 for an unknown token); when the hub is down, times out or answers 5xx,
    :class:`HubUnavailable` is raised and nothing is remembered, so a learner is not locked
    out for a minute by a hub restart.
    """

    def __init__(self, api_url: str, service_name: str, ttl: float = 60.0) -> None:
        self.api_url = api_url.rstrip("/")
        self.service_name = service_name
        self.ttl = ttl
        self._cache: dict[str, tuple[float, HubUser | None]] = {}

    async def __call__(self, token: str) -> HubUser | None:
        now = time.monotonic()
        cached = self._cache.get(token)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        request = tornado.httpclient.HTTPRequest(
            f"{self.api_url}/user", headers={"Authorization": f"token {token}"}, request_timeout=10
        )
        try:
            response = await tornado.httpclient.AsyncHTTPClient().fetch(request)
            model = json.loads(response.body)
        except tornado.httpclient.HTTPClientError as err:
            if err.code not in (401, 403, 404):
                raise HubUnavailable(f"the hub answered {err.code}") from None
            model = {}  # the hub does not know this token
        except (OSError, ValueError) as err:  # refused, unreachable, not JSON
            raise HubUnavailable(f"no usable answer from the hub: {err}") from None
        if not isinstance(model, dict):
            raise HubUnavailable("the hub's answer is not a JSON object")
        scopes = set(model.get("scopes", []))
        wanted = {f"access:services!service={self.service_name}", "access:services"}
        name = model.get("name") if model.get("kind", "user") == "user" else None
        groups = model.get("groups")
        # no "groups" in the reply (an older or stricter hub): member of no group
        names = (
            frozenset(g for g in groups if isinstance(g, str))
            if isinstance(groups, list)
            else frozenset()
        )
        user = HubUser(name, names) if isinstance(name, str) and scopes & wanted else None
        self._cache[token] = (now, user)
        return user


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


class _Base(tornado.web.RequestHandler):
    def initialize(
        self,
        gradebook: Gradebook,
        secret: str,
        identify: Identify,
        limiter: RateLimiter,
        trainers_group: str,
    ) -> None:
        self.gradebook = gradebook
        self.secret = secret
        self.identify = identify
        self.limiter = limiter
        self.trainers_group = trainers_group
        self.user = ""

    def check_xsrf_cookie(self) -> None:  # token-authenticated API, no cookies
        return

    async def hub_user(self) -> HubUser:
        """The owner of the request's hub token; 403 without a valid one."""
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        try:
            hub_user = await self.identify(token.strip()) if scheme.lower() == "token" else None
        except HubUnavailable:
            raise tornado.web.HTTPError(
                503, reason="the hub cannot confirm who you are right now; try again shortly"
            ) from None
        if hub_user is None:
            raise tornado.web.HTTPError(403, reason="a hub token with access to this service")
        return hub_user

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

    def exercise(self, exercise_id: str) -> Any:
        try:
            return get_exercise(exercise_id)
        except (KeyError, ValueError):
            raise tornado.web.HTTPError(404, reason=f"no exercise {exercise_id!r}") from None

    def lang(self, value: str | None) -> str:
        return value if value in ("nl", "en") else "nl"


class ExerciseHandler(_Base):
    def get(self, exercise_id: str) -> None:
        exercise = self.exercise(exercise_id)
        variant = exercise.make_variant(variant_key(self.secret, exercise.id, self.user))
        self.finish(variant.public_view(self.lang(self.get_query_argument("lang", None))))


class AttemptHandler(_Base):
    def post(self, exercise_id: str) -> None:
        exercise = self.exercise(exercise_id)
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise tornado.web.HTTPError(400, reason="body is not JSON") from None
        answers = body.get("answers") if isinstance(body, dict) else None
        lang = self.lang(body.get("lang") if isinstance(body, dict) else None)
        wait = self.limiter.hit(self.user, exercise.id)
        if wait:
            seconds = max(1, math.ceil(wait))
            self.set_status(429)
            self.set_header("Retry-After", str(seconds))
            values = {"limit": self.limiter.limit, "seconds": seconds}
            self.finish(
                {
                    "error": "rate_limited",
                    "retry_after": seconds,
                    "messages": {lg: t("grader.rate_limited", lg, **values) for lg in LANGUAGES},
                }
            )
            return
        variant = exercise.make_variant(variant_key(self.secret, exercise.id, self.user))
        try:
            result = exercise.grade(variant, answers if isinstance(answers, dict) else {}, lang)
        except InvalidAnswer as err:
            self.set_status(422)
            self.finish({"error": err.key, "item": err.item, "messages": err.messages})
            return
        try:
            self.gradebook.register_learner(self.user, self.user, identity_source="hub")
            attempt = self.gradebook.for_learner(self.user).record_attempt(
                exercise.id, variant.fingerprint, answers, result.item_scores, result.max_points
            )
        except GradebookError as err:
            raise tornado.web.HTTPError(409, reason=err.message(lang)) from None
        self.finish({"attempt_no": attempt.attempt_no, "result": result.to_dict()})


class MyAttemptsHandler(_Base):
    def get(self) -> None:
        wanted = self.get_query_argument("exercise", None)
        exercise_id = self.exercise(wanted).id if wanted else None
        try:
            learner = self.gradebook.for_learner(self.user)
        except GradebookError:  # not registered: no attempt yet
            self.finish({"counting": {}, "attempts": []})
            return
        attempts = learner.attempts(exercise_id)
        # the attempt that counts per exercise, under that exercise's own retry policy
        counting: dict[str, int] = {}
        for exercise in sorted({a.exercise_id for a in attempts}):
            chosen = learner.best_or_last(_policy(exercise), exercise_id=exercise)
            counting[exercise] = chosen[exercise].attempt_no
        self.finish(
            {
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
        )


def _policy(exercise_id: str) -> str:
    """The retry policy of an exercise ("best" for one no longer in the catalogue)."""
    try:
        return str(get_exercise(exercise_id).retry)
    except KeyError:
        return "best"


class ExportHandler(_Base):
    """CSV of the gradebook for trainers: the same text ``igm grades export`` writes."""

    async def prepare(self) -> None:
        # Trainers need not have a learner id: only the group counts here.
        hub_user = await self.hub_user()
        if self.trainers_group not in hub_user.groups:
            raise tornado.web.HTTPError(
                403, reason=f"only members of the hub group {self.trainers_group!r} may export"
            )
        self.user = hub_user.name

    def get(self) -> None:
        kind = self.get_query_argument("kind", "gradebook")
        lms = self.get_query_argument("lms", "generic")
        if kind not in EXPORT_KINDS:
            raise tornado.web.HTTPError(400, reason=f"kind: one of {', '.join(EXPORT_KINDS)}")
        if lms not in LMS_STYLES:
            raise tornado.web.HTTPError(400, reason=f"lms: one of {', '.join(LMS_STYLES)}")
        wanted = self.get_query_arguments("exercise")
        exercise_ids = [self.exercise(e).id for e in wanted] or None
        if kind == "attempts":
            text = attempts_csv(self.gradebook, exercise_ids)
        else:
            chosen = exercise_ids if exercise_ids is not None else self.gradebook.exercise_ids()
            policies = {e: _policy(e) for e in chosen}
            text = gradebook_csv(self.gradebook, policies, exercise_ids, lms=lms)
        name = f"igm-{kind}" + (f"-{lms}" if kind == "gradebook" else "") + ".csv"
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        self.set_header("Cache-Control", "no-store")
        self.finish(text.encode("utf-8"))


def make_app(
    gradebook: Gradebook,
    secret: str,
    identify: Identify,
    prefix: str = "/services/igm-grader/",
    *,
    rate: int = DEFAULT_RATE,
    rate_window: float = 60.0,
    trainers_group: str = DEFAULT_TRAINERS_GROUP,
) -> tornado.web.Application:
    """The grader's web app. ``rate``: attempts per user per exercise per ``rate_window`` s;
    ``trainers_group``: the hub group whose members may export grades."""
    if len(secret) < 32:
        raise ValueError("IGM_GRADER_SECRET: at least 32 characters")
    if not trainers_group.strip():
        raise ValueError("IGM_GRADER_TRAINERS: the name of a hub group")
    args = {
        "gradebook": gradebook,
        "secret": secret,
        "identify": identify,
        "limiter": RateLimiter(rate, rate_window),
        "trainers_group": trainers_group,
    }
    api = prefix.rstrip("/") + "/api/"
    return tornado.web.Application(
        [
            (api + r"exercises/([a-z0-9-]+)", ExerciseHandler, args),
            (api + r"exercises/([a-z0-9-]+)/attempts", AttemptHandler, args),
            (api + r"me/attempts", MyAttemptsHandler, args),
            (api + r"export", ExportHandler, args),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    secret = os.environ["IGM_GRADER_SECRET"]
    identify = HubIdentity(
        os.environ["JUPYTERHUB_API_URL"], os.environ.get("JUPYTERHUB_SERVICE_NAME", "igm-grader")
    )
    gradebook = open_gradebook(os.environ["IGM_DATABASE_URL"])
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/igm-grader/")
    rate = rate_from_env(os.environ.get("IGM_GRADER_RATE"))
    trainers = os.environ.get("IGM_GRADER_TRAINERS", "").strip() or DEFAULT_TRAINERS_GROUP
    app = make_app(gradebook, secret, identify, prefix, rate=rate, trainers_group=trainers)
    app.listen(args.port, args.ip)
    tornado.ioloop.IOLoop.current().start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
