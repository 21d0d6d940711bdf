/* The searchable category list of the dispatch form (a <select data-search>, grouped by
 * parent with <optgroup>): a search box above it filters the options by name or code
 * (the group's path counts too: "环境污染" shows its leaves), Enter or ↓ goes to the
 * first match, and picking a category moves the main department to the one the rules
 * give for it here (the option's data-department) unless the dispatcher chose one.
 * Without script the list is a plain grouped <select>. Forms that htmx loads into the
 * triage cards are set up as they arrive. */
(function () {
  "use strict";

  function matches(text, query) {
    return text.toLowerCase().indexOf(query) !== -1;
  }

  function filter(select, query, none) {
    var shown = 0;
    Array.prototype.forEach.call(select.querySelectorAll("option"), function (option) {
      var group = option.parentElement.tagName === "OPTGROUP" ? option.parentElement : null;
      var hit = !query || matches(option.text, query) ||
        (group !== null && matches(group.label, query));
      option.hidden = !hit;
      if (hit && option.value && !option.disabled) shown += 1;
    });
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
    none.hidden = shown > 0;
    return shown;
  }

  function firstMatch(select) {
    return select.querySelector("option:not([hidden]):not([disabled]):not([value=''])");
  }

  function departmentOf(select) {
    return select.form && select.form.querySelector("select[name$='main_department']");
  }

  function follow(select) {
    var chosen = select.options[select.selectedIndex];
    var department = departmentOf(select);
    if (!chosen || !department || department.dataset.touched) return;
    if (chosen.dataset.department) department.value = chosen.dataset.department;
  }

  function setUp(select) {
    if (select.dataset.searchReady) return;
    select.dataset.searchReady = "1";
    var search = document.createElement("input");
    search.type = "search";
    search.className = "picker-search";
    search.placeholder = select.dataset.search;
    search.setAttribute("aria-label", select.dataset.search);
    search.setAttribute("aria-controls", select.id);
    search.autocomplete = "off";
    var none = document.createElement("p");
    none.className = "hint picker-none";
    none.hidden = true;
    none.setAttribute("role", "status");
    none.textContent = select.dataset.noMatch || "";
    select.size = 10;
    select.classList.add("picker-list");
    select.insertAdjacentElement("beforebegin", search);
    select.insertAdjacentElement("afterend", none);

    search.addEventListener("input", function () {
      filter(select, search.value.trim().toLowerCase(), none);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== "ArrowDown") return;
      event.preventDefault(); // Enter in the search box never sends the form
      var first = firstMatch(select);
      if (!first) return;
      first.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.focus();
    });
    select.addEventListener("change", function () { follow(select); });
    var department = departmentOf(select);
    if (department) {
      department.addEventListener("change", function () { department.dataset.touched = "1"; });
    }
  }

  function setUpAll(root) {
    if (root.matches && root.matches("select[data-search]")) setUp(root);
    Array.prototype.forEach.call(
      (root || document).querySelectorAll("select[data-search]"), setUp
    );
  }

  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:load", function (event) { setUpAll(event.target); });
})();
