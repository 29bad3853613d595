// «In phiếu»: print the page; the print stylesheet (app.css, "Login slip") keeps only the slip.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print-slip]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () {
      window.print();
    });
  }
})();
