/* "Är kontot officiellt?": matches a pasted address or @handle against the förteckning.
   Runs from static files (no server, also from file://); the data is kontrollera-data.js, written by
   the build (kanalregister/site/verify.py). Also loaded by node in the tests (module.exports).
   Without JavaScript the page shows the full list, searchable with the browser's find. */
(function () {
  "use strict";

  /* The interpreter of the identity table (kanalregister/register/identity.json, written into
     kontrollera-data.js by the build): the same steps as kanalregister.register.identity. */
  var SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
  var FEDI_HANDLE = /^@?([^@\s\/]+)@([^@\s\/]+\.[^@\s\/]+)$/;

  function lower(s) { return s.toLowerCase(); }
  function nfc(s) { return s.normalize ? s.normalize("NFC") : s; }
  function decode(s) { try { return decodeURIComponent(s); } catch (e) { return s; } }

  function hostEntry(table, host) {
    var i, j, entry, d, label;
    for (i = 0; i < table.platforms.length; i++) {
      entry = table.platforms[i];
      for (j = 0; j < entry.domains.length; j++) {
        d = entry.domains[j];
        if (host === d) { return {entry: entry, host: d, label: ""}; }
        if (host.length > d.length && host.slice(-d.length - 1) === "." + d) {
          label = host.slice(0, -d.length - 1).split(".").pop();
          return {entry: entry, host: d, label: table.strip.indexOf(label) >= 0 ? "" : label};
        }
      }
    }
    while (host.indexOf(".") >= 0 && table.strip.indexOf(host.split(".")[0]) >= 0 &&
           host.split(".").length > 2) {
      host = host.slice(host.indexOf(".") + 1);
    }
    return {entry: null, host: host, label: ""};
  }

  function apply(rules, reserved, segs, params, ns, host) {
    var r, rule, path, value, fits, i, m, star;
    for (r = 0; r < rules.length; r++) {
      rule = rules[r];
      path = rule.path;
      if (segs.length < path.length) { continue; }
      value = null;
      fits = true;
      star = path.indexOf("*") >= 0;
      for (i = 0; i < path.length; i++) {
        if (path[i] === "*") { value = segs[i]; } else if (path[i] !== "+" && lower(segs[i]) !== path[i]) { fits = false; break; }
      }
      if (!fits) { continue; }
      if (rule.hasOwnProperty("query")) {
        value = params.get(rule.query);
        if (value === null) { continue; }
      }
      if (value === null) { value = ""; }
      if (rule.at && value.charAt(0) === "@") { value = value.slice(1); }
      if (rule.fold !== false) { value = lower(value); }
      if (rule.hasOwnProperty("match")) {
        m = new RegExp(rule.match).exec(value);
        if (!m) { continue; }
        value = m.length > 1 ? m[1] : m[0];
      }
      if (star && reserved.indexOf(value) >= 0) { continue; }
      if (rule.kind === null) { return null; }
      if ((star || rule.hasOwnProperty("query")) && !value) { continue; }
      if (rule.host) { return "fediverse:" + rule.kind + ":" + value + "@" + host; }
      return ns + ":" + rule.kind + ":" + value;
    }
    return null;
  }

  /* The key of the account an address names (PLATFORM:KIND:VALUE), or null. */
  function accountKey(table, address) {
    var s = nfc((address || "").trim());
    var m = FEDI_HANDLE.exec(s);
    if (m) { s = "https://" + m[2] + "/@" + m[1]; }
    if (!SCHEME.test(s)) { s = "https://" + s; }
    var u;
    try { u = new URL(s); } catch (e) { return null; }
    if (u.protocol !== "https:" && u.protocol !== "http:") { return null; }
    var host = lower(u.hostname).replace(/\.+$/, "");
    if (!host) { return null; }
    var segs = u.pathname.split("/").filter(function (x) { return x.length > 0; })
      .map(function (x) { return nfc(decode(x)); });
    var found = hostEntry(table, host);
    var entry = found.entry;
    if (!entry) { return apply(table.other.rules, [], segs, u.searchParams, found.host, found.host); }
    if (found.label && entry.subdomain) { return entry.platform + ":" + entry.subdomain + ":" + lower(found.label); }
    if (entry.skip) {
      var skip = new RegExp(entry.skip);
      while (segs.length && skip.test(lower(segs[0]))) { segs = segs.slice(1); }
    }
    return apply(entry.rules, entry.reserved || [], segs, u.searchParams, entry.platform, found.host);
  }

  /* The key of what a citizen types: an address, a @user@server handle, or a handle alone. */
  function queryKey(table, text) {
    var s = nfc((text || "").trim());
    if (!s) { return null; }
    if (s.indexOf("/") < 0 && !FEDI_HANDLE.test(s) && (s.charAt(0) === "@" || s.indexOf(".") < 0)) {
      return "handle:" + lower(s.replace(/^@/, ""));
    }
    return accountKey(table, s);
  }

  function distance(a, b) {
    var prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) { prev[j] = j; }
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      for (j = 1; j <= b.length; j++) {
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1));
      }
      prev = cur;
    }
    return prev[b.length];
  }

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) { return values.hasOwnProperty(name) ? values[name] : all; });
  }

  function build(data) {
    var index = {};
    function add(pair, entry) {
      (index[pair[0]] = index[pair[0]] || []).push({kind: entry.kind, item: entry.item, address: entry.item.addresses[pair[1]]});
    }
    data.channels.forEach(function (c) {
      var entry = {kind: c.status === "active" ? "official" : "closed", item: c};
      c.keys.forEach(function (pair) { add(pair, entry); });
    });
    data.parties.forEach(function (p) { p.keys.forEach(function (pair) { add(pair, {kind: "party", item: p}); }); });
    return index;
  }

  function mailto(address) { return el("a", address, {href: "mailto:" + address}); }

  function answer(data, index, query, out) {
    var T = data.texts, org = data.org.name;
    out.textContent = "";
    if (!query.trim()) { return; }
    var key = queryKey(data.identity, query);
    var hits = key ? (index[key] || []) : [];
    var seen = {};
    hits = hits.filter(function (h) { var k = h.kind + (h.item.id || h.address); if (seen[k]) { return false; } seen[k] = 1; return true; });
    var official = hits.filter(function (h) { return h.kind === "official"; });
    var isHandle = key !== null && key.indexOf("handle:") === 0;
    var box = el("div", "", {"class": "answer"});
    if (official.length) {
      box.className = "answer official";
      var depts = {};
      official.forEach(function (h) { depts[h.item.department] = 1; });
      var one = Object.keys(depts).length === 1;
      box.appendChild(el("p", one ? fill(T.officialDept, {org: org, department: official[0].item.department}) :
        fill(T.official, {org: org}), {"class": "verdict-text"}));
      if (isHandle) {
        var platforms = official.map(function (h) { return h.item.platformLabel; });
        var named = platforms.length > 1 ? platforms.slice(0, -1).join(", ") + T.and + platforms[platforms.length - 1] : platforms[0];
        box.appendChild(el("p", fill(T.handleOn, {handle: key.slice(7), platforms: named}), {"class": "platforms"}));
      }
      var ul = el("ul");
      official.forEach(function (h) {
        var c = h.item, li = el("li");
        li.appendChild(el("a", fill(T.on, {name: c.name, platform: c.platformLabel}), {href: "kanal/" + c.id + ".html"}));
        li.appendChild(document.createTextNode(". " + fill(T.runBy, {department: c.department + (c.unit ? ", " + c.unit : "")}) + " "));
        li.appendChild(document.createTextNode(T.address));
        li.appendChild(el("a", h.address, {href: h.address, "class": "matched", rel: "noopener noreferrer"}));
        li.appendChild(document.createTextNode(". " + T.contact));
        li.appendChild(mailto(c.contact || data.org.email));
        li.appendChild(document.createTextNode("." + (c.starts ? " " + fill(T.planned, {date: c.starts}) : "") +
          (c.closing ? " " + fill(T.closingOn, {date: c.closing}) : "")));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      if (isHandle) { box.appendChild(el("p", T.handleOnly)); }
    } else if (hits.length && hits[0].kind === "closed") {
      var c = hits[0].item;
      box.className = "answer closed";
      box.appendChild(el("p", c.closing ? fill(T.closedSince, {date: c.closing, org: org}) : fill(T.closed, {org: org}),
        {"class": "verdict-text"}));
      box.appendChild(el("p", fill(T.closedWarn, {department: c.department})));
      var retired = el("p", T.retired);
      retired.appendChild(el("span", hits[0].address, {"class": "retired-address"}));
      box.appendChild(retired);
      var p = el("p");
      p.appendChild(el("a", fill(T.closedMore, {name: c.name}), {href: "kanal/" + c.id + ".html"}));
      box.appendChild(p);
      var ask = el("p", T.contact);
      ask.appendChild(mailto(c.contact || data.org.email));
      box.appendChild(ask);
    } else if (hits.length && hits[0].kind === "party") {
      box.className = "answer party";
      box.appendChild(el("p", fill(T.party, {party: hits[0].item.party, org: org}), {"class": "verdict-text"}));
    } else {
      box.className = "answer unknown";
      box.appendChild(el("p", T.unknown, {"class": "verdict-text"}));
      box.appendChild(el("p", fill(T.unknownLead, {org: org})));
      var steps = el("ul");
      steps.appendChild(el("li", T.step1));
      steps.appendChild(el("li", fill(T.step2, {org: org})));
      var contact = el("li", fill(T.step3, {keeper: data.org.keeper || org}));
      contact.appendChild(mailto(data.org.email));
      if (data.org.phone) { contact.appendChild(document.createTextNode(fill(T.phone, {phone: data.org.phone}))); }
      steps.appendChild(contact);
      box.appendChild(steps);
      if (key && !isHandle) {
        var ns = key.split(":")[0], near = null;
        Object.keys(index).forEach(function (k) {
          if (!near && k.split(":")[0] === ns && k !== key && distance(k, key) <= 2) {
            index[k].forEach(function (h) { if (h.kind === "official") { near = h.item; } });
          }
        });
        if (near) {
          var np = el("p", T.near);
          np.appendChild(el("a", fill(T.on, {name: near.name, platform: near.platformLabel}), {href: "kanal/" + near.id + ".html"}));
          np.appendChild(document.createTextNode(T.nearTail));
          box.appendChild(np);
        }
      }
    }
    out.appendChild(box);
  }

  function init() {
    var form = document.getElementById("kontroll");
    var data = window.kanalregisterData;
    if (!form || !data) { return; }
    var index = build(data);
    var input = document.getElementById("konto");
    var out = document.getElementById("svar");
    form.hidden = false;
    var nojs = document.getElementById("utan-javascript");
    if (nojs) { nojs.hidden = true; }
    function run() {
      answer(data, index, input.value, out);
      var params = new URLSearchParams(window.location.search);
      if (input.value.trim()) { params.set("konto", input.value.trim()); } else { params.delete("konto"); }
      var q = params.toString();
      try { history.replaceState(null, "", q ? "?" + q : window.location.pathname); } catch (e) { /* file:// */ }
    }
    form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
    var start = new URLSearchParams(window.location.search).get("konto");
    if (start) { input.value = start; run(); }
  }

  var api = {accountKey: accountKey, queryKey: queryKey};
  if (typeof module !== "undefined" && module.exports) { module.exports = api; return; }
  window.kanalregisterIdentity = api;
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
