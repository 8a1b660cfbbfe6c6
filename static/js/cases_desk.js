// Case pages (desk queue, unit list, case page): small helpers, no framework.
(function () {
  // A link to #step-dispatch (from the desk's queue) opens that step's form.
  function openFromHash() {
    if (!location.hash) { return; }
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
  }
  openFromHash();
  window.addEventListener("hashchange", openFromHash);

  // Where the step was taken: a form marked data-locate gets the phone's position when its
  // fold is opened (the step is recorded without one if the person declines).
  function locate(form) {
    if (!navigator.geolocation || form.dataset.located) { return; }
    form.dataset.located = "asked";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var lon = form.querySelector("input[name=lon]"), lat = form.querySelector("input[name=lat]");
      if (lon && lat) {
        lon.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        form.dataset.located = "yes";
      }
    }, function () { form.dataset.located = "no"; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-locate]"), function (form) {
    var fold = form.closest("details");
    if (!fold) { locate(form); return; }
    fold.addEventListener("toggle", function () { if (fold.open) { locate(form); } });
  });

  // One submit per click: a slow upload on a phone is not sent twice.
  Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (form) {
    form.addEventListener("submit", function () {
      setTimeout(function () {
        Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) { b.disabled = true; });
      }, 0);
    });
  });
})();
