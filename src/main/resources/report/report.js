// Draws each chart the page lists from its embedded figures. Animation is off: the page is read, and printed,
// as it first renders.
(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('charts').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    var round = spec.kind === 'doughnut';
    new Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series) {
          return { label: series.name, data: series.values };
        })
      },
      options: {
        indexAxis: spec.horizontal ? 'y' : 'x',
        plugins: { legend: { display: round || spec.series.length > 1, position: round ? 'right' : 'top' } },
        scales: round ? {} : { x: { beginAtZero: true }, y: { beginAtZero: true } }
      }
    });
    canvas.setAttribute('data-drawn', 'true');
  });
}());
