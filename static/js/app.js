// Chengjian's own small scripts (no framework; htmx comes from django-htmx).

// Fold the menu away on phones so the page content comes first.
document.addEventListener("DOMContentLoaded", function () {
  var nav = document.querySelector(".nav-toggle");
  if (nav && window.matchMedia("(max-width: 768px)").matches) { nav.open = false; }
});

// List filters fold behind one button on phones; the button says how many the person
// chose: a field counts when it differs from its default (data-default, for a filter the
// page applies by itself, such as the meeting list's 近期及以后; otherwise empty).
// Without script (or with an error to show) they stay open.
document.addEventListener("DOMContentLoaded", function () {
  Array.prototype.forEach.call(document.querySelectorAll("details.filter-fold"), function (fold) {
    var used = Array.prototype.filter.call(fold.querySelectorAll("select, input"), function (el) {
      var unchosen = el.getAttribute("data-default") || "";
      return el.name && el.type !== "hidden" && el.value !== unchosen;
    }).length;
    fold.querySelector("summary").textContent = used ? "筛选（已选" + used + "项）" : "筛选";
    var phone = window.matchMedia("(max-width: 768px)").matches;
    if (phone && !fold.parentNode.querySelector(".error")) { fold.open = false; }
  });
});

// Report forms survive a dropped connection: typed fields are kept in localStorage
// and restored when the form is opened again. A successful submit redirects to a
// page without the form, which then clears the saved draft.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.localStorage) { return; }
  var form = document.querySelector("form[data-draft-key]");
  var pending = sessionStorage.getItem("cj-submitted");
  if (!form) {
    if (pending) { localStorage.removeItem(pending); sessionStorage.removeItem("cj-submitted"); }
    return;
  }
  var key = "cj-draft-" + form.dataset.draftKey;
  var keep = function (el) {
    return el.name && el.type !== "file" && el.type !== "checkbox" && el.name !== "csrfmiddlewaretoken";
  };
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
  if (saved && !form.querySelector(".error")) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (keep(el) && saved[el.name] !== undefined && saved[el.name] !== "") { el.value = saved[el.name]; }
    });
  }
  form.addEventListener("input", function () {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) { if (keep(el)) { data[el.name] = el.value; } });
    localStorage.setItem(key, JSON.stringify(data));
  });
  form.addEventListener("submit", function () { sessionStorage.setItem("cj-submitted", key); });
});
