// Small behaviours shared by every page: charts drawn from json_script data, htmx defaults.
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = echarts.getInstanceByDom(el) || echarts.init(el);
      chart.setOption({
        grid: { left: 36, right: 12, top: 16, bottom: 28 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: el.dataset.seriesName || "", type: el.dataset.chart, data: data.values, itemStyle: { color: "#0d6efd" } }],
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.body.addEventListener("htmx:afterSwap", function (evt) { drawCharts(evt.target); });
})();
