/* The igm-kit book's scripts. First the interactive model: embeds a Vega-Lite spec (generated from the engine's
 * weights by book/build.py) with vegaEmbed, and keeps the text readout in step with the
 * sliders. No arithmetic here: the numbers come from the spec's own calculated fields. */
(function () {
  "use strict";

  /* The first dataset of the compiled Vega spec whose rows carry the calculated outputs. */
  function outputs(view, vgSpec) {
    var names = (vgSpec.data || []).map(function (d) { return d.name; });
    for (var i = 0; i < names.length; i++) {
      var rows;
      try { rows = view.data(names[i]); } catch (e) { continue; }
      if (rows && rows.length && rows[0].behaviour !== undefined) return rows[0];
    }
    return null;
  }

  function update(root, view, vgSpec) {
    var row = outputs(view, vgSpec);
    if (!row) return;
    var set = function (cls, text, value) {
      var el = root.querySelector(cls);
      if (el) { el.textContent = text; el.setAttribute("data-value", String(value)); }
    };
    set(".igm-book-intention", Math.round(row.intention).toString(), row.intention);
    set(".igm-book-ability", Math.round(row.ability).toString(), row.ability);
    set(".igm-book-behaviour", Math.round(row.behaviour).toString() + "%", row.behaviour);
    root.setAttribute("data-ready", "true");
  }

  window.igmBookModel = function (id) {
    var root = document.getElementById(id);
    if (!root || !window.vegaEmbed) return;
    var spec = JSON.parse(root.querySelector(".igm-book-spec").textContent);
    var target = root.querySelector(".igm-book-chart");
    window.vegaEmbed(target, spec, { actions: false, renderer: "svg" }).then(function (result) {
      var view = result.view;
      (spec.params || []).forEach(function (p) {
        view.addSignalListener(p.name, function () {
          view.runAfter(function () { update(root, view, result.vgSpec); });
        });
      });
      update(root, view, result.vgSpec);
    }).catch(function (err) {
      root.setAttribute("data-error", String(err));
    });
  };
})();

/* The book's formative checks ({igm-check}, book/templates/checks.html): the reader picks an
 * option and presses the button; the feedback (the option's own explanation, read from the
 * page) appears at once in the question's live region. Nothing is stored or sent. Without
 * this script the button stays hidden and each question's <details> explains the answer. */
(function () {
  "use strict";

  function say(box, state, verdict, text) {
    var out = box.querySelector(".igm-check-feedback");
    out.textContent = "";
    out.setAttribute("data-state", state);
    box.setAttribute("data-state", state);
    if (verdict) {
      var strong = document.createElement("strong");
      strong.textContent = verdict;
      out.appendChild(strong);
      out.appendChild(document.createTextNode(" "));
    }
    out.appendChild(document.createTextNode(text));
  }

  function setUp(group, box) {
    var button = box.querySelector(".igm-check-button");
    var answer = box.querySelector(".igm-check-answer");
    if (!button) return;
    button.hidden = false;
    if (answer) answer.hidden = true; // shown again once the reader has checked an answer
    button.addEventListener("click", function () {
      var chosen = box.querySelector("input[type=radio]:checked");
      if (!chosen) {
        say(box, "empty", "", group.getAttribute("data-choose-first") || "");
        return;
      }
      var item = box.querySelector('.igm-check-explained[data-option="' + chosen.value + '"]');
      var right = item && item.getAttribute("data-correct") === "true";
      var why = item ? item.querySelector(".igm-check-explanation").textContent : "";
      say(box, right ? "right" : "wrong", group.getAttribute(right ? "data-right" : "data-wrong"), why);
      if (answer) answer.hidden = false;
    });
    box.addEventListener("change", function () {
      // A new choice makes the old feedback stale: clear it until the next check.
      var out = box.querySelector(".igm-check-feedback");
      out.textContent = "";
      out.removeAttribute("data-state");
      box.removeAttribute("data-state");
    });
  }

  function init() {
    var groups = document.querySelectorAll(".igm-checks");
    for (var i = 0; i < groups.length; i++) {
      var boxes = groups[i].querySelectorAll(".igm-check");
      for (var j = 0; j < boxes.length; j++) setUp(groups[i], boxes[j]);
      groups[i].setAttribute("data-ready", "true");
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
