/* igm-kit live sessions: a conversation the room plays together (issue 18). The phone votes
   for a response at each turn and follows the room; the projector shows the votes as they
   come and the trainer's buttons. No libraries, no network but this server; the helpers it
   shares with live.js are live-common.js's (window.igmLive, loaded first). Every text from
   the server goes in as text (textContent), except the projector's room fragment, which the
   server renders from a template that escapes every value. */
(function () {
  "use strict";
  var main = document.querySelector("main[data-code]");
  if (!main) return;
  var msgs = JSON.parse(document.getElementById("live-msgs").textContent);
  var live = window.igmLive, lang = live.lang, send = live.send, fill = live.fill;

  if (document.body.classList.contains("trainer")) projector(); else phone();

  function phone() {
    var code = main.dataset.code, api = main.dataset.api;
    var view = JSON.parse(document.getElementById("talk-view").textContent);
    var state = main.dataset.status;
    var token = live.storedToken(code), myVote = null;
    var status = document.getElementById("live-status");
    var joinForm = document.getElementById("join");
    var turn = document.getElementById("turn");
    var result = document.getElementById("result");
    var ending = document.getElementById("ending");
    var options = document.getElementById("options");
    var voteMsg = document.getElementById("vote-msg");

    function remember(value) {
      token = value;
      live.storeToken(code, value);
    }
    function say(text) { status.textContent = text; }
    function text(id, value) { document.getElementById(id).textContent = value || ""; }
    function letterOf(id) {
      var found = view.options.filter(function (o) { return o.id === id; })[0];
      return found ? found.letter : "";
    }
    /* One button per response: big, a real button (keyboard and screen reader), pressed when
       it is this phone's vote. Built with textContent: a scenario's text is never markup. */
    function buildOptions() {
      options.textContent = "";
      view.options.forEach(function (o) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "talk-option";
        b.dataset.id = o.id;
        b.setAttribute("aria-pressed", o.id === myVote ? "true" : "false");
        var letter = document.createElement("span");
        letter.className = "letter";
        letter.setAttribute("aria-hidden", "true");
        letter.textContent = o.letter;
        var label = document.createElement("span");
        label.className = "sr-only";
        label.textContent = fill(msgs["live.conversation.option"], { letter: o.letter }) + ": ";
        var words = document.createElement("span");
        words.className = "words";
        words.textContent = o.text;
        b.appendChild(letter);
        b.appendChild(label);
        b.appendChild(words);
        b.addEventListener("click", function () { vote(o.id); });
        options.appendChild(b);
      });
    }
    function markVote() {
      Array.prototype.forEach.call(options.querySelectorAll("button"), function (b) {
        b.setAttribute("aria-pressed", b.dataset.id === myVote ? "true" : "false");
      });
      voteMsg.textContent = myVote ? fill(msgs["live.conversation.phone.voted"], { letter: letterOf(myVote) }) : "";
    }
    /* One thing at a time, in the same place: the turn to vote on, the chosen response, or the
       ending. */
    function show() {
      var open = state === "open";
      joinForm.hidden = !!token || !open;
      var voting = view.phase === "voting" || view.phase === "deciding";
      turn.hidden = !token || !voting;
      result.hidden = !token || view.phase !== "shown";
      ending.hidden = !token || view.phase !== "ended";
      var canVote = open && view.phase === "voting";
      Array.prototype.forEach.call(options.querySelectorAll("button"), function (b) { b.disabled = !canVote; });
      if (!open) say(msgs["live.closed"]);
    }
    function render() {
      text("turn-h", view.client_heading);
      text("turn-client", view.client);
      buildOptions();
      markVote();
      if (view.phase === "deciding") voteMsg.textContent = msgs["live.conversation.phone.closed"];
      var d = view.decision;
      if (d) {
        text("result-h", d.heading);
        text("result-by", d.by);
        text("result-text", d.text);
        text("result-mi", d.mi + " (" + d.mi_class + ")");
        text("result-explanation", d.explanation);
        text("result-answer-h", d.answer_heading);
        text("result-answer", d.answer);
      }
      var e = view.ending;
      if (e) {
        text("ending-h", e.heading);
        text("ending-words", e.last_words);
        text("ending-outcome", e.outcome);
      }
      show();
    }
    function focusHeading(id) { live.focusHeading(status, id); }
    function loadMine() {
      if (!token) return Promise.resolve();
      return send(api + "conversation/me", { code: code, token: token }).then(function (res) {
        if (res.ok) {
          myVote = res.body.step === view.step ? res.body.vote : null;
          markVote();
        } else if (res.body.error === "live.error.unknown_participant") { remember(null); show(); }
      }, function () { /* the vote shows at the next turn */ });
    }
    function handleError(res) {
      voteMsg.textContent = res.body.message || msgs["live.network_error"];
      if (res.body.error === "live.error.unknown_participant") { remember(null); show(); }
      if (res.body.error === "live.error.closed") { state = "closed"; show(); }
      if (res.body.error === "live.conversation.error.vote_closed") refresh(true);
    }
    function vote(id) {
      if (!token) return;
      send(api + "conversation/vote", { code: code, token: token, step: view.step, response: id })
        .then(function (res) {
          if (!res.ok) return handleError(res);
          myVote = id;
          markVote();
        }, function () { voteMsg.textContent = msgs["live.network_error"]; });
    }
    /* The room moved on (a new turn, the vote closed, the ending): fetch what the phones
       show now, say it, and move the focus to the new heading. */
    function refresh(announce) {
      return live.getJson(api + "conversation?code=" + encodeURIComponent(code) + "&lang=" + lang)
        .then(function (next) {
          if (!next) return;
          var newTurn = next.step !== view.step || (next.phase === "voting" && view.phase !== "voting");
          var phaseChanged = next.phase !== view.phase;
          state = next.status;
          if (newTurn) { myVote = null; voteMsg.textContent = ""; }
          view = next;
          render();
          if (!announce || !token || state !== "open") return;
          if (view.phase === "voting" && newTurn) {
            say(fill(msgs["live.conversation.phone.new_turn"], { n: view.turn_number }));
            focusHeading("turn-h");
          } else if (phaseChanged && view.phase === "deciding") {
            say(msgs["live.conversation.phone.closed"]);
          } else if (phaseChanged && view.phase === "shown") {
            say(msgs["live.conversation.phone.shown"]);
            focusHeading("result-h");
          } else if (phaseChanged && view.phase === "ended") {
            say(msgs["live.conversation.phone.ended"]);
            focusHeading("ending-h");
          }
        }, function () { /* try again at the next poll */ });
    }
    function follow(s) {
      var stateChanged = s.status !== state;
      state = s.status;
      if (s.step !== view.step || s.phase !== view.phase) return refresh(true);
      if (stateChanged) show();
    }
    joinForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var msg = joinForm.querySelector(".msg");
      send(api + "join", { code: code, nickname: joinForm.elements.nickname.value }).then(function (res) {
        if (!res.ok) {
          msg.textContent = res.body.message || msgs["live.network_error"];
          return;
        }
        msg.textContent = "";
        remember(res.body.token);
        state = res.body.session.status;
        say(msgs["live.join.joined"]);
        var moved = res.body.session.step !== view.step || res.body.session.phase !== view.phase;
        (moved ? refresh(false) : Promise.resolve()).then(loadMine).then(function () {
          show();
          var visible = [["turn", "turn-h"], ["result", "result-h"], ["ending", "ending-h"]]
            .filter(function (pair) { return !document.getElementById(pair[0]).hidden; })[0];
          if (visible) focusHeading(visible[1]);
        });
      }, function () { msg.textContent = msgs["live.network_error"]; });
    });
    render();
    loadMine();
    live.pollState(api, code, follow);
  }

  function projector() {
    var feed = main.dataset.feed, version = Number(main.dataset.version);
    var room = document.getElementById("room");
    var people = document.getElementById("participants");
    var busy = false;
    /* Keep the trainer's place: the focused button, found again by its id. */
    function update(data) {
      var focused = document.activeElement && room.contains(document.activeElement) ? document.activeElement.id : "";
      var grid = room.querySelector(".talk-grid");
      var before = grid ? grid.dataset.phase + ":" + grid.dataset.step : "";
      room.innerHTML = data.html;
      grid = room.querySelector(".talk-grid");
      var after = grid ? grid.dataset.phase + ":" + grid.dataset.step : "";
      people.textContent = fill(msgs["live.trainer.participants"], { n: data.summary.participants });
      var again = focused && document.getElementById(focused);
      if (again) again.focus();
      else if (before !== after && focused) {
        var first = room.querySelector("h2");
        if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
      }
    }
    /* The trainer's buttons are in the fragment the feed replaces: one listener on the room. */
    room.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-action]");
      if (!b || busy) return;
      var body = { action: b.dataset.action, step: Number(b.dataset.step) };
      if (b.dataset.response) body.response = b.dataset.response;
      busy = true;
      send(main.dataset.controlUrl, body).then(function () { busy = false; }, function () { busy = false; });
    });
    var sessionButton = document.querySelector("button[data-session-status]");
    if (sessionButton) {
      sessionButton.addEventListener("click", function () {
        send(main.dataset.statusUrl, { status: sessionButton.dataset.sessionStatus }).then(function (res) {
          if (res.ok) window.location.reload();
        });
      });
    }
    live.followFeed(feed, version, update);
  }
})();
