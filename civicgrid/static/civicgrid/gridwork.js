/* Field reports on a weak connection, and "use my position".
 *
 * [data-resilient-form]: the form is sent with fetch. If the connection drops (or the
 * server answers 5xx), the report stays in the page — photos included — and is sent
 * again with growing pauses and as soon as the browser is back online. Every try
 * carries the same hidden client_key, so the server files one case however many tries
 * reach it. Typed text is also kept in localStorage until the report is accepted, so a
 * reload does not lose it. Without JavaScript the form posts normally.
 *
 * [data-locate-me]: fills longitude/latitude from the browser (WGS84).
 */
(function () {
  "use strict";

  var MAX_PAUSE = 60000;

  function draftKey(form) { return "civicgrid-draft:" + location.pathname; }

  function textFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "file" &&
        el.type !== "submit" && el.type !== "button";
    });
  }

  function saveDraft(form) {
    var values = {};
    textFields(form).forEach(function (el) { values[el.name] = el.value; });
    try { localStorage.setItem(draftKey(form), JSON.stringify(values)); } catch (e) { /* full */ }
  }

  function restoreDraft(form) {
    var raw = null;
    try { raw = localStorage.getItem(draftKey(form)); } catch (e) { return; }
    if (!raw || form.querySelector(".has-error")) return;
    var values = JSON.parse(raw);
    textFields(form).forEach(function (el) {
      if (values[el.name] !== undefined && values[el.name] !== "") el.value = values[el.name];
    });
  }

  function clearDraft(form) {
    try { localStorage.removeItem(draftKey(form)); } catch (e) { /* ignore */ }
  }

  function resilient(form) {
    var status = form.querySelector("[data-send-status]");
    var button = form.querySelector('button[type="submit"]');
    var pause = 2000;
    var timer = null;
    var body = null;

    restoreDraft(form);
    form.addEventListener("input", function () { saveDraft(form); });

    function say(text) { if (status) status.textContent = text; }

    function send() {
      clearTimeout(timer);
      say(form.dataset.sending);
      fetch(form.action || location.href, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        if (response.status >= 500) throw new Error("server " + response.status);
        if (response.status === 200 || response.status === 201) {
          return response.json().then(function (data) {
            clearDraft(form);
            location.assign(data.url);
          });
        }
        // The server refused the input: let it show its errors the plain way.
        HTMLFormElement.prototype.submit.call(form);
      }).catch(function () {
        say(form.dataset.offline);
        timer = setTimeout(function () { say(form.dataset.retrying); send(); }, pause);
        pause = Math.min(pause * 2, MAX_PAUSE);
      });
    }

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) return;
      event.preventDefault();
      if (button) button.disabled = true;
      body = new FormData(form);
      pause = 2000;
      send();
    });
    window.addEventListener("online", function () { if (body) send(); });
  }

  function locateMe(button) {
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      var form = button.closest("form");
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector('input[name$="lng"]').value = position.coords.longitude.toFixed(6);
        form.querySelector('input[name$="lat"]').value = position.coords.latitude.toFixed(6);
        var datum = form.querySelector('select[name$="datum"]');
        if (datum) datum.value = "wgs84";
        form.querySelector('input[name$="lng"]').dispatchEvent(new Event("change", { bubbles: true }));
        saveDraft(form);
      }, function () {
        alert(button.dataset.failed);
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-resilient-form]").forEach(resilient);
    document.querySelectorAll("[data-locate-me]").forEach(locateMe);
  });
})();
