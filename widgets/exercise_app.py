"""A graded exercise as a Voila app: identify once, answer, submit, read feedback, retry.

The browser only ever gets what :meth:`exercises.Variant.public_view` holds (as widgets) until
the learner submits; the variant with its answer key stays in this kernel. Grading is done by
:func:`exercises.grade`, storing by the gradebook (``IGM_DATABASE_URL``, SQLite by default).

Identity, in this order:

* JupyterHub: the hub's user name (``JUPYTERHUB_USER`` in the kernel) is the learner number;
* behind a proxy: when ``IGM_IDENTITY_HEADER`` names a header (e.g. ``X-Remote-User``) and
  Voila is started with ``--VoilaConfiguration.http_header_envs="['X-Remote-User']"``, Voila
  puts that header in the kernel as ``HTTP_X_REMOTE_USER``; no header means no access;
* standalone: the learner types a name and a learner number once
  (``Gradebook.register_learner``).

Once identified, the app holds ``gb.for_learner(number)`` and never takes another identity in
this kernel. Stable CSS hooks for tests: ``igm-identity``, ``igm-exercise-form``,
``igm-submit``, ``igm-result``, ``igm-feedback``, ``igm-message``.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from exercises import InvalidAnswer, Variant, get_exercise, grade
from exercises._base import item_label, points_text
from gradebook import Gradebook, GradebookError, LearnerView, open_gradebook
from igm.i18n import t
from widgets.ui import language_from_query, notice, style_widget

__all__ = ["CSS", "ExerciseApp", "Identity", "app", "identity_from_env"]

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


def _dropdown(options: list[tuple[str, str]], description: str, lang: str) -> w.Dropdown:
    return w.Dropdown(
        options=[(t("exercise_app.choose", lang), ""), *options],
        value="",
        description=description,
        style={"description_width": "initial"},
        layout=w.Layout(width="auto", max_width="44em"),
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
                style={"description_width": "initial"},
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


# --- the app --------------------------------------------------------------------------------


class ExerciseApp:
    """One exercise for one learner: identity, form, submit, feedback, counting score."""

    def __init__(
        self,
        exercise_id: str,
        lang: str,
        gradebook: Gradebook,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.exercise = get_exercise(exercise_id)
        self.lang = lang
        self.gradebook = gradebook
        self.learner: LearnerView | None = None
        self.variant: Variant | None = None
        self.form: AnswerForm | None = None
        self.message = _html("", "igm-message")
        self.identity_box = w.VBox([])
        self.identity_box.add_class("igm-identity")
        self.body = w.VBox([])
        self.widget = w.VBox(
            [
                style_widget(lang),
                _html(f"<style>{CSS}</style>"),
                _html(f"<p class='igm-case-text'>{_e(self.exercise.instructions(lang))}</p>"),
                notice(lang),
                self.identity_box,
                self.message,
                self.body,
            ]
        )
        self.widget.add_class("igm-app")
        self.widget.add_class("igm-exercise")
        given = identity_from_env(os.environ if env is None else env)
        if given is None:
            self._ask_identity()
        elif given.number is None:
            self._say(t("exercise_app.identity.missing", lang))
        else:
            self._identify_from_server(given)

    # messages -----------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.message.value = f"<p role='alert'>{_e(text)}</p>" if text else ""

    # identity -----------------------------------------------------------------------------
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
        if self.learner is not None:
            return False  # bound already: never another identity in this kernel
        try:
            learner = self.gradebook.register_learner(number, name)
        except GradebookError as err:
            self._say(
                t("exercise_app.identity.not_saved", self.lang, message=err.message(self.lang))
            )
            return False
        return self._bind(learner.learner_number, learner.display_name)

    def _identify_from_server(self, given: Identity) -> None:
        assert given.number is not None
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
        try:
            _bind_kernel(number)
        except PermissionError:
            self._say(t("exercise_app.identity.one_per_page", self.lang))
            return False
        self.learner = self.gradebook.for_learner(number)
        for child in self.identity_box.children:
            child.close()  # the browser can no longer send another name or number
        self.identity_box.children = [
            _html(
                "<p>"
                + _e(t("exercise_app.identity.bound", self.lang, name=name, number=number))
                + "</p>"
            )
        ]
        self._say("")
        self._show_exercise()
        return True

    # the exercise -------------------------------------------------------------------------
    def _show_exercise(self) -> None:
        assert self.learner is not None
        self.variant = self.exercise.make_variant(self.learner.learner_number)
        self.form = AnswerForm(self.variant.public_view(self.lang), self.lang)
        self.submit_button = w.Button(
            description=t("exercise_app.submit", self.lang), layout=w.Layout(width="max-content")
        )
        self.submit_button.add_class("igm-submit")
        self.submit_button.on_click(lambda _b: self.submit())
        self.result = _html(self._standing_html(), "igm-result")
        self.body.children = [self.form.widget, self.submit_button, self.result]

    def _standing_html(self) -> str:
        """The retry policy, and which attempt counts now with its score."""
        assert self.learner is not None
        policy = self.exercise.retry
        lines = [t(f"exercise_app.policy.{policy}", self.lang)]
        attempts = self.learner.attempts(self.exercise.id)
        counting = self.learner.best_or_last(policy, exercise_id=self.exercise.id)
        attempt = counting.get(self.exercise.id)
        if attempt is None:
            lines.insert(0, t("exercise_app.no_attempts", self.lang))
        else:
            lines.append(
                t(
                    "exercise_app.counting",
                    self.lang,
                    points=points_text(attempt.points, self.lang),
                    max=points_text(attempt.max_points, self.lang),
                    n=attempt.attempt_no,
                    total=len(attempts),
                )
            )
        return "".join(f"<p class='igm-standing'>{_e(line)}</p>" for line in lines)

    def submit(self) -> bool:
        """Grade the form's answers and store the attempt; ``False`` when nothing was stored."""
        if self.learner is None or self.variant is None or self.form is None:
            return False
        self.submit_button.disabled = True
        try:
            return self._submit()
        finally:
            self.submit_button.disabled = False

    def _submit(self) -> bool:
        assert self.learner is not None and self.variant is not None and self.form is not None
        answers = self.form.answers()
        try:
            result = grade(self.variant, answers, self.lang)
        except InvalidAnswer as err:
            self._say(t("exercise_app.not_saved", self.lang, message=err.message(self.lang)))
            return False
        try:
            attempt = self.learner.record_attempt(
                self.exercise.id,
                self.variant.fingerprint,
                answers,
                result.item_scores,
                result.max_points,
            )
        except GradebookError as err:
            self._say(t("exercise_app.save_failed", self.lang, message=err.message(self.lang)))
            return False
        self._say("")
        self._show_feedback(result, attempt.attempt_no)
        return True

    def _show_feedback(self, result: Any, attempt_no: int) -> None:
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
        extra = f"<p>{_e(t('exercise_app.kept', lang))}</p>" if result.kept_text else ""
        self.result.value = (
            f"<div role='status'><h3>{_e(t('exercise_app.result.heading', lang, n=attempt_no))}"
            f"</h3><p class='igm-score-line'>"
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


def app(
    exercise_id: str,
    lang: str | None = None,
    gradebook: Gradebook | None = None,
    env: Mapping[str, str] | None = None,
) -> w.VBox:
    """The exercise app for a Voila notebook; language from ``?lang=`` unless given."""
    chosen = lang or language_from_query()
    gb = gradebook if gradebook is not None else open_gradebook()
    return ExerciseApp(exercise_id, chosen, gb, env).widget
