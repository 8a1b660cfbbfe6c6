// The smaller field pages (cases/field/*.html): 核查 and 加入案件 forms take the phone's
// position and show the photos picked; the sign page prints; the result page forgets the
// report draft it came from.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Where the check (or sighting) was made: the phone's position, when it gives one.
    Array.prototype.forEach.call(document.querySelectorAll("form[data-geo-fill]"), function (form) {
      var lon = form.elements.namedItem("lon"), lat = form.elements.namedItem("lat");
      var source = form.elements.namedItem("position_source");
      var status = form.querySelector(".geo-status");
      if (!lon || !lat || lon.value) { return; }
      if (!navigator.geolocation) { if (status) { status.textContent = "本机不支持定位，将以照片的拍摄位置为准。"; } return; }
      navigator.geolocation.getCurrentPosition(function (p) {
        lon.value = Math.round(p.coords.longitude * 1e7) / 1e7;
        lat.value = Math.round(p.coords.latitude * 1e7) / 1e7;
        if (source) { source.value = "device"; }
        if (status) { status.textContent = "已获取手机定位（" + Number(lon.value).toFixed(6) + "，" + Number(lat.value).toFixed(6) + "）"; }
      }, function () {
        if (status) { status.textContent = "未能获取手机定位，将以照片的拍摄位置为准。"; }
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });

    // Thumbnails of the photos picked, by both the camera and the gallery buttons.
    Array.prototype.forEach.call(document.querySelectorAll("form .photo-previews"), function (box) {
      var form = box.closest("form");
      var inputs = form.querySelectorAll("input[type=file][name=photos]");
      var urls = [];
      function show() {
        urls.forEach(function (u) { URL.revokeObjectURL(u); });
        urls = [];
        box.textContent = "";
        var files = [];
        Array.prototype.forEach.call(inputs, function (i) { files = files.concat(Array.prototype.slice.call(i.files || [])); });
        if (!files.length) { return; }
        var max = parseInt(box.dataset.max || "6", 10);
        var count = document.createElement("p");
        count.className = files.length > max ? "error" : "hint";
        count.textContent = files.length > max ? "已选" + files.length + "张，最多" + max + "张，请重新挑选。" : "已选" + files.length + "张照片";
        box.appendChild(count);
        files.forEach(function (file) {
          if (!/^image\//.test(file.type)) { return; }
          var url = URL.createObjectURL(file);
          urls.push(url);
          var img = document.createElement("img");
          img.src = url; img.alt = "现场照片";
          box.appendChild(img);
        });
      }
      Array.prototype.forEach.call(inputs, function (i) { i.addEventListener("change", show); });
    });

    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () { window.print(); });
    });

    // Arrived on a result page: the report is filed, its draft (and key) is done with.
    if (document.querySelector("[data-testid=report-result]") && window.localStorage) {
      Object.keys(localStorage).forEach(function (k) { if (k.indexOf("cj-case-draft-") === 0) { localStorage.removeItem(k); } });
    }
  });
})();
