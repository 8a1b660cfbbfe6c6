// The background of the battle map and the big screen. Without a tile service it is the
// city's own basemap, served by us (offline): the city's outline, water, roads and the core
// districts with their names. With one (the city's 天地图: BASEMAP_TILE_URL and its key),
// its tiles, with the districts' names on top. The districts' shapes are the districts layer. Labels are text nodes, never HTML from data.
// The credit line names only the data's source (no Leaflet prefix, no flag).
(function () {
  var LIGHT = {
    area: { color: "#cbd5e1", weight: 1, fillColor: "#f8f6f1", fillOpacity: 1 },
    water: { color: "#7fb3de", weight: 1, fillColor: "#a8d1f0", fillOpacity: 1 },
    roadCasing: { 1: { color: "#d9a441", weight: 7 }, 2: { color: "#cbd5e1", weight: 5.5 }, 3: { color: "#d6dbe1", weight: 3.5 } },
    road: { 1: { color: "#fcd98d", weight: 5 }, 2: { color: "#ffffff", weight: 3.5 }, 3: { color: "#ffffff", weight: 2 } }
  };
  var DARK = {
    area: { color: "#1e3a8a", weight: 1, fillColor: "#111c33", fillOpacity: 1 },
    water: { color: "#1e4f8a", weight: 1, fillColor: "#16406e", fillOpacity: 1 },
    roadCasing: { 1: { color: "#0b1220", weight: 6 }, 2: { color: "#0b1220", weight: 4.5 }, 3: { color: "#0b1220", weight: 3 } },
    road: { 1: { color: "#52648c", weight: 4 }, 2: { color: "#33435f", weight: 2.5 }, 3: { color: "#2a3850", weight: 1.5 } }
  };

  function textTip(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span;
  }

  // JSON from our own endpoints; a server error (a busy moment) is tried again four times.
  function getJson(url, tries) {
    if (tries === undefined) { tries = 4; }
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (r.ok) { return r.json(); }
      // A 400 that is not our JSON answer is the server's own hiccup (a session saved by
      // two requests at once), not a bad question: asked again like a 5xx.
      var hiccup = r.status >= 500 || (r.status === 400 && !/json/.test(r.headers.get("Content-Type") || ""));
      if (tries > 0 && hiccup) {
        return new Promise(function (done) { setTimeout(done, 300 * (5 - tries)); })
          .then(function () { return getJson(url, tries - 1); });
      }
      throw new Error("HTTP " + r.status);
    });
  }
  window.cjGetJson = getJson;

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  // options: url (our basemap endpoint), config (tileUrl, tileKey, tileSubdomains, labelUrl,
  // attribution), dark (the big screen). Returns a promise of the features drawn.
  window.cjBasemap = function (map, options) {
    var config = options.config || {}, theme = options.dark ? DARK : LIGHT;
    map.createPane("cj-base").style.zIndex = 210;  // above tiles (200), under layers (400)
    var labels = map.createPane("cj-labels");
    labels.style.zIndex = 390;
    labels.style.pointerEvents = "none";
    var container = map.getContainer();
    container.classList.add("cj-basemap");
    if (options.dark) { container.classList.add("cj-basemap-dark"); }
    if (config.tileUrl) {
      var tileOptions = { maxZoom: 18, subdomains: config.tileSubdomains || "abc", tk: config.tileKey || "" };
      L.tileLayer(config.tileUrl, tileOptions).addTo(map);
      if (config.labelUrl) { L.tileLayer(config.labelUrl, tileOptions).addTo(map); }
    }
    if (config.attribution) {
      // Leaflet writes attributions as HTML: the setting's text is escaped first.
      L.control.attribution({ prefix: false }).addAttribution(escapeHtml(config.attribution)).addTo(map);
    }
    // Road names only when streets are big enough to carry them.
    function zoomClass() { container.classList.toggle("cj-show-road-labels", map.getZoom() >= 13); }
    map.on("zoomend", zoomClass);
    zoomClass();

    function label(layer, text, kind) {
      if (!text) { return; }
      layer.bindTooltip(textTip(text), { permanent: true, direction: "center", pane: "cj-labels",
                                          className: "basemap-label basemap-label-" + kind, interactive: false });
    }
    var groups = { area: [], water: [], district: [], road: [] };
    return getJson(options.url)
      .then(function (data) {
        data.features.forEach(function (f) { (groups[f.properties.kind] || []).push(f); });
        var common = { pane: "cj-base", interactive: false };
        function draw(features, style, kind) {
          return L.geoJSON({ type: "FeatureCollection", features: features }, Object.assign({}, common, {
            style: style,
            // A district's name sits on an invisible point (its shape is the districts layer's).
            pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { pane: "cj-base", radius: 0, stroke: false, fill: false, interactive: false }); },
            onEachFeature: function (f, l) { if (kind) { label(l, f.properties.name, kind); } }
          })).addTo(map);
        }
        draw(groups.area, theme.area);
        draw(groups.water, theme.water, "water");
        var rank = function (f) { return [1, 2, 3].indexOf(f.properties.rank) >= 0 ? f.properties.rank : 2; };
        draw(groups.road, function (f) { return theme.roadCasing[rank(f)]; });
        draw(groups.road, function (f) { return theme.road[rank(f)]; }, "road");
        draw(groups.district, null, "district");  // names last: on top of the roads' names
        container.dataset.basemap = String(data.features.length);
        return data.features;
      })
      .catch(function () { container.dataset.basemap = "failed"; return []; });
  };
})();
