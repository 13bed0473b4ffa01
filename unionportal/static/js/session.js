/* Sessions that never cost typed work.
   1. A warning before the session ends (the expiry comes from data attributes on <body>,
      set by unionportal.accounts.sessions), with a button that keeps it alive.
   2. Drafts: every POST form keeps what was typed in localStorage (keyed by user, path and
      form), fills it in again when the page loads, and forgets it after a successful submit.
      A save after the session expired leads to the sign-in page and, after signing in, back
      to the form (?next=), where the draft is filled in again.
   No inline script: the page carries data only (a Content-Security-Policy is coming). */
(function () {
  "use strict";
  var PREFIX = "unionportal-draft:";
  var PENDING = "unionportal-draft-pending";
  var MAX_AGE_MS = 7 * 24 * 3600 * 1000;
  var body = document.body;
  var data = body.dataset;

  function storage() {
    try {
      var probe = "unionportal-probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }
  var store = storage();

  /* ---- warning before the session expires ---- */
  function banner(text, linkText, linkHref, onClick) {
    var box = document.getElementById("session-banner");
    if (!box) {
      box = document.createElement("div");
      box.id = "session-banner";
      box.className = "session-banner";
      box.setAttribute("role", "alert");
      // Styled from script: the banner exists only where this script runs.
      box.style.cssText = "position:sticky;top:0;z-index:100;padding:.6rem 1rem;" +
        "background:#fff4d6;border-bottom:1px solid #e0c060;text-align:center";
      body.insertBefore(box, body.firstChild);
    }
    box.textContent = text + " ";
    if (linkText) {
      var action = document.createElement(onClick ? "button" : "a");
      action.textContent = linkText;
      if (onClick) {
        action.type = "button";
        action.addEventListener("click", onClick);
      } else {
        action.href = linkHref;
      }
      box.appendChild(action);
    }
    return box;
  }

  function clock(epochSeconds) {
    var d = new Date(epochSeconds * 1000);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function watchSession() {
    if (!data.sessionExpires) return;
    var expires = parseInt(data.sessionExpires, 10);
    var hardEnd = parseInt(data.sessionEnds, 10);
    var idle = parseInt(data.sessionIdle, 10);
    var warnBefore = parseInt(data.sessionWarn, 10) || 300;
    var warned = false;

    function keepAlive() {
      fetch(window.location.href, {credentials: "same-origin", headers: {"X-Session-Keepalive": "1"}})
        .then(function (response) {
          if (response.ok && !response.redirected) {
            var now = Date.now() / 1000;
            expires = Math.min(now + idle, hardEnd);
            warned = false;
            var box = document.getElementById("session-banner");
            if (box) box.remove();
          }
        });
    }

    function tick() {
      var left = expires - Date.now() / 1000;
      if (left <= 0) {
        var next = window.location.pathname + window.location.search;
        banner(data.sessionExpiredText, data.sessionSignInText,
               data.loginUrl + "?next=" + encodeURIComponent(next));
        return;
      }
      if (left <= warnBefore && !warned) {
        warned = true;
        var canExtend = hardEnd - Date.now() / 1000 > warnBefore;
        banner(data.sessionWarningText.replace("{time}", clock(expires)),
               canExtend ? data.sessionKeepText : "", null, canExtend ? keepAlive : null);
      }
      window.setTimeout(tick, Math.min(30000, Math.max(1000, (left - warnBefore) * 1000)));
    }
    tick();
  }

  /* ---- drafts ---- */
  var user = data.sessionUser || "";

  function draftableFields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.name === "csrfmiddlewaretoken") return false;
      var type = (field.type || "").toLowerCase();
      return ["password", "file", "hidden", "submit", "button", "reset", "image"].indexOf(type) < 0;
    });
  }

  function usesDrafts(form) {
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") return false;
    if (form.hasAttribute("data-no-draft") || form.querySelector("input[type=password]")) return false;
    // A form worth a draft has something to type into (not the language or sign-out form).
    return !!form.querySelector("textarea, input:not([type]), input[type=text], input[type=number], " +
                                "input[type=date], input[type=email], input[type=tel], input[type=url]");
  }

  function keyFor(form, index) {
    return PREFIX + user + ":" + window.location.pathname + window.location.search + ":" + index;
  }

  function save(form, key) {
    var values = {};
    draftableFields(form).forEach(function (field) {
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        values[field.name + "\u0000" + field.value] = field.checked;
      } else if (field.multiple && field.options) {
        values[field.name] = Array.prototype.filter.call(field.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        (values[field.name] = values[field.name] || []).push(field.value);
      }
    });
    store.setItem(key, JSON.stringify({at: Date.now(), values: values}));
  }

  function restore(form, key) {
    var raw = store.getItem(key);
    if (!raw) return;
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { store.removeItem(key); return; }
    if (!draft || Date.now() - draft.at > MAX_AGE_MS) { store.removeItem(key); return; }
    // A form the server sent back with errors already holds what was submitted.
    if (form.querySelector(".errorlist")) return;
    var seen = {};
    draftableFields(form).forEach(function (field) {
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        var flag = draft.values[field.name + "\u0000" + field.value];
        // Never overwrite what the user changed before this script ran.
        if (flag !== undefined && field.checked === field.defaultChecked) field.checked = flag;
      } else if (field.multiple && field.options) {
        var untouched = Array.prototype.every.call(field.options, function (o) { return o.selected === o.defaultSelected; });
        var chosen = draft.values[field.name] || [];
        if (untouched) Array.prototype.forEach.call(field.options, function (o) { o.selected = chosen.indexOf(o.value) >= 0; });
      } else if (draft.values[field.name]) {
        var n = seen[field.name] || 0;
        var pristine = field.options ? Array.prototype.every.call(field.options, function (o) { return o.selected === o.defaultSelected; })
                                     : field.value === field.defaultValue;
        if (draft.values[field.name][n] !== undefined && pristine) field.value = draft.values[field.name][n];
        seen[field.name] = n + 1;
      }
    });
    form.setAttribute("data-draft-restored", "");
  }

  function settlePendingSubmit() {
    // The page after a submit: the sign-in page (session expired) keeps the draft; the same
    // form again with errors keeps it; anything else means the save went through.
    var raw = store.getItem(PENDING);
    if (!raw) return;
    var pending = JSON.parse(raw);
    if (data.page === "login") {
      store.removeItem(PENDING);
      return;
    }
    store.removeItem(PENDING);
    var samePage = pending.path === window.location.pathname + window.location.search;
    var hasErrors = !!document.querySelector(".errorlist, .error, [role=alert]:not(#session-banner)");
    if (!(samePage && hasErrors)) store.removeItem(pending.key);
  }

  function setupDrafts() {
    if (!store) return;
    settlePendingSubmit();
    if (!user) return;
    Array.prototype.forEach.call(document.forms, function (form, index) {
      if (!usesDrafts(form)) return;
      var key = keyFor(form, index);
      restore(form, key);
      var later = null;
      function schedule() {
        window.clearTimeout(later);
        later = window.setTimeout(function () { save(form, key); }, 300);
      }
      form.addEventListener("input", schedule);
      form.addEventListener("change", schedule);
      form.addEventListener("submit", function () {
        window.clearTimeout(later);
        save(form, key);
        store.setItem(PENDING, JSON.stringify({key: key, path: window.location.pathname + window.location.search}));
      });
    });
  }

  setupDrafts();
  watchSession();
})();
