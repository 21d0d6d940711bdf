/* The knowledge panel sits inside the intake form: Enter in its search box searches
 * (htmx's "search" event) instead of submitting the whole form. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target && event.target.id === "kb-q") {
      event.preventDefault();
      event.target.dispatchEvent(new Event("search"));
    }
  });
})();
