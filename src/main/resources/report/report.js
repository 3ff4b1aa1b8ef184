// Draws each chart the page lists from its embedded figures. Animation is off: the page is read, and printed,
// as it first renders.
(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('charts').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  // Each horizontal bar ends with its number: a ranking is read by its figures, and a bar a few pixels long
  // (one play, or 69 artists beside 6,820 plays) is otherwise a count no one can read off the axis.
  var valueLabels = {
    id: 'valueLabels',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = Chart.defaults.color;
      ctx.font = '12px ' + Chart.defaults.font.family;
      ctx.textBaseline = 'middle';
      chart.data.datasets.forEach(function (dataset, i) {
        chart.getDatasetMeta(i).data.forEach(function (bar, j) {
          var text = Number(dataset.data[j]).toLocaleString('en-US');
          // After the bar where the canvas has room, else inside its end: a margin kept for the longest bar
          // would narrow the label axis, which Chart.js caps at half the width, and cut long place names.
          var outside = bar.x + 4 + ctx.measureText(text).width <= chart.width;
          ctx.textAlign = outside ? 'left' : 'right';
          ctx.fillText(text, outside ? bar.x + 4 : bar.x - 4, bar.y);
        });
      });
      ctx.restore();
    }
  };

  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    var round = spec.kind === 'doughnut';
    var labelled = spec.kind === 'bar' && spec.horizontal;
    // The value axis comes from the page (whole-number ticks for counts, a log scale where counts differ
    // twentyfold or more); the other axis holds the labels.
    var scales = {};
    if (!round) {
      var value = Object.assign({}, spec.valueAxis);
      if (value.type === 'logarithmic') {
        // Only the powers of ten: Chart.js also labels 3, 30, 300 …, which crowd and read as a linear scale.
        value.ticks = Object.assign({}, value.ticks, {
          maxRotation: 0,
          callback: function (tick) {
            return Math.abs(Math.log10(tick) % 1) < 1e-9 ? Number(tick).toLocaleString('en-US') : '';
          }
        });
      }
      scales = spec.horizontal ? { x: value, y: {} } : { x: {}, y: value };
    }
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
        scales: scales
      },
      plugins: labelled ? [valueLabels] : []
    });
    canvas.setAttribute('data-drawn', 'true');
  });
}());
