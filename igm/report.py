"""The model's output in words, in Dutch or English.

The command line's plain-text report, and the wording every UI shares: how a lever (knob)
reads and how an intervention's effects are labelled (the case author's estimate).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from igm.cases import Case, Intervention
from igm.conversations import MIProfile, Playthrough, mi_profile
from igm.determinants import DETERMINANTS
from igm.i18n import catalogue, fmt_number, t
from igm.model import Comparison, Model, Prediction

__all__ = [
    "bottleneck_label",
    "bottleneck_sentence",
    "changes_text",
    "determinant_name",
    "effects_text",
    "estimate_note",
    "estimated_effects",
    "fmt_percent",
    "fmt_points",
    "format_comparison",
    "format_playthrough",
    "format_prediction",
    "in_sentence",
    "lever_gain",
    "lever_name",
    "mi_profile_lines",
    "percent",
    "plan_effects",
    "plan_file_name",
    "plan_text",
    "signed_points",
]


def percent(probability: float) -> str:
    """A probability (0–1) as a whole percentage, e.g. ``"23%"``."""
    return f"{100 * probability:.0f}%"


def determinant_name(key: str, lang: str) -> str:
    return t(f"determinant.{key}.name", lang)


# How a lever reads. Most determinants read as "one more point"; a determinant whose lever
# must be worded differently has its own catalogue entries ``lever.<key>.name`` and
# ``lever.<key>.gain``. Capacity (belastbaarheid) has them: a professional respects what a
# person can carry and adapts the work and the load to it; the kit never words it as raising
# the person's capacity. Every UI words levers through these two functions.


def _lever_entry(key: str, part: str, lang: str, **values: object) -> str | None:
    entry = f"lever.{key}.{part}"
    return t(entry, lang, **values) if entry in catalogue() else None


def in_sentence(name: str) -> str:
    """A determinant or lever name inside a sentence, e.g. after a colon: lower-case first
    letter ("Knelpunt: thuissituatie"), as Dutch and English write it mid-sentence."""
    return name[:1].lower() + name[1:]


def lever_name(key: str, lang: str) -> str:
    """A determinant named as a knob to turn (the knelpunt, a vote, the top of a lever chart).

    The determinant's own name, except where the lever is worded differently: capacity reads
    "Mentale en fysieke belastbaarheid (werk en belasting aanpassen)".
    """
    return _lever_entry(key, "name", lang) or determinant_name(key, lang)


def lever_gain(key: str, gain: float, lang: str) -> str:
    """What one step on this lever adds, e.g. ``"+1 punt geeft +4,8 procentpunt"``.

    ``gain`` is on the 0–1 probability scale (:attr:`igm.model.Lever.gain`).
    """
    points = fmt_number(100 * gain, lang)
    return _lever_entry(key, "gain", lang, gain=points) or t("output.lever_gain", lang, gain=points)


def bottleneck_label(prediction: Prediction, lang: str) -> str:
    """The knelpunt in a few words: its lever name, two names "about equal", or "no single
    bottleneck". For readouts and tables; :func:`bottleneck_sentence` says why."""
    if prediction.bottleneck is not None:
        return lever_name(prediction.bottleneck, lang)
    if prediction.close_levers is not None:
        first, second = prediction.close_levers
        return t(
            "bottleneck.label.close",
            lang,
            first=lever_name(first, lang),
            second=in_sentence(lever_name(second, lang)),
        )
    return t("bottleneck.label.none", lang)


def bottleneck_sentence(prediction: Prediction, lang: str) -> str:
    """The knelpunt in one or two sentences: which one and how sure, or that there is none
    (with the reason) and that combining steps is the advice."""
    if prediction.bottleneck is not None:
        return t(
            "bottleneck.single",
            lang,
            name=in_sentence(lever_name(prediction.bottleneck, lang)),
            share=percent(prediction.bottleneck_share),
            draws=prediction.n_draws,
        )
    if prediction.close_levers is not None:
        first, second = prediction.close_levers
        return t(
            "bottleneck.close",
            lang,
            first=in_sentence(lever_name(first, lang)),
            second=in_sentence(lever_name(second, lang)),
        )
    return t(f"bottleneck.none.{prediction.no_bottleneck_reason}", lang)


def effects_text(effects: Mapping[str, float], lang: str) -> str:
    """An intervention's effects, e.g. ``"thuissituatie +2, houding / belang van het doel +1"``
    (lower case: it follows a colon or stands in a sentence).

    Plain determinant names: what the intervention does is in its own description (a
    psychologist's treatment helps recovery; it does not adapt the work).
    """
    return ", ".join(
        f"{in_sentence(determinant_name(k, lang))} +{fmt_number(v, lang, None)}"
        for k, v in effects.items()
    )


def estimated_effects(effects: Mapping[str, float], lang: str) -> str:
    """An intervention's effects, labelled as what they are: the case author's estimate."""
    return t("estimate.effects", lang, effects=effects_text(effects, lang))


