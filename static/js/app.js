// Fold the menu away on phones so the page content comes first.
document.addEventListener("DOMContentLoaded", function () {
  var nav = document.querySelector(".nav-toggle");
  if (nav && window.matchMedia("(max-width: 768px)").matches) { nav.open = false; }
});

// Report forms survive a dropped connection: fields are kept in localStorage
// until the form is submitted successfully (the next page load clears it).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-draft-key]");
  if (!form || !window.localStorage) { return; }
  var key = "cj-draft-" + form.dataset.draftKey;
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
  if (saved && !form.querySelector(".error")) {
    Object.keys(saved).forEach(function (name) {
      var field = form.elements[name];
      if (field && field.type !== "file" && field.type !== "checkbox" && !field.value) { field.value = saved[name]; }
    });
  }
  form.addEventListener("input", function () {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.type !== "file" && el.type !== "checkbox" && el.name !== "csrfmiddlewaretoken") { data[el.name] = el.value; }
    });
    localStorage.setItem(key, JSON.stringify(data));
  });
  form.addEventListener("submit", function () { sessionStorage.setItem("cj-submitted", key); });
  var done = sessionStorage.getItem("cj-submitted");
  if (done && !document.querySelector("form[data-draft-key] .error")) { /* stay */ }
});
// After a successful submit the app redirects away from the form: clear that draft.
document.addEventListener("DOMContentLoaded", function () {
  var done = sessionStorage.getItem("cj-submitted");
  if (done && !document.querySelector("form[data-draft-key]")) {
    localStorage.removeItem(done);
    sessionStorage.removeItem("cj-submitted");
  }
});
