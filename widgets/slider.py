"""An accessible 1–7 score slider: a native ``<input type="range">`` with a visible label.

ipywidgets' ``IntSlider`` draws a ``div role="slider"`` without an accessible name (axe-core:
aria-input-field-name, serious). This anywidget uses the browser's own range input, labelled by
a ``<label for>``, with the value as text beside it, a mark at the case's original score and a
note (e.g. "casus: 3 · nu +1") that screen readers get as the input's description.
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["ScoreSlider"]

_ESM = r"""
let counter = 0;
const THUMB_PX = 24; // the thumb's width in _CSS: the mark sits under its centre
function render({ model, el }) {
  const id = "igm-score-" + (++counter) + "-" + Math.random().toString(36).slice(2, 8);
  el.classList.add("igm-score");
  const label = document.createElement("label");
  label.htmlFor = id;
  label.className = "igm-score-label";
  const track = document.createElement("span");
  track.className = "igm-score-track";
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  input.step = "1";
  input.setAttribute("aria-describedby", id + "-note");
  const mark = document.createElement("span");
  mark.className = "igm-score-mark";
  mark.setAttribute("aria-hidden", "true");
  track.append(input, mark);
  const out = document.createElement("output");
  out.htmlFor = id;
  out.className = "igm-score-value";
  const note = document.createElement("span");
  note.id = id + "-note";
  note.className = "igm-orig-note";
  el.append(label, track, out, note);

  function draw() {
    const min = model.get("min"), max = model.get("max");
    input.min = String(min);
    input.max = String(max);
    input.value = String(model.get("value"));
    out.textContent = String(model.get("value"));
    label.textContent = model.get("label");
    label.title = model.get("help");
    input.title = model.get("help");
    note.textContent = model.get("note");
    note.classList.toggle("igm-changed", model.get("value") !== model.get("original"));
    const share = (model.get("original") - min) / Math.max(1, max - min);
    mark.style.left = "calc(" + (share * 100) + "% - " + (share * THUMB_PX) + "px + " + (THUMB_PX / 2) + "px)";
  }
  function send() {
    const v = parseInt(input.value, 10);
    if (v !== model.get("value")) {
      out.textContent = String(v);
      model.set("value", v);
      model.save_changes();
    }
  }
  input.addEventListener("change", send);
  input.addEventListener("input", () => { out.textContent = input.value; });
  model.on("change", draw);
  draw();
}
export default { render };
"""

_CSS = r"""
.igm-score { display: flex; align-items: center; gap: 0.8em; margin: 0.25em 0;
  flex-wrap: wrap; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.igm-score-label { flex: 0 1 15em; color: #1f1f1f; line-height: 1.25; }
.igm-score-track { position: relative; display: inline-block; width: 12em; max-width: 100%;
  height: 44px; }
.igm-score input[type="range"] { -webkit-appearance: none; appearance: none; width: 100%;
  height: 44px; margin: 0; background: transparent; cursor: pointer; }
.igm-score input[type="range"]::-webkit-slider-runnable-track { height: 6px;
  background: #8c8c8c; border-radius: 3px; }
.igm-score input[type="range"]::-moz-range-track { height: 6px; background: #8c8c8c;
  border-radius: 3px; }
.igm-score input[type="range"]::-webkit-slider-thumb { -webkit-appearance: none;
  width: 24px; height: 24px; margin-top: -9px; border-radius: 50%; background: #0072B2;
  border: 2px solid #ffffff; box-shadow: 0 0 0 1px #1f1f1f; }
.igm-score input[type="range"]::-moz-range-thumb { width: 24px; height: 24px;
  border-radius: 50%; background: #0072B2; border: 2px solid #ffffff; }
.igm-score input[type="range"]:focus-visible { outline: 3px solid #E69F00;
  outline-offset: 2px; }
.igm-score-mark { position: absolute; top: 11px; width: 3px; height: 22px; margin-left: -1.5px;
  background: #1f1f1f; pointer-events: none; }
.igm-score-value { min-width: 1.2em; font-weight: 700; color: #1f1f1f; }
.igm-orig-note { color: #3d3d3d; font-size: 0.9em; }
.igm-orig-note.igm-changed { color: #1f1f1f; font-weight: 700; }
"""


class ScoreSlider(anywidget.AnyWidget):
    """A labelled 1–7 slider with the case's original score marked."""

    _esm = _ESM
    _css = _CSS
    value = traitlets.Int(4).tag(sync=True)
    min = traitlets.Int(1).tag(sync=True)
    max = traitlets.Int(7).tag(sync=True)
    original = traitlets.Int(4).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    help = traitlets.Unicode("").tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