def estimate_note(case: Case, lang: str, literal: Callable[[str], str] = str) -> str:
    """One sentence above a case's interventions: the effects are the case author's estimates,
    for the time frame of the target behaviour (the case's TACT ``time``) when it has one.

    The time frame is case text: ``literal`` turns it into whatever keeps it literal text in
    the output (the book passes its MyST quoting; HTML callers escape the whole sentence).
    """
    horizon = case.target_behaviour.time(lang).strip()
    if horizon:
        return t("estimate.note", lang, time=literal(horizon))
    return t("estimate.note_no_time", lang)


def format_prediction(case: Case, prediction: Prediction, lang: str) -> str:
    """A readable summary of one prediction for a case."""
    low, high = prediction.behaviour_interval
    width = max(len(determinant_name(k, lang)) for k in DETERMINANTS)
    lines = [
        t("cli.predict.case", lang, title=case.title(lang)),
        t("cli.predict.domain", lang, domain=t(f"domain.{prediction.domain}", lang)),
        f"{t('output.target_behaviour', lang)}: {case.target_behaviour.sentence(lang)}",
        "",
        t("output.scores", lang) + ":",
        *(
            f"  {determinant_name(k, lang):<{width}}  {fmt_number(prediction.scores[k], lang, None)}"
            for k in DETERMINANTS
        ),
        "",
        f"{t('output.intention', lang)}: {prediction.intention:.0f} / 100",
        f"{t('output.ability', lang)}: {prediction.ability:.0f} / 100",
        f"{t('output.behaviour', lang)}: {percent(prediction.behaviour_probability)} "
        f"({t('output.interval', lang)} {percent(low)}–{percent(high)})",
        bottleneck_sentence(prediction, lang),
        "",
        t("output.levers", lang) + ":",
        *(
            f"  {i}. {determinant_name(lever.key, lang):<{width}}  "
            + lever_gain(lever.key, lever.gain, lang)
            for i, lever in enumerate(prediction.levers, start=1)
        ),
        "",
        t("notice.illustrative", lang),
    ]
    return "\n".join(lines)


