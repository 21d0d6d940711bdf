// The menu's folded groups (<details>): one open at a time, closed by a click elsewhere
// or Escape. Without this script they still open and close with a click.
(function () {
  "use strict";
  function groups() {
    return document.querySelectorAll(".menugroup details[open]");
  }
  document.addEventListener("click", function (event) {
    groups().forEach(function (details) {
      if (!details.contains(event.target)) details.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups().forEach(function (details) {
      details.removeAttribute("open");
      details.querySelector("summary").focus();
    });
  });
})();
