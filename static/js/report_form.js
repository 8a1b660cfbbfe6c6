// The weekly report form (projects/report_form.html): 沿用上周 fills the form in place, and
// the photos picked are shown as thumbnails before submitting.

// 沿用上周: the values come from the page (json_script "carry-data", see
// projects.selectors.carried_over). Filled in place rather than by reloading with
// ?carry=last (the link's target without script), so the saved draft (static/js/app.js)
// is updated by the same "input" event as typing, instead of overriding what was carried.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("carry-last");
  var data = document.getElementById("carry-data");
  var form = document.querySelector("form.report-form");
  if (!button || !data || !form) { return; }
  var values = JSON.parse(data.textContent);
  button.addEventListener("click", function (event) {
    event.preventDefault();
    Object.keys(values).forEach(function (name) {
      var value = values[name];
      if (Array.isArray(value)) {
        var chosen = value.map(String);
        var boxes = form.querySelectorAll("input[type=checkbox][name='" + name + "']");
        Array.prototype.forEach.call(boxes, function (box) { box.checked = chosen.indexOf(box.value) >= 0; });
        var picker = boxes.length ? boxes[0].closest("details") : null;
        if (picker && chosen.length) { picker.open = true; }
        return;
      }
      var field = form.elements.namedItem(name);
      if (field && field.value !== undefined) { field.value = value; }
    });
    form.dispatchEvent(new Event("input", { bubbles: true }));
    var hint = button.parentNode.querySelector(".hint");
    if (hint && hint.textContent.indexOf("已按上周") !== 0) { hint.textContent = "已按上周填写。" + hint.textContent; }
  });
});

// Thumbnails of the photos picked (camera or gallery), with their count against the limit.
document.addEventListener("DOMContentLoaded", function () {
  var input = document.querySelector("form.report-form input[type=file][name=photos]");
  var box = document.querySelector(".photo-previews");
  if (!input || !box) { return; }
  var max = parseInt(box.dataset.max || "9", 10);
  var urls = [];
  input.addEventListener("change", function () {
    urls.forEach(function (url) { URL.revokeObjectURL(url); });
    urls = [];
    box.textContent = "";
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) { return; }
    var count = document.createElement("p");
    count.className = files.length > max ? "error" : "hint";
    count.textContent = files.length > max
      ? "已选" + files.length + "张，每次最多" + max + "张，请重新挑选。"
      : "已选" + files.length + "张照片";
    box.appendChild(count);
    files.forEach(function (file) {
      if (!/^image\//.test(file.type)) { return; }
      var url = URL.createObjectURL(file);
      urls.push(url);
      var img = document.createElement("img");
      img.src = url;
      img.alt = file.name;
      box.appendChild(img);
    });
  });
});
