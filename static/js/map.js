// The battle map: projects coloured by status, clustered dots at low zoom, shapes closer in.
(function () {
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  // No default attribution: its prefix carries a flag and a link; ours names the data's source.
  var map = L.map(el, { preferCanvas: true, zoomControl: true, minZoom: 7, maxZoom: 19,
                        attributionControl: false }).setView([34.51, 113.38], 11);
  window.cjBasemap(map, { url: el.dataset.basemapUrl, config: config });
  window.cjMap = map;  // for the browser tests and for debugging in the console
  var colour = function (c) { return config.colours[c] || "#9ca3af"; };
  var filterForm = document.querySelector("form.filters");
  var query = function () { return filterForm ? new URLSearchParams(new FormData(filterForm)) : new URLSearchParams(); };

  // A cluster shows its mix: a ring cut in the share of each colour (red first, clockwise)
  // around the count, and the counts per colour in its title. Built as elements; the
  // gradient is set through the style object, which the CSP allows.
  var ORDER = ["red", "yellow", "green", "grey", "blue"];
  var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40,
    iconCreateFunction: function (c) {
      var counts = {}, n = 0, at = 0, stops = [], words = [];
      c.getAllChildMarkers().forEach(function (m) {
        var k = ORDER.indexOf(m.options.colourKey) >= 0 ? m.options.colourKey : "grey";
        counts[k] = (counts[k] || 0) + 1; n++;
      });
      ORDER.forEach(function (k) {
        if (!counts[k]) { return; }
        var end = at + counts[k] / n * 360;
        stops.push(colour(k) + " " + at.toFixed(2) + "deg " + end.toFixed(2) + "deg");
        words.push(config.labels[k] + counts[k]);
        at = end;
      });
      var size = n < 10 ? 36 : (n < 100 ? 42 : 50);
      var ring = document.createElement("div");
      ring.className = "cluster-ring";
      ring.style.backgroundImage = "conic-gradient(" + stops.join(", ") + ")";
      ring.title = words.join("，");
      ring.dataset.colours = ORDER.filter(function (k) { return counts[k]; }).map(function (k) { return k + ":" + counts[k]; }).join(",");
      var count = document.createElement("span");
      count.textContent = String(n);
      ring.appendChild(count);
      return L.divIcon({ className: "cluster", html: ring, iconSize: [size, size] });
    } });
  var shapes = L.geoJSON(null, {
    style: function (f) { return { color: colour(f.properties.colour), weight: 3, fillOpacity: 0.35 }; },
    pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 1, fillColor: colour(f.properties.colour), fillOpacity: 1 }); },
    onEachFeature: function (f, layer) { bindCard(layer, f); }
  });
  var projects = L.layerGroup([cluster, shapes]).addTo(map);

  // JSON from our own endpoints, tried again after a server hiccup (static/js/basemap.js).
  var getJson = window.cjGetJson;

  // Names come from offices, the admin and imported GIS files: they reach the page as
  // text nodes only. Leaflet writes a string tooltip as HTML, so tooltips get an element.
  function textTip(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span;
  }

  function bindCard(layer, feature) {
    layer.bindTooltip(textTip(feature.properties.name));
    layer.on("click", function () {
      fetch(el.dataset.cardUrl.replace("/0/", "/" + feature.id + "/"), { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        // The card is our server's template, autoescaped there (maps/_card.html).
        .then(function (html) { layer.bindPopup(html, { maxWidth: 320 }).openPopup(); });
    });
  }

  function showCounts(counts) {
    var box = document.getElementById("map-counts");
    box.innerHTML = "";
    ["red", "yellow", "green", "grey", "blue"].forEach(function (c) {
      var span = document.createElement("span");
      span.className = "lamp lamp-" + c;
      span.textContent = config.icons[c] + " " + config.labels[c] + " " + (counts[c] || 0);
      box.appendChild(span);
    });
  }

  // Zoom to what the filters match: on submitting them, and on opening a URL that has them.
  var fitNext = Array.from(new URLSearchParams(location.search).values()).some(function (v) { return v !== ""; });
  function fitMatches(bbox) {
    if (!bbox) { return; }
    // Without animation: a view set during a zoom animation may be dropped.
    map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]], { padding: [40, 40], maxZoom: 16, animate: false });
  }

  var seq = 0;
  function load() {
    var q = query(), mine = ++seq, b = map.getBounds();
    q.set("zoom", map.getZoom());
    q.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
    getJson(el.dataset.projectsUrl + "?" + q.toString())
      .then(function (data) {
        if (mine !== seq) { return; }
        cluster.clearLayers(); shapes.clearLayers();
        if (map.getZoom() < config.pointsBelowZoom) {
          data.features.forEach(function (f) {
            var c = f.geometry.coordinates;
            var m = L.circleMarker([c[1], c[0]], { radius: 6, color: "#fff", weight: 1, fillColor: colour(f.properties.colour), fillOpacity: 1, colourKey: f.properties.colour });
            bindCard(m, f);
            cluster.addLayer(m);
          });
        } else {
          shapes.addData(data);
        }
        showCounts(data.counts || {});
        el.dataset.loaded = String(data.features.length);
        if (fitNext) { fitNext = false; fitMatches(data.bbox); }
        notices.projects = "";
        showNotices();
      })
      .catch(function () {
        if (mine !== seq) { return; }
        notices.projects = "项目加载失败，请稍后重试";
        showNotices();
      });
  }

  var overlays = { "项目": projects };
  // The districts' names are the basemap's labels (basemap.js), always shown.
  var districts = L.geoJSON(null, { style: { color: "#7c3aed", weight: 2, dashArray: "6 4", fillColor: "#c4b5fd", fillOpacity: 0.2 } }).addTo(map);
  overlays["核心板块"] = districts;
  // The districts frame the first view, unless someone has moved the map while they loaded:
  // a late answer must not yank the view away from where the user (or a test) went.
  var moved = false;
  map.once("movestart", function () { moved = true; });
  getJson(el.dataset.districtsUrl).catch(function () { return null; })
    .then(function (data) {
      if (data && data.features.length) {
        districts.addData(data);
        if (!moved) { map.fitBounds(districts.getBounds().pad(0.05)); }
      }
      el.dataset.districts = "loaded";
    });
  // Plan layers: small ones load whole once; large ones load what is in view on every move,
  // and when the view holds more than the server sends, say so instead of drawing part of it.
  var notices = {};
  function showNotices() {
    var box = document.getElementById("map-notice");
    box.textContent = "";
    Object.keys(notices).forEach(function (id) {
      if (!notices[id]) { return; }
      var li = document.createElement("li");
      li.textContent = notices[id];  // layer names are data: text, never HTML
      box.appendChild(li);
    });
    box.hidden = !box.childNodes.length;
  }
  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }
  function bboxParam(b) {
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
  }
  // Land-use layers are coloured by class (maps/landuse.py); the legend lists the 用地性质
  // of the land-use layers shown, each once, as text.
  var legendBox = null, legendShown = {};
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    legendBox = L.DomUtil.create("div", "map-legend");
    legendBox.dataset.testid = "map-legend";
    return legendBox;
  };
  legend.addTo(map);
  function showLegend() {
    legendBox.textContent = "";
    var seen = {};
    Object.keys(legendShown).forEach(function (id) {
      legendShown[id].forEach(function (line) {
        if (seen[line[0]]) { return; }
        seen[line[0]] = true;
        var row = document.createElement("div"), swatch = document.createElement("span"), name = document.createElement("span");
        row.className = "map-legend-row";
        swatch.className = "map-legend-swatch";
        swatch.style.backgroundColor = line[1];
        name.textContent = line[0];
        row.appendChild(swatch); row.appendChild(name);
        legendBox.appendChild(row);
      });
    });
    if (legendBox.childNodes.length) {
      var title = document.createElement("div");
      title.className = "map-legend-title";
      title.textContent = "用地性质";
      legendBox.insertBefore(title, legendBox.firstChild);
    }
    legendBox.hidden = !legendBox.childNodes.length;
  }
  showLegend();
  function landUseStyle(info) {
    return function (f) {
      var fill = info.palette[f.properties.land_use] || info.unknownColour;
      return Object.assign({}, info.style, { fillColor: fill, fillOpacity: 0.55, color: "#ffffff", weight: 0.5 });
    };
  }

  config.layers.forEach(function (info) {
    var layer = L.geoJSON(null, { style: info.palette ? landUseStyle(info) : info.style,
      onEachFeature: function (f, l) { var t = f.properties.land_use || f.properties.name; if (t) { l.bindTooltip(textTip(t)); } } });
    if (info.legend) {
      layer.on("add", function () { legendShown[info.id] = info.legend; showLegend(); });
      layer.on("remove", function () { delete legendShown[info.id]; showLegend(); });
    }
    var byView = info.count > config.layerLimit, seq = 0, covered = null, whole = false;
    function fetchLayer() {
      if (!map.hasLayer(layer) || whole) { return; }
      var url = el.dataset.layerUrl.replace("/0.", "/" + info.id + "."), want = null;
      if (byView) {
        if (covered && covered.contains(map.getBounds())) { return; }
        want = map.getBounds().pad(0.2);  // a margin, so small pans need no new request
        url += "?bbox=" + bboxParam(want);
      }
      var mine = ++seq;
      getJson(url)
        .then(function (d) {
          if (mine !== seq || !map.hasLayer(layer)) { return; }
          layer.clearLayers();
          if (d.truncated) {
            covered = null;
            notices[info.id] = "“" + info.name + "”当前范围要素过多（" + d.numberMatched + "个，单次最多显示" + d.limit + "个），请放大查看";
          } else {
            layer.addData(d);
            covered = want;
            whole = !byView;
            notices[info.id] = "";
          }
          showNotices();
          el.dataset["layer" + info.id] = d.truncated ? "truncated" : String(d.numberReturned);
        })
        .catch(function () {
          if (mine !== seq) { return; }
          notices[info.id] = "“" + info.name + "”加载失败，请稍后重试";
          showNotices();
        });
    }
    layer.on("add", fetchLayer);
    layer.on("remove", function () { seq++; notices[info.id] = ""; showNotices(); });
    map.on("moveend", fetchLayer);
    overlays[escapeHtml(info.name)] = layer;  // the layers control writes names as HTML
  });
  L.control.layers(null, overlays, { collapsed: window.innerWidth < 768 }).addTo(map);

  map.on("moveend", load);
  if (filterForm) {
    filterForm.addEventListener("submit", function (e) {
      e.preventDefault();
      fitNext = true;
      history.replaceState(null, "", "?" + query().toString());  // the filter state lives in the URL
      load();
    });
  }
  load();
})();
