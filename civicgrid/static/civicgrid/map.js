/* civicgrid maps: a few Leaflet helpers, no build step.
 *
 * Three kinds of map, found by data attribute:
 *   [data-map-picker]  click to set the lng/lat/datum inputs of the enclosing form
 *   [data-map-view]    a case's point and grid (JSON in the <script> the value names)
 *   [data-city-map]    grids coloured by open cases, street outlines, case points
 *
 * Stored coordinates are WGS84. When the base tiles are GCJ-02 (Amap, Tencent),
 * drawn coordinates are shifted to GCJ-02 and a click is reported as GCJ-02, so the
 * server's converter (with its precise inverse) turns it back into WGS84.
 * Maps inside closed <details> start when opened; maps swapped in by htmx start too.
 *
 * Names and titles come from data (region names, case titles, citizens' words): they
 * reach Leaflet as DOM nodes holding text (textElement, textTip), never as strings of HTML,
 * which Leaflet would parse.
 */
(function () {
  "use strict";

  var body = document.body;
  var TILE_URL = body.dataset.tileUrl || "";
  var TILES_GCJ = (body.dataset.tileDatum || "").toLowerCase() === "gcj02";
  var LIGHT_COLOURS = { red: "#d93025", yellow: "#f2a600", green: "#1e8e3e", none: "#7a8796" };

  // --- WGS84 → GCJ-02, the published forward formula (only inside China) ----------
  var AXIS = 6378245.0;
  var ECC = 0.00669342162296594323;

  function outsideChina(lng, lat) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function shiftLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    return r;
  }

  function shiftLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return r;
  }

  function wgsToGcj(lng, lat) {
    if (outsideChina(lng, lat)) return [lng, lat];
    var dLat = shiftLat(lng - 105, lat - 35);
    var dLng = shiftLng(lng - 105, lat - 35);
    var radLat = lat / 180 * Math.PI;
    var magic = 1 - ECC * Math.sin(radLat) * Math.sin(radLat);
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180) / ((AXIS * (1 - ECC)) / (magic * sqrtMagic) * Math.PI);
    dLng = (dLng * 180) / (AXIS / sqrtMagic * Math.cos(radLat) * Math.PI);
    return [lng + dLng, lat + dLat];
  }

  /** A stored WGS84 position as the LatLng to draw on the current tiles. */
  function shown(lng, lat) {
    var p = TILES_GCJ ? wgsToGcj(lng, lat) : [lng, lat];
    return L.latLng(p[1], p[0]);
  }

  function geoJson(data, options) {
    options = options || {};
    options.coordsToLatLng = function (c) { return shown(c[0], c[1]); };
    return L.geoJSON(data, options);
  }

  function baseMap(el, options) {
    // Fractional zoom lets a district fill a short, wide map instead of a corner of it.
    var defaults = { attributionControl: !!TILE_URL, zoomSnap: 0.25, zoomDelta: 0.5 };
    var map = L.map(el, Object.assign(defaults, options || {}));
    if (TILE_URL) {
      L.tileLayer(TILE_URL, { maxZoom: 19, attribution: body.dataset.tileAttribution || "" })
        .addTo(map);
    } else {
      el.classList.add("map-plain");
    }
    map.setView([35.0, 105.0], 4);
    // A map that starts inside a just-opened <details> is measured before its final
    // layout, and phones rotate: follow the container's size, and keep the fitted
    // view fitted until the user moves the map.
    map.on("dragstart zoomstart", function () { if (!map.civicFitting) map.civicTouched = true; });
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        map.invalidateSize();
        if (map.civicFit && !map.civicTouched) fit(map, map.civicFit[0], map.civicFit[1]);
      }).observe(el);
    }
    el.leafletMap = map; // for scripts and browser tests that need the map
    return map;
  }

  function fit(map, bounds, options) {
    map.civicFit = [bounds, options];
    map.civicFitting = true;
    map.invalidateSize();
    map.fitBounds(bounds, Object.assign({ animate: false }, options));
    map.civicFitting = false;
  }

  /** A new element whose content is ``text`` as plain text (never parsed as HTML). */
  function textElement(text, tag) {
    var el = document.createElement(tag || "span");
    el.textContent = text === null || text === undefined ? "" : String(text);
    return el;
  }

  /** A tooltip/popup content function: a fresh text element each time it opens. */
  function textTip(text) {
    return function () { return textElement(text); };
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + url);
        return r.json();
      });
  }

  var STREET_STYLE = { color: "#1f3b63", weight: 2.5, fill: false, interactive: false };
  var PICKED_STYLE = { radius: 8, color: "#ffffff", weight: 2, fillColor: "#1a56a0", fillOpacity: 1 };
  var GRID_STYLE = { color: "#3a6fb0", weight: 1, fillColor: "#dce8f7", fillOpacity: 0.35 };

  function isStreet(feature) { return feature.properties && feature.properties.level === "street"; }

  function caseMarker(latlng, light) {
    return L.circleMarker(latlng, {
      radius: 7, color: "#ffffff", weight: 2, fillOpacity: 1,
      fillColor: LIGHT_COLOURS[light] || LIGHT_COLOURS.none,
    });
  }

  // --- picking a point -------------------------------------------------------------
  function picker(el) {
    var form = el.closest("form");
    var lngInput = form.querySelector('input[name$="lng"]');
    var latInput = form.querySelector('input[name$="lat"]');
    var datumInput = form.querySelector('select[name$="datum"]');
    var map = baseMap(el);
    var marker = null;

    function put(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, PICKED_STYLE).addTo(map);
    }

    function showTyped() {
      var lng = parseFloat(lngInput.value);
      var lat = parseFloat(latInput.value);
      if (isNaN(lng) || isNaN(lat)) return;
      var datum = datumInput ? datumInput.value : "wgs84";
      if (datum === "wgs84") put(shown(lng, lat));
      else if (datum === "gcj02" && TILES_GCJ) put(L.latLng(lat, lng));
      // Other combinations would need the inverse; the server still places them right.
    }

    map.on("click", function (e) {
      lngInput.value = e.latlng.lng.toFixed(6);
      latInput.value = e.latlng.lat.toFixed(6);
      if (datumInput) datumInput.value = TILES_GCJ ? "gcj02" : "wgs84";
      put(e.latlng);
      lngInput.dispatchEvent(new Event("change", { bubbles: true }));
    });
    [lngInput, latInput, datumInput].forEach(function (input) {
      if (input) input.addEventListener("change", showTyped);
    });

    getJson(el.dataset.gridsUrl).then(function (data) {
      var layer = geoJson(data, {
        style: function (f) { return isStreet(f) ? STREET_STYLE : GRID_STYLE; },
        onEachFeature: function (f, l) {
          if (!isStreet(f)) l.bindTooltip(textTip(f.properties.name), { sticky: true });
        },
      }).addTo(map);
      if (layer.getLayers().length) fit(map, layer.getBounds(), { padding: [8, 8] });
      showTyped();
    }).catch(function () { showTyped(); });
  }

  // --- one case --------------------------------------------------------------------
  function view(el) {
    var data = JSON.parse(document.getElementById(el.dataset.mapView).textContent);
    var map = baseMap(el, { scrollWheelZoom: false });
    var bounds = null;
    if (data.grid) {
      var grid = geoJson(data.grid, { style: GRID_STYLE }).addTo(map);
      grid.bindTooltip(textTip(data.grid.properties.name));
      bounds = grid.getBounds();
    }
    if (data.point) {
      var at = shown(data.point[0], data.point[1]);
      caseMarker(at, data.light).addTo(map);
      bounds = bounds ? bounds.extend(at) : L.latLngBounds(at, at);
    }
    if (bounds) fit(map, bounds.pad(0.15), { maxZoom: 17 });
  }

  // --- the city map ----------------------------------------------------------------
  var LOAD_PALETTE = ["#f4f7fb", "#c9dcf0", "#93bde3", "#5597d0", "#2468b0", "#0b3d7a"];

  var OVERLAYS = [];

  function cityMap(el) {
    var words = JSON.parse(document.getElementById("map-strings").textContent);
    var classes = JSON.parse(document.getElementById("load-classes").textContent);
    var map = baseMap(el);

    function loadColour(n) {
      for (var i = 0; i < classes.length; i++) if (n <= classes[i]) return LOAD_PALETTE[i];
      return LOAD_PALETTE[LOAD_PALETTE.length - 1];
    }

    function gridPopup(p) {
      var box = document.createElement("div");
      var title = document.createElement("strong");
      title.textContent = p.name;
      var code = document.createElement("div");
      code.className = "popup-code";
      code.textContent = p.code;
      var count = document.createElement("div");
      count.textContent = p.open + " " + words.openCases;
      var link = document.createElement("a");
      link.href = el.dataset.listUrl + "?group=open&region=" + encodeURIComponent(p.code);
      link.textContent = words.showCases + " ›";
      [title, code, count, link].forEach(function (n) { box.appendChild(n); });
      return box;
    }

    function casePopup(p) {
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = el.dataset.caseUrl.replace("/0/", "/" + encodeURIComponent(p.number) + "/");
      link.textContent = p.number;
      var title = document.createElement("div");
      title.textContent = p.title;
      var light = document.createElement("div");
      light.className = "popup-light";
      light.textContent = words[p.light] || "";
      [link, title, light].forEach(function (n) { box.appendChild(n); });
      return box;
    }

    // Open cases: fetched for the box in view at each move, as points or, where many,
    // as clusters counted by the server (every case is in a point or a count).
    var points = L.layerGroup();
    var inView = L.control({ position: "topleft" });
    inView.onAdd = function () { return L.DomUtil.create("div", "map-legend map-in-view"); };
    var asked = 0;

    function clusterMarker(f) {
      var p = f.properties;
      var size = p.count < 100 ? 34 : p.count < 10000 ? 42 : 52;
      var icon = L.divIcon({
        className: "map-cluster" + (p.red ? " has-red" : ""),
        html: textElement(p.count.toLocaleString()),
        iconSize: [size, size],
      });
      var at = shown(f.geometry.coordinates[0], f.geometry.coordinates[1]);
      var marker = L.marker(at, { icon: icon, keyboard: true,
                                  title: words.cluster.replace("%(n)s", p.count) });
      marker.on("click", function () {
        // Into the cluster's cases: at least one level closer, at most the tiles' last.
        var b = p.bounds;
        var box = L.latLngBounds(shown(b[0], b[1]), shown(b[2], b[3])).pad(0.1);
        var deepest = TILE_URL ? 19 : 22;
        var zoom = Math.min(Math.max(map.getBoundsZoom(box), map.getZoom() + 1), deepest);
        map.setView(box.getCenter(), zoom);
      });
      return marker;
    }

    function loadPoints() {
      var box = map.getBounds().pad(0.25);
      // GCJ-02 tiles are drawn up to ~700 m off the stored WGS84 positions.
      var slack = TILES_GCJ ? 0.01 : 0;
      var bbox = [box.getWest() - slack, box.getSouth() - slack, box.getEast() + slack,
                  box.getNorth() + slack].map(function (v) { return v.toFixed(5); }).join(",");
      var url = el.dataset.casesUrl + (el.dataset.casesUrl.indexOf("?") < 0 ? "?" : "&") +
        "bbox=" + bbox + "&zoom=" + Math.round(map.getZoom());
      var mine = ++asked;
      getJson(url).then(function (data) {
        if (mine !== asked) return; // a later move's answer is on its way
        points.clearLayers();
        geoJson(data, {
          pointToLayer: function (f, at) {
            return f.properties.cluster ? clusterMarker(f) : caseMarker(at, f.properties.light);
          },
          onEachFeature: function (f, layer) {
            if (!f.properties.cluster) layer.bindPopup(function () { return casePopup(f.properties); });
          },
        }).eachLayer(function (layer) { points.addLayer(layer); });
        var box = inView.getContainer();
        if (box) box.textContent = words.inView.replace("%(n)s", data.total.toLocaleString());
        el.dataset.casesTotal = data.total;
        el.dataset.casesLoaded = String(mine);
      });
    }

    getJson(el.dataset.gridsUrl).then(function (regions) {
      var grids = geoJson(regions, {
        filter: function (f) { return !isStreet(f); },
        style: function (f) {
          return { color: "#5b7fae", weight: 1, fillColor: loadColour(f.properties.open),
                   fillOpacity: 0.8 };
        },
        onEachFeature: function (f, layer) {
          layer.bindPopup(function () { return gridPopup(f.properties); });
          layer.bindTooltip(textTip(f.properties.name + " · " + f.properties.open),
                           { sticky: true });
          layer.on("mouseover", function () { layer.setStyle({ weight: 3, color: "#0b3d7a" }); });
          layer.on("mouseout", function () { grids.resetStyle(layer); });
        },
      }).addTo(map);
      var streets = geoJson(regions, { filter: isStreet, style: STREET_STYLE }).addTo(map);
      points.addTo(map);
      // The layer control writes its labels with innerHTML: give it the translated
      // words as HTML the DOM escaped.
      var overlays = {};
      overlays[textElement(words.grids).innerHTML] = grids;
      overlays[textElement(words.streets).innerHTML] = streets;
      overlays[textElement(words.points).innerHTML] = points;
      // Layers other apps add (window.civicMap.overlays: functions of the map that
      // return { label, layer } or nothing), e.g. the warnings in force.
      OVERLAYS.forEach(function (add) {
        var extra = add(map);
        if (extra) overlays[textElement(extra.label).innerHTML] = extra.layer.addTo(map);
      });
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      legend(map, words, classes, loadColour).addTo(map);
      inView.addTo(map);
      if (grids.getLayers().length) {
        fit(map, grids.getBounds(), { padding: [12, 12] });
      } else {
        el.appendChild(textElement(words.empty, "p")).className = "map-empty";
      }
      map.on("moveend", loadPoints);
      loadPoints();
    });
  }

  function legend(map, words, classes, loadColour) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      var head = L.DomUtil.create("strong", "", box);
      head.textContent = words.legend;
      var lower = 0;
      classes.concat([null]).forEach(function (upper) {
        var row = L.DomUtil.create("div", "legend-row", box);
        var swatch = L.DomUtil.create("span", "swatch", row);
        swatch.style.background = loadColour(upper === null ? Infinity : upper);
        var text = L.DomUtil.create("span", "", row);
        if (upper === null) text.textContent = "> " + classes[classes.length - 1];
        else if (upper === lower) text.textContent = String(upper);
        else text.textContent = lower + "–" + upper;
        lower = upper === null ? lower : upper + 1;
      });
      ["red", "yellow", "green"].forEach(function (light) {
        var row = L.DomUtil.create("div", "legend-row", box);
        var dot = L.DomUtil.create("span", "dot", row);
        dot.style.background = LIGHT_COLOURS[light];
        L.DomUtil.create("span", "", row).textContent = words[light];
      });
      return box;
    };
    return control;
  }

  // --- start maps as they become visible ---------------------------------------------
  var KINDS = [["[data-map-picker]", picker], ["[data-map-view]", view], ["[data-city-map]", cityMap]];

  function start(root) {
    if (typeof L === "undefined") return;
    KINDS.forEach(function (kind) {
      (root || document).querySelectorAll(kind[0]).forEach(function (el) {
        if (el.dataset.mapStarted || el.offsetParent === null) return;
        el.dataset.mapStarted = "1";
        kind[1](el);
      });
    });
  }

  // For the pages that draw maps of their own (hot issues): the same tiles and datum.
  window.civicMap = { baseMap: baseMap, fit: fit, geoJson: geoJson, getJson: getJson,
                      shown: shown, streetStyle: STREET_STYLE, isStreet: isStreet,
                      textElement: textElement, textTip: textTip, overlays: OVERLAYS };

  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("toggle", function (e) {
    if (e.target.open) start(e.target);
  }, true);
  document.addEventListener("htmx:afterSwap", function (e) { start(e.target); });
})();
