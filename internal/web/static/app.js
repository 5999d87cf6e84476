// Otklik's few lines of browser code: the analytics charts. Every figure is
// also in the page's tables, so nothing is lost without JavaScript.
(function () {
  "use strict";
  function trend() {
    var canvas = document.getElementById("trend");
    var source = document.getElementById("trend-data");
    if (!canvas || !source || !window.Chart) return;
    var points = JSON.parse(source.textContent || "[]") || [];
    var labels = JSON.parse(canvas.dataset.labels || "{}");
    var keys = points.map(function (p) { return p.Key; });
    var nps = points.map(function (p) { return p.N ? p.NPS : null; });
    var hi = points.map(function (p) { return p.N ? Math.min(100, p.NPS + p.MOE) : null; });
    var lo = points.map(function (p) { return p.N ? Math.max(-100, p.NPS - p.MOE) : null; });
    new window.Chart(canvas, {
      data: {
        labels: keys,
        datasets: [
          { type: "line", label: labels.margin, data: hi, borderWidth: 0, pointRadius: 0, backgroundColor: "rgba(36,86,214,0.15)", fill: "+1", yAxisID: "y" },
          { type: "line", label: labels.margin + " ", data: lo, borderWidth: 0, pointRadius: 0, fill: false, yAxisID: "y" },
          { type: "line", label: labels.nps, data: nps, borderColor: "#2456d6", backgroundColor: "#2456d6", tension: 0.2, yAxisID: "y" },
          { type: "bar", label: labels.promoters, data: points.map(function (p) { return 100 * p.Promoters; }), backgroundColor: "rgba(31,138,76,0.35)", stack: "g", yAxisID: "share" },
          { type: "bar", label: labels.passives, data: points.map(function (p) { return 100 * p.Passives; }), backgroundColor: "rgba(183,134,11,0.30)", stack: "g", yAxisID: "share" },
          { type: "bar", label: labels.detractors, data: points.map(function (p) { return 100 * p.Detractor; }), backgroundColor: "rgba(197,48,48,0.30)", stack: "g", yAxisID: "share" }
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { labels: { filter: function (item) { return item.text !== labels.margin + " "; } } } },
        scales: {
          y: { position: "left", suggestedMin: -20, suggestedMax: 60 },
          share: { position: "right", stacked: true, min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { callback: function (v) { return v + "%"; } } },
          x: { stacked: true }
        },
        onClick: function (_, elements) {
          if (!elements.length) return;
          var rows = document.querySelectorAll("table.compact tbody tr a");
          var link = rows[elements[0].index];
          if (link) window.location = link.href;
        }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", trend);
})();
