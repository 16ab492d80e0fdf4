// Draws each report's chart from the JSON block its canvas names (no inline script: the
// page's CSP). The same figures are in the table under each chart.
(function () {
  "use strict";
  var colours = ["#1f4e8c", "#c0620b", "#1d6b34", "#7a3b8f", "#a3231a"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) return;
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set, i) {
      var colour = colours[i % colours.length];
      return {
        label: set.label,
        data: set.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: spec.type === "line" ? 2 : 0,
        spanGaps: true,
      };
    });
    var valueAxis = {
      beginAtZero: true,
      ticks: spec.percent
        ? { callback: function (v) { return v + "%"; } }
        : spec.whole ? { precision: 0 } : {},
    };
    var scales = spec.horizontal ? { x: valueAxis } : { y: valueAxis };
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function start() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
