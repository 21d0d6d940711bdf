/* The command room's full-screen map: incidents (with their 1-3-5 minute circles),
 * warnings and resources (warehouses, teams, shelters, experts), each a layer the
 * layer control toggles. htmx swaps in fresh data every 30 seconds
 * (#room-data); the layers are redrawn from it, the toggles and the view kept. */
(function () {
  "use strict";
  var COLOURS = { warehouse: "#8e5a00", team: "#188038", shelter: "#1a73e8", expert: "#7b1fa2" };
  var KINDS = ["warehouses", "teams", "shelters", "experts"];

  function roomMap(el) {
    var M = window.civicMap;
    var labels = JSON.parse(document.getElementById("room-labels").textContent);
    var map = M.baseMap(el, { zoomControl: true });
    map.setView([37.45, 118.58], 10);
    var layers = {};
    ["incidents", "warnings", "circles"].concat(KINDS).forEach(function (name) {
      layers[name] = L.layerGroup().addTo(map);
    });
    var named = {};
    Object.keys(layers).forEach(function (name) { named[labels[name] || name] = layers[name]; });
    L.control.layers(null, named, { collapsed: false }).addTo(map);
    var fitted = false;

    function draw() {
      var node = document.getElementById(el.dataset.roomMap);
      if (!node) return;
      var data = JSON.parse(node.textContent);
      Object.keys(layers).forEach(function (name) { layers[name].clearLayers(); });
      var bounds = null;
      (data.incidents || []).forEach(function (i) {
        var at = M.shown(i.point[0], i.point[1]);
        var colour = i.drill ? "#6b3fa0" : "#d93025";
        L.circleMarker(at, { radius: 9, color: colour, fillColor: colour, fillOpacity: 0.9 })
          .bindTooltip(M.textTip(i.title)).addTo(layers.incidents);
        if (i.area) M.geoJson(i.area, { style: { color: colour, weight: 2, fillOpacity: 0.1 } }).addTo(layers.incidents);
        else if (i.radius) L.circle(at, { radius: i.radius, color: colour, weight: 2, fillOpacity: 0.08 }).addTo(layers.incidents);
        (data.circles || []).forEach(function (c) {
          L.circle(at, { radius: c.radius_m, color: "#e37400", weight: 1, dashArray: "4 4", fill: false })
            .bindTooltip(M.textTip(c.minutes + " min")).addTo(layers.circles);
        });
        var b = at.toBounds(6000);
        bounds = bounds ? bounds.extend(b) : b;
      });
      var wb = window.emergencyWarnings(map, data.warnings, layers.warnings);
      if (wb) bounds = bounds ? bounds.extend(wb) : wb;
      KINDS.forEach(function (kind) {
        (data[kind] || []).forEach(function (r) {
          var c = COLOURS[r.kind] || "#555";
          var text = r.name + (r.field ? " · " + r.field : "") + (r.size ? " · " + r.size : "") + (r.capacity ? " · " + r.capacity : "");
          L.circleMarker(M.shown(r.point[0], r.point[1]), {
            radius: 5, color: c, fillColor: c, fillOpacity: r.available === false ? 0.2 : 0.8, weight: 1
          }).bindTooltip(M.textTip(text)).addTo(layers[kind]);
        });
      });
      if (bounds && !fitted) { M.fit(map, bounds.pad(0.1), { maxZoom: 14 }); fitted = true; }
      el.dataset.drawn = String((data.incidents || []).length) + "/" + String((data.warnings || []).length);
    }

    draw();
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.target && e.target.id === "room-data") draw();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-room-map]").forEach(roomMap);
  });
})();
