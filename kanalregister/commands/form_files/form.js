/* The form's script (kanalregister form). It validates with the editor's JSON Schema of a
   channel (generated from the Table Schemas), the policy's required fields per status and the
   register's taken ids and addresses, all read from #form-data; it writes the entry in the
   layout of `kanalregister fmt`. No network, no storage. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("form-data").textContent);
  var T = JSON.parse(document.getElementById("form-text").textContent);
  var M = T.messages;
  var form = document.getElementById("form");
  var props = D.schema.properties;
  var idTouched = false;

  function fill(s, o) {
    return s.replace(/\{(\w+)\}/g, function (m, k) { return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : m; });
  }
  var cache = {};
  function regex(p, flags) {
    var key = p + "/" + (flags || "");
    if (!cache[key]) {
      try { cache[key] = new RegExp(p, "u" + (flags || "")); } catch (e) { cache[key] = new RegExp(p, flags || ""); }
    }
    return cache[key];
  }
  var emailRe = regex("^(?:" + D.email + ")$", "i");
  var dateRe = regex("^(?:" + D.date + ")$");
  function realDate(v) {
    if (!dateRe.test(v)) return false;
    var d = new Date(v + "T00:00:00Z");
    return !isNaN(d) && d.toISOString().slice(0, 10) === v;
  }

  /* A JSON Schema subset: the keywords kanalregister's editor schema uses. */
  function validate(v, s, path, out) {
    if (s.$ref) s = D.person;
    if (s.allOf) s.allOf.forEach(function (x) { validate(v, x, path, out); });
    if (s.if && matches(v, s.if) && s.then) validate(v, s.then, path, out);
    if (s.not && matches(v, s.not)) out.push({ path: path.concat((s.not.required || [])[0] || []), kind: "not" });
    if (Object.prototype.hasOwnProperty.call(s, "const") && v !== s.const) out.push({ path: path, kind: "enum" });
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      (s.required || []).forEach(function (k) { if (!(k in v)) out.push({ path: path.concat(k), kind: "required" }); });
      Object.keys(s.properties || {}).forEach(function (k) { if (k in v) validate(v[k], s.properties[k], path.concat(k), out); });
    }
    if (s.type === "array" && Array.isArray(v) && s.items) v.forEach(function (x, i) { validate(x, s.items, path.concat(i), out); });
    if (s.type === "number" && typeof v !== "number") { out.push({ path: path, kind: "number" }); return; }
    if (typeof v === "string") {
      if (s.enum && s.enum.indexOf(v) < 0) out.push({ path: path, kind: "enum" });
      if (s.pattern && !regex(s.pattern).test(v)) out.push({ path: path, kind: "pattern", pattern: s.pattern, value: v });
      var n = Array.from(v).length;
      if (s.minLength !== undefined && n < s.minLength) out.push({ path: path, kind: "minLength", n: s.minLength });
      if (s.maxLength !== undefined && n > s.maxLength) out.push({ path: path, kind: "maxLength", n: s.maxLength });
      if (s.format === "email" && !emailRe.test(v)) out.push({ path: path, kind: "email" });
      if (s.format === "date" && !realDate(v)) out.push({ path: path, kind: "date" });
    }
    if (typeof v === "number" && ((s.minimum !== undefined && v < s.minimum) || (s.maximum !== undefined && v > s.maximum))) {
      out.push({ path: path, kind: "range", min: s.minimum, max: s.maximum });
    }
  }
  function matches(v, s) { var o = []; validate(v, s, [], o); return o.length === 0; }

  /* The answers as a channel: field -> string, number, list or person(s); empty answers left out. */
  function person(row) {
    var p = {};
    D.personOrder.forEach(function (k) {
      var el = row.querySelector('[data-sub="' + k + '"]');
      var t = el ? el.value.trim() : "";
      if (t) p[k] = t;
    });
    return Object.keys(p).length ? p : null;
  }
  var rowOf = {};  // list field -> the form row of each collected person (empty rows are left out)
  function collect() {
    var v = {};
    D.order.forEach(function (name) {
      var el = document.getElementById("f-" + name);
      if (!el) return;
      var kind = el.getAttribute("data-kind");
      if (kind === "array") {
        var people = [];
        rowOf[name] = [];
        el.querySelectorAll('[data-person-row="' + name + '"]').forEach(function (row, i) {
          var p = person(row);
          if (p) { people.push(p); rowOf[name].push(i); }
        });
        if (people.length) v[name] = people;
      } else if (kind === "object") {
        var one = person(el.querySelector('[data-person-row="' + name + '"]'));
        if (one) v[name] = one;
      } else {
        var t = el.value.trim();
        if (!t) return;
        if (kind === "list") {
          var items = t.split(D.delimiter[name] || ";").map(function (x) { return x.trim(); }).filter(Boolean);
          if (items.length) v[name] = items;
        } else if (kind === "number") {
          v[name] = /^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(t.replace(",", ".")) ? Number(t.replace(",", ".")) : t;
        } else {
          v[name] = t;
        }
      }
    });
    return v;
  }

  function title(path) {
    var f = props[path[0]];
    var top = f ? f.title : String(path[0]);
    if (path.length > 2 && D.person.properties[path[2]]) return T.admin + " " + (path[1] + 1) + ", " + D.person.properties[path[2]].title;
    if (path.length > 1 && typeof path[1] === "string" && D.person.properties[path[1]]) return top + ", " + D.person.properties[path[1]].title;
    return top;
  }
  function message(e, v) {
    var t = title(e.path);
    var sub = e.path[e.path.length - 1];
    if (e.kind === "pattern") {
      if (e.pattern === D.patterns.safeLine || e.pattern === D.patterns.safeMultiline) return M.safe;
      if (e.pattern === D.patterns.https) return M.https;
      if (e.path[0] === "url" || e.path[0] === "aliases") {
        var hosts = D.platforms[v.platform] || [];
        return fill(M.host, { platform: D.platformLabels[v.platform] || v.platform, hosts: hosts.join(", ") });
      }
      var hint = T.hints[typeof sub === "string" ? sub : e.path[0]] || T.hints[e.path[0]];
      return fill(M.pattern, { title: t }) + (hint ? " " + hint : "");
    }
    if (e.kind === "minLength" || e.kind === "maxLength") return fill(M[e.kind], { title: t, n: e.n });
    if (e.kind === "range") return fill(M.range, { min: e.min, max: e.max });
    return fill(M[e.kind] || M.pattern, { title: t, n: e.n, status: T.status[v.status || "active"] || v.status });
  }

  function problems() {
    var v = collect();
    var out = [];
    validate(v, D.schema, [], out);
    out.forEach(function (e) { if (typeof e.path[1] === "number" && rowOf[e.path[0]]) e.path[1] = rowOf[e.path[0]][e.path[1]]; });
    var status = v.status || "active";
    (D.required[status] || []).forEach(function (k) {
      if (!(k in v) && !out.some(function (e) { return e.path[0] === k; })) out.push({ path: [k], kind: "policy" });
    });
    if ((D.required[status] || []).indexOf("administrators") >= 0 && v.administrators && v.administrators.length < D.minAdministrators) {
      out.push({ path: ["administrators"], kind: "admins", n: D.minAdministrators });
    }
    if (v.id && D.ids.indexOf(v.id) >= 0) out.push({ path: ["id"], kind: "taken" });
    if (v.url && D.urls.indexOf(v.url) >= 0) out.push({ path: ["url"], kind: "taken" });
    out.forEach(function (e) { e.text = e.kind === "admins" ? fill(M.admins, { n: e.n }) : message(e, v); });
    return { values: v, errors: out };
  }

  function target(path) {
    var id = "f-" + path.join("-");
    if (document.getElementById(id)) return id;
    return "f-" + path[0];
  }
  function show(errors, only) {
    var byId = {};
    errors.forEach(function (e) { var id = target(e.path); (byId[id] = byId[id] || []).push(e.text); });
    form.querySelectorAll("[id^='f-']").forEach(function (el) {
      var id = el.id;
      if (only && only.indexOf(id) < 0) return;
      var box = document.getElementById("e-" + id.slice(2));
      var list = byId[id];
      if (box) box.textContent = list ? list.filter(function (x, i) { return list.indexOf(x) === i; }).join(" ") : "";
      if (list) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
    });
    return byId;
  }

  /* The proposed id: the unit (or förvaltning) and the platform, as `new` proposes it. */
  function slug(s) {
    return s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "x";
  }
  function propose() {
    if (idTouched) return;
    var base = document.getElementById("f-unit").value.trim() || document.getElementById("f-department").value.trim();
    var platform = document.getElementById("f-platform").value;
    var el = document.getElementById("f-id");
    if (!base || !platform) { el.value = ""; return; }
    var id = (slug(base).slice(0, 40) + "-" + platform).replace(/-+/g, "-").replace(/^-+|-+$/g, "");
    var n = 2, candidate = id;
    while (D.ids.indexOf(candidate) >= 0) candidate = id + "-" + n++;
    el.value = candidate;
  }

  /* YAML in fmt's layout: schema order, lists and people in flow style. */
  var WORDS = /^(y|n|yes|no|on|off|true|false|null|~)$/i;
  function scalar(s, flow) {
    var plain = /^[A-Za-z0-9\u00C0-\u024F]/.test(s) && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(s) &&
      s.indexOf(": ") < 0 && s.indexOf(" #") < 0 && !/[:\s]$/.test(s) && !WORDS.test(s) &&
      !/^[-+]?[\d._:]+([eE][-+]?\d+)?$/.test(s) && !/^\d{4}-\d\d?-\d\d?/.test(s) && !(flow && /[,[\]{}]/.test(s)) &&
      !/^[\d.+-]+$/.test(s);
    return plain ? s : JSON.stringify(s);
  }
  function flowMap(p) {
    return "{" + D.personOrder.filter(function (k) { return k in p; }).map(function (k) { return k + ": " + scalar(p[k], true); }).join(", ") + "}";
  }
  function yaml(v) {
    var lines = [];
    D.order.forEach(function (name) {
      if (!(name in v)) return;
      var x = v[name], s = props[name], lead = lines.length ? "    " : "  - ", line;
      if (s.type === "array" && s.items && s.items.$ref) {
        lines.push(lead + name + ":");
        x.forEach(function (p) { lines.push("      - " + flowMap(p)); });
        return;
      }
      if (s.type === "array") line = "[" + x.map(function (i) { return scalar(i, true); }).join(", ") + "]";
      else if (s.$ref) line = flowMap(x);
      else if (s.format === "date" || typeof x === "number") line = String(x);
      else line = scalar(x, false);
      lines.push(lead + name + ": " + line);
    });
    return lines.join("\n") + "\n\n";  // and the blank line fmt keeps between entries
  }

  /* Where fmt puts the entry: by förvaltning in Swedish order (as sv_key), then id. */
  function svKey(s) { return Array.from(s.toLowerCase()).map(function (c) { return D.svLetters[c] || c; }).join(""); }
  function before(a, b) {
    for (var i = 0; i < 3; i++) { if (a[i] < b[i]) return true; if (a[i] > b[i]) return false; }
    return false;
  }
  function where(v) {
    var key = [svKey(v.department), v.department, v.id];
    var p = document.getElementById("where");
    var next = D.entries.filter(function (e) { return before(key, e); })[0];
    if (next) { p.setAttribute("data-before", next[2]); p.textContent = fill(M.where_before, { file: T.file, id: next[2] }); }
    else if (D.entries.length) {
      p.setAttribute("data-after", D.entries[D.entries.length - 1][2]);
      p.textContent = fill(M.where_last, { file: T.file, id: D.entries[D.entries.length - 1][2] });
    } else p.textContent = fill(M.where_any, { file: T.file });
  }

  var summary = document.getElementById("summary");
  var result = document.getElementById("result");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var r = problems();
    var byId = show(r.errors);
    var list = document.getElementById("summary-list");
    list.textContent = "";
    if (r.errors.length) {
      result.hidden = true;
      Object.keys(byId).forEach(function (id) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#" + id;
        a.textContent = title(id.slice(2).split("-").map(function (x) { return /^\d+$/.test(x) ? Number(x) : x; })) +
          ": " + byId[id][0];
        a.addEventListener("click", function (e) { e.preventDefault(); document.getElementById(id).focus(); });
        li.appendChild(a);
        list.appendChild(li);
      });
      document.getElementById("summary-h").textContent = fill(M.summary, { n: Object.keys(byId).length });
      summary.hidden = false;
      summary.focus();
      return;
    }
    summary.hidden = true;
    document.getElementById("yaml").value = yaml(r.values);
    where(r.values);
    result.hidden = false;
    document.getElementById("result-h").focus();
  });

  /* Check a field when it is left (and again while it is wrong, as it is corrected). */
  form.addEventListener("focusout", function (ev) {
    var el = ev.target;
    if (!el.id || el.id.indexOf("f-") !== 0 || !el.value.trim()) return;
    show(problems().errors, [el.id]);
  });
  form.addEventListener("input", function (ev) {
    var el = ev.target;
    if (el.id === "f-id") idTouched = el.value.trim() !== "";
    if (el.id === "f-unit" || el.id === "f-department" || el.id === "f-platform") propose();
    if (el.getAttribute("aria-invalid") === "true") show(problems().errors, [el.id]);
  });
  form.addEventListener("change", function (ev) {
    if (ev.target.id === "f-platform") propose();
    if (ev.target.id === "f-status") marks();
  });

  /* "(krävs)" beside what the schema and, for the chosen status, the guidelines require. */
  function marks() {
    var status = document.getElementById("f-status").value;
    var found = [];
    validate({ status: status }, D.schema, [], found);  // the schema's required fields, with those of its if/then
    var need = found.filter(function (e) { return e.kind === "required"; }).map(function (e) { return e.path[0]; })
      .concat(D.required[status] || []);
    form.querySelectorAll("[data-req]").forEach(function (el) { el.hidden = need.indexOf(el.getAttribute("data-req")) < 0; });
  }

  var add = document.getElementById("add-administrators");
  if (add) add.addEventListener("click", function () {
    var rows = document.getElementById("rows-administrators");
    var all = rows.querySelectorAll("[data-person-row]");
    var copy = all[all.length - 1].cloneNode(true);
    var i = all.length;
    copy.querySelector("legend").textContent = T.admin + " " + (i + 1);
    copy.querySelectorAll("[id]").forEach(function (el) { el.id = el.id.replace(/-\d+-/, "-" + i + "-"); });
    copy.querySelectorAll("label").forEach(function (el) { el.htmlFor = el.htmlFor.replace(/-\d+-/, "-" + i + "-"); });
    copy.querySelectorAll("input").forEach(function (el) {
      el.value = ""; el.removeAttribute("aria-invalid");
      el.setAttribute("aria-describedby", el.getAttribute("aria-describedby").replace(/-\d+-/, "-" + i + "-"));
    });
    copy.querySelectorAll(".error").forEach(function (el) { el.textContent = ""; });
    rows.appendChild(copy);
    copy.querySelector("input").focus();
  });

  document.getElementById("copy").addEventListener("click", function () {
    var box = document.getElementById("yaml");
    var status = document.getElementById("copied");
    box.focus();
    box.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    status.textContent = ok ? M.copied : M.copy_failed;
  });
})();
