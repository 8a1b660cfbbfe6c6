// Fold the menu away on phones so the page content comes first.
document.addEventListener("DOMContentLoaded", function () {
  var nav = document.querySelector(".nav-toggle");
  if (nav && window.matchMedia("(max-width: 768px)").matches) { nav.open = false; }
});
