/* The registry's map: one marker per mediation organisation at its region's centre.
 * Names reach Leaflet as text nodes (civicMap.textTip), never as HTML. */
(function () {
  "use strict";
  function start() {
    var el = document.querySelector("[data-registry-map]");
    if (!el || typeof L === "undefined" || !window.civicMap) return;
    var places = JSON.parse(document.getElementById("registry-places").textContent);
    var map = window.civicMap.baseMap(el, { scrollWheelZoom: false });
    var bounds = null;
    places.forEach(function (p) {
      var at = window.civicMap.shown(p.lng, p.lat);
      L.circleMarker(at, { radius: 8, color: "#2468b0", weight: 2, fillOpacity: 0.6 })
        .bindTooltip(window.civicMap.textTip(p.name + " · " + p.mediators))
        .addTo(map);
      bounds = bounds ? bounds.extend(at) : L.latLngBounds(at, at);
    });
    if (bounds) window.civicMap.fit(map, bounds.pad(0.2), { maxZoom: 15 });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
