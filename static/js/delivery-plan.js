// The delivery plan page: while the worker solves, the page reloads itself and fills the progress bar; once the
// plan is ready, its routes are drawn over the stops' coordinates (longitude across, latitude up; no map tiles).
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var working = document.querySelector("[data-refresh]");
    if (working) {
      var bar = working.querySelector("[data-started]");
      if (bar) {
        var tick = function () {
          var elapsed = Date.now() / 1000 - Number(bar.dataset.started);
          bar.style.width = Math.min(100, (100 * elapsed) / Number(bar.dataset.limit)) + "%";
        };
        tick();
        setInterval(tick, 500);
      }
      setTimeout(function () { window.location.reload(); }, Number(working.dataset.refresh) * 1000);
    }

    var el = document.getElementById("plan-chart");
    var source = document.getElementById("plan-data");
    if (!el || !source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var depot = data.depot;
    var series = data.routes.map(function (route) {
      return {
        name: route.name,
        type: "line",
        symbolSize: 9,
        lineStyle: { width: 2 },
        label: { show: true, formatter: function (p) { return p.data[3] || ""; }, fontSize: 10, position: "top" },
        data: [[depot[0], depot[1], depot[2], ""]].concat(route.stops, [[depot[0], depot[1], depot[2], ""]]),
      };
    });
    series.push({
      name: depot[2], type: "scatter", symbol: "pin", symbolSize: 28, itemStyle: { color: "#212529" }, data: [depot], z: 5,
    });
    if (data.unplanned.length) {
      series.push({
        name: el.dataset.unplanned || "×", type: "scatter", symbol: "triangle", symbolSize: 10,
        itemStyle: { color: "#adb5bd" }, data: data.unplanned,
      });
    }
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) { return p.seriesName + "<br>" + p.data[2]; } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", scale: true, axisLabel: { formatter: "{value}°" } },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: "{value}°" } },
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
