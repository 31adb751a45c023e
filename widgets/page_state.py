"""What the explorer and the planner keep for the learner: the page's address and the plan.

:func:`address_widget` keeps an app's state (case, language, slider settings, chosen steps; the
query string :mod:`igm.url_state` writes) in the browser's address bar, so a reload or a
shared link shows the same thing. Voila gives the kernel the page's query string (the
``QUERY_STRING`` environment variable, :func:`page_query`); writing it back needs the browser,
so this is a tiny anywidget whose script calls ``history.replaceState`` (no reload, no new
history entry).

:func:`plan_actions` is the planner's copy, print and download buttons for the plan text
(:func:`igm.report.plan_text`). All three work in the browser, without a round trip to the
kernel; the text is set as text (``textContent``, a ``text/plain`` file), never as markup. Its
print stylesheet prints only the plan, black on white: no sliders, buttons or charts.
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as w

from igm.i18n import t

__all__ = ["PLAN_LABEL_KEYS", "address_widget", "page_query", "plan_actions"]

#: Catalogue keys (``planner.plan.<key>``) of the plan buttons' texts.
PLAN_LABEL_KEYS: tuple[str, ...] = (
    "actions",
    "copy",
    "print",
    "download",
    "copied",
    "copy_failed",
    "downloaded",
)


def page_query() -> str:
    """The page request's query string as Voila gives it to the kernel (``""`` outside Voila,
    or before a preheated kernel got its page: see :func:`widgets.ui.wait_for_request`)."""
    return os.environ.get("QUERY_STRING", "")


_ADDRESS_ESM = """\
// igm-kit: the app's state in the address bar (reload and shared links keep it).
function apply(model) {
  const search = model.get("query");
  if (location.search === search) return;
  const url = new URL(location.href);
  url.search = search;
  history.replaceState(history.state, "", url.href);
}

export default {
  render({ model, el }) {
    el.hidden = true;
    apply(model);
    model.on("change:query", () => apply(model));
  },
};
"""

_PLAN_ESM = """\
// igm-kit: copy, print and download the practice plan; the plan is text, never markup.
function button(label) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "jupyter-widgets jupyter-button widget-button igm-plan-button";
  element.textContent = label;
  return element;
}

async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (error) {
    console.warn("igm-kit: clipboard API refused, trying the selection", error);
  }
  // Plain http (a room's Wi-Fi address) has no clipboard API: copy a selection instead.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  let done = false;
  try {
    done = document.execCommand("copy");
  } catch (error) {
    done = false;
  }
  area.remove();
  return done;
}

export default {
  render({ model, el }) {
    const labels = () => model.get("labels");
    const bar = document.createElement("div");
    bar.className = "igm-plan-buttons";
    bar.setAttribute("role", "group");
    const copy = button("");
    copy.classList.add("igm-plan-copy");
    const print = button("");
    print.classList.add("igm-plan-print-button");
    const download = button("");
    download.classList.add("igm-plan-download");
    bar.append(copy, print, download);
    const status = document.createElement("p");
    status.className = "igm-plan-status";
    status.setAttribute("role", "status");
    const sheet = document.createElement("pre");
    sheet.className = "igm-plan-print";
    el.classList.add("igm-plan-actions");
    el.append(bar, status, sheet);

    const show = () => {
      bar.setAttribute("aria-label", labels().actions);
      copy.textContent = labels().copy;
      print.textContent = labels().print;
      download.textContent = labels().download;
      sheet.textContent = model.get("text");
      status.textContent = "";
    };
    show();
    model.on("change:text", show);
    model.on("change:labels", show);

    copy.addEventListener("click", async () => {
      const done = await copyText(model.get("text"));
      status.textContent = done ? labels().copied : labels().copy_failed;
    });
    print.addEventListener("click", () => window.print());
    download.addEventListener("click", () => {
      const file = new Blob([model.get("text") + "\\n"], { type: "text/plain;charset=utf-8" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(file);
      link.download = model.get("filename");
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      status.textContent = labels().downloaded;
    });
  },
};
"""

_PLAN_CSS = """\
.igm-plan-buttons { display: flex; flex-wrap: wrap; gap: 0.5em; margin: 0.6em 0 0.2em; }
.igm-plan-button { min-height: 44px; padding: 0 1em; width: auto; }
.igm-plan-status { min-height: 1.4em; margin: 0.2em 0; }
.igm-plan-print { display: none; }
@media print {
  @page { margin: 2cm; }
  /* Only the plan: every element that neither holds it nor is it goes. */
  body *:not(:has(.igm-plan-print)):not(.igm-plan-print) { display: none !important; }
  body, body :has(.igm-plan-print) {
    overflow: visible !important; height: auto !important; max-height: none !important;
    margin: 0 !important; padding: 0 !important; border: 0 !important;
    position: static !important; background: #fff !important; box-shadow: none !important;
  }
  .igm-plan-print {
    display: block !important; white-space: pre-wrap; word-break: normal !important; overflow-wrap: break-word;
    font: 12pt/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    color: #000 !important; background: #fff !important; margin: 0; border: 0;
  }
}
"""

_CLASSES: dict[str, Any] = {}


def _widget_class(name: str, esm: str, css: str, traits: dict[str, Any]) -> Any:
    """An anywidget class, made on first use (anywidget is imported only by an app that shows
    one). ``_esm`` is set after the class statement: anywidget reads a str as a file name
    when it names one."""
    if name not in _CLASSES:
        import anywidget

        cls: Any = type(name, (anywidget.AnyWidget,), dict(traits))
        cls._esm = esm
        cls._css = css
        cls.__module__ = __name__
        _CLASSES[name] = cls
    return _CLASSES[name]


def address_widget() -> Any:
    """A widget that keeps its ``query`` trait (``"?lang=nl&case=…"`` or ``""``) in the
    browser's address bar. Not shown; put it among an app's children."""
    import traitlets

    cls = _widget_class(
        "AddressBar", _ADDRESS_ESM, "", {"query": traitlets.Unicode("").tag(sync=True)}
    )
    widget = cls(layout=w.Layout(display="none"))
    widget.add_class("igm-address")
    return widget


def plan_labels(lang: str) -> dict[str, str]:
    """The plan buttons' texts in ``lang``."""
    return {key: t(f"planner.plan.{key}", lang) for key in PLAN_LABEL_KEYS}


def plan_actions(text: str, filename: str, lang: str) -> Any:
    """Copy, print and download buttons for ``text`` (the plan), saved as ``filename``; set
    ``.text`` and ``.filename`` when the plan changes."""
    import traitlets

    cls = _widget_class(
        "PlanActions",
        _PLAN_ESM,
        _PLAN_CSS,
        {
            "text": traitlets.Unicode("").tag(sync=True),
            "filename": traitlets.Unicode("").tag(sync=True),
            "labels": traitlets.Dict().tag(sync=True),
        },
    )
    return cls(text=text, filename=filename, labels=plan_labels(lang))
