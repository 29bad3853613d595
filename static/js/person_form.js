/* The person edit form: «Từ ngày» and «Lý do thay đổi nhóm» matter only when the group
   changes, so they show once another group is chosen (the form's data-group-initial is the
   group on file). Without this script both stay visible with their help text, and the server
   ignores them when the group stays the same. No inline script. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-group-initial]");
  if (!form) {
    return;
  }
  var select = form.querySelector("select[name=group]");
  var boxes = ["group_since", "group_reason"]
    .map(function (name) { return document.getElementById("div_id_" + name); })
    .filter(function (box) { return box !== null; });
  if (!select || !boxes.length) {
    return;
  }
  var initial = form.getAttribute("data-group-initial");
  function apply(onLoad) {
    var changed = select.value !== initial;
    boxes.forEach(function (box) {
      // A box posted with an error or a value comes back in sight.
      var input = box.querySelector("input, textarea");
      var keep = onLoad && (box.querySelector(".is-invalid, .invalid-feedback") || (input && input.value));
      box.hidden = !changed && !keep;
    });
  }
  select.addEventListener("change", function () { apply(false); });
  apply(true);
})();
