/* Contact form: show the drug-test result only when the contact is a drug test, and the
   counselling topics only when it is not (a drug test carries no topics).
   Without this script both stay visible and the server refuses a result for any other kind
   and topics for a drug test, so the page works the same, only longer. No inline script: this
   file is all there is. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-contact-form]");
  var wrapper = document.getElementById("drug-test-result");
  if (!form || !wrapper) {
    return;
  }
  var shownFor = wrapper.getAttribute("data-shown-for");
  var result = wrapper.querySelector("select");
  var topics = document.getElementById("contact-topics");

  function update(onLoad) {
    var checked = form.querySelector("input[name=kind]:checked");
    var show = checked !== null && checked.value === shownFor;
    // A result posted with another kind comes back with its error: leave it in sight.
    if (!(onLoad && !show && result && result.value)) {
      wrapper.hidden = !show;
      if (!show && result) {
        result.value = "";
      }
    }
    if (topics) {
      var ticked = topics.querySelectorAll("input[type=checkbox]:checked");
      // Topics posted with a drug test come back with their error: leave them in sight.
      if (onLoad && show && ticked.length) {
        return;
      }
      topics.hidden = show;
      if (show) {
        ticked.forEach(function (box) {
          box.checked = false;
        });
      }
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") {
      update(false);
    }
  });
  update(true);
})();
