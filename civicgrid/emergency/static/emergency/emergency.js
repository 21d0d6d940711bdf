/* The incident map: the point and its radius or the drawn area, the incident's cases.
 * The open form's map: a click sets the point; with "draw the area" on, clicks add the
 * corners of the affected area (a GeoJSON polygon in the hidden "area" input).
 * Uses civicMap (map.js) for the tiles and the datum; titles reach Leaflet as text. */
(function () {
  "use strict";

  function incidentMap(el) {
    var data = JSON.parse(document.getElementById(el.dataset.incidentMap).textContent);
    var M = window.civicMap;
    var map = M.baseMap(el, { scrollWheelZoom: false });
    var colour = data.drill ? "#6b3fa0" : "#d93025";
    var bounds = null;
    function extend(b) { bounds = bounds ? bounds.extend(b) : b; }
    if (data.area) {
      var area = M.geoJson(data.area, { style: { color: colour, weight: 2, fillOpacity: 0.15 } }).addTo(map);
      extend(area.getBounds());
    }
    if (data.point) {
      var at = M.shown(data.point[0], data.point[1]);
      L.circleMarker(at, { radius: 8, color: colour, fillColor: colour, fillOpacity: 0.9 }).addTo(map);
      if (data.radius) {
        var circle = L.circle(at, { radius: data.radius, color: colour, weight: 2, fillOpacity: 0.1 }).addTo(map);
        extend(circle.getBounds());
      } else {
        extend(L.latLngBounds(at, at));
      }
    }
    if (data.point) {
      // The 1-3-5 minute response circles around the incident.
      (data.circles || []).forEach(function (c) {
        var ring = L.circle(M.shown(data.point[0], data.point[1]), {
          radius: c.radius_m, color: "#e37400", weight: 1, dashArray: "4 4", fill: false
        }).bindTooltip(M.textTip(c.minutes + " min")).addTo(map);
        extend(ring.getBounds());
      });
    }
    var resourceColour = { team: "#188038", warehouse: "#8e5a00", shelter: "#1a73e8" };
    var resources = L.layerGroup();
    (data.resources || []).forEach(function (r) {
      var p = M.shown(r.point[0], r.point[1]);
      var c = resourceColour[r.kind] || "#555";
      L.circleMarker(p, { radius: 6, color: c, fillColor: c, fillOpacity: 0.8, weight: 2 })
        .bindTooltip(M.textTip(r.name + " · " + r.km + " km")).addTo(resources);
    });
    if ((data.resources || []).length) {
      resources.addTo(map);
      var named = {};
      named[data.resources_label || "resources"] = resources;
      L.control.layers(null, named, { collapsed: false }).addTo(map);
    }
    (data.cases || []).forEach(function (c) {
      var p = M.shown(c.point[0], c.point[1]);
      L.circleMarker(p, { radius: 6, color: "#2468b0", fillColor: "#5597d0", fillOpacity: 0.9 })
        .bindTooltip(M.textTip(c.number + " " + c.title)).addTo(map);
      extend(L.latLngBounds(p, p));
    });
    if (bounds) M.fit(map, bounds.pad(0.3), { maxZoom: 16 });
  }

  function openMap(el) {
    var M = window.civicMap;
    var form = el.closest("form");
    var map = M.baseMap(el);
    map.setView([37.45, 118.58], 11);
    var marker = null, polygon = null, corners = [];
    var draw = form.querySelector("[name=draw_area]");
    // A click on GCJ-02 tiles is a GCJ-02 position: the server turns it into WGS84.
    if ((document.body.dataset.tileDatum || "").toLowerCase() === "gcj02") put("datum", "gcj02");
    function put(name, value) { form.querySelector("[name=" + name + "]").value = value; }
    map.on("click", function (e) {
      if (draw && draw.checked) {
        corners.push([+e.latlng.lng.toFixed(6), +e.latlng.lat.toFixed(6)]);
        if (polygon) map.removeLayer(polygon);
        polygon = L.polygon(corners.map(function (c) { return [c[1], c[0]]; }), { color: "#d93025" }).addTo(map);
        if (corners.length >= 3) {
          put("area", JSON.stringify({ type: "Polygon", coordinates: [corners.concat([corners[0]])] }));
        }
        return;
      }
      if (marker) map.removeLayer(marker);
      marker = L.marker(e.latlng).addTo(map);
      put("lng", e.latlng.lng.toFixed(6));
      put("lat", e.latlng.lat.toFixed(6));
    });
    var clear = form.querySelector("[data-clear-area]");
    if (clear) clear.addEventListener("click", function () {
      corners = [];
      if (polygon) map.removeLayer(polygon);
      polygon = null;
      put("area", "");
    });
  }

  // Warnings: each area (polygon and/or circle) in its level's colour.
  var WARNING_COLOURS = { blue: "#1a73e8", yellow: "#e0b000", orange: "#f57c00", red: "#d93025" };

  function drawWarnings(map, warnings, layer) {
    var M = window.civicMap;
    var bounds = null;
    (warnings || []).forEach(function (w) {
      var colour = WARNING_COLOURS[w.level] || "#555";
      var style = { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.2 };
      function extend(b) { bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); }
      if (w.area) {
        var poly = M.geoJson(w.area, { style: style }).bindTooltip(M.textTip(w.headline)).addTo(layer);
        extend(poly.getBounds());
      }
      if (w.circle) {
        var centre = M.shown(w.circle[0], w.circle[1]);
        L.circle(centre, Object.assign({ radius: w.circle[2] }, style))
          .bindTooltip(M.textTip(w.headline)).addTo(layer);
        extend(centre.toBounds(w.circle[2] * 2));
      }
    });
    return bounds;
  }
  window.emergencyWarnings = drawWarnings;

  function warningMap(el) {
    var data = JSON.parse(document.getElementById(el.dataset.warningMap).textContent);
    var M = window.civicMap;
    var map = M.baseMap(el, { scrollWheelZoom: false });
    map.setView([37.45, 118.58], 10);
    var bounds = drawWarnings(map, data.warnings, map);
    if (bounds) M.fit(map, bounds.pad(0.2), { maxZoom: 15 });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-incident-map]").forEach(incidentMap);
    document.querySelectorAll("[data-warning-map]").forEach(warningMap);
    document.querySelectorAll("[data-open-map]").forEach(openMap);
  });
})();
