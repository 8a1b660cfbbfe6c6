// Export the server-drawn Gantt (SVG) as a PNG, in the browser, at twice the resolution.
// The SVG is fetched again with for=png rather than copied from the page, so the server
// audits the export like the SVG and PDF downloads.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("export-png");
  if (!button) { return; }
  button.addEventListener("click", function () {
    fetch(button.dataset.svgUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (text) { drawPng(text, button.dataset.filename); })
      .catch(function () { button.textContent = "导出PNG失败，请重试"; });
  });
});

function drawPng(text, filename) {
  // Drawn through an <img>, where an SVG can run no script and load nothing.
  var box = new DOMParser().parseFromString(text, "image/svg+xml").documentElement.viewBox.baseVal;
  var img = new Image();
  img.onload = function () {
    var canvas = document.createElement("canvas");
    canvas.width = box.width * 2;
    canvas.height = box.height * 2;
    var ctx = canvas.getContext("2d");
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0);
    var link = document.createElement("a");
    link.download = filename;
    link.href = canvas.toDataURL("image/png");
    document.body.appendChild(link);
    link.click();
    link.remove();
  };
  img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
}
