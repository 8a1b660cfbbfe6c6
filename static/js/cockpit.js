// Cockpit and big-screen charts (ECharts, served by the app).
// Names here are data (categories, tasks, districts, units). ECharts draws axes, labels
// and legends on the canvas; only tooltips are HTML, and its default tooltip escapes
// names. So: no tooltip formatter that builds HTML from data, and no `html` options
// (tests/e2e/test_xss.py shows a planted unit name in a tooltip).
(function () {
  var data = JSON.parse(document.getElementById("cockpit-data").textContent);
  var dark = document.body.dataset.theme === "dark";
  var text = dark ? "#e5e7eb" : "#1f2937";
  var font = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif';
  var C = data.palette, LABELS = data.labels;  // not `L`: that is Leaflet
  var base = { textStyle: { fontFamily: font, color: text, fontSize: dark ? 16 : 12 },
               animation: false, grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true } };
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(Object.assign({}, base, option));
    window.addEventListener("resize", function () { c.resize(); });
    el.dataset.rendered = "1";
  }
  // The big screen is read from across a room: 16 px text. Labels wrap, never cut.
  var size = dark ? 16 : 12, fit = "break";
  var axisText = { color: text, fontSize: size };
  var legend = { top: 0, textStyle: { color: text, fontSize: size } };
  function stacked(id, rows, horizontal) {
    var names = rows.map(function (r) { return r.name; });
    var series = ["red", "yellow", "green", "grey", "blue"].map(function (k) {
      return { name: LABELS[k], type: "bar", stack: "n", itemStyle: { color: C[k] },
               data: rows.map(function (r) { return r[k] || 0; }) };
    });
    var cat = { type: "category", data: names, axisLabel: Object.assign({ interval: 0, width: dark ? 110 : 90, overflow: fit }, axisText) };
    var val = { type: "value", axisLabel: axisText, minInterval: 1 };
    chart(id, { legend: legend, tooltip: { trigger: "axis" }, series: series,
                xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val });
  }
  chart("c-colours", { tooltip: { trigger: "item" }, legend: legend,
    series: [{ type: "pie", radius: ["40%", "70%"], top: 20,
      label: { color: text, fontSize: size, formatter: "{b}\n{c}" },
      data: ["red", "yellow", "green", "grey", "blue"].map(function (k) {
        return { name: LABELS[k], value: data.colours[k], itemStyle: { color: C[k] } }; }) }] });
  var inv = data.investment, yi = inv.unit === "亿元";
  // In 亿元 from 1亿 on, with two decimals (as the figures beside the chart).
  var amount = function (v) { return yi ? Math.round(v / 100) / 100 : Math.round(v); };
  chart("c-investment", { tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: ["年度计划", "序时进度", "累计完成"], axisLabel: axisText },
    yAxis: { type: "value", axisLabel: axisText },
    series: [{ type: "bar", barWidth: "45%", label: { show: true, position: "top", color: text, fontSize: size },
      data: [{ value: amount(inv.planned), itemStyle: { color: "#64748b" } },
             { value: amount(inv.schedule), itemStyle: { color: "#2563eb" } },
             { value: amount(inv.actual), itemStyle: { color: inv.actual < inv.schedule ? C.yellow : C.green } }] }] });
  var t = data.trend;
  chart("c-trend", { legend: legend, tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: t.weeks, axisLabel: axisText },
    yAxis: { type: "value", axisLabel: axisText, minInterval: 1 },
    series: ["red", "yellow", "green"].map(function (k) {
      return { name: LABELS[k], type: "line", data: t[k], itemStyle: { color: C[k] }, lineStyle: { color: C[k], width: 3 } }; }) });
  stacked("c-category", data.by_category, false);
  stacked("c-task", data.by_task, true);
  stacked("c-district", data.by_district, true);
  var units = data.units.slice().reverse();
  chart("c-units", { legend: legend, tooltip: { trigger: "axis" },
    xAxis: { type: "value", axisLabel: axisText, minInterval: 1 },
    yAxis: { type: "category", data: units.map(function (u) { return u.unit; }), axisLabel: Object.assign({ width: dark ? 170 : 120, overflow: fit }, axisText) },
    series: [{ name: LABELS.red, type: "bar", stack: "n", itemStyle: { color: C.red }, data: units.map(function (u) { return u.red; }) },
             { name: LABELS.yellow, type: "bar", stack: "n", itemStyle: { color: C.yellow }, data: units.map(function (u) { return u.yellow; }) }] });

  // The big screen's centre map: every project as a coloured dot over the core districts.
  var mapEl = document.getElementById("screen-map");
  if (mapEl && window.L) {
    var map = L.map(mapEl, { zoomControl: false, attributionControl: false, preferCanvas: true,
                             minZoom: 7, maxZoom: 18 }).setView([34.51, 113.38], 11);
    // The city's basemap with the districts' names, and the districts, which frame the view.
    window.cjBasemap(map, { url: mapEl.dataset.basemapUrl, config: data.map || {}, dark: true });
    var districts = L.geoJSON(null, { style: { color: "#60a5fa", weight: 2, dashArray: "6 4", fillColor: "#1d4ed8", fillOpacity: 0.22 } }).addTo(map);
    window.cjGetJson(mapEl.dataset.districtsUrl).catch(function () { return null; })
      .then(function (d) { if (d && d.features.length) { districts.addData(d); map.fitBounds(districts.getBounds().pad(0.05)); } });
    window.cjGetJson(mapEl.dataset.projectsUrl + "?zoom=0")
      .then(function (d) {
        d.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          L.circleMarker([c[1], c[0]], { radius: 5, weight: 1, color: "#0b1220", fillColor: C[f.properties.colour] || "#9ca3af", fillOpacity: 1 }).addTo(map);
        });
        mapEl.dataset.rendered = "1";
      });
  }
})();
