/* Activity forms: show only the figures the chosen kind records, and name them as that kind
   does («Số tờ rơi», «Số học sinh tham dự»). The spec comes from the form's data-spec
   attribute (Activity.FIELDS). Without this script every box stays visible and the server
   refuses a figure the kind does not use, with a message beside it. No inline script. */
(function () {
  "use strict";

  function labelOf(box) {
    var label = box.querySelector("label");
    if (label && !label.hasAttribute("data-original")) {
      label.setAttribute("data-original", label.firstChild ? label.firstChild.textContent : "");
    }
    return label;
  }

  function apply(spec, kind, scope, keepFilled) {
    var wanted = spec[kind];
    scope.querySelectorAll("[data-figure]").forEach(function (box) {
      var name = box.getAttribute("data-figure");
      var show = !wanted || wanted.required.indexOf(name) >= 0 || wanted.optional.indexOf(name) >= 0;
      var input = box.querySelector("input:not([type=checkbox]), select, textarea");
      var invalid = box.querySelector(".is-invalid, .invalid-feedback");
      // A figure posted for the wrong kind comes back with its error: leave it in sight.
      if (!show && keepFilled && (invalid || (input && input.value))) {
        show = true;
      }
      box.hidden = !show;
      if (!show && input && !keepFilled) {
        input.value = "";
      }
      var label = labelOf(box);
      if (label && wanted && (name === "participants" || name === "items") && label.firstChild) {
        label.firstChild.textContent = wanted[name];
      }
    });
  }

  // The one-activity form
  var form = document.querySelector("form[data-activity-form]");
  if (form) {
    var spec = JSON.parse(form.getAttribute("data-spec"));
    var select = form.querySelector("select[name=kind]");
    if (select) {
      select.addEventListener("change", function () { apply(spec, select.value, form, false); });
      apply(spec, select.value, form, true);
    }
  }

  // The notebook grid: each row follows its own kind
  var grid = document.querySelector("table[data-activity-grid]");
  if (grid) {
    var gridSpec = JSON.parse(grid.getAttribute("data-spec"));
    var bindRow = function (row) {
      var kind = row.querySelector("select[name$=-kind]");
      if (!kind) {
        return;
      }
      var update = function (onLoad) {
        var wanted = gridSpec[kind.value];
        row.querySelectorAll("[data-figure]").forEach(function (cell) {
          var name = cell.getAttribute("data-figure");
          var input = cell.querySelector("input, select");
          var used = !wanted || wanted.required.indexOf(name) >= 0 || wanted.optional.indexOf(name) >= 0;
          if (!input) {
            return;
          }
          var keep = onLoad && (input.value || cell.querySelector(".invalid-feedback"));
          input.disabled = !used && !keep;
          if (!used && !keep) {
            input.value = "";
          }
          input.placeholder = used && wanted && wanted.required.indexOf(name) >= 0 ? "*" : "";
        });
      };
      kind.addEventListener("change", function () { update(false); });
      update(true);
    };
    grid.querySelectorAll("tr[data-row]").forEach(bindRow);
    document.addEventListener("activity-row-added", function (event) { bindRow(event.detail); });
  }
})();

/* The notebook grid: "more rows" clones the empty row, so nothing typed is lost. */
(function () {
  "use strict";
  var button = document.querySelector("[data-add-rows]");
  var template = document.getElementById("batch-row-template");
  var total = document.querySelector("input[name$=-TOTAL_FORMS]");
  var body = document.querySelector("table[data-activity-grid] tbody");
  if (!button || !template || !total || !body) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var step = parseInt(button.getAttribute("data-add-rows"), 10);
    var max = parseInt(button.getAttribute("data-max-rows"), 10);
    var count = parseInt(total.value, 10);
    for (var i = 0; i < step && count < max; i += 1, count += 1) {
      var html = template.innerHTML.replace(/__prefix__/g, String(count));
      body.insertAdjacentHTML("beforeend", html);
      var row = body.lastElementChild;
      row.querySelector("[data-row-number]").textContent = String(count + 1);
      document.dispatchEvent(new CustomEvent("activity-row-added", { detail: row }));
    }
    total.value = String(count);
    if (count >= max) {
      button.hidden = true;
    }
  });
})();

/* Mark the figures the chosen kind requires with the same star as the other required boxes. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-activity-form]");
  if (!form) {
    return;
  }
  var spec = JSON.parse(form.getAttribute("data-spec"));
  var select = form.querySelector("select[name=kind]");
  function mark() {
    var wanted = spec[select.value];
    form.querySelectorAll("[data-figure]").forEach(function (box) {
      var label = box.querySelector("label");
      if (!label) {
        return;
      }
      var star = label.querySelector(".asteriskField[data-kind-star]");
      var required = wanted && wanted.required.indexOf(box.getAttribute("data-figure")) >= 0;
      if (required && !star && !label.querySelector(".asteriskField")) {
        star = document.createElement("span");
        star.className = "asteriskField";
        star.setAttribute("data-kind-star", "");
        star.textContent = "*";
        label.appendChild(star);
      } else if (!required && star) {
        star.remove();
      }
    });
  }
  if (select) {
    select.addEventListener("change", mark);
    mark();
  }
})();

/* A club session's club: offer only the clubs holding on the chosen date (founded by then,
   not closed before it). The server checks the same; without this script every club shows. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-activity-form]");
  var club = form && form.querySelector("select[name=club]");
  var date = form && form.querySelector("input[name=occurred_on]");
  if (!club || !date) {
    return;
  }
  function iso(value) {
    var m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value.trim());
    if (m) {
      return m[3] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[1]).slice(-2);
    }
    return /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? value.trim() : "";
  }
  function filter() {
    var day = iso(date.value);
    Array.prototype.forEach.call(club.options, function (option) {
      var founded = option.getAttribute("data-founded");
      var closed = option.getAttribute("data-closed");
      var holds = !day || !founded || (founded <= day && (!closed || day <= closed));
      option.hidden = !holds;
      option.disabled = !holds && !option.selected;
    });
  }
  date.addEventListener("change", filter);
  date.addEventListener("input", filter);
  filter();
})();
