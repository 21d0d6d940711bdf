/* What every form page shares, loaded by base.html (the CSP allows no inline script):
 * - a counter under each text area with a maxlength (and each input marked
 *   data-counter): "120 / 2000", red near the end;
 * - a file over the limit (data-max-bytes) is refused as it is chosen, with its
 *   message next to the field, so the form is not sent and nothing typed is lost;
 * - after a refused post, focus moves to the list of errors at the top of the form.
 * Without it the server still checks all of this. */
(function () {
  "use strict";

  var COUNTED = "textarea[maxlength], input[maxlength][data-counter]";

  function counterOf(field) {
    var id = field.id ? field.id + "_counter" : "";
    var counter = id ? document.getElementById(id) : field.nextElementSibling;
    if (counter && counter.classList.contains("counter")) return counter;
    counter = document.createElement("small");
    counter.className = "counter";
    if (id) counter.id = id;
    counter.setAttribute("aria-hidden", "true");
    field.insertAdjacentElement("afterend", counter);
    return counter;
  }

  function count(field) {
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!limit) return;
    var used = field.value.length;
    var counter = counterOf(field);
    counter.textContent = used + " / " + limit;
    counter.classList.toggle("near-limit", used >= limit * 0.9);
  }

  function tooLarge(input) {
    var limit = parseInt(input.dataset.maxBytes, 10);
    var files = Array.prototype.slice.call(input.files || []);
    var big = files.filter(function (file) { return limit && file.size > limit; })[0];
    return big ? (input.dataset.tooLarge || "").replace("%(name)s", big.name) : "";
  }

  function checkSize(input) {
    var message = tooLarge(input);
    var id = (input.id || input.name) + "_size_error";
    var shown = document.getElementById(id);
    input.setCustomValidity(message);
    if (message) {
      input.setAttribute("aria-invalid", "true");
      if (!shown) {
        shown = document.createElement("p");
        shown.className = "error";
        shown.id = id;
        shown.setAttribute("role", "alert");
        input.insertAdjacentElement("afterend", shown);
      }
      shown.textContent = message;
      input.setAttribute("aria-describedby", id);
      input.focus();
    } else if (shown) {
      shown.remove();
      input.removeAttribute("aria-invalid");
    }
  }

  function setUp(root) {
    root.querySelectorAll(COUNTED).forEach(count);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(COUNTED)) count(event.target);
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-max-bytes]")) checkSize(input);
  });
  // Forms htmx brings in later get their counters too.
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  document.addEventListener("DOMContentLoaded", function () {
    setUp(document);
    var errors = document.querySelector("[data-form-errors]");
    if (errors) errors.focus();
  });
})();
