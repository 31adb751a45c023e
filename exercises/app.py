"""A graded exercise as a Voila app: identify once, answer, submit, read feedback, retry.

Who grades and records depends on where the app runs (:func:`backend_mode`):

* **local** (standalone ``igm serve``): the browser only ever gets what
  :meth:`exercises.Variant.public_view` holds (as widgets); the variant with its answer key
  stays in this kernel, :func:`exercises.grade` grades and the gradebook
  (``IGM_DATABASE_URL``, SQLite by default) stores. Safe because standalone Voila runs no
  code sent by the browser.
* **remote** (``IGM_GRADER_URL`` set, e.g. ``http://127.0.0.1:8000/services/igm-grader/`` on a
  JupyterHub): this kernel makes no variant, grades nothing and opens no gradebook. It fetches
  the learner's public view from the igm-grader service and posts the answers there
  (:class:`exercises.grader_client.GraderClient`, authenticated with the server's
  ``JUPYTERHUB_API_TOKEN``); it shows the feedback the grader returns. The grader decides who
  the learner is from that token; the app shows the hub user name (``JUPYTERHUB_USER``) and
  asks for no learner number. A refused answer (422) or too many attempts (429) shows the
  grader's message in the learner's language; no answer or a 5xx shows that the service cannot
  be reached, and the form keeps what the learner filled in.
* **practice** (``JUPYTERHUB_USER`` set, no ``IGM_GRADER_URL``): a hub without a grader. The
  learner can read and run everything in their own server, so a score recorded here would be
  under their control. The app therefore records nothing and opens no gradebook, but lets the
  learner practise: it grades in this kernel and shows feedback, every result labelled "not
  saved, does not count", with a notice to ask the trainer where scores can count.

Identity in local mode, in this order:

* behind a proxy: when ``IGM_IDENTITY_HEADER`` names a header (e.g. ``X-Remote-User``) and
  Voila is started with ``--VoilaConfiguration.http_header_envs="['X-Remote-User']"``, Voila
  puts that header in the kernel as ``HTTP_X_REMOTE_USER``; no header means no access;
* standalone: the learner types a name and a learner number once
  (``Gradebook.register_learner``).

Once identified, the app holds ``gb.for_learner(number)`` and never takes another identity in
this kernel. Stable CSS hooks for tests: ``igm-identity``, ``igm-exercise-form``,
``igm-submit``, ``igm-result``, ``igm-feedback``, ``igm-message``, ``igm-retry-load``.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from exercises import Exercise, InvalidAnswer, Variant, get_exercise, grade
from exercises._base import item_label, points_text
from exercises.grader_client import GraderClient, GraderError, GraderRefused, GraderUnavailable
from gradebook import Gradebook, GradebookError, LearnerView, open_gradebook
from igm.i18n import t
from widgets.ui import language_from_query, notice, style_widget

__all__ = [
    "CSS",
    "ExerciseApp",
    "Feedback",
    "Identity",
    "Standing",
    "app",
    "backend_mode",
    "build",
    "identity_from_env",
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
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _label(item_id: str, lang: str) -> str:
    """An item's name as a heading: "Vraag 3", "Intentie"."""
    text = item_label(item_id, lang)
    return text[:1].upper() + text[1:]


def _html(content: str, *classes: str) -> w.HTML:
    widget = w.HTML(value=content)
    for cls in classes:
        widget.add_class(cls)
    return widget


# --- identity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Who the server says the learner is: ``source`` is "hub" or "header"."""

    source: str
    number: str | None


def identity_from_env(env: Mapping[str, str]) -> Identity | None:
    """The identity given by JupyterHub or a trusted proxy header; ``None``: ask the learner.

    A configured header that is missing gives ``Identity("header", None)``: the app then
    refuses, rather than falling back to typing any learner number.
    """
    hub_user = env.get("JUPYTERHUB_USER", "").strip()
    if hub_user:
        return Identity("hub", hub_user)
    header = env.get("IGM_IDENTITY_HEADER", "").strip()
    if header:
        value = env.get("HTTP_" + header.upper().replace("-", "_"), "").strip()
        return Identity("header", value or None)
    return None


def _bind_kernel(number: str) -> None:
    """Refuse a second, different learner in this kernel."""
    global _KERNEL_LEARNER
    if _KERNEL_LEARNER is not None and number != _KERNEL_LEARNER:
        raise PermissionError(f"this kernel already belongs to learner {_KERNEL_LEARNER!r}")
    _KERNEL_LEARNER = number


