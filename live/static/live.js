/* igm-kit live sessions: participant page and trainer screen. No libraries, no network but
   this server. All text from the server is inserted as text, except the trainer's room
   fragment, which the server renders from a template that escapes every value. */
(function () {
  "use strict";
  var main = document.querySelector("main[data-code]");
  if (!main) return;
  var msgs = JSON.parse(document.getElementById("live-msgs").textContent);
  var lang = document.documentElement.lang || "nl";

  /* Tornado's XSRF token: the server set the _xsrf cookie with this page; every POST sends it
     back in a header, which another site's page cannot do. */
  function xsrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function send(url, data) {
    return fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "lang=" + lang, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-XSRFToken": xsrfToken() },
      body: JSON.stringify(data)
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    });
  }

  if (document.body.classList.contains("trainer")) trainer(); else participant();

  function participant() {
    var code = main.dataset.code, api = main.dataset.api;
    var round = Number(main.dataset.round), state = main.dataset.status;
    var storeKey = "igm-live:" + code, token = null;
    try { token = window.localStorage.getItem(storeKey); } catch (e) { token = null; }
    var status = document.getElementById("live-status");
    var joinForm = document.getElementById("join");
    var forms = Array.prototype.slice.call(document.querySelectorAll("form.round"));

    function remember(value) {
      token = value;
      try {
        if (value) window.localStorage.setItem(storeKey, value);
        else window.localStorage.removeItem(storeKey);
      } catch (e) { /* private mode: the token lives as long as the page */ }
    }
    function show() {
      var open = state === "open";
      joinForm.hidden = !!token || !open;
      forms.forEach(function (f) {
        f.hidden = !token || Number(f.dataset.round) > round;
        Array.prototype.forEach.call(f.elements, function (el) { el.disabled = !open; });
      });
      if (!open) status.textContent = msgs["live.closed"];
      else if (status.textContent === msgs["live.closed"]) status.textContent = "";
    }
    function fill(answers) {
      var s = answers.scores || {};
      Object.keys(s).forEach(function (key) {
        var el = document.querySelector('#round1 input[name="' + key + '"][value="' + Number(s[key]) + '"]');
        if (el) el.checked = true;
      });
      if (answers.prediction) document.getElementById("percent").value = answers.prediction.percent;
      if (answers.vote) {
        var v = document.querySelector('#round3 input[value="' + answers.vote.key + '"]');
        if (v) v.checked = true;
      }
    }
    function value(form) {
      var kind = form.dataset.kind;
      if (kind === "scores") {
        var out = {};
        Array.prototype.forEach.call(form.querySelectorAll("input:checked"), function (el) {
          out[el.name] = Number(el.value);
        });
        return out;
      }
      if (kind === "prediction") return Number(form.elements.percent.value);
      var checked = form.querySelector("input:checked");
      return checked ? checked.value : null;
    }
    function handleError(res, msg) {
      msg.textContent = res.body.message || msgs["live.network_error"];
      if (res.body.error === "live.error.unknown_participant") { remember(null); show(); }
      if (res.body.error === "live.error.closed") { state = "closed"; show(); }
    }
    joinForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var msg = joinForm.querySelector(".msg");
      send(api + "join", { code: code, nickname: joinForm.elements.nickname.value }).then(function (res) {
        if (!res.ok) return handleError(res, msg);
        remember(res.body.token);
        round = res.body.session.round;
        state = res.body.session.status;
        status.textContent = msgs["live.join.joined"];
        show();
        var first = document.querySelector("form.round:not([hidden]) input");
        if (first) first.focus();
      }, function () { msg.textContent = msgs["live.network_error"]; });
    });
    forms.forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var msg = form.querySelector(".msg");
        msg.textContent = "";
        send(api + "answer", { code: code, token: token, kind: form.dataset.kind, value: value(form) })
          .then(function (res) {
            if (!res.ok) return handleError(res, msg);
            msg.textContent = res.body.message;
            if (Number(form.dataset.round) === round && round < 3) status.textContent = msgs["live.wait"];
          }, function () { msg.textContent = msgs["live.network_error"]; });
      });
    });
    function poll() {
      fetch(api + "state?code=" + encodeURIComponent(code), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (s && (s.round !== round || s.status !== state)) {
            if (s.round > round && status.textContent === msgs["live.wait"]) status.textContent = "";
            round = s.round; state = s.status; show();
          }
        }, function () { /* try again at the next poll */ })
        .then(function () { window.setTimeout(poll, 3000); });
    }
    if (token) {
      send(api + "me", { code: code, token: token }).then(function (res) {
        if (res.ok) {
          fill(res.body.answers);
          round = res.body.session.round; state = res.body.session.status;
        } else if (res.body.error === "live.error.unknown_participant") remember(null);
        show();
      }, show);
    }
    show();
    window.setTimeout(poll, 3000);
  }

  function trainer() {
    var feed = main.dataset.feed, version = Number(main.dataset.version);
    var room = document.getElementById("room");
    var people = document.getElementById("participants");
    var reloading = false;
    function reload() {  /* once: the control's answer and the feed may both ask for it */
      if (!reloading) { reloading = true; window.location.reload(); }
    }
    function loop() {
      fetch(feed + "?since=" + version, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (data) {
          if (data.version !== version) {
            version = data.version;
            room.innerHTML = data.html;
            people.textContent = msgs["live.trainer.participants"].replace("{n}", data.summary.participants);
            var s = data.summary.session;
            if (String(s.round) !== main.dataset.round || s.status !== main.dataset.status ||
                String(s.revealed) !== main.dataset.revealed) reload();
          }
          if (!reloading) window.setTimeout(loop, 50);
        }, function () { window.setTimeout(loop, 2000); });
    }
    Array.prototype.forEach.call(document.querySelectorAll("button[data-control]"), function (b) {
      b.addEventListener("click", function () {
        var body = {}, v = b.dataset.value, key = b.dataset.control;
        body[key] = key === "round" ? Number(v) : key === "revealed" ? v === "true" : v;
        send(main.dataset.controlUrl, body).then(function (res) {
          if (res.ok) reload();
        });
      });
    });
    loop();
  }
})();
