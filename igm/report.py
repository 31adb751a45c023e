"""Plain-text reports of the model's output, in Dutch or English (used by the command line)."""

from __future__ import annotations

from igm.cases import Case
from igm.determinants import DETERMINANTS
from igm.i18n import t
from igm.model import Comparison, Prediction

__all__ = ["determinant_name", "format_comparison", "format_prediction", "percent"]


def percent(probability: float) -> str:
    """A probability (0–1) as a whole percentage, e.g. ``"23%"``."""
    return f"{100 * probability:.0f}%"


def determinant_name(key: str, lang: str) -> str:
    return t(f"determinant.{key}.name", lang)


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
            f"  {determinant_name(k, lang):<{width}}  {prediction.scores[k]:g}"
            for k in DETERMINANTS
        ),
        "",
        f"{t('output.intention', lang)}: {prediction.intention:.0f} / 100",
        f"{t('output.ability', lang)}: {prediction.ability:.0f} / 100",
        f"{t('output.behaviour', lang)}: {percent(prediction.behaviour_probability)} "
        f"({t('output.interval', lang)} {percent(low)}–{percent(high)})",
        f"{t('output.bottleneck', lang)}: {determinant_name(prediction.bottleneck, lang)}",
        "",
        t("output.levers", lang) + ":",
        *(
            f"  {i}. {determinant_name(lever.key, lang):<{width}}  "
            + t("output.lever_gain", lang, gain=f"{100 * lever.gain:.1f}")
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
