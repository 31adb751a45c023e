/* igm-kit live sessions: participant page and trainer screen. No libraries, no network but
   this server; the shared helpers are live-common.js's (window.igmLive, loaded first). All
   text from the server is inserted as text, except the trainer's room fragment, which the
   server renders from a template that escapes every value. */
(function () {
  "use strict";
  var main = document.querySelector("main[data-code]");
  if (!main) return;
  var msgs = JSON.parse(document.getElementById("live-msgs").textContent);
  var live = window.igmLive, lang = live.lang, send = live.send;

  if (document.body.classList.contains("trainer")) trainer(); else participant();

  function participant() {
    var code = main.dataset.code, api = main.dataset.api;
    var round = Number(main.dataset.round), state = main.dataset.status;
    var revealed = main.dataset.revealed === "true";
    var token = live.storedToken(code);
    var status = document.getElementById("live-status");
    var joinForm = document.getElementById("join");
    var reveal = document.getElementById("reveal");
    var forms = Array.prototype.slice.call(document.querySelectorAll("form.round"));

    function remember(value) {
      token = value;
      live.storeToken(code, value);
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
    function focusHeading(id) { live.focusHeading(status, id); }
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
      return live.getJson(api + "reveal?code=" + encodeURIComponent(code) + "&lang=" + lang)
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
    function follow(s) {
      var newRound = s.round !== round, stateChanged = s.status !== state;
      var revealNow = s.revealed && !revealed, hideNow = !s.revealed && revealed;
      round = s.round; state = s.status;
      if (hideNow) revealed = false;
      if (newRound || stateChanged || hideNow) show();
      if (revealNow) return loadReveal(true);
      if ((newRound || hideNow) && token && state === "open") {
        say(live.fill(msgs["live.round_open"], { n: round }));
        focusHeading("r" + round + "-h");
      }
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
    live.pollState(api, code, follow);
  }

  function trainer() {
    var feed = main.dataset.feed, version = Number(main.dataset.version);
    var room = document.getElementById("room");
    var people = document.getElementById("participants");
    var reloading = false;
    function reload() {  /* once: the control's answer and the feed may both ask for it */
      if (!reloading) { reloading = true; window.location.reload(); }
    }
    function update(data) {
      room.innerHTML = data.html;
      people.textContent = live.fill(msgs["live.trainer.participants"], { n: data.summary.participants });
      var s = data.summary.session;
      if (String(s.round) !== main.dataset.round || s.status !== main.dataset.status ||
          String(s.revealed) !== main.dataset.revealed) reload();
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
    live.followFeed(feed, version, update, function () { return reloading; });
  }
})();
