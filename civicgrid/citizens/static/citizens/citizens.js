/* The citizen's report form (随手拍): photo previews, "use my position", +1, one send.
 *
 * Works without it: the server checks everything again. Strings come translated from
 * the page (#citizen-strings).
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-citizen-report]");
  if (!form) return;
  var words = JSON.parse(document.getElementById("citizen-strings").textContent);
  var submit = form.querySelector("[data-submit]");
  var cancel = form.querySelector("[data-join-cancel]");
  var notice = form.querySelector("[data-join-notice]");
  var lng = form.querySelector('input[name="lng"]');
  var lat = form.querySelector('input[name="lat"]');
  var datum = form.querySelector('select[name="datum"]');

  // --- photo previews ----------------------------------------------------------------
  var previews = form.querySelector("[data-previews]");
  function showPreviews() {
    previews.textContent = "";
    form.querySelectorAll(".photo-input").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        var img = document.createElement("img");
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(img.src); };
        previews.appendChild(img);
      });
    });
  }
  form.querySelectorAll(".photo-input").forEach(function (input) {
    input.addEventListener("change", showPreviews);
  });

  // --- the browser's position (WGS84) ------------------------------------------------
  var locate = form.querySelector("[data-locate]");
  var status = form.querySelector("[data-locate-status]");
  if (locate) {
    if (!navigator.geolocation) locate.hidden = true;
    locate.addEventListener("click", function () {
      status.textContent = locate.dataset.working;
      navigator.geolocation.getCurrentPosition(function (pos) {
        lng.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        if (datum) datum.value = "wgs84";
        status.textContent = locate.dataset.found;
        lng.dispatchEvent(new Event("change", { bubbles: true }));
      }, function () {
        status.textContent = locate.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // --- join (+1) instead of a new report ----------------------------------------------
  function ready() {
    var phone = form.querySelector('input[name="phone"]');
    var answer = form.querySelector('input[name="answer"]');
    var consent = form.querySelector('input[name="consent"]');
    return phone.value.trim() && answer.value.trim() && consent.checked;
  }

  function joinMode(button) {
    submit.setAttribute("formaction", button.getAttribute("formaction"));
    submit.setAttribute("formnovalidate", "");
    submit.textContent = words.join.replace("%(number)s", button.dataset.join);
    notice.textContent = words.joinNotice;
    notice.hidden = false;
    cancel.hidden = false;
    document.getElementById("about-you").scrollIntoView({ behavior: "smooth" });
    form.querySelector('input[name="phone"]').focus({ preventScroll: true });
  }

  cancel.addEventListener("click", function () {
    submit.removeAttribute("formaction");
    submit.removeAttribute("formnovalidate");
    submit.textContent = submit.dataset.label;
    notice.hidden = true;
    cancel.hidden = true;
  });

  form.addEventListener("click", function (e) {
    var button = e.target.closest("[data-join]");
    if (!button || ready()) return;
    e.preventDefault();
    joinMode(button);
  });

  // --- one send: a double tap sends once (and the server's key files one case anyway) --
  form.addEventListener("submit", function () {
    window.setTimeout(function () {
      submit.disabled = true;
      submit.textContent = submit.dataset.sending;
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    submit.disabled = false;
  });
})();
