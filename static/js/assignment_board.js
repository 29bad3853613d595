/* The assignment board on a phone: a live «Đã chọn 3 người» beside the sticky assign button,
   and a name search that hides the rows whose name does not match. The search runs here
   only: the name typed is never sent, so it is in no URL and no server log. Without this
   script the box stays hidden, the count shows what the page was sent with, and every row
   can still be ticked and assigned. No inline script. */
(function () {
  "use strict";

  // Diacritics ignored, as the register's search does (cases.text.fold): "hoa" finds «Hòa».
  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d")
      .toLowerCase();
  }

  // Every word typed starts a word of the name, in any order: "van a" finds «Nguyễn Văn An».
  function matches(words, name) {
    var parts = name.split(/\s+/);
    return words.every(function (word) {
      return parts.some(function (part) {
        return part.indexOf(word) === 0;
      });
    });
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return String(values[key]);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var count = document.querySelector("[data-board-count]");
    if (!count) {
      return;
    }
    var form = count.closest("form");
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-board-row]"));

    function recount() {
      var ticked = form.querySelectorAll("input[name=persons]:checked").length;
      count.textContent = fill(count.getAttribute("data-text"), { count: ticked });
    }
    form.addEventListener("change", recount);
    recount();

    var search = form.querySelector("[data-board-search]");
    if (!search) {
      return;
    }
    var box = search.querySelector("input");
    var found = search.querySelector("[data-board-found]");
    var names = rows.map(function (row) {
      return fold(row.querySelector(".fw-semibold").textContent);
    });
    search.hidden = false;
    box.addEventListener("input", function () {
      var words = fold(box.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, i) {
        var show = !words.length || matches(words, names[i]);
        row.hidden = !show;
        shown += show ? 1 : 0;
      });
      found.textContent = words.length
        ? fill(found.getAttribute("data-text"), { shown: shown, total: rows.length })
        : "";
    });
    // Enter in the search box would send the form: keep it a search.
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  });
})();
