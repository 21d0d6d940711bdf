/* The warnings in force as a layer of the city map (#map-warnings, drawn by
 * emergency.js's emergencyWarnings: each area in its level's colour). */
(function () {
  "use strict";
  var M = window.civicMap;
  if (!M || !M.overlays) return;
  M.overlays.push(function (map) {
    var data = document.getElementById("map-warnings");
    var words = document.getElementById("map-strings");
    if (!data || !window.emergencyWarnings) return null;
    var layer = L.layerGroup();
    window.emergencyWarnings(map, JSON.parse(data.textContent), layer);
    return { label: JSON.parse(words.textContent).warnings || "", layer: layer };
  });
})();
