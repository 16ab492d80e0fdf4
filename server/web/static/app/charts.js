// Draws each chart of the member app from the JSON block its canvas names (no inline
// script: the page's CSP). The same figures are in a table beside each chart.
(function () {
  "use strict";
  var colours = ["#1f4e8c", "#c0620b", "#1d6b34", "#7a3b8f", "#a3231a", "#4b5563"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) return;
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set, i) {
      var colour = colours[i % colours.length];
      var drawn = { label: set.label, data: set.data, backgroundColor: colour, borderColor: colour };
      // A line over bars (the score over its weekly doses) is drawn in front of them.
      if (set.type) { drawn.type = set.type; drawn.order = 0; drawn.tension = 0.2; }
      return drawn;
    });
    var value = {
      beginAtZero: true,
      stacked: !!spec.stacked,
      ticks: spec.percent ? { callback: function (v) { return v + "%"; } } : {},
    };
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: !!spec.stacked }, y: value },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
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
