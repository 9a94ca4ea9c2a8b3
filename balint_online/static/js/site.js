/* The little the pages need from JavaScript; everything works without it.
   Loaded from the site itself (the CSP allows no inline script). */
document.documentElement.classList.add("js");
var tableLabel = document.currentScript.getAttribute("data-table-label") || "";

document.addEventListener("DOMContentLoaded", function () {
  // Phones: the main menu folds behind its button (CSS shows the button under 40rem only).
  var toggle = document.querySelector(".nav-toggle");
  var menu = document.getElementById("nav-menu");
  if (toggle && menu) {
    toggle.addEventListener("click", function () {
      var open = menu.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // A table wider than the screen scrolls sideways in its .table-wrap: keyboard users reach it too.
  Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (wrap) {
    if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
      var caption = wrap.querySelector("caption");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      // No caption: the word "Table" in the page's language, from site.js's own <script> tag (base.html).
      wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : tableLabel);
    }
  });

  // After a form comes back with errors, start at its summary, as GOV.UK's pattern does:
  // a screen reader announces it and Tab leads to the first field to fix.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
    summary.scrollIntoView({block: "start"});
  }
});
