/* The gazetteer search on the intake form and the grid worker's report page: type
 * Chinese or pinyin initials, choose a place (mouse, or ↑ ↓ and Enter), and its point
 * fills the WGS84 longitude/latitude fields, the map's marker moves there and the map
 * zooms in. An ARIA combobox; Enter in the box never submits the form. Names come from data: written with textContent only.
 */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var ZOOM = 17;

  function setup(box) {
    var form = box.closest("form");
    var input = box.querySelector("input[type=search]");
    var list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[data-place-status]");
    var hint = status.textContent;
    var hits = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    box.hidden = false;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function option(hit, index) {
      var li = document.createElement("li");
      li.id = "place-option-" + index;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.placeId = hit.id;
      var name = document.createElement("strong");
      name.textContent = hit.name;
      var kind = document.createElement("span");
      kind.className = "place-kind";
      kind.textContent = hit.kind_label;
      var where = document.createElement("span");
      where.className = "place-context";
      where.textContent = hit.context.join(" · ");
      [name, kind, where].forEach(function (n) { li.appendChild(n); });
      // mousedown, not click: the box must not lose focus (and close the list) first.
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        choose(index);
      });
      return li;
    }

    function show(found) {
      hits = found;
      list.replaceChildren.apply(list, found.map(option));
      if (!found.length) {
        close();
        status.textContent = box.dataset.none;
        return;
      }
      status.textContent = hint;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(0);
    }

    function ask() {
      var q = input.value.trim();
      var mine = ++asked;
      if (!q) { hits = []; close(); status.textContent = hint; return; }
      var url = box.dataset.url + "?limit=10&q=" + encodeURIComponent(q);
      fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json", "Accept-Language": box.dataset.lang || "" },
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (found) {
        if (mine === asked) show(found); // an older answer arriving late is dropped
      }).catch(function () {
        if (mine === asked) { close(); status.textContent = box.dataset.failed; }
      });
    }

    function fill(name, value) {
      var field = form.querySelector('[name="' + name + '"]');
      if (field) field.value = value;
      return field;
    }

    function choose(index) {
      var hit = hits[index];
      if (!hit) return;
      fill("lat", hit.lat.toFixed(6));
      fill("datum", "wgs84");
      var lng = fill("lng", hit.lng.toFixed(6));
      var address = form.querySelector('[name="address"]');
      if (address && !address.value.trim()) {
        address.value = hit.context.join("") + hit.name;
        address.dispatchEvent(new Event("input", { bubbles: true }));
      }
      // The map picker listens for this, as for coordinates typed by hand: it moves the marker.
      if (lng) lng.dispatchEvent(new Event("change", { bubbles: true }));
      var mapEl = form.querySelector("[data-map-picker]");
      var map = mapEl && mapEl.leafletMap;
      if (map && window.civicMap) {
        map.civicTouched = true; // keep the zoom: the district outline must not refit
        map.setView(window.civicMap.shown(hit.lng, hit.lat), Math.max(map.getZoom(), ZOOM),
                    { animate: false });
      }
      input.value = hit.name;
      close();
      status.textContent = box.dataset.placed + " " + hit.name;
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (e) {
      var open = !list.hidden && hits.length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!open) { if (hits.length) show(hits); return; }
        var step = e.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + hits.length) % hits.length);
      } else if (e.key === "Enter") {
        e.preventDefault(); // the search box never submits the case
        if (open && active >= 0) choose(active);
        else { clearTimeout(timer); ask(); }
      } else if (e.key === "Escape" && open) {
        e.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-place-search]").forEach(setup);
  });
})();
