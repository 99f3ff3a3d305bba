// Small behaviours shared by every page: charts drawn from json_script data, htmx defaults, confirmations.
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
  // A select marked data-dms-autosubmit (the page size of a list) submits its form when it changes.
  document.addEventListener("change", function (evt) {
    if (evt.target.matches("select[data-dms-autosubmit]")) evt.target.form.requestSubmit();
  });

  // Destructive actions ask first. A button or form carrying data-confirm="message" (and optionally
  // data-confirm-action="button label") opens the #dms-confirm modal; only its confirm button goes on.
  // Plain forms are held at submit and submitted again once confirmed; htmx requests wait in htmx:confirm.
  var confirmed = new WeakSet();

  function askFirst(message, action, proceed) {
    var el = document.getElementById("dms-confirm");
    if (!el || typeof bootstrap === "undefined") { proceed(); return; }
    var yes = el.querySelector("[data-confirm-yes]");
    el.querySelector("[data-confirm-message]").textContent = message;
    yes.textContent = action || yes.dataset.defaultLabel;
    var modal = bootstrap.Modal.getOrCreateInstance(el);
    var go = false;
    function onYes() { go = true; modal.hide(); }
    function onHidden() {
      yes.removeEventListener("click", onYes);
      el.removeEventListener("hidden.bs.modal", onHidden);
      if (go) proceed();
    }
    yes.addEventListener("click", onYes);
    el.addEventListener("hidden.bs.modal", onHidden);
    el.addEventListener("shown.bs.modal", function () { yes.focus(); }, { once: true });
    modal.show();
  }

  function confirmSource(form, submitter) {
    if (submitter && submitter.dataset.confirm) return submitter;
    return form.dataset.confirm ? form : null;
  }

  function isHtmx(el) {
    return ["hx-post", "hx-get", "hx-put", "hx-patch", "hx-delete"].some(function (name) {
      return el && (el.hasAttribute(name) || el.hasAttribute("data-" + name));
    });
  }

  document.addEventListener("submit", function (evt) {
    var form = evt.target, submitter = evt.submitter;
    if (isHtmx(form) || isHtmx(submitter)) return;
    var source = confirmSource(form, submitter);
    if (!source) return;
    if (confirmed.has(form)) { confirmed.delete(form); return; }
    evt.preventDefault();
    evt.stopImmediatePropagation();
    askFirst(source.dataset.confirm, source.dataset.confirmAction, function () {
      confirmed.add(form);
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    });
  }, true);

  document.body.addEventListener("htmx:confirm", function (evt) {
    var elt = evt.detail.elt;
    var form = elt.tagName === "FORM" ? elt : elt.form;
    var submitter = evt.detail.triggeringEvent && evt.detail.triggeringEvent.submitter;
    var source = elt.dataset.confirm ? elt : form && confirmSource(form, submitter);
    if (!source) return;
    evt.preventDefault();
    askFirst(source.dataset.confirm, source.dataset.confirmAction, function () { evt.detail.issueRequest(true); });
  });
})();
