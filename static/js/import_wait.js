// While a large import is checked or committed beside the request, ask every 5 seconds whether
// it is done and, once it is, open the page again (the preview, or the list it went into).
// Nothing moves while the work goes on: the page says what is happening, and «Xem lại ngay»
// does the same by hand (and without JavaScript).
(function () {
  "use strict";
  var waiting = document.querySelector("[data-import-waiting]");
  if (!waiting || !window.fetch) {
    return;
  }
  var url = waiting.getAttribute("data-import-waiting");
  function ask() {
    fetch(url + "?cho=1", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.done) {
          window.location.assign(url); // the preview, or the list the rows went into
        } else {
          window.setTimeout(ask, 5000);
        }
      })
      .catch(function () {
        window.setTimeout(ask, 15000); // offline for a moment: try again later
      });
  }
  window.setTimeout(ask, 5000);
})();
