/* The igm-kit book's interactive model: embeds a Vega-Lite spec (generated from the engine's
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
