// 上报案件 on a phone (cases/field/report.html): the photo's EXIF position, the phone's
// position or a dragged pin; a type-ahead over the active types; nearby open cases of the
// same type first (加入此案件); a draft with its client key kept in localStorage, and a
// submit that survives losing signal: 重新提交 sends the same key, so one case.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var field = function (name) { return form.elements.namedItem(name); };
  var DRAFT = "cj-case-draft-" + (form.dataset.user || "0");
  var KEPT = ["idempotency_key", "case_type", "description", "urgency", "address", "source",
              "lon", "lat", "position_source"];

  // --- client key and draft ---------------------------------------------------------
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }
  function value(name) {
    var el = field(name);
    if (!el) { return ""; }
    if (el instanceof RadioNodeList || (el.length && !el.tagName)) { return el.value; }
    return el.value;
  }
  function setValue(name, v) {
    var el = field(name);
    if (!el || v === undefined || v === null) { return; }
    el.value = v;
  }
  var attempted = false;  // a submit of this draft has left the phone (it may have arrived)
  function saveDraft() {
    var data = { attempted: attempted };
    KEPT.forEach(function (n) { data[n] = value(n); });
    try { localStorage.setItem(DRAFT, JSON.stringify(data)); } catch (e) { /* full or private */ }
  }
  function loadDraft() {
    try { return JSON.parse(localStorage.getItem(DRAFT) || "null"); } catch (e) { return null; }
  }
  var serverErrors = !$("report-errors").hidden;
  var draft = loadDraft();
  if (draft && !serverErrors) {
    KEPT.forEach(function (n) { if (draft[n]) { setValue(n, draft[n]); } });
    attempted = !!draft.attempted;
  }
  if (!value("idempotency_key")) { setValue("idempotency_key", (draft && draft.idempotency_key) || newKey()); }
  saveDraft();
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  // --- GCJ-02 (when the city's tiles are published in it; data stays WGS84) ------------
  var config = JSON.parse($("field-map-config").textContent);
  var A = 6378245.0, EE = 0.00669342162296594323;
  function gcjOffset(lon, lat) {
    var x = lon - 105.0, y = lat - 35.0, PI = Math.PI;
    var common = (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    var dlat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + common +
      (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3 +
      (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
    var dlon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + common +
      (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3 +
      (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
    var rad = lat / 180 * PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    return [dlon * 180 / (A / sq * Math.cos(rad) * PI), dlat * 180 / ((A * (1 - EE)) / (magic * sq) * PI)];
  }
  function inChina(lon, lat) { return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271; }
  function toMap(lon, lat) {  // WGS84 → what the basemap draws, as a Leaflet [lat, lng]
    if (!config.gcj02 || !inChina(lon, lat)) { return [lat, lon]; }
    var d = gcjOffset(lon, lat);
    return [lat + d[1], lon + d[0]];
  }
  function fromMap(latlng) {  // the inverse, by fixed-point iteration (well under a metre)
    var lon = latlng.lng, lat = latlng.lat;
    if (!config.gcj02 || !inChina(lon, lat)) { return [lon, lat]; }
    var x = lon, y = lat;
    for (var i = 0; i < 30; i++) {
      var d = gcjOffset(x, y);
      var nx = lon - d[0], ny = lat - d[1];
      if (Math.abs(nx - x) < 1e-9 && Math.abs(ny - y) < 1e-9) { x = nx; y = ny; break; }
      x = nx; y = ny;
    }
    return [x, y];
  }

  // --- map and pin --------------------------------------------------------------------
  var status = $("pos-status");
  var SOURCES = { photo: "位置来自照片的拍摄位置", device: "位置来自手机定位", pin: "已在地图上调整位置" };
  var map = null, pin = null, geoLoadedAt = null;
  if (window.L) {
    map = L.map("pick-map", { zoomControl: true, attributionControl: !!config.attribution });
    if (config.tileUrl) {
      var tileOptions = { maxZoom: 18, subdomains: config.tileSubdomains || "abc", tk: config.tileKey || "" };
      L.tileLayer(config.tileUrl, tileOptions).addTo(map);
      if (config.labelUrl) { L.tileLayer(config.labelUrl, tileOptions).addTo(map); }
    } else {
      map.getContainer().classList.add("no-tiles");
    }
    var centre = config.centre && config.centre.length === 2 ? config.centre : [34.51, 113.38];
    map.setView(toMap(centre[1], centre[0]), 13);
    map.on("click", function (e) { var p = fromMap(e.latlng); setPosition(p[0], p[1], "pin"); });
  }
  var background = map ? L.layerGroup().addTo(map) : null;
  function drawBackground(lon, lat) {
    // Without tiles: the grids and road segments around the point, our own data.
    if (!map || config.tileUrl) { return; }
    if (geoLoadedAt && Math.abs(geoLoadedAt[0] - lon) < 0.003 && Math.abs(geoLoadedAt[1] - lat) < 0.003) { return; }
    geoLoadedAt = [lon, lat];
    fetch(form.dataset.geoUrl + "?lon=" + lon + "&lat=" + lat, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        background.clearLayers();
        L.geoJSON(data, {
          coordsToLatLng: function (c) { var ll = toMap(c[0], c[1]); return L.latLng(ll[0], ll[1]); },
          style: function (f) {
            return f.properties.kind === "segment" ? { color: "#9ca3af", weight: 6, opacity: 0.8 }
              : { color: "#60a5fa", weight: 1, fillColor: "#dbeafe", fillOpacity: 0.35 };
          },
          interactive: false
        }).addTo(background);
      })
      .catch(function () { /* the pin works without a background */ });
  }
  function setPosition(lon, lat, source) {
    lon = Math.round(lon * 1e7) / 1e7; lat = Math.round(lat * 1e7) / 1e7;
    setValue("lon", lon); setValue("lat", lat); setValue("position_source", source);
    status.textContent = (SOURCES[source] || "已标定位置") + "（" + lon.toFixed(6) + "，" + lat.toFixed(6) + "）";
    status.className = "pos-status ok";
    if (map) {
      var ll = toMap(lon, lat);
      if (!pin) {
        pin = L.marker(ll, { draggable: true, autoPan: true, title: "问题位置" }).addTo(map);
        pin.on("dragend", function () { var p = fromMap(pin.getLatLng()); setPosition(p[0], p[1], "pin"); });
      } else {
        pin.setLatLng(ll);
      }
      map.setView(ll, Math.max(map.getZoom(), 17));
      drawBackground(lon, lat);
    }
    saveDraft();
    lookNearby();
  }
  // Which source may replace which: a dragged pin is the user's word, a photo's EXIF is
  // where the problem was seen, the phone's fix is where the user stands now.
  var RANK = { "": 0, device: 1, photo: 2, pin: 3 };
  function offer(lon, lat, source) {
    if (RANK[source] >= RANK[value("position_source") || ""] || !value("lon")) { setPosition(lon, lat, source); }
  }
  function locate(manual) {
    if (!navigator.geolocation) { status.textContent = "本机不支持定位，请在地图上点选问题位置。"; return; }
    if (manual) { status.textContent = "正在获取手机定位…"; }
    navigator.geolocation.getCurrentPosition(function (p) {
      if (manual) { setPosition(p.coords.longitude, p.coords.latitude, "device"); }
      else { offer(p.coords.longitude, p.coords.latitude, "device"); }
    }, function () {
      if (!value("lon")) {
        status.textContent = "未能获取手机定位（请允许定位权限），请在地图上点选问题位置，或拍摄带位置的照片。";
        status.className = "pos-status warn";
      }
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  $("locate-me").addEventListener("click", function () { locate(true); });
  if (value("lon") && value("lat")) {
    setPosition(parseFloat(value("lon")), parseFloat(value("lat")), value("position_source") || "pin");
  } else if (form.dataset.desk) {
    // The desk enters what a citizen reported by phone: where the desk sits says nothing.
    status.textContent = "请在地图上点选市民反映的问题位置，并填写地址或参照物。";
  } else {
    locate(false);
  }

  // --- photos: previews and the EXIF position -----------------------------------------
  // Read here from the file's first bytes, so the pin moves before anything is sent over a
  // weak signal; the server reads the same EXIF (core.uploads) and stores it with the photo.
  function exifGps(buffer) {
    var v = new DataView(buffer), off = 2;
    if (v.byteLength < 4 || v.getUint16(0) !== 0xFFD8) { return null; }
    while (off + 4 <= v.byteLength) {
      var marker = v.getUint16(off), size = v.getUint16(off + 2);
      if (marker === 0xFFE1 && v.getUint32(off + 4) === 0x45786966) { return tiffGps(v, off + 10); }
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) { return null; }
      off += 2 + size;
    }
    return null;
  }
  function tiffGps(v, t) {
    // Offsets in a TIFF block count from its start `t`; an entry's value (or the offset of
    // it, when longer than four bytes) sits 8 bytes into the entry.
    var le = v.getUint16(t) === 0x4949;
    var u16 = function (o) { return v.getUint16(t + o, le); };
    var u32 = function (o) { return v.getUint32(t + o, le); };
    function entries(ifd) {
      var n = u16(ifd), out = {};
      for (var i = 0; i < n; i++) { var e = ifd + 2 + i * 12; out[u16(e)] = e; }
      return out;
    }
    function dms(entry) {
      var at = u32(entry + 8), parts = [];
      for (var i = 0; i < 3; i++) { var d = u32(at + i * 8 + 4); parts.push(d ? u32(at + i * 8) / d : 0); }
      return parts[0] + parts[1] / 60 + parts[2] / 3600;
    }
    try {
      var ifd0 = entries(u32(4));
      if (!ifd0[0x8825]) { return null; }
      var g = entries(u32(ifd0[0x8825] + 8));
      if (!g[2] || !g[4]) { return null; }
      var ref = function (tag, def) { return g[tag] ? String.fromCharCode(v.getUint8(t + g[tag] + 8)) : def; };
      var lat = dms(g[2]), lon = dms(g[4]);
      if (ref(1, "N") === "S") { lat = -lat; }
      if (ref(3, "E") === "W") { lon = -lon; }
      if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) || (lat === 0 && lon === 0)) { return null; }
      return [lon, lat];
    } catch (e) { return null; }  // a truncated or odd EXIF block: no position from it
  }
  var previews = $("photo-previews"), urls = [];
  var inputs = form.querySelectorAll("input[type=file][name=photos]");
  function photoFiles() {
    var files = [];
    Array.prototype.forEach.call(inputs, function (i) { files = files.concat(Array.prototype.slice.call(i.files || [])); });
    return files;
  }
  function onPhotos() {
    urls.forEach(function (u) { URL.revokeObjectURL(u); });
    urls = [];
    previews.textContent = "";
    var files = photoFiles(), max = parseInt(previews.dataset.max || "6", 10);
    if (!files.length) { return; }
    var count = document.createElement("p");
    count.className = files.length > max ? "error" : "hint";
    count.textContent = files.length > max ? "已选" + files.length + "张，最多" + max + "张，请重新挑选。" : "已选" + files.length + "张照片";
    previews.appendChild(count);
    files.forEach(function (file) {
      if (!/^image\//.test(file.type)) { return; }
      var url = URL.createObjectURL(file);
      urls.push(url);
      var img = document.createElement("img");
      img.src = url; img.alt = "现场照片";
      previews.appendChild(img);
    });
    var jpeg = files.filter(function (f) { return /jpe?g$/i.test(f.type) || /\.jpe?g$/i.test(f.name); })[0];
    if (jpeg && jpeg.arrayBuffer) {
      jpeg.slice(0, 256 * 1024).arrayBuffer().then(function (buf) {
        var gps = exifGps(buf);
        if (gps) { offer(gps[0], gps[1], "photo"); }
      }).catch(function () { /* no position from this photo */ });
    }
  }
  Array.prototype.forEach.call(inputs, function (i) { i.addEventListener("change", onPhotos); });

  // --- type-ahead ---------------------------------------------------------------------
  var types = JSON.parse($("case-types").textContent);
  var select = field("case_type"), search = $("type-search"), results = $("type-results"), chosen = $("type-chosen");
  $("type-picker").hidden = false;
  $("type-select").hidden = true;
  types.forEach(function (t) {
    t.label = t.kind + " " + t.code + " " + t.name;
    t.hay = [t.code, t.kind, t.major, t.name, t.group].join(" ").toLowerCase();
  });
  function byId(id) { return types.filter(function (t) { return String(t.id) === String(id); })[0]; }
  function showChosen() {
    var t = byId(select.value);
    chosen.hidden = !t;
    chosen.textContent = t ? "已选：" + t.label + "（" + t.major + (t.group ? "·" + t.group : "") + "）" : "";
  }
  function choose(t) {
    select.value = String(t.id);
    search.value = "";
    results.textContent = "";
    showChosen();
    saveDraft();
    lookNearby();
  }
  search.addEventListener("input", function () {
    var terms = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    results.textContent = "";
    if (!terms.length) { return; }
    // Matches on the type's own name first (暴露垃圾 before 垃圾箱's major class), then codes.
    var rank = function (t) { return t.name.indexOf(terms[0]) === 0 ? 0 : t.name.indexOf(terms[0]) > 0 ? 1 : 2; };
    var found = types.filter(function (t) { return terms.every(function (w) { return t.hay.indexOf(w) >= 0; }); })
      .map(function (t, i) { return { t: t, r: rank(t), i: i }; })
      .sort(function (a, b) { return a.r - b.r || a.i - b.i; })
      .map(function (x) { return x.t; }).slice(0, 8);
    if (!found.length) {
      var none = document.createElement("li");
      none.className = "hint"; none.textContent = "没有匹配的类型，可换个说法或输入“其他”。";
      results.appendChild(none);
    }
    found.forEach(function (t) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button"; b.setAttribute("role", "option"); b.className = "type-option";
      var main = document.createElement("span"); main.textContent = t.name;
      var sub = document.createElement("small"); sub.textContent = t.kind + " " + t.code + " · " + t.major + (t.group ? " · " + t.group : "");
      b.appendChild(main); b.appendChild(sub);
      b.addEventListener("click", function () { choose(t); });
      li.appendChild(b);
      results.appendChild(li);
    });
  });
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {  // Enter picks the first match rather than submitting
      e.preventDefault();
      var first = results.querySelector("button");
      if (first) { first.click(); }
    }
  });
  showChosen();

  // --- nearby open cases of the same type ----------------------------------------------
  var nearby = $("nearby"), list = $("nearby-list"), timer = null, lastAsked = "";
  function lookNearby() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var t = select.value, lon = value("lon"), lat = value("lat");
      if (!t || !lon || !lat) { nearby.hidden = true; return; }
      var q = "type=" + encodeURIComponent(t) + "&lon=" + lon + "&lat=" + lat;
      if (q === lastAsked) { return; }
      lastAsked = q;
      fetch(form.dataset.nearbyUrl + "?" + q, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && q === lastAsked) { showNearby(data); } })
        .catch(function () { lastAsked = ""; /* offline: no hint, the report still works */ });
    }, 300);
  }
  function showNearby(data) {
    list.textContent = "";
    nearby.hidden = !data.cases.length;
    $("nearby-hint").textContent = data.cases.length ? data.radius + "米内有" + data.cases.length + "件同类未办结案件：" : "";
    data.cases.forEach(function (c) {
      var li = document.createElement("li");
      li.className = "nearby-item";
      li.dataset.testid = "nearby-case";
      if (c.thumb) {
        var img = document.createElement("img");
        img.src = c.thumb; img.alt = "案件照片"; img.loading = "lazy";
        li.appendChild(img);
      }
      var text = document.createElement("div");
      var head = document.createElement("b"); head.className = "mono"; head.textContent = c.number;
      var line = document.createElement("div"); line.textContent = c.type + " · " + c.state + " · 约" + c.distance + "米";
      text.appendChild(head); text.appendChild(line);
      li.appendChild(text);
      var join = document.createElement("a");
      join.href = c.join; join.className = "button big join-button"; join.textContent = "加入此案件";
      join.dataset.testid = "join-button";
      join.addEventListener("click", function (e) { e.preventDefault(); joinCase(c, join); });
      li.appendChild(join);
      list.appendChild(li);
    });
  }

  // --- sending, with 重新提交 after a lost connection ------------------------------------
  var submit = $("report-submit"), retryBox = $("retry-box"), errors = $("report-errors");
  function showErrors(messages) {
    errors.textContent = "";
    messages.forEach(function (m) { var d = document.createElement("div"); d.textContent = m; errors.appendChild(d); });
    errors.hidden = !messages.length;
    if (messages.length) { errors.scrollIntoView({ block: "center" }); }
  }
  function lost(text) {
    $("retry-text").textContent = text;
    retryBox.hidden = false;
    submit.hidden = true;
  }
  function post(url, body, busy) {
    busy.disabled = true;
    var was = busy.textContent;
    busy.textContent = "正在提交…";
    saveDraft();
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "Accept": "application/json" } })
      .then(function (r) {
        var json = /json/.test(r.headers.get("Content-Type") || "");
        if (!json) { throw new Error("HTTP " + r.status); }  // a proxy's page: not our answer
        return r.json().then(function (data) { return { status: r.status, data: data }; });
      })
      .then(function (res) {
        busy.disabled = false; busy.textContent = was;
        if (res.data.ok) {
          try { localStorage.removeItem(DRAFT); } catch (e) { /* nothing kept */ }
          window.location.assign(res.data.url);
          return;
        }
        retryBox.hidden = true; submit.hidden = false;
        showErrors(res.data.errors || [res.data.error || "提交失败，请检查后重试。"]);
      }, function () {
        busy.disabled = false; busy.textContent = was;
        lost("网络中断或服务器暂时无响应，尚未确认提交成功。填写的内容已保存在本机，信号恢复后请点“重新提交”。");
      });
  }
  function send() {
    showErrors([]);
    var photos = photoFiles();
    if (photos.length > parseInt(previews.dataset.max || "6", 10)) { showErrors(["照片数量超过上限，请重新挑选。"]); return; }
    // The server says the same; asked here first, no upload is spent on a form it refuses.
    // Not after an attempt that may have arrived: the server then answers with that case.
    var missing = [];
    if (!attempted && !form.dataset.desk && !photos.length) { missing.push("现场照片：请拍摄或选择至少一张现场照片。"); }
    if (!select.value) { missing.push("问题类型：请选择问题类型。"); }
    if (!value("description").trim()) { missing.push("问题描述：请填写问题描述。"); }
    if (missing.length) { showErrors(missing); return; }
    attempted = true;
    post(form.action || window.location.href, new FormData(form), retryBox.hidden ? submit : $("report-retry"));
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); send(); });
  $("report-retry").addEventListener("click", send);

  function joinCase(c, button) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", field("csrfmiddlewaretoken").value);
    body.append("note", value("description"));
    ["lon", "lat", "position_source", "idempotency_key"].forEach(function (n) { body.append(n, value(n)); });
    photoFiles().forEach(function (f) { body.append("photos", f, f.name); });
    if (!window.confirm("将您的照片和说明加入案件" + c.number + "，不再新建案件？")) { return; }
    post(c.join, body, button);
  }
})();
