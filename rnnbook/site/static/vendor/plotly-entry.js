// The plotly.js bundle of the book: plotly.js's core (scatter traces, sliders, buttons,
// annotations, shapes, animation frames) plus the two other trace types that rnnbook.explore
// draws: heatmap and table. Built by `make vendor-plotly` (see README.md in this folder).
var Plotly = require('plotly.js/lib/core');
Plotly.register([
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/table'),
]);
module.exports = Plotly;
