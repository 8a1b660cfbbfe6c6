// The battle map: projects coloured by status, clustered dots at low zoom, shapes closer in.
(function () {
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var map = L.map(el, { preferCanvas: true, zoomControl: true, minZoom: 7, maxZoom: 19 }).setView([34.51, 113.38], 11);
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: "" }).addTo(map);
  } else {
    el.classList.add("no-basemap");  // the city's own layers on a plain background
  }
  window.cjMap = map;  // for the browser tests and for debugging in the console
  var colour = function (c) { return config.colours[c] || "#9ca3af"; };
  var filterForm = document.querySelector("form.filters");
  var query = function () { return filterForm ? new URLSearchParams(new FormData(filterForm)) : new URLSearchParams(); };

  var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40,
    iconCreateFunction: function (c) {
      var kids = c.getAllChildMarkers(), worst = "green", rank = { grey: 0, blue: 0, green: 1, yellow: 2, red: 3 };
      kids.forEach(function (m) { if (rank[m.options.colourKey] > rank[worst]) { worst = m.options.colourKey; } });
      // The only HTML string on this map: a count and a colour key of our own, no data text.
      return L.divIcon({ className: "cluster cluster-" + worst, html: "<span>" + Number(c.getChildCount()) + "</span>", iconSize: [34, 34] });
    } });
  var shapes = L.geoJSON(null, {
    style: function (f) { return { color: colour(f.properties.colour), weight: 3, fillOpacity: 0.35 }; },
    pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 1, fillColor: colour(f.properties.colour), fillOpacity: 1 }); },
    onEachFeature: function (f, layer) { bindCard(layer, f); }
  });
  var projects = L.layerGroup([cluster, shapes]).addTo(map);

  // Names come from offices, the admin and imported GIS files: they reach the page as
  // text nodes only. Leaflet writes a string tooltip as HTML, so tooltips get an element.
  // JSON from our own endpoints; a server error is tried again twice (a busy moment should
  // not leave the map empty), anything else is an error for the caller to say.
  function getJson(url, tries) {
    if (tries === undefined) { tries = 2; }
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (r.ok) { return r.json(); }
      if (tries > 0 && r.status >= 500) {
        return new Promise(function (done) { setTimeout(done, 400); })
          .then(function () { return getJson(url, tries - 1); });
      }
      throw new Error("HTTP " + r.status);
    });
  }

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
  var districts = L.geoJSON(null, { style: { color: "#7c3aed", weight: 2, dashArray: "6 4", fillOpacity: 0.04 },
    onEachFeature: function (f, layer) { layer.bindTooltip(textTip(f.properties.name), { permanent: false }); } }).addTo(map);
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
  config.layers.forEach(function (info) {
    var layer = L.geoJSON(null, { style: info.style,
      onEachFeature: function (f, l) { var t = f.properties.land_use || f.properties.name; if (t) { l.bindTooltip(textTip(t)); } } });
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
      history.replaceState(null, "", "?" + query().toString());  // the filter state lives in the URL
      load();
    });
  }
  load();
})();