# --- answer forms ---------------------------------------------------------------------------


def _field_layout() -> w.Layout:
    """An answer field as wide as its label and input need, up to a readable 44em:
    ipywidgets' fixed 300px includes the label, and a long label left the input ~20px."""
    return w.Layout(width="auto", max_width="44em")


def _dropdown(options: list[tuple[str, str]], description: str, lang: str) -> w.Dropdown:
    return w.Dropdown(
        options=[(t("exercise_app.choose", lang), ""), *options],
        value="",
        description=description,
        style={"description_width": "initial"},
        layout=_field_layout(),
    )


def _number_or_text(raw: str) -> Any:
    """What a learner typed in a number field: a number, ``None`` when empty, else the text."""
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return raw  # the grader explains what is wrong with it
    return int(value) if value.is_integer() else value


def _case_html(case: Mapping[str, Any], lang: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", case["narrative"]) if p.strip()]
    story = "".join(f"<p>{_e(' '.join(p.split()))}</p>" for p in paragraphs)
    scores = ""
    if case.get("scores"):
        rows = "".join(
            f"<tr><th scope='row'>{_e(s['label'])}</th><td>{_e(s['score'])}</td></tr>"
            for s in case["scores"]
        )
        scores = (
            f"<table class='igm-table'><caption>{_e(t('output.scores', lang))}</caption>"
            f"<tbody>{rows}</tbody></table>"
        )
    return (
        f"<div class='igm-case-text'><h2>{_e(t('exercise_app.case.heading', lang))}: "
        f"{_e(case['title'])}</h2><p><strong>{_e(case['summary'])}</strong></p>{story}"
        f"<p><strong>{_e(t('output.target_behaviour', lang))}:</strong> "
        f"{_e(case['target_behaviour'])}</p><p><em>{_e(case['fictional'])}</em></p>"
        f"{scores}</div>"
    )


class AnswerForm:
    """The controls of one exercise, built from its public view only.

    ``items`` maps each item id to the box where its feedback goes; :meth:`answers` reads the
    controls into the answer format of the exercise (see :mod:`exercises`).
    """

    def __init__(self, view: Mapping[str, Any], lang: str) -> None:
        self.view = view
        self.lang = lang
        self.items: dict[str, w.VBox] = {}
        self._readers: dict[str, Callable[[], Any]] = {}
        #: The controls per item: a widget, a list of (checkbox, option id), or a
        #: (dropdown, textarea) pair for the intervention plan.
        self.fields: dict[str, Any] = {}
        self.controls: list[w.Widget] = []
        parts: list[w.Widget] = []
        if view.get("case"):
            parts.append(_html(_case_html(view["case"], lang), "igm-case"))
        parts.append(_html(f"<h2>{_e(t('exercise_app.answers.heading', lang))}</h2>"))
        builder = getattr(self, "_build_" + view["exercise"].replace("-", "_"))
        parts.extend(builder())
        self.widget = w.VBox(parts)
        self.widget.add_class("igm-exercise-form")

    # one builder per exercise -------------------------------------------------------------
    def _item(self, item_id: str, *children: w.Widget) -> w.VBox:
        box = w.VBox(list(children))
        box.add_class("igm-item")
        box.add_class(f"igm-item-{item_id}")
        self.items[item_id] = box
        return box

    def _choice(self, item_id: str, options: list[Mapping[str, Any]], description: str) -> Any:
        control = _dropdown([(o["label"], o["id"]) for o in options], description, self.lang)
        self.controls.append(control)
        self.fields[item_id] = control
        self._readers[item_id] = lambda: control.value or None
        return control

    def _build_recognise_determinant(self) -> list[w.Widget]:
        out = []
        for item in self.view["items"]:
            label = item_label(item["id"], self.lang)
            quote = _html(
                f"<p><strong>{_e(_label(item['id'], self.lang))}.</strong> {_e(item['prompt'])}</p>"
                f"<p class='igm-quote'>{_e(item['quote'])}</p>"
            )
            choice = self._choice(
                item["id"],
                self.view["options"],
                t("exercise_app.choice_for", self.lang, item=label.lower()),
            )
            out.append(self._item(item["id"], quote, choice))
        return out

    def _build_score_case(self) -> list[w.Widget]:
        scale = self.view["scale"]
        out: list[w.Widget] = [_html(f"<p>{_e(scale['label'])}</p>")]
        numbers = [(str(n), str(n)) for n in range(scale["min"], scale["max"] + 1)]
        for item in self.view["items"]:
            text = _html(
                f"<p><strong>{_e(item['label'])}</strong> ({_e(item['block'])}): "
                f"{_e(item['description'])}</p>"
            )
            control = _dropdown(
                numbers, t("exercise_app.score_for", self.lang, item=item["label"]), self.lang
            )
            self.controls.append(control)
            self.fields[item["id"]] = control
            self._readers[item["id"]] = lambda c=control: int(c.value) if c.value else None
            out.append(self._item(item["id"], text, control))
        return out

    def _build_predict(self) -> list[w.Widget]:
        out = []
        for item in self.view["items"]:
            control = w.Text(
                value="",
                description=item["label"] + (f" ({item['unit']})" if item.get("unit") else ""),
                placeholder=t("exercise_app.estimate_placeholder", self.lang),
                style={"description_width": "initial"},
                layout=_field_layout(),
            )
            self.controls.append(control)
            self.fields[item["id"]] = control
            self._readers[item["id"]] = lambda c=control: _number_or_text(c.value)
            out.append(self._item(item["id"], _html(f"<p>{_e(item['prompt'])}</p>"), control))
        return out

    def _build_choose_knob(self) -> list[w.Widget]:
        budget = self.view["budget"]
        used = _html("", "igm-budget-used")
        out: list[w.Widget] = [_html(f"<p><strong>{_e(budget['label'])}</strong></p>")]
        for item in self.view["items"]:
            boxes: list[tuple[w.Checkbox, Mapping[str, Any]]] = []
            rows: list[w.Widget] = []
            for option in item["options"]:
                box = w.Checkbox(value=False, description=option["label"], indent=False)
                box.add_class("igm-option")
                self.controls.append(box)
                boxes.append((box, option))
                rows.append(box)
                rows.append(
                    _html(
                        f"<p class='igm-case-text'>{_e(option['description'])}<br>"
                        f"{_e(option['effort_label'])}<br>{_e(option['effects_label'])}</p>"
                    )
                )

            def update(_: Any = None, boxes: list[Any] = boxes) -> None:
                # Adding up the efforts shown beside each option: presentation, not grading.
                total = sum(int(o["effort"]) for b, o in boxes if b.value)
                used.value = (
                    "<p role='status'>"
                    + _e(
                        t(
                            "exercise_app.budget_used",
                            self.lang,
                            used=total,
                            budget=budget["value"],
                        )
                    )
                    + "</p>"
                )

            for box, _option in boxes:
                box.observe(update, names="value")
            update()
            self.fields[item["id"]] = [(b, o["id"]) for b, o in boxes]
            self._readers[item["id"]] = lambda boxes=boxes: [o["id"] for b, o in boxes if b.value]
            out.append(self._item(item["id"], *rows, used))
        return out

    def _build_intervention_plan(self) -> list[w.Widget]:
        out = []
        for item in self.view["items"]:
            heading = _html(f"<h3>{_e(item['prompt'])}</h3>")
            choice = _dropdown(
                [(o["label"], o["id"]) for o in item["options"]],
                t("exercise_app.intervention_for", self.lang, item=item["determinant"]),
                self.lang,
            )
            descriptions = "".join(
                f"<li><strong>{_e(o['label'])}</strong>: {_e(o['description'])}</li>"
                for o in item["options"]
            )
            options_html = _html(f"<ul class='igm-case-text'>{descriptions}</ul>")
            why = w.Textarea(
                value="",
                description=t(
                    "exercise_app.justification_for", self.lang, item=item["determinant"]
                ),
                placeholder=item["justification_prompt"],
                rows=3,
                style={"description_width": "initial"},
                layout=_field_layout(),
            )
            self.controls.extend([choice, why])
            self.fields[item["id"]] = (choice, why)

            def read(choice: w.Dropdown = choice, why: w.Textarea = why) -> Any:
                return {"intervention": choice.value or None, "justification": why.value}

            self._readers[item["id"]] = read
            out.append(self._item(item["id"], heading, options_html, choice, why))
        return out

    def _build_caseload_question(self) -> list[w.Widget]:
        out = []
        for item in self.view["items"]:
            rows = "".join(
                f"<tr><th scope='row'>{_e(m['label'])}</th>"
                f"<td>{_e(points_text(m['mean'], self.lang))}</td></tr>"
                for m in item["means"]
            )
            table = _html(
                f"<p><strong>{_e(item['question'])}</strong></p><table class='igm-table'>"
                f"<caption>{_e(item['means_label'])}</caption><tbody>{rows}</tbody></table>"
            )
            label = item_label(item["id"], self.lang)
            choice = self._choice(
                item["id"],
                item["options"],
                t("exercise_app.choice_for", self.lang, item=label.lower()),
            )
            out.append(self._item(item["id"], table, choice))
        return out

    # reading ------------------------------------------------------------------------------
    def answers(self) -> dict[str, Any]:
        """The answers as the exercise's grader takes them (unanswered items: ``None``)."""
        return {item_id: read() for item_id, read in self._readers.items()}


# --- feedback and standing ------------------------------------------------------------------


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


def backend_mode(env: Mapping[str, str]) -> str:
    """Where grading happens: ``"remote"`` (the igm-grader service), ``"practice"`` (in this
    kernel, nothing recorded: a hub without a grader) or ``"local"`` (standalone kit)."""
    if env.get("IGM_GRADER_URL", "").strip():
        return "remote"
    if env.get("JUPYTERHUB_USER", "").strip():
        return "practice"
    return "local"


# --- the app --------------------------------------------------------------------------------


class ExerciseApp:
    """One exercise for one learner: identity, form, submit, feedback, counting score.

    ``mode`` (see :func:`backend_mode`) decides who grades and records. In ``"remote"`` mode
    the app holds no variant, no exercise object and no gradebook: only the grader's public
    view (``view``) and a :class:`~exercises.grader_client.GraderClient`.
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
        self.client: GraderClient | None = None
        self.learner: LearnerView | None = None
        self.variant: Variant | None = None
        self.view: dict[str, Any] | None = None
        self.form: AnswerForm | None = None
        self.practice_attempts = 0
        self.message = _html("", "igm-message")
        self.instructions = _html("")
        self.identity_box = w.VBox([])
        self.identity_box.add_class("igm-identity")
        self.body = w.VBox([])
        self.widget = w.VBox(
            [
                style_widget(lang),
                _html(f"<style>{CSS}</style>"),
                self.instructions,
                notice(lang),
                self.identity_box,
                self.message,
                self.body,
            ]
        )
        self.widget.add_class("igm-app")
        self.widget.add_class("igm-exercise")
        if self.mode == "remote":
            self._start_remote(environ, client)
            return
        self.exercise = get_exercise(exercise_id)
        self._set_instructions(self.exercise.instructions(lang))
        if self.mode == "practice":
            self._start_practice(environ["JUPYTERHUB_USER"].strip())
            return
        if gradebook is None:
            raise ValueError("grading in this kernel needs a gradebook")
        self.gradebook = gradebook
        given = identity_from_env(environ)
        if given is None:
            self._ask_identity()
        elif given.number is None:
            self._say(t("exercise_app.identity.missing", lang))
        else:
            self._identify_from_server(given)

    # messages -----------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.message.value = f"<p role='alert'>{_e(text)}</p>" if text else ""

    def _set_instructions(self, text: str) -> None:
        self.instructions.value = f"<p class='igm-case-text'>{_e(text)}</p>"

    def _note(self, text: str) -> None:
        """A lasting line about who the learner is and where attempts go."""
        self.identity_box.children = [_html(f"<p>{_e(text)}</p>")]

    # identity (local mode) ----------------------------------------------------------------
    def _ask_identity(self) -> None:
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
        self.start_button = w.Button(
            description=t("exercise_app.identity.start", lang), layout=w.Layout(width="max-content")
        )
        self.start_button.add_class("igm-start")
        self.start_button.on_click(
            lambda _b: self.identify(self.name_input.value, self.number_input.value)
        )
        self.identity_box.children = [
            _html(
                f"<h3>{_e(t('exercise_app.identity.heading', lang))}</h3>"
                f"<p>{_e(t('exercise_app.identity.intro', lang))}</p>"
            ),
            self.name_input,
            self.number_input,
            self.start_button,
        ]

    def identify(self, name: str, number: str) -> bool:
        """Register (or find) the learner typed in and bind to them; ``False`` on bad input."""
        if self.learner is not None or self.gradebook is None:
            return False  # bound already (never another identity here), or not local mode
        try:
            learner = self.gradebook.register_learner(number, name)
        except GradebookError as err:
            self._say(
                t("exercise_app.identity.not_saved", self.lang, message=err.message(self.lang))
            )
            return False
        return self._bind(learner.learner_number, learner.display_name)

    def _identify_from_server(self, given: Identity) -> None:
        assert given.number is not None and self.gradebook is not None
        try:
            try:
                learner = self.gradebook.learner(given.number)
            except GradebookError:
                learner = self.gradebook.register_learner(
                    given.number, given.number, identity_source=given.source
                )
        except GradebookError as err:
            self._say(err.message(self.lang))
            return
        self._bind(learner.learner_number, learner.display_name)

    def _bind(self, number: str, name: str) -> bool:
        assert self.gradebook is not None and self.exercise is not None
        try:
            _bind_kernel(number)
        except PermissionError:
            self._say(t("exercise_app.identity.one_per_page", self.lang))
            return False
        self.learner = self.gradebook.for_learner(number)
        for child in self.identity_box.children:
            child.close()  # the browser can no longer send another name or number
        self._note(t("exercise_app.identity.bound", self.lang, name=name, number=number))
        self._say("")
        self.variant = self.exercise.make_variant(self.learner.learner_number)
        self._show_form(self.variant.public_view(self.lang))
        return True

    # practice mode (a hub without a grader) -----------------------------------------------
    def _start_practice(self, hub_user: str) -> None:
        assert self.exercise is not None
        self._note(t("exercise_app.practice.notice", self.lang, name=hub_user))
        self.variant = self.exercise.make_variant(hub_user)
        self._show_form(self.variant.public_view(self.lang))

    # remote mode (the igm-grader service) -------------------------------------------------
    def _start_remote(self, env: Mapping[str, str], client: GraderClient | None) -> None:
        try:
            self.client = client if client is not None else GraderClient.from_env(env)
        except ValueError:  # no hub token, or a grader URL that is not http(s)
            self.client = None
        if self.client is None:
            self._say(t("exercise_app.identity.missing", self.lang))
            return
        hub_user = env.get("JUPYTERHUB_USER", "").strip()
        if hub_user:
            self._note(t("exercise_app.remote.bound", self.lang, name=hub_user))
        self._load_remote()

    def _load_remote(self) -> bool:
        """Fetch the learner's public view from the grader and show the form."""
        assert self.client is not None
        try:
            view = self.client.public_view(self.exercise_id, self.lang)
            if view.get("exercise") != self.exercise_id:
                raise GraderUnavailable("the reply is not this exercise")
            self.view = view
            self._show_form(view)
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
            again = w.Button(
                description=t("exercise_app.remote.try_again", self.lang),
                layout=w.Layout(width="max-content"),
            )
            again.add_class("igm-retry-load")
            again.on_click(lambda _b: self._load_remote())
            self.body.children = [again]
            return False
        self._say("")
        return True

    # the exercise -------------------------------------------------------------------------
    def _show_form(self, view: Mapping[str, Any]) -> None:
        form = AnswerForm(view, self.lang)
        self.form = form
        self.submit_button = w.Button(
            description=t("exercise_app.submit", self.lang), layout=w.Layout(width="max-content")
        )
        self.submit_button.add_class("igm-submit")
        self.submit_button.on_click(lambda _b: self.submit())
        self.result = _html(self._standing_html(), "igm-result")
        for child in self.body.children:
            child.close()
        self.body.children = [form.widget, self.submit_button, self.result]

    def _policy(self) -> str:
        if self.view is not None:
            return str(self.view.get("retry", "best"))
        return self.exercise.retry if self.exercise is not None else "best"

    def _standing(self) -> Standing | None:
        """The learner's record at this exercise, from the gradebook or the grader."""
        if self.learner is not None:
            attempts = self.learner.attempts(self.exercise_id)
            counting = self.learner.best_or_last(self._policy(), exercise_id=self.exercise_id)
            attempt = counting.get(self.exercise_id)
            return Standing(
                len(attempts),
                None
                if attempt is None
                else (attempt.points, attempt.max_points, attempt.attempt_no),
            )
        if self.client is not None:
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
        return None

    def _standing_html(self) -> str:
        """The retry policy, and which attempt counts now with its score (nothing when
        practising: nothing is recorded)."""
        if self.mode == "practice":
            return ""
        lines = [t(f"exercise_app.policy.{self._policy()}", self.lang)]
        standing = self._standing()
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
        return "".join(f"<p class='igm-standing'>{_e(line)}</p>" for line in lines)

    def submit(self) -> bool:
        """Grade the form's answers and show feedback; ``False`` when nothing was graded.

        Local and remote: the attempt is stored when this returns ``True``. Practising: it
        is graded and never stored.
        """
        if self.form is None:
            return False
        self.submit_button.disabled = True
        try:
            return self._submit()
        finally:
            self.submit_button.disabled = False

    def _submit(self) -> bool:
        assert self.form is not None
        answers = self.form.answers()
        if self.mode == "remote":
            return self._submit_remote(answers)
        assert self.variant is not None
        try:
            result = grade(self.variant, answers, self.lang)
        except InvalidAnswer as err:
            self._say(t("exercise_app.not_saved", self.lang, message=err.message(self.lang)))
            return False
        if self.mode == "practice":
            self.practice_attempts += 1
            heading = t("exercise_app.practice.heading", self.lang, n=self.practice_attempts)
            self._say("")
            self._show_feedback(Feedback.from_dict(result.to_dict()), heading)
            return True
        assert self.learner is not None
        try:
            attempt = self.learner.record_attempt(
                self.exercise_id,
                self.variant.fingerprint,
                answers,
                result.item_scores,
                result.max_points,
            )
        except GradebookError as err:
            self._say(t("exercise_app.save_failed", self.lang, message=err.message(self.lang)))
            return False
        self._say("")
        heading = t("exercise_app.result.heading", self.lang, n=attempt.attempt_no)
        self._show_feedback(Feedback.from_dict(result.to_dict()), heading)
        return True

    def _submit_remote(self, answers: Mapping[str, Any]) -> bool:
        assert self.client is not None
        lang = self.lang
        try:
            reply = self.client.submit(self.exercise_id, answers, lang)
            feedback = Feedback.from_dict(reply["result"])
            attempt_no = int(reply["attempt_no"])
        except GraderRefused as err:
            # 422 (malformed) and 429 (too many attempts): the grader explains, nothing stored
            message = err.message(lang)
            if message:
                self._say(t("exercise_app.not_saved", lang, message=message))
            elif err.status == 409:
                error = str(err.body.get("error", ""))
                self._say(t("exercise_app.save_failed", lang, message=error))
            else:
                self._say(t("exercise_app.remote.refused", lang, status=err.status))
            return False
        except (GraderUnavailable, KeyError, TypeError, ValueError, AttributeError):
            self._say(t("exercise_app.remote.unreachable", lang))  # the form stays filled
            return False
        self._say("")
        self._show_feedback(feedback, t("exercise_app.result.heading", lang, n=attempt_no))
        return True

    def _show_feedback(self, result: Feedback, heading: str) -> None:
        """Feedback per item beside the form, and the score with the standing below it."""
        assert self.form is not None
        lang = self.lang
        per_item = result.max_points / max(1, len(result.item_scores))
        for item_id, box in self.form.items.items():
            score = float(result.item_scores.get(item_id, 0.0))
            kind = "right" if score >= per_item - 1e-9 else ("partly" if score > 0 else "wrong")
            head = t(
                "exercise_app.item_points",
                lang,
                points=points_text(score, lang),
                max=points_text(per_item, lang),
            )
            feedback = _html(
                f"<p><strong>{_e(_label(item_id, lang))} ({_e(head)}).</strong> "
                f"{_e(result.feedback.get(item_id, ''))}</p>",
                "igm-feedback",
                f"igm-feedback-{kind}",
            )
            old = [c for c in box.children if "igm-feedback" in c._dom_classes]
            for child in old:
                child.close()
            box.children = [c for c in box.children if c not in old] + [feedback]
        practising = self.mode == "practice"
        if practising:
            extra = f"<p><strong>{_e(t('exercise_app.practice.not_recorded', lang))}</strong></p>"
        else:
            extra = f"<p>{_e(t('exercise_app.kept', lang))}</p>" if result.kept_text else ""
        self.result.value = (
            f"<div role='status'><h3>{_e(heading)}</h3><p class='igm-score-line'>"
            + _e(
                t(
                    "exercise_app.result.score",
                    lang,
                    points=points_text(result.points, lang),
                    max=points_text(result.max_points, lang),
                )
            )
            + f"</p><p>{_e(result.summary)}</p>{extra}{self._standing_html()}"
            f"<p>{_e(t('exercise_app.retry', lang))}</p></div>"
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
    chosen = lang or language_from_query()
    environ = os.environ if env is None else env
    if gradebook is None and backend_mode(environ) == "local":
        gradebook = open_gradebook()
    return ExerciseApp(exercise_id, chosen, gradebook, environ)


def app(
    exercise_id: str,
    lang: str | None = None,
    gradebook: Gradebook | None = None,
    env: Mapping[str, str] | None = None,
) -> w.VBox:
    """The exercise app's widget for a Voila notebook (see :func:`build`)."""
    return build(exercise_id, lang, gradebook, env).widget
