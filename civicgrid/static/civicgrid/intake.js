/* Intake helpers: the category sets the urgency (until the operator picks one) and
 * shows only its own extra fields. Without this script the form still works: an
 * empty urgency means "the category's default" and every extra field is shown. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var category = document.getElementById("id_category");
    var urgency = document.getElementById("id_urgency");
    if (!category || !urgency) return;
    var chosenByHand = urgency.value !== "";

    urgency.addEventListener("change", function () { chosenByHand = true; });

    function sync() {
      var option = category.options[category.selectedIndex];
      if (!chosenByHand) urgency.value = (option && option.dataset.urgency) || "";
      document.querySelectorAll("[data-extra-for]").forEach(function (box) {
        box.hidden = box.dataset.extraFor !== category.value;
      });
    }

    category.addEventListener("change", sync);
    sync();
  });
})();
