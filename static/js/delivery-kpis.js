// The delivery KPI pages (head office's and the portal's): bars of on time and OTIF per group on a 0–100 % axis and
// the freight cost ratio as a line on an axis of its own, freight running at a few per cent. When the groups do not
// fit the width (twenty provinces on a phone) a slider pages through them rather than squeezing every bar.
(function () {
  "use strict";

  // The width a group needs: two bars side by side, and on a phone its label turned.
  var SLOT_PX = 56;
  var NARROW_SLOT_PX = 40;

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("kpi-chart");
    var source = document.getElementById("kpi-data");
    if (!el || !source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var names = data.names;
    var numbers = function (values) {
      return values.map(function (value) { return value === null ? null : Number(value); });
    };
    var percent = function (value) { return value === null || value === undefined ? "—" : value + "%"; };
    var chart = echarts.init(el);

    var draw = function () {
      var width = el.clientWidth;
      var fits = Math.max(3, Math.floor((width - 96) / (width < 576 ? NARROW_SLOT_PX : SLOT_PX)));
      var paged = data.labels.length > fits;
      var shown = Math.min(data.labels.length, fits);
      var crowded = shown * 72 > width - 96;
      chart.setOption({
        color: ["#6ea8fe", "#198754", "#fd7e14"],
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: percent },
        legend: { top: 0 },
        grid: { left: 8, right: 8, top: width < 576 ? 64 : 40, bottom: paged ? 40 : 8, containLabel: true },
        xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: crowded ? 40 : 0 } },
        yAxis: [
          { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
          { type: "value", min: 0, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } },
        ],
        dataZoom: paged
          ? [{ type: "slider", xAxisIndex: 0, startValue: 0, endValue: shown - 1, height: 16, bottom: 8, brushSelect: false }]
          : [],
        series: [
          { name: names.on_time, type: "bar", barMaxWidth: 24, data: numbers(data.on_time) },
          { name: names.otif, type: "bar", barMaxWidth: 24, data: numbers(data.otif) },
          { name: names.freight, type: "line", yAxisIndex: 1, connectNulls: true, symbolSize: 7, data: numbers(data.freight) },
        ],
      }, true);
    };
    draw();
    window.addEventListener("resize", function () {
      chart.resize();
      draw();
    });
  });
})();
