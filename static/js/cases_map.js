// Case maps: the small map on a case's page (#case-map) and the desk's map of open cases
// (#cases-map), coloured by state. Text from data reaches the page as text nodes only.
(function () {
  function config(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function textTip(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span;
  }

  function baseMap(el, cfg, options) {
    var map = L.map(el, Object.assign({ preferCanvas: true, attributionControl: false, maxZoom: 19 }, options || {}));
    if (el.dataset.basemapUrl) {
      window.cjBasemap(map, { url: el.dataset.basemapUrl, config: cfg });
    } else if (cfg.tileUrl) {  // a role without the city basemap still gets the tiles
      L.tileLayer(cfg.tileUrl, { maxZoom: 18, subdomains: cfg.tileSubdomains || "abc", tk: cfg.tileKey || "" }).addTo(map);
    }
    return map;
  }

  // One case: a dot at its place.
  var small = document.getElementById("case-map");
  if (small && window.L) {
    var cfg = config("case-map-config");
    var p = cfg.point;
    var map = baseMap(small, cfg, { zoomControl: true, scrollWheelZoom: false }).setView([p[1], p[0]], 16);
    L.circleMarker([p[1], p[0]], { radius: 9, color: "#fff", weight: 2, fillColor: cfg.colour, fillOpacity: 1 }).addTo(map);
    small.dataset.loaded = "1";
  }

  // Open cases in view, by state.
  var el = document.getElementById("cases-map");
  if (!el || !window.L) { return; }
  var mc = config("cases-map-config");
  var big = baseMap(el, mc, { zoomControl: true, minZoom: 7 }).setView([34.51, 113.38], 12);
  window.cjCaseMap = big;  // for the browser tests and the console
  var dots = L.layerGroup().addTo(big);
  var filterForm = document.querySelector("form.filters");
  var notice = document.getElementById("map-notice");
  var getJson = window.cjGetJson;
  var colour = function (s) { return mc.colours[s] || "#9ca3af"; };

  // The legend: one row per state, with the count the filters match.
  var legendBox = null;
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    legendBox = L.DomUtil.create("div", "map-legend");
    legendBox.dataset.testid = "map-legend";
    return legendBox;
  };
  legend.addTo(big);
  function showLegend(counts) {
    legendBox.textContent = "";
    var title = document.createElement("div");
    title.className = "map-legend-title";
    title.textContent = "案件状态";
    legendBox.appendChild(title);
    Object.keys(mc.labels).forEach(function (s) {
      if (!counts[s]) { return; }
      var row = document.createElement("div"), swatch = document.createElement("span"), name = document.createElement("span");
      row.className = "map-legend-row";
      swatch.className = "map-legend-swatch round";
      swatch.style.backgroundColor = colour(s);
      name.textContent = mc.labels[s] + " " + counts[s];
      row.appendChild(swatch); row.appendChild(name);
      legendBox.appendChild(row);
    });
  }

  function say(text) {
    notice.textContent = "";
    if (text) { var li = document.createElement("li"); li.textContent = text; notice.appendChild(li); }
    notice.hidden = !text;
  }

  var seq = 0, fitted = false;
  function load() {
    var q = filterForm ? new URLSearchParams(new FormData(filterForm)) : new URLSearchParams();
    var b = big.getBounds(), mine = ++seq;
    q.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return Math.max(-180, Math.min(180, v)).toFixed(5); }).join(","));
    getJson(el.dataset.url + "?" + q.toString()).then(function (data) {
      if (mine !== seq) { return; }
      if (!fitted && data.bbox) {
        // The first answer frames what the filters match; its own moveend asks again.
        fitted = true;
        big.fitBounds([[data.bbox[1], data.bbox[0]], [data.bbox[3], data.bbox[2]]], { padding: [30, 30], maxZoom: 16, animate: false });
      }
      fitted = true;
      dots.clearLayers();
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates, pr = f.properties;
        var m = L.circleMarker([c[1], c[0]], { radius: 7, color: "#fff", weight: 1, fillColor: colour(pr.state), fillOpacity: 0.95 });
        m.bindTooltip(textTip(pr.number + " " + pr.type + " · " + pr.label));
        m.on("click", function () { window.location.href = el.dataset.detailUrl.replace("/0/", "/" + f.id + "/"); });
        dots.addLayer(m);
      });
      showLegend(data.counts || {});
      el.dataset.loaded = String(data.features.length);
      say(data.truncated ? "当前范围内案件过多（" + data.numberMatched + "件），请放大地图或增加筛选条件。" : "");
    }).catch(function () { if (mine === seq) { say("案件加载失败，请稍后重试"); } });
  }
  big.on("moveend", load);
  load();
})();
