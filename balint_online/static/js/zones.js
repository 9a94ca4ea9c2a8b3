// Time zones, as a progressive enhancement: every page works without this file.
// Loaded from the site itself (the Content-Security-Policy allows no inline script), by the pages
// with a zone to choose only (core/forms.zone_script).
//
// 1. A visitor who has not chosen a zone: the browser's zone goes through the visitor picker's own
//    form (form[data-detect-zone], whose value is the zone the page is shown in). The site answers
//    the zone it means (an alias such as Asia/Calcutta made canonical) and remembers it; an
//    untouched zone field that follows the visitor's zone (select[data-viewer-zone], sign-up) moves
//    to it, and a page showing times in another zone reloads (form[data-reload]).
// 2. Every zone list (select[data-zone-search]) gets a search box that narrows it.
(function () {
  "use strict";
  if (window.balintZones) return;  // named by each zone field of a page, it runs once
  window.balintZones = true;
  // The words it shows come in the page's language, on its own <script> tag (core/forms.zone_script).
  var text = document.currentScript ? document.currentScript.dataset : {};

  function detect() {
    var form = document.querySelector("form[data-detect-zone]");
    if (!form || !window.fetch || !window.Intl || !window.FormData) return;
    var browserZone;
    try {
      browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!browserZone) return;
    var body = new FormData(form);
    body.set("detected", browserZone);
    fetch(form.action, {method: "POST", body: body, credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (answer) {
        if (!answer || !answer.timezone || answer.timezone === form.getAttribute("data-detect-zone")) return;
        document.querySelectorAll("select[data-viewer-zone]").forEach(function (select) {
          if (!select.hasAttribute("data-touched")) {
            select.value = answer.timezone;
            select.dispatchEvent(new Event("change"));
          }
        });
        if (form.hasAttribute("data-reload")) window.location.reload();
      })
      .catch(function () { /* the page stays as it is, in the zone it names */ });
  }

  function words(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[_/]/g, " ");
  }

  function searchable(select) {
    // Every option, once, in its group (UTC has none), so that a narrowed list can be rebuilt.
    var parts = Array.prototype.map.call(select.children, function (node) {
      var options = node.tagName === "OPTGROUP" ? Array.prototype.slice.call(node.children) : [node];
      return {node: node, options: options.map(function (option) {
        return {node: option, text: words(option.textContent + " " + option.value + " " + (option.getAttribute("data-search") || ""))};
      })};
    });
    var box = document.createElement("input");
    box.type = "search";
    box.id = (select.id || "zone") + "-search";
    box.className = "zone-search";
    box.autocomplete = "off";
    box.placeholder = text.placeholder || "";
    box.setAttribute("aria-label", text.label || "");
    box.setAttribute("aria-controls", select.id);
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(status, select.nextSibling);
    select.addEventListener("change", function () { select.setAttribute("data-touched", ""); });

    box.addEventListener("input", function () {
      var wanted = words(box.value).split(/\s+/).filter(Boolean);
      var chosen = select.value, found = 0, keep = [];
      parts.forEach(function (part) {
        var matching = part.options.filter(function (option) {
          return wanted.every(function (word) { return option.text.indexOf(word) !== -1; });
        });
        found += matching.length;
        if (!matching.length) return;
        if (part.node.tagName === "OPTGROUP") {
          part.node.replaceChildren.apply(part.node, matching.map(function (option) { return option.node; }));
        }
        keep.push(part.node);
      });
      if (!found) {  // nothing matches: the whole list again, so the field always holds a zone
        parts.forEach(function (part) {
          if (part.node.tagName === "OPTGROUP") {
            part.node.replaceChildren.apply(part.node, part.options.map(function (option) { return option.node; }));
          }
        });
        keep = parts.map(function (part) { return part.node; });
      }
      select.replaceChildren.apply(select, keep);
      var stillThere = Array.prototype.some.call(select.options, function (option) { return option.value === chosen; });
      if (stillThere) {
        select.value = chosen;
      } else {
        select.selectedIndex = 0;  // the first match: what the person was looking for
      }
      if (select.value !== chosen) select.dispatchEvent(new Event("change"));
      status.textContent = !wanted.length ? "" : found ? (found === 1 ? text.one : (text.many || "").replace("{count}", found))
        : text.none;
    });
  }

  document.querySelectorAll("select[data-zone-search]").forEach(searchable);
  detect();
})();
