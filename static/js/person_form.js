/* The person edit form: «Lý do thay đổi nhóm» matters only when the group changes or the day
   the current group started is corrected, so it shows once another group is chosen or «Từ
   ngày» is filled in (the form's data-group-initial is the group on file); «Từ ngày» always
   shows. Without this script both stay visible with their help text. No inline script. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-group-initial]");
  if (!form) {
    return;
  }
  var select = form.querySelector("select[name=group]");
  var since = form.querySelector("input[name=group_since]");
  var boxes = ["group_reason"]
    .map(function (name) { return document.getElementById("div_id_" + name); })
    .filter(function (box) { return box !== null; });
  if (!select || !boxes.length) {
    return;
  }
  var initial = form.getAttribute("data-group-initial");
  function apply(onLoad) {
    var changed = select.value !== initial || (since !== null && since.value !== "");
    boxes.forEach(function (box) {
      // A box posted with an error or a value comes back in sight.
      var input = box.querySelector("input, textarea");
      var keep = onLoad && (box.querySelector(".is-invalid, .invalid-feedback") || (input && input.value));
      box.hidden = !changed && !keep;
    });
  }
  select.addEventListener("change", function () { apply(false); });
  if (since !== null) {
    since.addEventListener("change", function () { apply(false); });
  }
  apply(true);
})();
