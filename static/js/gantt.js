// Export the server-drawn Gantt (SVG) as a PNG, in the browser, at twice the resolution.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("export-png");
  var svg = document.querySelector("#gantt svg");
  if (!button || !svg) { return; }
  button.addEventListener("click", function () {
    var data = new XMLSerializer().serializeToString(svg);
    var img = new Image();
    img.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = svg.viewBox.baseVal.width * 2;
      canvas.height = svg.viewBox.baseVal.height * 2;
      var ctx = canvas.getContext("2d");
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0);
      var link = document.createElement("a");
      link.download = button.dataset.filename;
      link.href = canvas.toDataURL("image/png");
      document.body.appendChild(link);
      link.click();
      link.remove();
    };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(data);
  });
});
