// A site page's editor (/halaman/content/…): the preview follows typing.
// Without this script the Pratinjau button does the same by posting the form.
(function () {
  "use strict";
  var form = document.getElementById("sunting");
  var frame = document.getElementById("pratinjau-bingkai");
  var status = document.getElementById("pratinjau-status");
  if (!form || !frame || !status || !window.fetch || !window.FormData || !window.URLSearchParams) {
    return;
  }
  var timer = null;
  var latest = 0;
  function say(text) {
    status.textContent = text;
  }
  function refresh() {
    var data = new URLSearchParams(new FormData(form));
    data.set("aksi", "pratinjau");
    data.set("potongan", "1");
    var mine = ++latest;
    say("Memperbarui pratinjau…");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (text) {
          return { ok: r.ok, text: text };
        });
      })
      .then(function (r) {
        if (mine !== latest) {
          return;
        }
        if (r.ok) {
          frame.srcdoc = r.text;
          say("Pratinjau mengikuti ketikan Anda. Halaman belum terbit.");
        } else {
          say("Pratinjau belum dapat diperbarui: ada kesalahan. Tekan Periksa untuk melihat sebabnya.");
        }
      })
      .catch(function () {
        if (mine === latest) {
          say("Pratinjau tidak dapat diperbarui. Tekan Pratinjau untuk mencoba lagi.");
        }
      });
  }
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 700);
  });
  if (!frame.getAttribute("srcdoc")) {
    refresh();
  }
})();
