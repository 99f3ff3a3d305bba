// Bulk actions on a list: "select all on this page", the count of ticked rows, and action buttons that
// wait until a row is ticked. Rows and the header box name their form with form="...".
(function () {
  "use strict";

  function setUp(form) {
    var scope = 'input[form="' + form.id + '"]';
    var count = form.querySelector("[data-bulk-count]");

    function rows() { return document.querySelectorAll(scope + "[data-bulk-row]"); }

    function refresh() {
      var all = rows();
      var ticked = 0;
      all.forEach(function (box) { if (box.checked) ticked += 1; });
      if (count) count.textContent = count.dataset.label.replace("__number__", ticked);
      form.querySelectorAll("[data-bulk-action]").forEach(function (button) { button.disabled = ticked === 0; });
      document.querySelectorAll(scope + "[data-bulk-all]").forEach(function (box) {
        box.checked = ticked > 0 && ticked === all.length;
        box.indeterminate = ticked > 0 && ticked < all.length;
      });
    }

    document.addEventListener("change", function (evt) {
      var target = evt.target;
      if (!target.matches || !target.matches(scope)) return;
      if (target.matches("[data-bulk-all]")) {
        rows().forEach(function (box) { box.checked = target.checked; });
      }
      refresh();
    });
    refresh();
  }

  document.querySelectorAll("form[data-bulk-form]").forEach(setUp);
})();
