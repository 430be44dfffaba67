/* Filtering the förteckning by förvaltning, platform and target group.
   Progressive enhancement: without JavaScript every entry shows and the form stays hidden.
   The filter is kept in the address (?forvaltning=…&plattform=…&malgrupp=…) so a view can be linked. */
(function () {
  "use strict";
  var PARAMS = {forvaltning: "filter-forvaltning", plattform: "filter-plattform", malgrupp: "filter-malgrupp"};

  function init() {
    var form = document.getElementById("filter");
    if (!form) { return; }
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-platform]"));
    var sections = Array.prototype.slice.call(document.querySelectorAll("section.department"));
    var status = document.getElementById("filter-status");
    var selects = {};
    Object.keys(PARAMS).forEach(function (p) { selects[p] = document.getElementById(PARAMS[p]); });
    form.hidden = false;

    function apply(updateUrl) {
      var dep = selects.forvaltning.value, plat = selects.plattform.value, group = selects.malgrupp.value;
      var shown = 0;
      rows.forEach(function (tr) {
        var groups = JSON.parse(tr.getAttribute("data-groups") || "[]");
        var ok = (!dep || tr.getAttribute("data-department") === dep) &&
                 (!plat || tr.getAttribute("data-platform") === plat) &&
                 (!group || groups.indexOf(group) >= 0);
        tr.hidden = !ok;
        if (ok) { shown++; }
      });
      sections.forEach(function (s) { s.hidden = !s.querySelector("tr[data-platform]:not([hidden])"); });
      /* the text comes from the page, in its language */
      status.textContent = (status.getAttribute("data-text") || "{shown} / {total}")
        .replace("{shown}", String(shown)).replace("{total}", String(rows.length));
      if (updateUrl) {
        var params = new URLSearchParams(window.location.search);
        Object.keys(PARAMS).forEach(function (p) {
          if (selects[p].value) { params.set(p, selects[p].value); } else { params.delete(p); }
        });
        var q = params.toString();
        try { history.replaceState(null, "", q ? "?" + q : window.location.pathname); } catch (e) { /* file:// */ }
      }
    }
    var start = new URLSearchParams(window.location.search);
    Object.keys(PARAMS).forEach(function (p) {
      var v = start.get(p);
      if (v && Array.prototype.some.call(selects[p].options, function (o) { return o.value === v; })) {
        selects[p].value = v;
      }
      selects[p].addEventListener("change", function () { apply(true); });
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(true); });
    form.addEventListener("reset", function () { window.setTimeout(function () { apply(true); }, 0); });
    apply(false);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
