/* The hot-issue map: one circle per issue, its area proportional to the heat, over the
 * street outlines. Clicking a circle opens the issue's cases in the list beside it
 * (the same link as the list, so it works without the map too). */
(function () {
  "use strict";

  function draw(el) {
    var cm = window.civicMap;
    var issues = JSON.parse(document.getElementById(el.dataset.points).textContent);
    var words = JSON.parse(document.getElementById(el.dataset.words).textContent);
    var map = cm.baseMap(el);
    var circles = L.featureGroup().addTo(map);
    issues.forEach(function (issue) {
      var radius = 8 + 26 * Math.sqrt(issue.share);
      var circle = L.circleMarker(cm.shown(issue.lng, issue.lat), {
        radius: radius, color: "#8a1c13", weight: 1.5, fillColor: "#d93025", fillOpacity: 0.45,
      }).addTo(circles);
      // The title is a citizen's words: text, never HTML.
      circle.bindTooltip(cm.textTip(issue.title + " · " + issue.reports + " " + words.reports));
      circle.on("click", function () {
        var link = document.querySelector('[data-issue="' + CSS.escape(issue.key) + '"]');
        if (link) link.click();
      });
    });
    if (circles.getLayers().length) cm.fit(map, circles.getBounds().pad(0.3), { maxZoom: 15 });
    cm.getJson(el.dataset.gridsUrl).then(function (data) {
      cm.geoJson(data, { filter: cm.isStreet, style: cm.streetStyle }).addTo(map).bringToBack();
      if (!circles.getLayers().length) {
        var streets = cm.geoJson(data, { filter: cm.isStreet });
        if (streets.getLayers().length) cm.fit(map, streets.getBounds());
      }
    }).catch(function () {});
  }

  // The issue whose cases are shown is marked in the list.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-issue]");
    if (!link) return;
    document.querySelectorAll("[data-issue]").forEach(function (a) { a.removeAttribute("aria-current"); });
    link.setAttribute("aria-current", "true");
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined" || !window.civicMap) return;
    document.querySelectorAll("[data-hot-issue-map]").forEach(draw);
  });
})();
