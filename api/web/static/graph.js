// The small neighbourhood graph of a wiki page: the node in the middle, its typed connections around it.
// Reads its data from the container's data-graph attribute (no inline script), draws SVG, no dependencies.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var SIZE = 360, MID = SIZE / 2, RING = 125, PAD = 50;
  var COLOURS = { Concept: "#2e7d5b", Paper: "#7a4fb5", Note: "#2e5bba", PolicyEvent: "#b36b00",
                  Organization: "#a23a62", Person: "#2a8aa0", Model: "#6b6f2a", Source: "#777777" };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function shorten(text, max) { return text.length > max ? text.slice(0, max - 1) + "…" : text; }

  // Neighbours on a ring, grouped by type so each type occupies one arc.
  function layout(nodes) {
    var around = nodes.filter(function (n) { return !n.center; });
    around.sort(function (a, b) { return a.type < b.type ? -1 : a.type > b.type ? 1 : 0; });
    around.forEach(function (node, i) {
      var angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(around.length, 1);
      node.x = MID + RING * Math.cos(angle);
      node.y = MID + RING * Math.sin(angle);
    });
    nodes.forEach(function (n) { if (n.center) { n.x = MID; n.y = MID; } });
  }

  function draw(container, data) {
    var nodes = data.nodes || [], edges = data.edges || [];
    if (nodes.length < 2) { container.textContent = "No connections yet."; return; }
    layout(nodes);
    var byKey = {};
    nodes.forEach(function (n) { byKey[n.key] = n; });
    var svg = el("svg", { viewBox: (-PAD) + " 0 " + (SIZE + 2 * PAD) + " " + (SIZE + 40), "aria-hidden": "true" }, container);
    var edgeLayer = el("g", {}, svg), nodeLayer = el("g", {}, svg);
    var hidden = {};

    edges.forEach(function (edge) {
      var a = byKey[edge.source], b = byKey[edge.target];
      if (!a || !b) return;
      edge.line = el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, "class": "edge" }, edgeLayer);
      el("title", {}, edge.line).textContent = a.title + " —" + edge.type + "→ " + b.title;
    });

    nodes.forEach(function (node) {
      var group = el("g", { "class": "node" + (node.center ? " center" : ""), tabindex: node.url ? "0" : "-1" }, nodeLayer);
      el("circle", { cx: node.x, cy: node.y, r: node.center ? 11 : 7, fill: COLOURS[node.type] || "#999" }, group);
      var below = node.center || node.y >= MID;
      var label = el("text", { x: node.x, y: node.y + (node.center ? 24 : below ? 17 : -11), "text-anchor": "middle" }, group);
      label.textContent = shorten(node.title, node.center ? 34 : 20);
      var ties = edges.filter(function (e) { return e.source === node.key || e.target === node.key; })
                      .map(function (e) { return e.type; });
      el("title", {}, group).textContent = node.type + ": " + node.title + (ties.length ? " (" + ties.join(", ") + ")" : "");
      node.group = group;
      group.addEventListener("mouseenter", function () { highlight(node); });
      group.addEventListener("mouseleave", function () { highlight(null); });
      group.addEventListener("focus", function () { highlight(node); });
      group.addEventListener("blur", function () { highlight(null); });
      if (node.url) {
        group.addEventListener("click", function () { window.location.href = node.url; });
        group.addEventListener("keydown", function (event) { if (event.key === "Enter") window.location.href = node.url; });
      }
    });

    function highlight(focus) {
      edges.forEach(function (e) {
        if (!e.line) return;
        var touches = focus && (e.source === focus.key || e.target === focus.key);
        e.line.setAttribute("class", "edge" + (touches ? " hot" : focus ? " dim" : ""));
      });
      nodes.forEach(function (n) {
        var near = !focus || n === focus || n.center || edges.some(function (e) {
          return (e.source === focus.key && e.target === n.key) || (e.target === focus.key && e.source === n.key);
        });
        n.group.setAttribute("class", "node" + (n.center ? " center" : "") + (near ? "" : " dim"));
      });
    }

    // Legend: one entry per type present; a click hides or shows that type's nodes and edges.
    var types = [];
    nodes.forEach(function (n) { if (types.indexOf(n.type) < 0) types.push(n.type); });
    var legend = el("g", { "class": "legend" }, svg);
    types.forEach(function (type, i) {
      var item = el("g", { transform: "translate(" + (8 - PAD + (i % 4) * 100) + "," + (SIZE + 8 + Math.floor(i / 4) * 16) + ")" }, legend);
      el("circle", { cx: 5, cy: 0, r: 5, fill: COLOURS[type] || "#999" }, item);
      el("text", { x: 14, y: 4 }, item).textContent = type;
      item.addEventListener("click", function () {
        hidden[type] = !hidden[type];
        item.setAttribute("class", hidden[type] ? "off" : "");
        nodes.forEach(function (n) { if (n.type === type && !n.center) n.group.style.display = hidden[type] ? "none" : ""; });
        edges.forEach(function (e) {
          if (!e.line) return;
          var gone = (hidden[byKey[e.source].type] && !byKey[e.source].center) || (hidden[byKey[e.target].type] && !byKey[e.target].center);
          e.line.style.display = gone ? "none" : "";
        });
      });
    });
    container.setAttribute("data-drawn", String(nodes.length));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".graph[data-graph]").forEach(function (container) {
      try {
        draw(container, JSON.parse(container.getAttribute("data-graph")));
      } catch (error) {
        container.textContent = "The graph could not be drawn.";
        throw error;
      }
    });
  });
})();
