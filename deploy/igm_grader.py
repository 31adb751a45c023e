"""igm-grader: grade exercises and write the gradebook OUTSIDE the learners' Jupyter servers.

A JupyterHub service (docs/grading-trust.md). The learner's kernel sends its answers with the
server's hub token; this service asks the hub who owns the token, rebuilds the learner's
variant from a secret only it knows, grades, and records the attempt with credentials only it
has. Learners get public views and feedback, never keys, credentials or another identity.

Run (the hub starts it as a managed service, or a Deployment runs it next to the hub)::

    IGM_DATABASE_URL=postgresql+psycopg://igm_grader:…@db/igm IGM_GRADER_SECRET=… \\
    JUPYTERHUB_API_URL=http://hub:8081/hub/api JUPYTERHUB_SERVICE_NAME=igm-grader \\
    JUPYTERHUB_SERVICE_PREFIX=/services/igm-grader/ python deploy/igm_grader.py --port 8000

API (JSON; every request needs ``Authorization: token <hub token>``):

* ``GET  {prefix}api/exercises/<id>?lang=nl`` → the learner's variant, public view only;
* ``POST {prefix}api/exercises/<id>/attempts`` ``{"answers": {...}, "lang": "nl"}`` →
  ``{"attempt_no", "result": GradeResult.to_dict()}``; a malformed answer → 422 with
  ``{"error": key, "messages": {nl, en}}`` and nothing stored;
* ``GET  {prefix}api/me/attempts`` → the learner's own attempts.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import tornado.httpclient
import tornado.ioloop
import tornado.web

from exercises import InvalidAnswer, get_exercise
from gradebook import Gradebook, GradebookError, open_gradebook
from gradebook.errors import InvalidIdentity
from gradebook.validation import normalise_learner_number

__all__ = ["HubIdentity", "make_app", "variant_key"]

Identify = Callable[[str], Awaitable[str | None]]


def variant_key(secret: str, exercise_id: str, user: str) -> str:
    """The id a learner's variant is made from: unguessable without the service's secret."""
    digest = hmac.new(secret.encode(), f"{exercise_id}:{user}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


class HubIdentity:
    """Who owns a hub token, asked of the hub (``GET {api}/user``) and cached for a minute.

    The token must carry ``access:services!service=<name>`` (or the unfiltered
    ``access:services``): a token the hub issued for something else is refused.
    """

    def __init__(self, api_url: str, service_name: str, ttl: float = 60.0) -> None:
        self.api_url = api_url.rstrip("/")
        self.service_name = service_name
        self.ttl = ttl
        self._cache: dict[str, tuple[float, str | None]] = {}

    async def __call__(self, token: str) -> str | None:
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
        except tornado.httpclient.HTTPClientError:
            model = {}
        scopes = set(model.get("scopes", []))
        wanted = {f"access:services!service={self.service_name}", "access:services"}
        name = model.get("name") if model.get("kind", "user") == "user" else None
        user = name if isinstance(name, str) and scopes & wanted else None
        self._cache[token] = (now, user)
        return user


class _Base(tornado.web.RequestHandler):
    def initialize(self, gradebook: Gradebook, secret: str, identify: Identify) -> None:
        self.gradebook = gradebook
        self.secret = secret
        self.identify = identify
        self.user = ""

    def check_xsrf_cookie(self) -> None:  # token-authenticated API, no cookies
        return

    async def prepare(self) -> None:
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = await self.identify(token.strip()) if scheme.lower() == "token" else None
        if not user:
            raise tornado.web.HTTPError(403, reason="a hub token with access to this service")
        try:
            self.user = normalise_learner_number(user, "hub")
        except InvalidIdentity:
            raise tornado.web.HTTPError(
                403, reason="this hub user name cannot be stored in the gradebook"
            ) from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
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
        try:
            attempts = self.gradebook.for_learner(self.user).attempts()
        except GradebookError:
            attempts = []
        self.finish(
            {
                "attempts": [
                    {
                        "exercise_id": a.exercise_id,
                        "attempt_no": a.attempt_no,
                        "points": a.points,
                        "max_points": a.max_points,
                    }
                    for a in attempts
                ]
            }
        )


def make_app(
    gradebook: Gradebook, secret: str, identify: Identify, prefix: str = "/services/igm-grader/"
) -> tornado.web.Application:
    if len(secret) < 32:
        raise ValueError("IGM_GRADER_SECRET: at least 32 characters")
    args = {"gradebook": gradebook, "secret": secret, "identify": identify}
    api = prefix.rstrip("/") + "/api/"
    return tornado.web.Application(
        [
            (api + r"exercises/([a-z0-9-]+)", ExerciseHandler, args),
            (api + r"exercises/([a-z0-9-]+)/attempts", AttemptHandler, args),
            (api + r"me/attempts", MyAttemptsHandler, args),
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
    make_app(gradebook, secret, identify, prefix).listen(args.port, args.ip)
    tornado.ioloop.IOLoop.current().start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
