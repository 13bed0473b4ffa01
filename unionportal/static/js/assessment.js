/* Assessment sheets: running totals while staff fill in, a warning before leaving unsaved
   input, and buttons that act once.  Progressive enhancement: the server recomputes every
   score on save and stays the source of truth. */
(function () {
  "use strict";
  var CENT = 100;

  function round2(value) {
    // Half-up at 2 decimals, on integers of cents to avoid binary surprises.
    return Math.floor(value * CENT + 0.5 + 1e-9) / CENT;
  }

  function fmt(value) {
    return String(round2(value)).replace(/\.0+$/, "");
  }

  function setup(table) {
    var factors = {
      full: parseFloat(table.dataset.factorsFull), basic: parseFloat(table.dataset.factorsBasic),
      none: parseFloat(table.dataset.factorsNone), penalty: parseFloat(table.dataset.penalty)
    };
    var form = table.closest("form");
    if (!form) return;

    function unitScore(row) {
      var checked = row.querySelector("input[type=radio]:checked");
      var grade = checked ? checked.value : null;
      var docs = row.querySelector("input[type=checkbox][name^='docs-']");
      if (!grade) {
        if (!row.querySelector("input[type=radio]")) {
          var cell = row.querySelector("[data-unit-self]");
          return cell && cell.textContent.trim() !== "" ? parseFloat(cell.textContent) : null;
        }
        return null;
      }
      var points = parseFloat(row.dataset.points);
      var penalty = docs && docs.checked ? 0 : factors.penalty;
      return round2(Math.max(0, points * (factors[grade] - penalty)));
    }

    function update() {
      var total = 0;
      table.querySelectorAll("tbody.indicator").forEach(function (body) {
        var weight = parseFloat(body.dataset.weight), points = parseFloat(body.dataset.points), sum = 0;
        body.querySelectorAll("tr[data-unit]").forEach(function (row) {
          var score = unitScore(row);
          var cell = row.querySelector("[data-unit-self]");
          if (cell) cell.textContent = score === null ? "" : fmt(score);
          if (score !== null) sum += score;
        });
        if (points && points !== weight) sum = sum * weight / points;
        sum = round2(sum);
        var head = body.querySelector("[data-indicator-self]");
        if (head) head.textContent = fmt(sum);
        total += sum;
      });
      document.querySelectorAll("[data-self-total]").forEach(function (el) { el.textContent = fmt(total); });
    }

    var dirty = false;
    var flag = document.querySelector("[data-dirty]");
    form.addEventListener("input", function () {
      dirty = true;
      if (flag) flag.hidden = false;
      update();
    });
    form.addEventListener("change", update);
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
    if (form.querySelector("input[type=radio]")) update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sheet[data-factors-full]").forEach(setup);
    // A second click on a one-time action (submit, finalise) is ignored while the first is sent.
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var button = event.submitter;
        if (!button || !button.hasAttribute("data-once")) return;
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
        // Keep the clicked button's name/value in the request, then disable it.
        setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
})();
