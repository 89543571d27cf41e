// The desk's warning before a session ends (WCAG 2.2.1 Timing Adjustable):
// two minutes before the idle timeout, a notice with a button that keeps
// the session going (POST /sesi/, which counts as activity). Without
// JavaScript every page still states the timeout, and a form sent after it
// is kept and offered again after signing in.
(function () {
  "use strict";
  var notice = document.getElementById("sesi-peringatan");
  var form = document.getElementById("sesi-perpanjang");
  var text = document.getElementById("sesi-pesan");
  if (!notice || !form || !text || !window.fetch) {
    return;
  }
  var idle = Number(notice.getAttribute("data-idle-secs")) * 1000;
  var warnBefore = 2 * 60 * 1000;
  var warnText = text.textContent;
  var warnTimer = 0;
  var endTimer = 0;

  function ended() {
    text.textContent =
      "Sesi Anda sudah berakhir. Masuk lagi untuk melanjutkan; langkah atau pesan yang Anda kirim sekarang disimpan.";
    form.hidden = true;
    notice.hidden = false;
  }

  function warn() {
    text.textContent = warnText;
    form.hidden = false;
    // Announced (role="alert"), not focused: focus moved while someone
    // types would swallow their keys.
    notice.hidden = false;
    endTimer = window.setTimeout(ended, Math.min(warnBefore, idle));
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    notice.hidden = true;
    warnTimer = window.setTimeout(warn, Math.max(idle - warnBefore, 0));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window
      .fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)).toString(),
      })
      .then(
        function (response) {
          if (response.ok) {
            schedule();
          } else {
            ended();
          }
        },
        ended
      );
  });

  if (idle > 0) {
    schedule();
  }
})();
