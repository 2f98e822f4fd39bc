// Sunlight ledger: filter and sort the rectification table in the browser.
// The table is complete without this script; the script only hides rows and reorders them.
(function () {
  "use strict";
  function init() {
    var table = document.querySelector("table[data-ledger]");
    var panel = document.querySelector("[data-ledger-filters]");
    if (!table || !panel || table.dataset.ready) { return; }
    table.dataset.ready = "1";
    panel.hidden = false;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var count = panel.querySelector("[data-ledger-count]");
    var text = panel.querySelector('[data-filter="text"]');
    var status = panel.querySelector('[data-filter="status"]');
    var unit = panel.querySelector('[data-filter="unit"]');
    var overdue = panel.querySelector('[data-filter="overdue"]');

    function apply() {
      var needle = text.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var ok = (!needle || row.textContent.toLowerCase().indexOf(needle) !== -1) &&
          (!status.value || row.dataset.status === status.value) &&
          (!unit.value || row.dataset.unit === unit.value) &&
          (!overdue.checked || row.dataset.overdue === "yes");
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = "显示 " + shown + " / " + rows.length + " 项";
    }

    function sortBy(th, index) {
      var numeric = th.dataset.sort === "number";
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(th.parentNode.children, function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.cells[index].textContent.trim(), y = b.cells[index].textContent.trim();
        var order = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "zh-CN");
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }

    [text, status, unit, overdue].forEach(function (el) {
      el.addEventListener("input", apply);
      el.addEventListener("change", apply);
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (!th.dataset.sort) { return; }
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(th, index); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th, index); }
      });
    });
    apply();
  }
  // mkdocs-material's instant navigation swaps pages without reloading: hook into it.
  if (typeof document$ !== "undefined") { document$.subscribe(init); }
  else { document.addEventListener("DOMContentLoaded", init); }
})();
