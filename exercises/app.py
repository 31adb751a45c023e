"""A graded exercise as a Voila app: identify once, answer, submit, read feedback, retry.

The form is generic: each exercise declares its answer sheet
(:meth:`exercises.Exercise.answer_sheet`: fields and what to read beside them, made from the
public view), and :class:`exercises.form.AnswerForm` renders any sheet and reads it back in
the answer format of the exercise's grader. Nothing here knows a particular exercise.

Who grades and records depends on where the app runs (:func:`backend_mode`); each mode is a
small grading object behind one interface (:class:`Grading`):

* **local** (standalone ``igm serve``, :class:`LocalGrading`): the browser only ever gets
  what :meth:`exercises.Variant.public_view` holds (as widgets); the variant with its answer
  key stays in this kernel, :func:`exercises.grade` grades and the gradebook
  (``IGM_DATABASE_URL``, SQLite by default) stores. Safe because standalone Voila runs no
  code sent by the browser.
* **remote** (``IGM_GRADER_URL`` set, e.g. ``http://127.0.0.1:8000/services/igm-grader/`` on a
  JupyterHub; :class:`RemoteGrading`): this kernel makes no variant, grades nothing and opens
  no gradebook. It fetches the learner's public view from the igm-grader service and posts
  the answers there (:class:`exercises.grader_client.GraderClient`, authenticated with the
  server's ``JUPYTERHUB_API_TOKEN``); it shows the feedback the grader returns. The grader
  decides who the learner is from that token; the app shows the hub user name
  (``JUPYTERHUB_USER``) and asks for no learner number. A refused answer (422) or too many
  attempts (429) shows the grader's message in the learner's language; no answer or a 5xx
  shows that the service cannot be reached, and the form keeps what the learner filled in.
* **practice** (``JUPYTERHUB_USER`` set, no ``IGM_GRADER_URL``; :class:`PracticeGrading`): a
  hub without a grader. The learner can read and run everything in their own server, so a
  score recorded here would be under their control. The app therefore records nothing and
  opens no gradebook, but lets the learner practise: it grades in this kernel and shows
  feedback, every result labelled "not saved, does not count", with a notice to ask the
  trainer where scores can count.

Identity in local mode (:class:`LocalSignIn`), in this order:

* behind a proxy: when ``IGM_IDENTITY_HEADER`` names a header (e.g. ``X-Remote-User``) and
  Voila is started with ``--VoilaConfiguration.http_header_envs="['X-Remote-User']"``, Voila
  puts that header in the kernel as ``HTTP_X_REMOTE_USER``; no header means no access;
* standalone with a class roster (``IGM_SIGN_IN`` = ``code``, or ``auto``, the default, once
  the gradebook holds a class): the learner types their learner number and the personal code
  from the trainer's code sheet (``Gradebook.sign_in``). A wrong code and an unknown number get
  the same message; failed tries are throttled per number (in the gradebook) and per page;
* standalone without a class (``auto`` and no class yet, or ``IGM_SIGN_IN=typed``: one learner
  on a laptop): the learner types a name and a learner number once
  (``Gradebook.register_learner``); a number that has a personal code is refused here.

Once identified, the app holds ``gb.for_learner(number)`` and never takes another identity in
this kernel. Stable CSS hooks for tests: ``igm-identity``, ``igm-exercise-form``,
``igm-submit``, ``igm-result``, ``igm-feedback``, ``igm-message``, ``igm-retry-load``,
``igm-start``, ``igm-code``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias
from urllib.parse import parse_qs

import ipywidgets as w
from markupsafe import Markup

from exercises import Exercise, InvalidAnswer, Variant, get_exercise, grade
from exercises._base import points_text
from exercises._texts import message
from exercises.attempts import take_attempt
from exercises.catalog import RETIRED, RetiredExercise
from exercises.form import AnswerForm, answer_sheet, render
from exercises.form import html_widget as _html
from exercises.grader_client import GraderClient, GraderError, GraderRefused, GraderUnavailable
from exercises.grades import counting_attempt
from exercises.settings import (
    Refusal,
    SettingsError,
    describe_view,
    quiz_settings,
    quiz_view,
)
from gradebook import (
    Gradebook,
    GradebookError,
    LearnerView,
    SignInRefused,
    SignInThrottled,
    open_gradebook,
)
from gradebook.codes import wait_after
from igm.i18n import t
from widgets.templates import render as render_widgets_template
from widgets.templates import text_html
from widgets.ui import language_from_query, notice, style_widget

__all__ = [
    "CSS",
    "AnswerForm",
    "ExerciseApp",
    "Feedback",
    "Identity",
    "LocalGrading",
    "LocalSignIn",
    "PracticeGrading",
    "RemoteGrading",
    "Standing",
    "app",
    "backend_mode",
    "build",
    "identity_from_env",
    "sign_in_mode",
    "style_html",
]

#: The learner this kernel is bound to (a kernel serves one page view, so one learner).
_KERNEL_LEARNER: str | None = None

CSS = """
.igm-exercise { max-width: 60rem; }
.igm-exercise .widget-label { width: auto !important; max-width: 32em; }
.igm-message p { color: #8a1c00; font-weight: 600; border-left: 4px solid #D55E00;
  padding-left: 0.6em; }
