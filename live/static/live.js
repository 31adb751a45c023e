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
    var revealed = main.dataset.revealed === "true";
    var storeKey = "igm-live:" + code, token = null;
    try { token = window.localStorage.getItem(storeKey); } catch (e) { token = null; }
    var status = document.getElementById("live-status");
    var joinForm = document.getElementById("join");
    var reveal = document.getElementById("reveal");
    var forms = Array.prototype.slice.call(document.querySelectorAll("form.round"));

    function remember(value) {
      token = value;
      try {
        if (value) window.localStorage.setItem(storeKey, value);
        else window.localStorage.removeItem(storeKey);
      } catch (e) { /* private mode: the token lives as long as the page */ }
    }
    function say(text) { status.textContent = text; }
    /* One thing at a time, always in the same place: the form of the round the trainer opened
       (a new round replaces the last one), or the reveal once the trainer shows it. */
    function show() {
      var open = state === "open";
      joinForm.hidden = !!token || !open;
      reveal.hidden = !revealed;
      forms.forEach(function (f) {
        f.hidden = !token || revealed || Number(f.dataset.round) !== round;
        Array.prototype.forEach.call(f.elements, function (el) { el.disabled = !open; });
      });
      if (!open) say(msgs["live.closed"]);
      else if (status.textContent === msgs["live.closed"]) say("");
    }
    /* Move the focus to a heading that just appeared: it scrolls into view and a screen reader
       reads it; the status line (aria-live) says what changed. */
    function focusHeading(id) {
      var h = document.getElementById(id);
      if (!h || h.closest("[hidden]")) return;
      (status.textContent ? status : h).scrollIntoView({ block: "start" });
      h.focus({ preventScroll: true });
    }
    function currentForm() {
      return document.querySelector('form.round[data-round="' + round + '"]');
    }
    function markAnswered(form) {
      var msg = form.querySelector(".msg");
      if (!msg.textContent) msg.textContent = msgs["live.answered"];
    }
    function fill(answers) {
      var s = answers.scores || {};
      Object.keys(s).forEach(function (key) {
        var el = document.querySelector('#round1 input[name="' + key + '"][value="' + Number(s[key]) + '"]');
        if (el) el.checked = true;
      });
      if (answers.scores) markAnswered(document.getElementById("round1"));
      if (answers.prediction) {
        document.getElementById("percent").value = answers.prediction.percent;
        markAnswered(document.getElementById("round2"));
      }
      if (answers.vote) {
        var v = document.querySelector('#round3 input[value="' + answers.vote.key + '"]');
        if (v) v.checked = true;
        markAnswered(document.getElementById("round3"));
      }
    }
    function cell(row, text, tag) {
      var c = document.createElement(tag || "td");
      c.textContent = text;
      row.appendChild(c);
    }
    /* The reveal's texts come as JSON and go in with textContent: never markup. */
    function fillReveal(data) {
      document.getElementById("rv-reference").textContent = data.reference;
      document.getElementById("rv-knelpunt").textContent = data.reference_knelpunt;
      var rows = document.getElementById("rv-rows");
      rows.textContent = "";
      data.rows.forEach(function (r) {
        var tr = document.createElement("tr");
        cell(tr, r.name, "th");
        tr.firstChild.setAttribute("scope", "row");
        cell(tr, r.room);
        cell(tr, r.reference);
        rows.appendChild(tr);
      });
      var list = document.getElementById("rv-room");
      list.textContent = "";
      data.room.forEach(function (line) {
        var li = document.createElement("li");
        li.textContent = line;
        list.appendChild(li);
      });
    }
    function loadReveal(announce) {
      return fetch(api + "reveal?code=" + encodeURIComponent(code) + "&lang=" + lang, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body || !body.revealed) return;
          fillReveal(body.reveal);
          revealed = true;
          show();
          if (announce && state === "open") say(msgs["live.reveal.shown"]);
          if (announce) focusHeading("rv-h");
        }, function () { /* try again at the next poll */ });
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
        msg.textContent = "";
        remember(res.body.token);
        round = res.body.session.round;
        state = res.body.session.status;
        say(msgs["live.join.joined"]);
        show();
        /* The same device may have answered before (it is the same participant). */
        send(api + "me", { code: code, token: token }).then(function (me) {
          if (me.ok) fill(me.body.answers);
        }, function () { /* the answers show at the next visit */ });
        var form = currentForm();
        if (form && !form.hidden) focusHeading(form.getAttribute("aria-labelledby"));
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
            if (Number(form.dataset.round) === round && round < 3) say(msgs["live.wait"]);
          }, function () { msg.textContent = msgs["live.network_error"]; });
      });
    });
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
    function poll() {
      fetch(api + "state?code=" + encodeURIComponent(code), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) return;
          var newRound = s.round !== round, stateChanged = s.status !== state;
          var revealNow = s.revealed && !revealed, hideNow = !s.revealed && revealed;
          round = s.round; state = s.status;
          if (hideNow) revealed = false;
          if (newRound || stateChanged || hideNow) show();
          if (revealNow) return loadReveal(true);
          if ((newRound || hideNow) && token && state === "open") {
            say(msgs["live.round_open"].replace("{n}", String(round)));
            focusHeading("r" + round + "-h");
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
    if (revealed) { revealed = false; loadReveal(false); }
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
