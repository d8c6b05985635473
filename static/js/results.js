// Results page: draws the crossover chart and recalculates the page in place.
// Without JavaScript the server's SVG chart stays, and the form loads the same page as a GET.
(function () {
  "use strict";
  if (!document.getElementById("assessment-data")) { return; }
  var chartNode = null;
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
    // A provider's announced end date that a drawn line depends on: a dashed red line at its
    // month, labelled, as the server's SVG marks it.
    (chart.events || []).forEach(function (e) {
      shapes.push({ type: "line", x0: e.month, x1: e.month, y0: 0, y1: chart.y_max,
        line: { color: "#d4351c", width: 1.5, dash: "dash" }, layer: "above" });
      annotations.push({ x: e.month, y: chart.y_max * 0.02, xshift: 4, text: e.label,
        textangle: -90, showarrow: false, xanchor: "left", yanchor: "bottom",
        font: { size: 11, color: "#d4351c" } });
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

  // Recalculating fetches this same page with the assumptions in its URL and puts the server's
  // page in place of this one: every figure, heading, table, link and the chart come from the
  // one render a shared link or a reload gives (app/web/results.py), and the address bar holds
  // that link, so the view can be shared, reloaded and downloaded as a PDF.
  function load(url, push, focusStatus) {
    var status = document.getElementById("recalc-status");
    if (status) { status.textContent = "Recalculating…"; }
    return fetch(url, { headers: { accept: "text/html" } }).then(function (response) {
      return response.text().then(function (text) { return { ok: response.ok, text: text }; });
    }).then(function (reply) {
      var next = new DOMParser().parseFromString(reply.text, "text/html");
      var main = next.getElementById("main");
      if (!main) { throw new Error("not a results page"); }
      if (window.Plotly && chartNode) { window.Plotly.purge(chartNode); }
      document.getElementById("main").replaceChildren.apply(
        document.getElementById("main"), Array.from(main.childNodes).map(function (n) {
          return document.importNode(n, true);
        }));
      document.title = next.title;
      if (push && reply.ok) { history.pushState({ tunewise: true }, "", url); }
      init();
      var summary = document.querySelector("#assumptions-form .error-summary");
      var fresh = document.getElementById("recalc-status");
      if (summary) {
        summary.focus();
      } else if (fresh && focusStatus) {
        fresh.textContent = "Recalculated: every figure on this page, its link and its PDF now use these assumptions (the saved assessment is unchanged).";
        fresh.setAttribute("tabindex", "-1");
        fresh.focus();
      }
    }).catch(function () {
      var now = document.getElementById("recalc-status");
      if (now) { now.textContent = "Could not recalculate; submit again to reload the page with these assumptions."; }
    });
  }

  function recalculate(event) {
    event.preventDefault();
    var form = event.target;
    var query = new URLSearchParams();
    FIELDS.forEach(function (name) {
      var raw = form.elements[name].value.trim();
      if (raw !== "") { query.set(name, raw); }
    });
    var text = query.toString();
    load(form.getAttribute("action") + (text ? "?" + text : ""), true, true);
  }

  function init() {
    var node = document.getElementById("assessment-data");
    chartNode = document.getElementById("chart");
    var form = document.getElementById("assumptions-form");
    if (form) { form.addEventListener("submit", recalculate); }
    if (node) { draw(JSON.parse(node.textContent).chart); }
  }

  window.addEventListener("popstate", function () { load(window.location.href, false, false); });
  init();
})();
