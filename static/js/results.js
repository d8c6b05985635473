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

  // The chart model decides everything drawn here (app/views/chart.py): emphasis, which lines
  // show by default, the axis and where each crossover label sits; the script only maps it.
  function axisOf(top, ticks, labels) {
    return { "yaxis.range": [0, top], "yaxis.tickvals": ticks, "yaxis.ticktext": labels };
  }

  function draw(chart) {
    if (!window.Plotly || !chartNode) { return; }
    var fallback = chartNode.querySelector(".chart-static");
    if (fallback) { fallback.remove(); }
    var traces = [];
    var hidden = [];
    chart.traces.forEach(function (t) {
      var visible = t.shown ? true : "legendonly";
      if (t.banded) {
        traces.push({ x: t.x, y: t.band.high, mode: "lines", line: { width: 0 }, hoverinfo: "skip",
          showlegend: false, legendgroup: t.approach, visible: visible });
        traces.push({ x: t.x, y: t.band.low, mode: "lines", line: { width: 0 }, fill: "tonexty",
          fillcolor: t.colour + "1f", hoverinfo: "skip", showlegend: false,
          legendgroup: t.approach, visible: visible });
      }
      if (!t.shown) { hidden.push(traces.length); }
      traces.push({ x: t.x, y: t.y, mode: "lines", name: t.label, legendgroup: t.approach,
        legendrank: t.legend_rank, visible: visible, opacity: t.opacity,
        line: { color: t.colour, dash: t.dash, width: t.width }, text: t.hover,
        hovertemplate: "%{text}<extra></extra>" });
    });
    var labelled = chart.crossovers.filter(function (c) { return c.labelled; });
    if (labelled.length) {
      traces.push({ x: labelled.map(function (c) { return c.month; }),
        y: labelled.map(function (c) { return c.y; }), mode: "markers", showlegend: false,
        marker: { size: 11, symbol: "diamond", color: labelled.map(function (c) { return c.colour; }),
          line: { color: "#0b0c0c", width: 1 } },
        text: labelled.map(function (c) { return c.label; }),
        hovertemplate: "%{text}<extra></extra>" });
    }
    // Each label sits at its own height from the server (never two at one height), at the
    // left of the plot, and an L-shaped leader runs along that height and down to its point.
    var annotations = labelled.map(function (c) {
      return { x: c.label_x, y: c.label_y, xshift: 8, text: c.label, showarrow: false,
        xanchor: "left", yanchor: "middle", font: { size: 12 }, bgcolor: "#ffffff",
        bordercolor: c.colour, borderpad: 3 };
    });
    var shapes = labelled.map(function (c) {
      return { type: "path", path: "M " + c.month + "," + c.y + " L " + c.month + "," +
        c.label_y + " L " + c.label_x + "," + c.label_y,
        line: { color: c.colour, width: 1.5 }, layer: "above" };
    });
    var narrow = chartNode.clientWidth < 600;
    var layout = { margin: { l: 70, r: 20, t: 10, b: 50 }, hovermode: "closest",
      xaxis: { title: { text: chart.x_title }, dtick: chart.months.length > 24 ? 6 : 2,
        range: [1, Math.max(chart.months[chart.months.length - 1], 2)] },
      yaxis: { title: { text: chart.y_title }, range: [0, chart.y_max],
        tickvals: chart.y_ticks, ticktext: chart.y_tick_labels },
      legend: { orientation: "h", y: -0.2, font: { size: narrow ? 11 : 12 } },
      annotations: annotations, shapes: shapes };
    // No mode bar: its per-chart styles would be inline <style> elements, which the CSP refuses;
    // plotly's global rules go into the stylesheet linked with the id plotly looks for. No tips:
    // the hint after a first legend click is a pop-up outside the page's landmarks.
    window.Plotly.react(chartNode, traces, layout,
      { displayModeBar: false, responsive: true, showTips: false });
    // A ruled-out line shown from the legend may run far above the default axis: switch to the
    // server's axis for every line while one is shown, and back when none is.
    if (chartNode.removeAllListeners) { chartNode.removeAllListeners("plotly_restyle"); }
    if (chart.y_axis_all && chartNode.on) {
      var all = chart.y_axis_all;
      chartNode.on("plotly_restyle", function () {
        var any = hidden.some(function (i) { return chartNode.data[i].visible === true; });
        window.Plotly.relayout(chartNode, any ? axisOf(all.top, all.ticks, all.tick_labels)
          : axisOf(chart.y_max, chart.y_ticks, chart.y_tick_labels));
      });
    }
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
