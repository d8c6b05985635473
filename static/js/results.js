// Results page: draws the crossover chart and recalculates it in place through the JSON API.
// Without JavaScript the page shows the same figures as tables and the form posts as a GET.
(function () {
  "use strict";
  var dataNode = document.getElementById("assessment-data");
  if (!dataNode) { return; }
  var data = JSON.parse(dataNode.textContent);
  var chartNode = document.getElementById("chart");
  var form = document.getElementById("assumptions-form");
  var status = document.getElementById("recalc-status");
  var FIELDS = ["monthly_requests", "input_tokens_per_request", "output_tokens_per_request",
    "gpu", "reference_api_model", "horizon_months"];

  function draw(chart) {
    if (!window.Plotly || !chartNode) { return; }
    var traces = [];
    chart.traces.forEach(function (t) {
      traces.push({ x: t.x, y: t.band.high, mode: "lines", line: { width: 0 }, hoverinfo: "skip",
        showlegend: false, legendgroup: t.approach });
      traces.push({ x: t.x, y: t.band.low, mode: "lines", line: { width: 0 }, fill: "tonexty",
        fillcolor: t.colour + "22", hoverinfo: "skip", showlegend: false, legendgroup: t.approach });
      traces.push({ x: t.x, y: t.y, mode: "lines", name: t.label, legendgroup: t.approach,
        line: { color: t.colour, dash: t.dash, width: 2.5 }, text: t.hover,
        hovertemplate: "%{text}<extra></extra>" });
    });
    if (chart.crossovers.length) {
      traces.push({ x: chart.crossovers.map(function (c) { return c.month; }),
        y: chart.crossovers.map(function (c) { return c.y; }), mode: "markers", name: "Crossovers",
        marker: { size: 11, symbol: "diamond", color: chart.crossovers.map(function (c) { return c.colour; }),
          line: { color: "#0b0c0c", width: 1 } },
        text: chart.crossovers.map(function (c) { return c.label; }),
        hovertemplate: "%{text}<extra></extra>" });
    }
    // Label the crossovers against the frontier API (the comparison a budget request turns on);
    // every crossover keeps its marker and hover text, and the caption lists them all.
    var seen = {};
    var annotations = chart.crossovers.filter(function (c) { return c.versus === "api"; })
      .slice(0, 4).map(function (c) {
        seen[c.month] = (seen[c.month] || 0) + 1;
        return { x: c.month, y: c.y, text: c.label, showarrow: true, arrowhead: 0, ax: 40,
          ay: -28 * seen[c.month], font: { size: 12 }, bgcolor: "rgba(255,255,255,0.9)" };
      });
    var layout = { margin: { l: 70, r: 20, t: 10, b: 50 }, hovermode: "closest",
      xaxis: { title: { text: chart.x_title }, dtick: chart.months.length > 24 ? 6 : 2 },
      yaxis: { title: { text: chart.y_title }, range: [0, chart.y_max],
        tickvals: chart.y_ticks, ticktext: chart.y_tick_labels },
      legend: { orientation: "h", y: -0.2 }, annotations: annotations };
    // No mode bar: its per-chart styles would be inline <style> elements, which the CSP refuses;
    // plotly's global rules go into the stylesheet linked with the id plotly looks for.
    window.Plotly.react(chartNode, traces, layout, { displayModeBar: false, responsive: true });
    chartNode.setAttribute("data-drawn", String(chart.months.length));
  }

  // The server sends every figure already formatted (app/views/results.py), keyed by the
  // page's data-bind names: the script never formats a number itself.
  function bind(figures) {
    document.querySelectorAll("[data-bind]").forEach(function (node) {
      var value = figures[node.getAttribute("data-bind")];
      if (typeof value === "string") { node.textContent = value; }
    });
  }

  function showErrors(detail) {
    form.querySelectorAll(".js-error").forEach(function (n) { n.remove(); });
    detail.forEach(function (err) {
      var field = err.field.split(".").pop();
      var input = document.getElementById(field);
      if (!input) { return; }
      var p = document.createElement("p");
      p.className = "error-message js-error";
      p.id = field + "-js-error";
      p.textContent = err.message;
      input.parentNode.insertBefore(p, input);
      input.setAttribute("aria-describedby", p.id);
    });
  }

  function recalculate(event) {
    event.preventDefault();
    var query = new URLSearchParams();
    FIELDS.forEach(function (name) {
      var raw = form.elements[name].value.trim();
      if (raw !== "") { query.set(name, raw); }
    });
    status.textContent = "Recalculating…";
    fetch(data.recalculate + "?" + query.toString(), { headers: { accept: "application/json" } })
      .then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (reply) {
      if (!reply.ok) {
        showErrors(reply.json.detail || []);
        status.textContent = "Some assumptions need fixing.";
        return;
      }
      showErrors([]);
      data.chart = reply.json.chart;
      bind(reply.json.bind);
      draw(reply.json.chart);
      status.textContent = "Recalculated: the figures and the chart show your assumptions (the saved assessment is unchanged).";
    }).catch(function () {
      status.textContent = "Could not recalculate; submit again to reload the page with these assumptions.";
    });
  }

  if (form) { form.addEventListener("submit", recalculate); }
  draw(data.chart);
})();
