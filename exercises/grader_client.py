"""A small synchronous client for the igm-grader service (exercises/grading_service.py).

The exercise app in a learner's Jupyter server uses it instead of grading locally when
``IGM_GRADER_URL`` is set (docs/grading-trust.md). It sends the server's hub token
(``JUPYTERHUB_API_TOKEN``), which tells the grader who the learner is; it never sends a
learner name. Standard library only (``urllib``), one request at a time, a 10 s timeout.

Errors, so the app can say the right thing:

* :class:`GraderUnavailable`: no answer (connection refused, timeout), a 5xx, a redirect or
  a reply that is not a JSON object: nothing was stored, the learner can try again;
* :class:`GraderRefused`: a 4xx with the grader's JSON reply (``status``, ``body``), e.g. 422
  (malformed answer) or 429 (too many attempts), both with ``body["messages"]`` in nl and en.

Redirects are not followed: a redirect could carry the token to another host.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

__all__ = ["GraderClient", "GraderError", "GraderRefused", "GraderUnavailable"]

TIMEOUT_S = 10.0


class GraderError(Exception):
    """The grader did not give what was asked; nothing was stored."""


class GraderUnavailable(GraderError):
    """No usable answer: the service is down, slow, failing (5xx) or not the grader."""


class GraderRefused(GraderError):
    """The grader refused the request (4xx); ``body`` is its JSON reply."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        self.status = status
        self.body = dict(body)
        super().__init__(f"grader refused ({status}): {self.body.get('error', '')}")

    def message(self, lang: str) -> str | None:
        """The grader's own message for the learner in ``lang``, if it sent one."""
        messages = self.body.get("messages")
        text = messages.get(lang) if isinstance(messages, Mapping) else None
        return text if isinstance(text, str) and text.strip() else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises the 3xx as an HTTPError


class GraderClient:
    """Calls ``{base_url}api/…`` with ``Authorization: token <token>``; JSON in, JSON out."""

    def __init__(self, base_url: str, token: str, timeout: float = TIMEOUT_S) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"IGM_GRADER_URL {base_url!r}: an http:// or https:// address")
        if not token.strip():
            raise ValueError("no hub token to send to the grader (JUPYTERHUB_API_TOKEN)")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.token = token.strip()
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GraderClient | None:
        """The client for ``IGM_GRADER_URL`` with ``JUPYTERHUB_API_TOKEN``; ``None`` without
        a URL. ``ValueError`` for a URL that is not http(s) or a missing token."""
        url = env.get("IGM_GRADER_URL", "").strip()
        if not url:
            return None
        return cls(url, env.get("JUPYTERHUB_API_TOKEN", ""))

    def __repr__(self) -> str:  # never the token
        return f"GraderClient({self.base_url!r})"

    # the grader's API ----------------------------------------------------------------------
    def public_view(self, exercise_id: str, lang: str) -> dict[str, Any]:
        """The learner's variant of an exercise, public view only."""
        return self._call("GET", f"api/exercises/{_segment(exercise_id)}", {"lang": lang})

    def submit(self, exercise_id: str, answers: Mapping[str, Any], lang: str) -> dict[str, Any]:
        """Grade and store an attempt: ``{"attempt_no", "result": GradeResult.to_dict()}``."""
        path = f"api/exercises/{_segment(exercise_id)}/attempts"
        return self._call("POST", path, body={"answers": dict(answers), "lang": lang})

    def my_attempts(self, exercise_id: str | None = None) -> dict[str, Any]:
        """The learner's own attempts and, per exercise, which ``attempt_no`` counts."""
        query = {"exercise": exercise_id} if exercise_id else None
        return self._call("GET", "api/me/attempts", query)

    # one request ---------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        url = self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Authorization": f"token {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        except (OSError, ValueError) as err:  # refused, timeout, DNS, bad URL
            raise GraderUnavailable(f"{method} {url}: {err}") from err
        try:
            reply = json.loads(raw or b"{}")
        except ValueError:
            reply = None
        if status >= 500 or not isinstance(reply, dict) or 300 <= status < 400:
            raise GraderUnavailable(f"{method} {url}: HTTP {status}")
        if status >= 400:
            raise GraderRefused(status, reply)
        return reply


def _segment(text: str) -> str:
    return urllib.parse.quote(text, safe="")