def format_comparison(comparison: Comparison, lang: str) -> str:
    """Before and after an intervention, one line per output."""
    b, a = comparison.before, comparison.after
    rows = [
        (t("output.intention", lang), f"{b.intention:.0f}", f"{a.intention:.0f}"),
        (t("output.ability", lang), f"{b.ability:.0f}", f"{a.ability:.0f}"),
        (
            t("output.behaviour", lang),
            percent(b.behaviour_probability),
            percent(a.behaviour_probability),
        ),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {before:>5} → {after:>5}" for name, before, after in rows)


def fmt_percent(probability: float, lang: str, decimals: int = 1) -> str:
    """A probability (0–1) as a percentage, e.g. ``23,4%`` (nl) or ``23.4%`` (en)."""
    return fmt_number(100.0 * probability, lang, decimals) + "%"


def fmt_points(probability_points: float, lang: str, decimals: int = 1) -> str:
    """A change in probability (0–1 scale) as signed percentage points, e.g. ``+3,2``."""
    value = 100.0 * probability_points
    sign = "+" if value >= 0.05 else ("−" if value <= -0.05 else "±")
    return sign + fmt_number(abs(value), lang, decimals)


def plan_effects(interventions: Iterable[Intervention]) -> dict[str, float]:
    """A plan's effects: each determinant's total raise over the chosen interventions (what
    :meth:`igm.model.Model.compare` takes)."""
    total: dict[str, float] = {}
    for item in interventions:
        for key, points in item.effects.items():
            total[key] = total.get(key, 0.0) + float(points)
    return total


def plan_text(case: Case, chosen: Iterable[Intervention], comparison: Comparison, lang: str) -> str:
    """The practice plan for a fictional case as plain text: what the planner shows, copies,
    prints and downloads.

    It says what it is (practice with a fictional case, no decision about a real person, never
    a real plan van aanpak) and labels every effect as the case author's estimate. Case text
    stays as written: this is plain text; whoever puts it in HTML escapes it.
    """
    chosen = list(chosen)
    lines = [
        t("export.header", lang, name=case.name),
        t("export.practice_only", lang),
        t("export.target", lang, target=case.target_behaviour.sentence(lang)),
        t("export.interventions", lang),
    ]
    if chosen:
        lines += [
            t(
                "export.item",
                lang,
                label=item.label(lang),
                effort=item.effort,
                effects=estimated_effects(item.effects, lang),
            )
            for item in chosen
        ]
        lines.append(estimate_note(case, lang))
    else:
        lines.append(t("export.none", lang))
    lines.append(
        t(
            "export.expected",
            lang,
            before=fmt_percent(comparison.before.behaviour_probability, lang),
            after=fmt_percent(comparison.after.behaviour_probability, lang),
            points=fmt_points(comparison.behaviour_gain, lang),
        )
    )
    lines.append(t("export.after_plan", lang, sentence=bottleneck_sentence(comparison.after, lang)))
    lines.append(t("notice.illustrative", lang))
    return "\n".join(lines)


def plan_file_name(case: Case, lang: str) -> str:
    """The downloaded plan's file name, e.g. ``oefenplan-marja-bijstand.txt`` (case ids are
    lower-case letters, digits and hyphens)."""
    return f"{t('export.file_stem', lang)}-{case.id}.txt"


# ---- practice conversations (igm.conversations) -------------------------------------------


def signed_points(value: float, lang: str) -> str:
    """A change in scale points with its sign, e.g. ``"+0,5"`` or ``"−1"``."""
    text = fmt_number(abs(value), lang, None)
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


def changes_text(changes: Mapping[str, float], lang: str) -> str:
    """What a response changed, e.g. ``"attitude +1, self-efficacy −0,5"``; says so when it
    changed nothing."""
    moved = [(key, delta) for key, delta in changes.items() if delta]
    if not moved:
        return t("conversation.no_change", lang)
    words = ", ".join(
        f"{in_sentence(determinant_name(k, lang))} {signed_points(d, lang)}" for k, d in moved
    )
    return words[:1].upper() + words[1:]


def mi_profile_lines(profile: MIProfile, lang: str) -> list[str]:
    """The MI profile as sentences: reflections per question, complex reflections, open
    questions and MI-(in)consistent responses, each with MITI 4.2.1's threshold where it has one."""
    ratio = profile.rq_ratio
    lines = [
        t(
            "conversation.profile.rq",
            lang,
            reflections=profile.reflections,
            questions=profile.questions,
            ratio="–" if ratio is None else fmt_number(ratio, lang, 1),
            level=t(f"conversation.level.{profile.rq_level()}", lang),
        )
    ]
    complex_level = profile.complex_level()
    if complex_level is not None and profile.complex_share is not None:
        lines.append(
            t(
                "conversation.profile.complex",
                lang,
                complex=profile.complex_reflections,
                reflections=profile.reflections,
                share=fmt_percent(profile.complex_share, lang, 0),
                level=t(f"conversation.level.{complex_level}", lang),
            )
        )
    if profile.open_share is not None:
        lines.append(
            t(
                "conversation.profile.open",
                lang,
                open=profile.open_questions,
                questions=profile.questions,
            )
        )
    lines.append(
        t(
            "conversation.profile.adherence",
            lang,
            adherent=profile.adherent,
            non_adherent=profile.non_adherent,
        )
    )
    return lines


def format_playthrough(playthrough: Playthrough, model: Model, lang: str, speaker: str = "") -> str:
    """A conversation as played so far, for a terminal: each client turn, the response chosen
    with its MI code, what it changed and the behaviour after it; then the choices on offer, or
    the ending with the MI profile and what to try next time. ``speaker`` names the client
    (:meth:`igm.conversations.Conversation.speaker_name` of the case's name)."""
    conversation = playthrough.conversation
    speaker = speaker or conversation.speaker or t("conversation.client", lang)

    def numbers(prediction: Prediction) -> str:
        return t(
            "conversation.numbers",
            lang,
            intention=f"{prediction.intention:.0f}",
            ability=f"{prediction.ability:.0f}",
            behaviour=percent(prediction.behaviour_probability),
        )

    lines = [
        conversation.title(lang),
        conversation.role(lang),
        "",
        f"{t('conversation.start', lang)}: {numbers(model.predict(playthrough.start_scores))}",
    ]
    for i, step in enumerate(playthrough.steps, start=1):
        response = step.response
        lines += [
            "",
            f"{i}. {speaker}: {conversation.turn(step.turn_id).client(lang)}",
            f"   {t('conversation.you', lang)} ({t(f'conversation.mi.{response.mi}', lang)}): "
            f"{response.text(lang)}",
            f"   {changes_text(step.applied, lang)} ({t('conversation.estimate', lang)})"
            f" · {numbers(model.predict(step.scores_after))}",
            f"   {response.explanation(lang)}",
        ]
    turn = playthrough.turn
    lines += ["", f"{speaker}: {turn.client(lang)}"]
    if turn.is_ending and turn.outcome is not None:
        profile = mi_profile(playthrough.mi_codes)
        lines += [
            "",
            f"{t(f'conversation.ending.{turn.ending}', lang).capitalize()}: {turn.outcome(lang)}",
            "",
            t("conversation.profile.title", lang) + ":",
            *(f"  {line}" for line in mi_profile_lines(profile, lang)),
            "",
            t("conversation.next_time", lang) + ":",
            *(f"  - {t(f'conversation.advice.{key}', lang)}" for key in profile.advice()),
        ]
    else:
        lines += [t("conversation.choose", lang) + ":"]
        lines += [f"  {r.id}: {r.text(lang)}" for r in turn.responses]
    lines += ["", t("notice.illustrative", lang)]
    return "\n".join(lines)
