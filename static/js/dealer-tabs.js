/* The dealer page's tab bar scrolls sideways on a phone: bring the open tab into view. */
(function () {
  "use strict";
  document.querySelectorAll("[data-dms-tabs]").forEach(function (bar) {
    var active = bar.querySelector(".nav-link.active");
    if (active && bar.scrollWidth > bar.clientWidth) {
      bar.scrollLeft = active.parentElement.offsetLeft - (bar.clientWidth - active.offsetWidth) / 2;
    }
  });
})();
