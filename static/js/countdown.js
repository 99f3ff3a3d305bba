// Accept deadlines counting down. An element with data-deadline (seconds since the epoch) shows the time
// left as h:mm:ss, red in the last hour, and its data-expired-text once the deadline has passed. The
// server's clock (data-server-now on any element) is the reference, whatever this device's clock says.
(function () {
  "use strict";

  var URGENT_SECONDS = 3600;
  var skew = 0;

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function tick() {
    var now = Date.now() / 1000 + skew;
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.floor(Number(el.dataset.deadline) - now);
      if (left <= 0) {
        el.textContent = el.dataset.expiredText || "expired";
        el.dataset.state = "expired";
        el.classList.add("text-danger");
        return;
      }
      var hours = Math.floor(left / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      el.textContent = hours + ":" + pad(minutes) + ":" + pad(left % 60);
      el.dataset.state = left < URGENT_SECONDS ? "urgent" : "running";
      el.classList.toggle("text-danger", left < URGENT_SECONDS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var clock = document.querySelector("[data-server-now]");
    if (clock) skew = Number(clock.dataset.serverNow) - Date.now() / 1000;
    tick();
    window.setInterval(tick, 1000);
  });
})();
