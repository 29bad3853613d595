/* Contact form: show the drug-test result only when the contact is a drug test.
   Without this script the field stays visible and the server refuses a result for any other
   kind, so the page works the same, only longer. No inline script: this file is all there is. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-contact-form]");
  var wrapper = document.getElementById("drug-test-result");
  if (!form || !wrapper) {
    return;
  }
  var shownFor = wrapper.getAttribute("data-shown-for");
  var result = wrapper.querySelector("select");

  function update(onLoad) {
    var checked = form.querySelector("input[name=kind]:checked");
    var show = checked !== null && checked.value === shownFor;
    // A result posted with another kind comes back with its error: leave it in sight.
    if (onLoad && !show && result && result.value) {
      return;
    }
    wrapper.hidden = !show;
    if (!show && result) {
      result.value = "";
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") {
      update(false);
    }
  });
  update(true);
})();
