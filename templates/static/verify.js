/* "Är kontot officiellt?": matches a pasted address or @handle against the förteckning.
   Runs from static files (no server, also from file://); the data is embedded in the page.
   Without JavaScript the page shows the full list, searchable with the browser's find. */
(function () {
  "use strict";

  var STRIP = /^(www|m|mobile|mbasic|touch|web|business)\./;
  var HOSTS = {
    "twitter.com": "x.com", "fb.com": "facebook.com", "fb.me": "facebook.com",
    "instagr.am": "instagram.com", "threads.com": "threads.net", "youtu.be": "youtube.com"
  };
  var LINKEDIN = ["company", "school", "showcase", "in"];
  /* Platforms whose address names the account after a fixed word (bsky.app/profile/NAME):
     the key keeps the word and the name, so that two accounts never share a key. Words that
     name the same account are given one spelling (flickr's people/ is its photos/). */
  var PREFIXED = {
    "bsky.app": {profile: "profile"},
    "flickr.com": {photos: "photos", people: "photos"},
    "snapchat.com": {add: "add"},
    "spotify.com": {artist: "artist", show: "show", user: "user"},
    "weibo.com": {u: "u"},
    "vimeo.com": {channels: "channels", user: "user"},
    "soundcloud.com": {},
    "threads.net": {}
  };
  /* Platforms whose names are written with or without a leading @ in the address. */
  var AT_OPTIONAL = ["x.com", "instagram.com", "threads.net"];
  /* Platform domains: any subdomain of these (se.linkedin.com, web.facebook.com) is the domain itself. */
  var DOMAINS = ["facebook.com", "instagram.com", "x.com", "twitter.com", "youtube.com", "linkedin.com",
    "tiktok.com", "threads.net", "threads.com", "flickr.com", "vimeo.com", "github.com", "snapchat.com",
    "pinterest.com", "soundcloud.com", "slideshare.net", "weibo.com", "spotify.com", "bsky.app"];

  function lower(s) { return s.toLowerCase(); }

  /* The comparison key of an address or handle, or null when it is neither. */
  function keyFor(raw) {
    var s = (raw || "").trim();
    if (!s) { return null; }
    if (s.indexOf("/") < 0 && (s.charAt(0) === "@" || s.indexOf(".") < 0 ||
        /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s))) {
      return "handle:" + lower(s.replace(/^@/, ""));
    }
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) { s = "https://" + s; }
    var u;
    try { u = new URL(s); } catch (e) { return null; }
    if (u.protocol !== "https:" && u.protocol !== "http:") { return null; }
    var host = lower(u.hostname).replace(/\.$/, "");
    while (STRIP.test(host)) { host = host.replace(STRIP, ""); }
    DOMAINS.forEach(function (d) { if (host.slice(-d.length - 1) === "." + d) { host = d; } });
    host = HOSTS[host] || host;
    var segs = u.pathname.split("/").filter(function (x) { return x.length > 0; });
    if (host === "x.com" && segs[0] === "intent") {  /* x.com/intent/user?screen_name=NAME */
      var named = u.searchParams.get("screen_name");
      return named ? host + "/" + lower(named.replace(/^@/, "")) : null;
    }
    if (host === "instagram.com" && segs[0] === "stories" && segs.length > 1) { segs = segs.slice(1); }
    var first = segs.length ? segs[0] : "";
    if (AT_OPTIONAL.indexOf(host) >= 0) { first = first.replace(/^@/, ""); }
    if (PREFIXED.hasOwnProperty(host)) {
      var word = PREFIXED[host][lower(first)];
      if (word) { return segs.length > 1 ? host + "/" + word + "/" + lower(segs[1]) : null; }
    }
    if (host === "facebook.com") {
      if (first === "profile.php") {
        var id = u.searchParams.get("id");
        return id ? host + "/id:" + id : null;
      }
      if ((first === "pages" || first === "people") && segs.length > 1) {
        var last = segs[segs.length - 1];
        return /^\d+$/.test(last) ? host + "/id:" + last : host + "/" + lower(segs[1]);
      }
      if (first === "pg" && segs.length > 1) { return host + "/" + lower(segs[1]); }
      if (/^\d+$/.test(first)) { return host + "/id:" + first; }
      var m = /-(\d{6,})$/.exec(first);
      if (m) { return host + "/id:" + m[1]; }
    }
    if (host === "youtube.com") {
      if (first === "channel" && segs.length > 1) { return host + "/channel/" + segs[1]; }
      if ((first === "c" || first === "user") && segs.length > 1) { return host + "/" + first + "/" + lower(segs[1]); }
      if (first && first.charAt(0) !== "@" && ["watch", "playlist", "shorts", "results"].indexOf(first) < 0) {
        return host + "/c/" + lower(first);
      }
    }
    if (host === "linkedin.com" && LINKEDIN.indexOf(first) >= 0 && segs.length > 1) {
      return host + "/" + first + "/" + lower(segs[1]);
    }
    return first ? host + "/" + lower(first) : host;
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

  /* The texts come from the page (#kanaltexter, in the page's language); {name} is filled in. */
  var TEXTS = {};
  function t(key, vars) {
    return (TEXTS[key] || "").replace(/\{(\w+)\}/g, function (m, name) {
      return vars && Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
    });
  }

  function build(data) {
    var index = {};
    function add(key, entry) {
      if (!key) { return; }
      (index[key] = index[key] || []).push(entry);
    }
    data.channels.forEach(function (c) {
      add(keyFor(c.url), {kind: c.status === "active" ? "official" : "closed", item: c});
      (c.aliases || []).forEach(function (a) { add(keyFor(a), {kind: c.status === "active" ? "official" : "closed", item: c}); });
      if (c.handle) { add("handle:" + lower(c.handle), {kind: c.status === "active" ? "official" : "closed", item: c}); }
    });
    data.parties.forEach(function (p) { add(keyFor(p.url), {kind: "party", item: p}); });
    return index;
  }

  function answer(data, index, query, out) {
    out.textContent = "";
    if (!query.trim()) { return; }
    var key = keyFor(query);
    var hits = key ? (index[key] || []) : [];
    var seen = {};
    hits = hits.filter(function (h) { var k = h.kind + (h.item.id || h.item.url); if (seen[k]) { return false; } seen[k] = 1; return true; });
    var official = hits.filter(function (h) { return h.kind === "official"; });
    var box = el("div", "", {"class": "answer"});
    if (official.length) {
      box.className = "answer official";
      box.appendChild(el("p", t("official", {org: data.org.name}), {"class": "verdict-text"}));
      var ul = el("ul");
      official.forEach(function (h) {
        var c = h.item, li = el("li");
        var a = el("a", t("onPlatform", {name: c.name, platform: c.platformLabel}), {href: c.page});
        li.appendChild(a);
        li.appendChild(document.createTextNode(t("responsible", {department: c.department + (c.unit ? ", " + c.unit : ""),
          contact: c.contact || data.org.email})));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    } else if (hits.length && hits[0].kind === "closed") {
      var c = hits[0].item;
      box.className = "answer closed";
      box.appendChild(el("p", c.closing ? t("closedSince", {date: c.closing, org: data.org.name}) : t("closed", {org: data.org.name}),
        {"class": "verdict-text"}));
      var p = el("p");
      p.appendChild(el("a", t("closedMore", {name: c.name}), {href: c.page}));
      box.appendChild(p);
      box.appendChild(el("p", t("closedTakenOver", {email: data.org.email})));
    } else if (hits.length && hits[0].kind === "party") {
      var party = hits[0].item;
      box.className = "answer party";
      box.appendChild(el("p", t("party", {party: party.party, org: data.org.name}), {"class": "verdict-text"}));
    } else {
      box.className = "answer unknown";
      box.appendChild(el("p", t("unknown"), {"class": "verdict-text"}));
      box.appendChild(el("p", t("unknownNot", {org: data.org.name})));
      var steps = el("ul");
      steps.appendChild(el("li", t("stepTrust")));
      steps.appendChild(el("li", t("stepReport", {org: data.org.name})));
      var contact = el("li", t("stepContact", {org: data.org.name}));
      contact.appendChild(el("a", data.org.email, {href: "mailto:" + data.org.email}));
      if (data.org.phone) { contact.appendChild(document.createTextNode(t("phone", {phone: data.org.phone}))); }
      steps.appendChild(contact);
      box.appendChild(steps);
      if (key && key.indexOf("handle:") !== 0) {
        var host = key.split("/")[0], near = null;
        Object.keys(index).forEach(function (k) {
          if (k.split("/")[0] === host && k !== key && distance(k, key) <= 2) {
            index[k].forEach(function (h) { if (h.kind === "official") { near = h.item; } });
          }
        });
        if (near) {
          var np = el("p", t("near"));
          np.appendChild(el("a", t("onPlatform", {name: near.name, platform: near.platformLabel}), {href: near.page}));
          np.appendChild(document.createTextNode(t("nearCheck")));
          box.appendChild(np);
        }
      }
    }
    out.appendChild(box);
  }

  function init() {
    var form = document.getElementById("kontroll");
    var dataEl = document.getElementById("kanaldata");
    var textsEl = document.getElementById("kanaltexter");
    if (!form || !dataEl || !textsEl) { return; }  /* without its texts the page stays a plain list */
    TEXTS = JSON.parse(textsEl.textContent);
    var data = JSON.parse(dataEl.textContent);
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

  window.kanalregisterKeyFor = keyFor;
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
