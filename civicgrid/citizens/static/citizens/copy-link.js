/* "Copy" next to the tracking link: [data-copy] names the input whose value is copied;
 * [data-copied] is the translated word shown once it is. A file, not an inline script,
 * so the Content-Security-Policy can refuse every inline script. */
(function () {
  "use strict";

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.querySelector(button.dataset.copy);
      input.select();
      var done = function () { button.textContent = button.dataset.copied; };
      if (navigator.clipboard) navigator.clipboard.writeText(input.value).then(done, function () {});
      else { document.execCommand("copy"); done(); }
    });
  });
})();
