// Reply templates (常用语): "Insert" puts a phrase into its form's text box, where the
// cursor was (else at the end). At intake the list follows the category chosen (a phrase's
// data-for lists the categories it applies to). Without this script every phrase is
// listed, to copy.
(function () {
  "use strict";

  function reveal(root) {
    root.querySelectorAll("[data-phrases] [data-phrase-insert]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function insert(area, text) {
    var caret = area.dataset.caret;
    var start = caret === undefined ? area.value.length : Number(caret);
    var end = caret === undefined ? start : Number(area.dataset.caretEnd || caret);
    if (caret === undefined && area.value && !/\n$/.test(area.value)) {
      text = "\n" + text;
    }
    if (area.maxLength > 0) {
      text = text.slice(0, Math.max(0, area.maxLength - (area.value.length - (end - start))));
    }
    area.setRangeText(text, start, end, "end");
    area.dataset.caret = area.dataset.caretEnd = String(area.selectionEnd);
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
  }

  document.addEventListener("focusout", function (event) {
    var area = event.target;
    if (area instanceof HTMLTextAreaElement) {
      area.dataset.caret = String(area.selectionStart);
      area.dataset.caretEnd = String(area.selectionEnd);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-phrase-insert]");
    if (!button) {
      return;
    }
    var box = button.closest("[data-phrases]");
    var form = box.closest("form");
    var area = form && form.querySelector('textarea[name="' + CSS.escape(box.dataset.phrases) + '"]');
    if (area) {
      insert(area, button.closest(".phrase").querySelector(".phrase-text").textContent);
    }
  });

  function follow(select) {
    var form = select.form;
    if (!form) {
      return;
    }
    form.querySelectorAll("[data-phrases]").forEach(function (box) {
      var shown = 0;
      box.querySelectorAll(".phrase").forEach(function (phrase) {
        var only = phrase.dataset.for;
        phrase.hidden = Boolean(select.value && only && only.split(" ").indexOf(select.value) < 0);
        shown += phrase.hidden ? 0 : 1;
      });
      var count = box.querySelector("[data-phrase-count]");
      if (count) {
        count.textContent = String(shown);
      }
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[name=category]")) {
      follow(event.target);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    reveal(document);
    document.querySelectorAll("select[name=category]").forEach(follow);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    reveal(event.target);
  });
})();
