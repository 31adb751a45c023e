/* igm-kit live sessions: what live.js (the rounds) and conversation.js (a conversation) both
   need, loaded before either. One global, window.igmLive; no libraries, no network but this
   server. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "nl";

  /* Tornado's XSRF token: the server set the _xsrf cookie with this page; every POST sends it
     back in a header, which another site's page cannot do. */
  function xsrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  /* POST data as JSON (with the page's language); resolves to {ok, body}. */
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

  /* GET JSON; resolves to null when the server answers an error. */
  function getJson(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; });
  }

  /* A catalogue text with its {name} placeholders filled; an unknown name stays as it is. */
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  /* The participant's token of session `code`, kept on this device. */
  function storeKey(code) { return "igm-live:" + code; }
  function storedToken(code) {
    try { return window.localStorage.getItem(storeKey(code)); } catch (e) { return null; }
  }
  function storeToken(code, value) {
    try {
      if (value) window.localStorage.setItem(storeKey(code), value);
      else window.localStorage.removeItem(storeKey(code));
    } catch (e) { /* private mode: the token lives as long as the page */ }
  }

  /* Move the focus to a heading that just appeared: it scrolls into view and a screen reader
     reads it; the status line (aria-live) says what changed. */
  function focusHeading(status, id) {
    var h = document.getElementById(id);
    if (!h || h.closest("[hidden]")) return;
    (status.textContent ? status : h).scrollIntoView({ block: "start" });
    h.focus({ preventScroll: true });
  }

  /* Ask the session's state every three seconds; onState(state) may return a promise, which
     the next ask waits for. */
  function pollState(api, code, onState) {
    function poll() {
      getJson(api + "state?code=" + encodeURIComponent(code))
        .then(function (s) { if (s) return onState(s); }, function () { /* try again at the next poll */ })
        .then(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 3000);
  }

  /* The trainer's screen long-polls its feed: onChange(data) at each new version; it stops
     when stopped() says so (a reload is coming), and waits two seconds after an error. */
  function followFeed(feed, version, onChange, stopped) {
    function loop() {
      fetch(feed + "?since=" + version, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (data) {
          if (data.version !== version) {
            version = data.version;
            onChange(data);
          }
          if (!(stopped && stopped())) window.setTimeout(loop, 50);
        }, function () { window.setTimeout(loop, 2000); });
    }
    loop();
  }

  window.igmLive = {
    lang: lang,
    send: send,
    getJson: getJson,
    fill: fill,
    storedToken: storedToken,
    storeToken: storeToken,
    focusHeading: focusHeading,
    pollState: pollState,
    followFeed: followFeed
  };
})();
