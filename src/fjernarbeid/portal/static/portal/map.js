// The directory map: Leaflet (served by the portal itself) with markers for the spaces listed on the page.
// The page works without this script: every space is in the list beside the map.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!element || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var status = document.getElementById("map-status");
  element.innerHTML = "";
  var map = L.map(element, { scrollWheelZoom: false }).setView(data.center, data.zoom);
  function plain() {
    element.classList.add("plain");
    if (status) { status.textContent = element.dataset.fallback; }
  }
  var tiles = element.dataset.tiles;
  if (tiles) {
    var layer = L.tileLayer(tiles, { maxZoom: 18, attribution: element.dataset.attribution });
    var failed = 0;
    layer.on("tileerror", function () { failed += 1; if (failed === 1) { plain(); } });
    layer.addTo(map);
  } else {
    plain();
  }
  var bounds = [];
  data.markers.forEach(function (m) {
    var marker = L.marker([m.lat, m.lon], { title: m.name, alt: m.name, keyboard: true }).addTo(map);
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = m.url;
    link.textContent = m.name;
    popup.appendChild(link);
    popup.appendChild(document.createTextNode(" – " + m.place + (m.fictional ? " (" + element.dataset.fictional + ")" : "")));
    marker.bindPopup(popup);
    bounds.push([m.lat, m.lon]);
  });
  if (bounds.length > 1) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 }); }
  element.dataset.markers = String(data.markers.length);
})();
