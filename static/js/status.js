// The status page refreshes itself every 30 s from summary.json (no full reload), and reads the
// 90-day bars day by day with the pointer or the arrow keys.
(function () {
  "use strict";
  var script = document.currentScript;
  var summaryUrl = script.getAttribute("data-summary-url");
  var incidentUrl = script.getAttribute("data-incident-url");
  var LABELS = {
    operational: ["\u2713", "Operational"],
    degraded: ["!", "Degraded performance"],
    down: ["\u2715", "Down"],
    maintenance: ["\u2692", "Under maintenance"],
    unknown: ["?", "Unknown"],
    not_monitored: ["\u2013", "Not monitored"]
  };
  var STATUS_LABELS = {investigating: "Investigating", identified: "Identified", monitoring: "Monitoring", resolved: "Resolved"};
  var IMPACT_LABELS = {none: "No impact", minor: "Minor", major: "Major", critical: "Critical"};

  function setStateClass(el, state) {
    el.className = el.className.replace(/\bstate-[a-z_]+/g, "").trim() + " state-" + state;
  }

  function formatWhen(iso) {
    if (!iso) return "not yet";
    var d = new Date(iso);
    return d.toUTCString().replace("GMT", "UTC");
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function renderIncident(incident) {
    var article = el("article", {"class": "incident impact-" + incident.impact, "data-incident": incident.id});
    var h3 = el("h3");
    h3.appendChild(el("a", {href: incidentUrl + incident.id + "/"}, incident.title));
    article.appendChild(h3);
    var meta = el("p", {"class": "meta"});
    meta.appendChild(el("span", {"class": "tag"}, "Impact: " + (IMPACT_LABELS[incident.impact] || incident.impact)));
    meta.appendChild(el("span", {"class": "tag"}, STATUS_LABELS[incident.status] || incident.status));
    article.appendChild(meta);
    var latest = incident.updates && incident.updates[0];
    if (latest) {
      var p = el("p");
      p.appendChild(el("strong", {}, STATUS_LABELS[latest.status] || latest.status));
      p.appendChild(document.createTextNode(" \u2014 " + latest.message));
      article.appendChild(p);
    }
    return article;
  }

  function apply(summary) {
    var banner = document.getElementById("overall");
    if (banner) {
      setStateClass(banner, summary.status.state);
      banner.querySelector("[data-role=description]").textContent = summary.status.description;
      banner.querySelector("[data-role=glyph]").textContent = (LABELS[summary.status.state] || ["", ""])[0];
      var time = banner.querySelector("[data-role=updated]");
      time.setAttribute("datetime", summary.page.updated_at || "");
      time.textContent = formatWhen(summary.page.updated_at);
    }
    summary.components.forEach(function (component) {
      var row = document.querySelector('[data-component="' + component.id + '"] [data-role=state]');
      if (!row) return;
      var label = LABELS[component.status] || ["?", component.status];
      setStateClass(row, component.status);
      row.querySelector(".glyph").textContent = label[0];
      row.querySelector("[data-role=label]").textContent = label[1];
    });
    var section = document.getElementById("incidents");
    var list = section && section.querySelector("[data-role=incident-list]");
    if (list) {
      list.textContent = "";
      summary.incidents.forEach(function (incident) { list.appendChild(renderIncident(incident)); });
      section.hidden = summary.incidents.length === 0;
    }
  }

  function refresh() {
    if (!window.fetch || document.hidden) return;
    fetch(summaryUrl, {headers: {Accept: "application/json"}, credentials: "omit", cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (summary) { if (summary) apply(summary); })
      .catch(function () { /* keep showing what we have; the next poll tries again */ });
  }

  function bindBars(list) {
    var bars = Array.prototype.slice.call(list.querySelectorAll(".bar"));
    var tip = list.parentNode.querySelector(".tooltip");
    var index = bars.length - 1;
    function show(i) {
      bars.forEach(function (b) { b.classList.remove("active"); });
      index = Math.max(0, Math.min(bars.length - 1, i));
      bars[index].classList.add("active");
      tip.textContent = bars[index].getAttribute("data-text");
      tip.hidden = false;
    }
    function hide() {
      bars.forEach(function (b) { b.classList.remove("active"); });
      tip.hidden = true;
    }
    bars.forEach(function (bar, i) {
      bar.removeAttribute("title");  // our own tooltip replaces the native one once JS runs
      bar.addEventListener("mouseenter", function () { show(i); });
      bar.addEventListener("click", function () { show(i); });
    });
    list.addEventListener("mouseleave", hide);
    list.addEventListener("focus", function () { show(index); });
    list.addEventListener("blur", hide);
    list.addEventListener("keydown", function (event) {
      var moves = {ArrowLeft: -1, ArrowRight: 1, Home: -bars.length, End: bars.length};
      if (event.key in moves) { event.preventDefault(); show(index + moves[event.key]); }
      if (event.key === "Escape") hide();
    });
  }

  document.querySelectorAll(".bars").forEach(bindBars);
  setInterval(refresh, 30000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
