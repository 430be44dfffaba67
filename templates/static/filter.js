/* Filtering the förteckning by förvaltning, platform and target group, or (a register with many
   organisations, data-mode="organisations") its list of organisations by name and platform.
   Progressive enhancement: without JavaScript every entry shows and the form stays hidden.
   The filter is kept in the address (?forvaltning=…&plattform=…&malgrupp=… or ?organisation=…)
   so a view can be linked. While a filter is on, the list of förvaltningar above the tables is
   hidden, so the results come right after the form; no result says so and offers a reset. */
(function () {
  "use strict";
  var PARAMS = {forvaltning: "filter-forvaltning", plattform: "filter-plattform", malgrupp: "filter-malgrupp",
                organisation: "filter-organisation"};

  function init() {
    var form = document.getElementById("filter");
    if (!form) { return; }
    var compact = form.getAttribute("data-mode") === "organisations";
    var items = Array.prototype.slice.call(document.querySelectorAll(compact ? "li[data-org]" : "tr[data-platform]"));
    var sections = Array.prototype.slice.call(document.querySelectorAll("section.department"));
    var toc = document.querySelector("nav.toc");
    var status = document.getElementById("filter-status");
    var empty = document.getElementById("filter-empty");
    var reset = document.getElementById("filter-reset");
    var fields = {};
    Object.keys(PARAMS).forEach(function (p) {
      var f = document.getElementById(PARAMS[p]);
      if (f) { fields[p] = f; }
    });
    function value(p) { return fields[p] ? fields[p].value.trim() : ""; }
    form.hidden = false;

    function keep(item) {
      if (compact) {
        var name = value("organisation").toLowerCase(), plat = value("plattform");
        return (!name || item.getAttribute("data-org").indexOf(name) >= 0) &&
               (!plat || (" " + item.getAttribute("data-platforms") + " ").indexOf(" " + plat + " ") >= 0);
      }
      var groups = JSON.parse(item.getAttribute("data-groups") || "[]");
      var dep = value("forvaltning"), plat2 = value("plattform"), group = value("malgrupp");
      return (!dep || item.getAttribute("data-department") === dep) &&
             (!plat2 || item.getAttribute("data-platform") === plat2) &&
             (!group || groups.indexOf(group) >= 0);
    }

    function apply(updateUrl) {
      var shown = 0;
      var on = Object.keys(fields).some(function (p) { return value(p) !== ""; });
      items.forEach(function (item) {
        var ok = keep(item);
        item.hidden = !ok;
        if (ok) { shown++; }
      });
      sections.forEach(function (s) { s.hidden = !s.querySelector("tr[data-platform]:not([hidden])"); });
      if (toc) { toc.hidden = on; }
      if (reset) { reset.hidden = !on; }
      if (empty) { empty.hidden = shown > 0; }
      /* the text comes from the page, in its language */
      status.textContent = (status.getAttribute("data-text") || "{shown} / {total}")
        .replace("{shown}", String(shown)).replace("{total}", String(items.length));
      if (updateUrl) {
        var params = new URLSearchParams(window.location.search);
        Object.keys(fields).forEach(function (p) {
          if (value(p)) { params.set(p, value(p)); } else { params.delete(p); }
        });
        var q = params.toString();
        try { history.replaceState(null, "", q ? "?" + q : window.location.pathname); } catch (e) { /* file:// */ }
      }
    }
    var start = new URLSearchParams(window.location.search);
    Object.keys(fields).forEach(function (p) {
      var v = start.get(p), f = fields[p];
      if (v && (f.tagName !== "SELECT" || Array.prototype.some.call(f.options, function (o) { return o.value === v; }))) {
        f.value = v;
      }
      f.addEventListener(f.tagName === "SELECT" ? "change" : "input", function () { apply(true); });
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(true); });
    form.addEventListener("reset", function () { window.setTimeout(function () { apply(true); }, 0); });
    apply(false);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