.igm-item { border-top: 1px solid #d9d9d9; padding: 0.4em 0; }
.igm-quote { font-style: italic; max-width: 60ch; }
.igm-feedback { border-left: 4px solid #595959; padding: 0.2em 0.7em; margin: 0.3em 0;
  max-width: 65ch; background: #f5f5f5; }
.igm-feedback-right { border-left-color: #009E73; }
.igm-feedback-partly { border-left-color: #E69F00; }
.igm-feedback-wrong { border-left-color: #D55E00; }
.igm-result { border: 2px solid #0072B2; border-radius: 6px; padding: 0.3em 1em;
  margin: 0.6em 0; max-width: 60rem; }
.igm-score-line { font-size: 1.25em; font-weight: 700; }
.igm-table { border-collapse: collapse; margin: 0.3em 0; }
.igm-table th, .igm-table td { border: 1px solid #bdbdbd; padding: 0.2em 0.6em;
  text-align: left; }
.igm-table caption { text-align: left; padding: 0.2em 0; font-weight: 600; }
.igm-case-text { max-width: 70ch; }
.igm-exercise textarea { width: 40em; max-width: 100%; min-height: 5em; }
/* Phones (390 px) and touch: a label wraps above its control when both do not fit on one
   line, every control is at least 44 px tall, and a drop-down takes the rest of its line
   (the whole column on a phone), so the chosen value shows instead of a 30 px stub. */
.igm-exercise .widget-inline-hbox { flex-wrap: wrap; height: auto; align-items: center;
  column-gap: 0.5em; row-gap: 0.2em; max-width: 100%; }
.igm-exercise .widget-inline-hbox > .widget-label { white-space: normal; overflow: visible;
  height: auto; line-height: 1.35; max-width: 100%; text-align: left; }
.igm-exercise .widget-dropdown > select { flex: 1 1 12em; width: auto; max-width: 100%;
  min-width: min(12em, 100%); min-height: 44px; height: auto; font-size: 1rem;
  padding-right: 28px; }
/* Some options are longer than a phone is wide: where the browser lets a drop-down wrap its
   text (a customizable select), the chosen option shows whole on two lines. */
@supports (appearance: base-select) {
  .igm-exercise .widget-dropdown > select { appearance: base-select; white-space: normal;
    background-image: none; padding: 0.3em 0.5em; line-height: 1.35; }
  .igm-exercise .widget-dropdown > select::picker(select) { appearance: base-select;
    max-width: calc(100vw - 1rem); }
  .igm-exercise .widget-dropdown > select option { white-space: normal; min-height: 44px;
    line-height: 1.35; }
}
.igm-exercise .widget-text > input { flex: 1 1 12em; min-width: 0; max-width: 100%;
  min-height: 44px; height: auto; font-size: 1rem; }
.igm-exercise .widget-textarea { flex-direction: column; align-items: stretch; }
.igm-exercise .widget-textarea > .widget-label { width: auto !important; }
.igm-exercise textarea { font: inherit; font-size: 1rem; min-height: 44px;
  box-sizing: border-box; }
.igm-exercise select:focus-visible, .igm-exercise input:focus-visible,
.igm-exercise textarea:focus-visible, .igm-exercise .jupyter-button:focus-visible {
  outline: 3px solid #E69F00 !important; outline-offset: 2px; }
.igm-exercise textarea:focus-visible { outline-offset: -3px; }  /* the column clips outside */
.igm-exercise .jupyter-button { min-height: 44px; height: auto; font-size: 1rem;
  padding: 0.4em 1.1em; max-width: 100%; white-space: normal; }
.igm-exercise .widget-checkbox { height: auto; min-height: 44px; width: auto; max-width: 100%; }
.igm-exercise .widget-checkbox > label { display: flex; align-items: center; gap: 0.5em;
  min-height: 44px; white-space: normal; line-height: 1.35; }
.igm-exercise .widget-checkbox input[type="checkbox"] { width: 1.4em; height: 1.4em;
  flex: none; margin: 0; }
.igm-exercise .widget-html, .igm-exercise .widget-html-content { max-width: 100%; }
.igm-exercise .widget-html-content { overflow-wrap: anywhere; }
.igm-exercise .widget-html-content li { line-height: 1.45; margin: 0.25em 0; }
.igm-exercise .igm-table { display: block; max-width: 100%; overflow-x: auto; }
/* Messages where they belong: under the field, and beside the submit button. */
.igm-field-error p { color: #8a1c00; font-weight: 600; margin: 0.2em 0 0.4em;
  border-left: 4px solid #D55E00; padding-left: 0.6em; }
.igm-exercise .igm-invalid select, .igm-exercise .igm-invalid input,
.igm-exercise .igm-invalid textarea { border: 2px solid #D55E00; }
.igm-counter p { margin: 0.2em 0; color: #3d3d3d; }
.igm-submit-status p { color: #8a1c00; font-weight: 600; border-left: 4px solid #D55E00;
  padding-left: 0.6em; margin: 0.4em 0; max-width: 65ch; }
/* A dialogue field: the talk so far, what the client says now, and a button per response
   that wraps its text and reads left-aligned, as a line of speech. */
.igm-dialogue { padding-left: 1.6em; max-width: 65ch; margin: 0.2em 0; }
.igm-dialogue li { margin: 0.2em 0 0.7em; }
.igm-dialogue p { margin: 0.15em 0; }
.igm-dialogue-now { border-left: 4px solid #0072B2; background: #f0f6fb; padding: 0.1em 0.7em;
  max-width: 65ch; }
.igm-exercise .igm-response { justify-content: flex-start; text-align: left; line-height: 1.35;
  margin: 0.15em 0; }
.igm-exercise .igm-dialogue-field .jupyter-button:focus-visible { outline-offset: -3px; }
"""


def style_html(css: str) -> str:
    """A ``<style>`` element holding ``css``, one of the kit's own style sheet constants."""
    # Markup: ``css`` is the kit's own constant (CSS and DASHBOARD_CSS), never outside text;
    # a <style> element's text is not HTML, so escaping would break its quotes.
    return render_widgets_template("style.html", css=Markup(css), hidden=[])


def _button(label: str, css_class: str) -> Any:
    button = w.Button(description=label, layout=w.Layout(width="max-content"))
    button.add_class(css_class)
    return button


# --- identity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Who the server says the learner is: ``source`` is "hub", "header" or "lti" (then
    ``ticket`` is the page's one-time LTI ticket, redeemed with the server)."""

    source: str
    number: str | None
    ticket: str = ""


def identity_from_env(env: Mapping[str, str]) -> Identity | None:
    """The identity given by JupyterHub or a trusted proxy header; ``None``: ask the learner.

    A configured header that is missing gives ``Identity("header", None)``: the app then
    refuses, rather than falling back to typing any learner number.
    """
    hub_user = env.get("JUPYTERHUB_USER", "").strip()
    if hub_user:
        return Identity("hub", hub_user)
    lti_ticket = parse_qs(env.get("QUERY_STRING", "").lstrip("?")).get("lti", [""])[0].strip()
    if lti_ticket and env.get("IGM_LTI_URL", "").strip():
        return Identity("lti", None, lti_ticket)  # a page opened by an LTI launch (lti/)
    header = env.get("IGM_IDENTITY_HEADER", "").strip()
    if header:
        value = env.get("HTTP_" + header.upper().replace("-", "_"), "").strip()
        return Identity("header", value or None)
    return None


#: How a learner signs in on a standalone kit (``IGM_SIGN_IN``): see :func:`sign_in_mode`.
SIGN_IN_MODES = ("auto", "code", "typed")


def sign_in_mode(env: Mapping[str, str], gradebook: Gradebook) -> str:
    """``"code"`` (learner number and personal code) or ``"typed"`` (name and number, as
    before classes existed). ``IGM_SIGN_IN``: ``code`` or ``typed`` as set; ``auto`` (the
    default, also for an unknown value) asks for codes as soon as the gradebook holds a class,
    so a trainer who imports a class closes typed sign-in everywhere."""
    chosen = env.get("IGM_SIGN_IN", "auto").strip().lower()
    if chosen in ("code", "typed"):
        return chosen
    return "code" if gradebook.has_classes() else "typed"


def _lti_post(
    env: Mapping[str, str], endpoint: str, payload: Mapping[str, Any], timeout: float = 10
) -> dict[str, Any] | None:
    """POST to the server's kernel-only LTI endpoint; None on any refusal or failure."""
    import json
    import urllib.request

    request = urllib.request.Request(
        env.get("IGM_LTI_URL", "") + endpoint,
        data=json.dumps(dict(payload)).encode(),
        headers={
            "Content-Type": "application/json",
            "X-IGM-Kernel-Key": env.get("IGM_LTI_KERNEL_KEY", ""),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply = json.loads(response.read())
    except (OSError, ValueError):  # HTTPError (403, 410) is an OSError too
        return None
    return reply if isinstance(reply, dict) else None


def _bind_kernel(number: str) -> None:
    """Refuse a second, different learner in this kernel."""
    global _KERNEL_LEARNER
    if _KERNEL_LEARNER is not None and number != _KERNEL_LEARNER:
        raise PermissionError(f"this kernel already belongs to learner {_KERNEL_LEARNER!r}")
    _KERNEL_LEARNER = number


def backend_mode(env: Mapping[str, str]) -> str:
    """Where grading happens: ``"remote"`` (the igm-grader service), ``"practice"`` (in this
    kernel, nothing recorded: a hub without a grader) or ``"local"`` (standalone kit)."""
    if env.get("IGM_GRADER_URL", "").strip():
        return "remote"
    if env.get("JUPYTERHUB_USER", "").strip():
        return "practice"
    return "local"


# --- grading: local, practice, remote -------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    """What the learner reads after grading: :meth:`exercises.GradeResult.to_dict`, rebuilt.

    Local grading and the grading service both give that dict, so one renderer shows both.
    """

    item_scores: dict[str, float]
    points: float
    max_points: float
    feedback: dict[str, str]
    kept_text: dict[str, str]
    summary: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Feedback:
        """``ValueError``/``KeyError``/``TypeError`` for a dict that is not a grading result."""
        return cls(
            item_scores={str(k): float(v) for k, v in data["item_scores"].items()},
            points=float(data["points"]),
            max_points=float(data["max_points"]),
            feedback={str(k): str(v) for k, v in data["feedback"].items()},
            kept_text={str(k): str(v) for k, v in (data.get("kept_text") or {}).items()},
            summary=str(data.get("summary", "")),
        )


@dataclass(frozen=True)
class Standing:
    """A learner's record at one exercise: how many attempts, and the one that counts."""

    total: int
    #: (points, max points, attempt number) of the attempt that counts; ``None``: no attempt.
    counting: tuple[float, float, int] | None


@dataclass(frozen=True)
class Graded:
    """A submit that was graded: the feedback and the heading above it (and ``notice``, a
    line beside the submit button, e.g. that the grade did not reach the LMS yet).
    ``released``: the feedback may name the right answers (exercises.settings);
    ``next_is_new``: the next attempt has a variant of its own (a "new attempt" button)."""

    feedback: Feedback
    heading: str
    notice: str = ""
    released: bool = True
    next_is_new: bool = False


@dataclass(frozen=True)
class Refused:
    """A submit that was not graded (or not stored): what to tell the learner.

    ``item``: the part the grader refused, if it named one; ``detail``: the grader's own
    message about it, shown beside that part.
    """

    message: str
    item: str | None = None
    detail: str = ""
    #: the page shows a variant that is no longer the next attempt's: load the new one
    reload: bool = False


Outcome: TypeAlias = Graded | Refused


class Grading(Protocol):
    """Who grades and records a submit."""

    #: Whether attempts are stored (and so whether a counting score exists).
    records: bool

    def submit(self, answers: Mapping[str, Any], lang: str) -> Outcome: ...

    def next_view(self, lang: str) -> dict[str, Any]: ...

    def standing(self, policy: str) -> Standing | None: ...


def _grade_here(variant: Variant, answers: Mapping[str, Any], lang: str) -> Feedback | Refused:
    """Grade in this kernel; a malformed answer is refused with the grader's message."""
    try:
        result = grade(variant, answers, lang)
    except InvalidAnswer as err:
        detail = err.message(lang)
        return Refused(t("exercise_app.not_saved", lang, message=detail), err.item, detail)
    return Feedback.from_dict(result.to_dict())


class LocalGrading:
    """Grades in this kernel and stores every attempt in the gradebook (standalone kit).

    The quiz settings (:mod:`exercises.settings`) are enforced by the one
    :func:`~exercises.attempts.take_attempt` the grading service uses too.
    """

    records = True

    def __init__(
        self,
        variant: Variant,
        learner: LearnerView,
        after_record: Callable[[str], str] | None = None,
    ) -> None:
        self.variant = variant  # the variant of the learner's next attempt, on the page
        self.learner = learner
        self.after_record = after_record  # LTI: send the counting grade (LocalSignIn)

    def _used(self) -> int:
        return len(self.learner.attempts(self.variant.exercise_id))

    def view(self, lang: str) -> dict[str, Any]:
        """The public view of the variant on the page, with the quiz settings."""
        view = self.variant.public_view(lang)
        settings = quiz_settings(self.variant.exercise_id)
        view["quiz"] = quiz_view(settings, self._used())
        return view

    def submit(self, answers: Mapping[str, Any], lang: str) -> Outcome:
        exercise = get_exercise(self.variant.exercise_id)

        def record(variant: Variant, result: Any) -> int:
            attempt = self.learner.record_attempt(
                variant.exercise_id,
                variant.fingerprint,
                answers,
                result.item_scores,
                result.max_points,
            )
            return int(attempt.attempt_no)

        try:
            taken = take_attempt(
                exercise,
                self.learner.learner_number,
                self._used(),
                answers,
                lang,
                record,
                shown_fingerprint=self.variant.fingerprint,
            )
        except InvalidAnswer as err:
            detail = err.message(lang)
            return Refused(t("exercise_app.not_saved", lang, message=detail), err.item, detail)
        except GradebookError as err:
            return Refused(t("exercise_app.save_failed", lang, message=err.message(lang)))
        if isinstance(taken, Refusal):
            return Refused(taken.message(lang), reload=taken.key == "stale_variant")
        notice = self.after_record(lang) if self.after_record is not None else ""
        heading = t("exercise_app.result.heading", lang, n=taken.attempt_no)
        return Graded(
            Feedback.from_dict(taken.result.to_dict()),
            heading,
            notice,
            released=taken.released,
            next_is_new=taken.next_is_new,
        )

    def next_view(self, lang: str) -> dict[str, Any]:
        """The view of the learner's next attempt (a new variant when the settings say so)."""
        exercise = get_exercise(self.variant.exercise_id)
        self.variant = exercise.variant_for(self.learner.learner_number, self._used() + 1)
        return self.view(lang)

    def standing(self, policy: str) -> Standing:
        exercise_id = self.variant.exercise_id
        attempts = self.learner.attempts(exercise_id)
        # the one definition of what counts (exercises.grades), as the dashboard and export
        attempt = counting_attempt(self.learner, exercise_id, override=policy)
        counting = (
            None if attempt is None else (attempt.points, attempt.max_points, attempt.attempt_no)
        )
        return Standing(len(attempts), counting)


class PracticeGrading:
    """Grades in this kernel and stores nothing: the learner controls this kernel."""

    records = False

    def __init__(self, variant: Variant) -> None:
        self.variant = variant
        self.attempts = 0

    def submit(self, answers: Mapping[str, Any], lang: str) -> Outcome:
        result = _grade_here(self.variant, answers, lang)
        if isinstance(result, Refused):
            return result
        self.attempts += 1
        return Graded(result, t("exercise_app.practice.heading", lang, n=self.attempts))

    def next_view(self, lang: str) -> dict[str, Any]:
        return self.variant.public_view(lang)

    def standing(self, policy: str) -> None:
        return None


class RemoteGrading:
    """The igm-grader service grades and stores; this kernel holds no key."""

    records = True

    def __init__(self, client: GraderClient, exercise_id: str) -> None:
        self.client = client
        self.exercise_id = exercise_id

    def public_view(self, lang: str) -> dict[str, Any]:
        """The learner's view from the grader (:class:`GraderError` or a malformed reply's
        ``KeyError``/``TypeError``/``ValueError`` when it cannot be had)."""
        view = self.client.public_view(self.exercise_id, lang)
        if view.get("exercise") != self.exercise_id:
            raise GraderUnavailable("the reply is not this exercise")
        return view

    def submit(self, answers: Mapping[str, Any], lang: str) -> Outcome:
        try:
            reply = self.client.submit(self.exercise_id, answers, lang)
            feedback = Feedback.from_dict(reply["result"])
            attempt_no = int(reply["attempt_no"])
            released = bool(reply.get("released", True))
            next_is_new = bool(reply.get("next_is_new", False))
        except GraderRefused as err:
            # 422 (malformed) and 429 (too many attempts): the grader explains, nothing stored
            message = err.message(lang)
            if message:
                item = err.body.get("item")
                refused = t("exercise_app.not_saved", lang, message=message)
                return Refused(refused, item if isinstance(item, str) else None, message)
            if err.status == 409:
                error = str(err.body.get("error", ""))
                return Refused(t("exercise_app.save_failed", lang, message=error))
            return Refused(t("exercise_app.remote.refused", lang, status=err.status))
        except (GraderUnavailable, KeyError, TypeError, ValueError, AttributeError):
            return Refused(t("exercise_app.remote.unreachable", lang))  # the form stays filled
        heading = t("exercise_app.result.heading", lang, n=attempt_no)
        return Graded(feedback, heading, released=released, next_is_new=next_is_new)

    def next_view(self, lang: str) -> dict[str, Any]:
        """The view of the learner's next attempt: the grader knows which variant it is."""
        return self.public_view(lang)

    def standing(self, policy: str) -> Standing | None:
        try:
            reply = self.client.my_attempts(self.exercise_id)
            mine = [a for a in reply["attempts"] if a["exercise_id"] == self.exercise_id]
            number = reply["counting"].get(self.exercise_id)
            chosen = [
                (float(a["points"]), float(a["max_points"]), int(a["attempt_no"]))
                for a in mine
                if a["attempt_no"] == number
            ]
        except (GraderError, KeyError, TypeError, ValueError, AttributeError):
            return None  # the standing is a courtesy: the policy line still shows
        return Standing(len(mine), chosen[0] if chosen else None)


# --- identity in local mode -----------------------------------------------------------------


class LocalSignIn:
    """Who the learner is in local mode: from a trusted header, or typed in once.

    ``on_bound`` gets the learner's gradebook view once this kernel is bound to them.
    """

    def __init__(
        self,
        gradebook: Gradebook,
        lang: str,
        box: Any,
        say: Callable[[str], None],
        on_bound: Callable[[LearnerView], None],
        exercise_id: str = "",
    ) -> None:
        self.gradebook = gradebook
        self.lang = lang
        self.box = box
        self.say = say
        self.on_bound = on_bound
        self.exercise_id = exercise_id
        self.bound = False
        self.name_input: Any = None
        self.number_input: Any = None
        self.code_input: Any = None
        self.mode = "typed"
        #: Failed code sign-ins on this page, and until when (monotonic) the next one waits.
        self.failures = 0
        self.wait_until = 0.0
        #: After each recorded attempt (LTI): send the counting grade; returns a line to show.
        self.after_record: Callable[[str], str] | None = None

    def start(self, env: Mapping[str, str]) -> None:
        given = identity_from_env(env)
        if given is None:
            self.mode = sign_in_mode(env, self.gradebook)
            self._ask_code() if self.mode == "code" else self._ask()
        elif given.source == "lti":
            self._from_lti(given.ticket, env)
        elif given.number is None:
            self.say(t("exercise_app.identity.missing", self.lang))
        else:
            self._from_server(given.number, given.source)

    def _ask(self) -> None:
        lang = self.lang
        self.name_input = w.Text(
            description=t("exercise_app.identity.name", lang),
            style={"description_width": "initial"},
        )
        self.number_input = w.Text(
            description=t("exercise_app.identity.number", lang),
            placeholder="s1234567",
            style={"description_width": "initial"},
        )
        start = _button(t("exercise_app.identity.start", lang), "igm-start")
        start.on_click(lambda _b: self.identify(self.name_input.value, self.number_input.value))
        self.box.children = [
            _html(render("identity.html", lang=lang, intro="exercise_app.identity.intro")),
            self.name_input,
            self.number_input,
            start,
        ]

    def _ask_code(self) -> None:
        lang = self.lang
        self.number_input = w.Text(
            description=t("exercise_app.identity.number", lang),
            placeholder="s1234567",
            style={"description_width": "initial"},
        )
        self.code_input = w.Password(
            description=t("exercise_app.identity.code", lang),
            placeholder="ABCD-EFGH",
            style={"description_width": "initial"},
        )
        self.code_input.add_class("igm-code")
        start = _button(t("exercise_app.identity.start", lang), "igm-start")
        start.on_click(lambda _b: self.sign_in(self.number_input.value, self.code_input.value))
        self.box.children = [
            _html(render("identity.html", lang=lang, intro="exercise_app.identity.code_intro")),
            self.number_input,
            self.code_input,
            start,
        ]

    def sign_in(self, number: str, code: str) -> bool:
        """Bind to the learner whose learner number and personal code these are (code mode).

        One message for a wrong code and an unknown number (the gradebook never says which);
        after a few failures on this page each next try waits longer, on top of the per-number
        throttle the gradebook keeps.
        """
        if self.bound or self.mode != "code":
            return False
        if self.code_input is not None:
            self.code_input.value = ""  # the typed code does not stay in the page
        waiting = self.wait_until - time.monotonic()
        if waiting > 0:
            refused = SignInThrottled(
                "too many failed tries on this page", seconds=int(waiting) + 1
            )
            self.say(refused.message(self.lang))
            return False
        try:
            learner = self.gradebook.sign_in(number, code)
        except SignInRefused as err:
            self.failures += 1
            self.wait_until = time.monotonic() + wait_after(self.failures)
            self.say(err.message(self.lang))
            return False
        except GradebookError as err:  # throttled, or a malformed number (says nothing more)
            self.say(err.message(self.lang))
            return False
        return self._bind(learner.learner_number, learner.display_name)

    def identify(self, name: str, number: str) -> bool:
        """Register (or find) the learner typed in and bind to them; ``False`` on bad input,
        and always in code mode (a class roster: see :meth:`sign_in`)."""
        if self.bound or self.mode != "typed":
            return False  # never another identity here; never a typed one beside codes
        try:
            if self.gradebook.has_code(number):
                self.say(t("exercise_app.identity.use_code", self.lang))
                return False
        except GradebookError:
            pass  # a malformed number: register_learner below says what is wrong
        try:
            learner = self.gradebook.register_learner(number, name)
        except GradebookError as err:
            self.say(
                t("exercise_app.identity.not_saved", self.lang, message=err.message(self.lang))
            )
            return False
        return self._bind(learner.learner_number, learner.display_name)

    def _from_server(self, number: str, source: str) -> None:
        try:
            try:
                learner = self.gradebook.learner(number)
            except GradebookError:
                learner = self.gradebook.register_learner(number, number, identity_source=source)
        except GradebookError as err:
            self.say(err.message(self.lang))
            return
        self._bind(learner.learner_number, learner.display_name)

    def _from_lti(self, ticket: str, env: Mapping[str, str]) -> None:
        """Redeem the page's one-time ticket with the server (lti/web.py): the launch's
        learner, and a key to have the counting grade sent after each attempt."""
        reply = _lti_post(env, "redeem", {"ticket": ticket, "exercise": self.exercise_id})
        if reply is None:  # used (a reload, another browser), expired, or another exercise
            self.say(t("exercise_app.lti.open_again", self.lang))
            return
        launch = {"launch": reply["launch"], "key": reply["key"]}

        def send_grade(lang: str) -> str:
            sent = _lti_post(env, "passback", launch, timeout=30)
            ok = sent is not None and (sent.get("sent") or sent.get("reason") == "no line item")
            return "" if ok else t("exercise_app.lti.not_sent", lang)

        name = str(reply["display_name"])
        self.after_record = send_grade  # before binding: the grading made on binding uses it
        if self._bind(str(reply["learner_number"]), name):
            bound = t("exercise_app.lti.bound", self.lang, name=name)
            self.box.children = [_html(text_html("p", bound))]
        else:
            self.after_record = None

    def _bind(self, number: str, name: str) -> bool:
        try:
            _bind_kernel(number)
        except PermissionError:
            self.say(t("exercise_app.identity.one_per_page", self.lang))
            return False
        self.bound = True
        for child in self.box.children:
            child.close()  # the browser can no longer send another name or number
        text = t("exercise_app.identity.bound", self.lang, name=name, number=number)
        self.box.children = [_html(text_html("p", text))]
        self.on_bound(self.gradebook.for_learner(number))
        return True


# --- the app --------------------------------------------------------------------------------


class ExerciseApp:
    """One exercise for one learner: the page, the form, submit, feedback, counting score.

    ``mode`` (see :func:`backend_mode`) decides the :class:`Grading` that grades and records.
    In ``"remote"`` mode the app holds no variant, no exercise object and no gradebook: only
    the grader's public view (``view``) and a :class:`RemoteGrading` with its client.
    """

    def __init__(
        self,
        exercise_id: str,
        lang: str,
        gradebook: Gradebook | None = None,
        env: Mapping[str, str] | None = None,
        client: GraderClient | None = None,
    ) -> None:
        environ = os.environ if env is None else env
        self.exercise_id = exercise_id
        self.mode = backend_mode(environ)
        self.lang = lang
        self.exercise: Exercise | None = None
        self.gradebook: Gradebook | None = None
        self.learner: LearnerView | None = None
        self.variant: Variant | None = None
        self.grading: Grading | None = None
        self.sign_in: LocalSignIn | None = None
        self.view: dict[str, Any] | None = None
        self.form: AnswerForm | None = None
        self.message = _html("", "igm-message")
        self.instructions = _html("")
        self.identity_box = w.VBox([])
        self.identity_box.add_class("igm-identity")
        self.body = w.VBox([])
        self.submit_button = _button(t("exercise_app.submit", lang), "igm-submit")
        self.submit_button.on_click(lambda _b: self._on_button())
        #: the graded attempt's feedback is on the page; the button starts the next attempt
        self.next_pending = False
        # what happened to the last submit, right beside the button (announced: role=alert)
        self.status = _html("", "igm-submit-status")
        self.result = _html("", "igm-result")
        self.widget = w.VBox(
            [
                style_widget(lang),
                _html(style_html(CSS)),
                self.instructions,
                notice(lang),
                self.identity_box,
                self.message,
                self.body,
            ]
        )
        self.widget.add_class("igm-app")
        self.widget.add_class("igm-exercise")
        if exercise_id in RETIRED:  # an old link or bookmark: say what replaced it, grade nothing
            self._say(RetiredExercise(exercise_id).message(lang))
        elif self.mode == "remote":
            self._start_remote(environ, client)
        elif self.mode == "practice":
            self._start_practice(environ["JUPYTERHUB_USER"].strip())
        else:
            self._start_local(gradebook, environ)

    # messages -----------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.message.value = text_html("p", text, role="alert") if text else ""

    def _set_instructions(self, text: str) -> None:
        self.instructions.value = text_html("p", text, cls="igm-case-text")

    def _note(self, text: str) -> None:
        """A lasting line about who the learner is and where attempts go."""
        self.identity_box.children = [_html(text_html("p", text))]

    # the three modes ----------------------------------------------------------------------
    def _start_local(self, gradebook: Gradebook | None, env: Mapping[str, str]) -> None:
        if gradebook is None:
            raise ValueError("grading in this kernel needs a gradebook")
        self.exercise = get_exercise(self.exercise_id)
        self.gradebook = gradebook
        self._set_instructions(self.exercise.instructions(self.lang))
        self.sign_in = LocalSignIn(
            gradebook, self.lang, self.identity_box, self._say, self._bound, self.exercise_id
        )
        self.sign_in.start(env)

    def _bound(self, learner: LearnerView) -> None:
        assert self.exercise is not None
        self._say("")
        self.learner = learner
        # the variant of the learner's next attempt (exercises.settings: new per attempt)
        used = len(learner.attempts(self.exercise.id))
        try:
            self.variant = self.exercise.variant_for(learner.learner_number, used + 1)
            after_record = self.sign_in.after_record if self.sign_in is not None else None
            grading = LocalGrading(self.variant, learner, after_record)
            self._open(grading, grading.view(self.lang))
        except SettingsError:  # the trainer's settings file: the dashboard names the problem
            self.variant = None
            self._say(message("settings_broken", self.lang))

    def identify(self, name: str, number: str) -> bool:
        """Local mode: the learner typed a name and number (``False``: not bound)."""
        return self.sign_in is not None and self.sign_in.identify(name, number)

    def sign_in_with_code(self, number: str, code: str) -> bool:
        """Local mode with a class roster: learner number and personal code (``False``: not
        bound)."""
        return self.sign_in is not None and self.sign_in.sign_in(number, code)

    def _start_practice(self, hub_user: str) -> None:
        self.exercise = get_exercise(self.exercise_id)
        self._set_instructions(self.exercise.instructions(self.lang))
        self._note(t("exercise_app.practice.notice", self.lang, name=hub_user))
        self.variant = self.exercise.make_variant(hub_user)
        self._open(PracticeGrading(self.variant), self.variant.public_view(self.lang))

    def _start_remote(self, env: Mapping[str, str], client: GraderClient | None) -> None:
        try:
            client = client if client is not None else GraderClient.from_env(env)
        except ValueError:  # no hub token, or a grader URL that is not http(s)
            client = None
        if client is None:
            self._say(t("exercise_app.identity.missing", self.lang))
            return
        hub_user = env.get("JUPYTERHUB_USER", "").strip()
        if hub_user:
            self._note(t("exercise_app.remote.bound", self.lang, name=hub_user))
        self._load_remote(RemoteGrading(client, self.exercise_id))

    def _load_remote(self, grading: RemoteGrading) -> bool:
        """Fetch the learner's public view from the grader and show the form."""
        try:
            view = grading.public_view(self.lang)
            self._open(grading, view)
            self._set_instructions(str(view["instructions"]))
        except GraderRefused as err:
            self._say(
                err.message(self.lang)
                or t("exercise_app.remote.refused", self.lang, status=err.status)
            )
            return False
        except (GraderUnavailable, KeyError, TypeError, ValueError, AttributeError):
            self.view = self.form = None
            self._say(t("exercise_app.remote.load_failed", self.lang))
            again = _button(t("exercise_app.remote.try_again", self.lang), "igm-retry-load")
            again.on_click(lambda _b: self._load_remote(grading))
            self._replace_body([again])
            return False
        self._say("")
        return True

    # the exercise -------------------------------------------------------------------------
    def _open(self, grading: Grading, view: dict[str, Any]) -> None:
        """Show the form of ``view``, graded by ``grading``."""
        form = AnswerForm(view, answer_sheet(view), self.lang)
        form.focus_when_done(self.submit_button.focus)
        self.grading, self.view, self.form = grading, view, form
        self.next_pending = False
        self.submit_button.description = t("exercise_app.submit", self.lang)
        self.result.value = self._standing_html()
        self.status.value = ""
        self._replace_body([form.widget, self.submit_button, self.status, self.result])

    def _replace_body(self, children: list[Any]) -> None:
        for child in self.body.children:
            if child not in (self.submit_button, self.status, self.result):
                child.close()
        self.body.children = children

    def _standing_html(self) -> str:
        return render("standing.html", lines=self._standing_lines())

    def _standing_lines(self) -> list[str]:
        """The retry policy, and which attempt counts now with its score (nothing when
        practising: nothing is recorded)."""
        if self.grading is None or not self.grading.records:
            return []
        policy = str((self.view or {}).get("retry", "best"))
        lines = [t(f"exercise_app.policy.{policy}", self.lang)]
        standing = self.grading.standing(policy)
        quiz = (self.view or {}).get("quiz")
        if isinstance(quiz, dict):  # attempts used and allowed, open and close, answers
            total = standing.total if standing is not None else None
            lines += describe_view(quiz, self.lang, total)
        if standing is not None and standing.counting is None:
            lines.insert(0, t("exercise_app.no_attempts", self.lang))
        elif standing is not None and standing.counting is not None:
            points, max_points, number = standing.counting
            lines.append(
                t(
                    "exercise_app.counting",
                    self.lang,
                    points=points_text(points, self.lang),
                    max=points_text(max_points, self.lang),
                    n=number,
                    total=standing.total,
                )
            )
        return lines

    def submit(self) -> bool:
        """Grade the form's answers and show feedback; ``False`` when nothing was graded.

        Local and remote: the attempt is stored when this returns ``True``. Practising: it
        is graded and never stored.
        """
        if self.form is None or self.grading is None or self.next_pending:
            return False
        missing = self.form.check()
        if missing:  # nothing goes to the grader: each field says what it misses
            self._refuse(self.form.summary(missing))
            missing[0].focus()
            return False
        self.submit_button.disabled = True
        try:
            outcome = self.grading.submit(self.form.answers(), self.lang)
        finally:
            self.submit_button.disabled = False
        if isinstance(outcome, Refused):
            if outcome.reload:  # another tab stored an attempt: this one's questions are old
                self.next_attempt()
            marked = self.form.mark(outcome.item, outcome.detail) if outcome.item else None
            self._refuse(outcome.message)
            if marked is not None:
                marked.focus()
            return False
        self._say("")
        self.status.value = text_html("p", outcome.notice, role="alert") if outcome.notice else ""
        self._show_feedback(outcome)
        if outcome.next_is_new:  # the feedback stays beside these questions until asked
            self.next_pending = True
            self.submit_button.description = message("next_attempt", self.lang)
        # every field shows its answer as graded (most: nothing changes); whether this same
        # form may be answered and sent again
        again = not outcome.next_is_new and self._attempts_left()
        for control in self.form.controls.values():
            control.lock(again)
        return True

    def _attempts_left(self) -> bool:
        """Whether the quiz settings on the page allow another attempt (no settings: yes)."""
        quiz = (self.view or {}).get("quiz")
        if not isinstance(quiz, dict) or not quiz.get("attempts"):
            return True
        standing = self.grading.standing("best") if self.grading is not None else None
        used = standing.total if standing is not None else int(quiz.get("used", 0))
        return used < int(quiz["attempts"])

    def _on_button(self) -> None:
        if self.next_pending:
            self.next_attempt()
        else:
            self.submit()

    def next_attempt(self) -> bool:
        """Open the next attempt's variant (after a graded one when each attempt gets new
        questions); ``False`` when it cannot be had (the grader is unreachable)."""
        if self.grading is None:
            return False
        try:
            view = self.grading.next_view(self.lang)
        except (GraderError, KeyError, TypeError, ValueError, AttributeError):
            self._refuse(t("exercise_app.remote.load_failed", self.lang))
            return False
        if isinstance(self.grading, LocalGrading):
            self.variant = self.grading.variant
        self._open(self.grading, view)
        return True

    def _refuse(self, text: str) -> None:
        """Say beside the submit button why nothing was graded (the top line is cleared: a
        message there would sit far above the button on a phone)."""
        self._say("")
        self.status.value = text_html("p", text, role="alert")

    def _show_feedback(self, graded: Graded) -> None:
        """Feedback per item beside the form, and the score with the standing below it."""
        assert self.form is not None and self.grading is not None
        lang = self.lang
        result = graded.feedback
        per_item = result.max_points / max(1, len(result.item_scores))
        for item in self.form.sheet.items:
            box = self.form.items[item.id]
            score = float(result.item_scores.get(item.id, 0.0))
            kind = "right" if score >= per_item - 1e-9 else ("partly" if score > 0 else "wrong")
            head = t(
                "exercise_app.item_points",
                lang,
                points=points_text(score, lang),
                max=points_text(per_item, lang),
            )
            feedback = _html(
                render(
                    "feedback.html",
                    label=item.label,
                    points=head,
                    feedback=result.feedback.get(item.id, ""),
                ),
                "igm-feedback",
                f"igm-feedback-{kind}",
            )
            old = [c for c in box.children if "igm-feedback" in c._dom_classes]
            for child in old:
                child.close()
            box.children = [c for c in box.children if c not in old] + [feedback]
        score_line = t(
            "exercise_app.result.score",
            lang,
            points=points_text(result.points, lang),
            max=points_text(result.max_points, lang),
        )
        withheld = [] if graded.released else [message("answers_withheld", lang)]
        if graded.next_is_new:
            retry = message("retry_new_variant", lang)
        elif self._attempts_left():
            retry = t("exercise_app.retry", lang)
        else:
            retry = ""
        self.result.value = render(
            "result.html",
            heading=graded.heading,
            score_line=score_line,
            summary=result.summary,
            recorded=self.grading.records,
            kept=bool(result.kept_text),
            lines=withheld + self._standing_lines(),
            lang=lang,
            retry=retry,
        )
        self.submit_button.description = t("exercise_app.resubmit", lang)


def build(
    exercise_id: str,
    lang: str | None = None,
    gradebook: Gradebook | None = None,
    env: Mapping[str, str] | None = None,
) -> ExerciseApp:
    """The exercise app for this kernel's environment; language from ``?lang=`` unless given.

    The local gradebook is opened only when this kernel grades and records (local mode).
    """
    chosen = lang or str(language_from_query())
    environ = os.environ if env is None else env
    if gradebook is None and backend_mode(environ) == "local":
        gradebook = open_gradebook()
    return ExerciseApp(exercise_id, chosen, gradebook, environ)


def app(
    exercise_id: str,
    lang: str | None = None,
    gradebook: Gradebook | None = None,
    env: Mapping[str, str] | None = None,
) -> Any:
    """The exercise app's widget for a Voila notebook (see :func:`build`)."""
    return build(exercise_id, lang, gradebook, env).widget
