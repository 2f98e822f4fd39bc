// Sunlight ledger: filter and sort every row of the ledger in the browser.
// Without this script the ledger is complete: its pages (…/page/2/) hold every row. The
// ledger is paginated, so filtering or sorting the rows of one page would hide the others:
// the first time a reader filters or sorts, the script loads the ledger's rows (rows.json,
// written beside the page by the build, holding only what the pages show) and draws the
// matching rows itself, a page at a time.
(function () {
  "use strict";
  var loaded = {};      // rows.json by address: loaded once per page view

  function load(src) {
    if (!loaded[src]) {
      loaded[src] = fetch(src, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error(src + ": " + response.status); }
        return response.json();
      });
    }
    return loaded[src];
  }

  // A date as the pages print it (format.date_html): a <time> the stylesheet keeps whole.
  function date(day) {
    var time = element("time", "", day);
    time.setAttribute("datetime", day);
    return time;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  // The page numbers to offer: the first, the last and two either side of the current one
  // (null where numbers are skipped), as the pages' own navigation does (stages/paging.py).
  function numbers(current, count) {
    var out = [];
    for (var n = 1; n <= count; n += 1) {
      if (n === 1 || n === count || Math.abs(n - current) <= 2) {
        if (out.length && n - out[out.length - 1] > 1) { out.push(null); }
        out.push(n);
      }
    }
    return out;
  }

  function init() {
    var table = document.querySelector("table[data-ledger]");
    var panel = document.querySelector("[data-ledger-filters]");
    if (!table || !panel || table.dataset.ready) { return; }
    table.dataset.ready = "1";
    panel.hidden = false;
    var body = table.tBodies[0];
    // Column headings, read before sorting marks them: the labels of drawn cards.
    var heads = Array.prototype.map.call(table.tHead.rows[0].cells,
      function (th) { return th.textContent.trim(); });
    var pageRows = Array.prototype.slice.call(body.rows);
    var src = new URL(panel.dataset.src, window.location.href).href;
    var size = parseInt(panel.dataset.pageSize, 10) || 100;
    var count = panel.querySelector("[data-ledger-count]");
    var text = panel.querySelector('[data-filter="text"]');
    var status = panel.querySelector('[data-filter="status"]');
    var unit = panel.querySelector('[data-filter="unit"]');
    var overdue = panel.querySelector('[data-filter="overdue"]');
    var staticParts = document.querySelectorAll("[data-pager], [data-pages-of]");
    var pager = element("nav", "sl-pager");
    pager.setAttribute("aria-label", "筛选结果分页");
    pager.hidden = true;
    table.parentNode.insertBefore(pager, table.nextSibling);
    var state = { key: null, ascending: true, page: 1, rows: null };
    count.textContent = "共 " + panel.dataset.total + " 项";

    function record(fields, values) {
      var row = {};
      fields.forEach(function (name, i) { row[name] = values[i]; });
      return row;
    }

    function matches(row) {
      var needle = text.value.trim().toLowerCase();
      var haystack = [row.id, row.title, row.unit, row.body, row.status_label, row.due]
        .join(" ").toLowerCase();
      return (!needle || haystack.indexOf(needle) !== -1) &&
        (!status.value || row.status_label === status.value) &&
        (!unit.value || row.unit === unit.value) &&
        (!overdue.checked || row.overdue > 0);
    }

    function compare(a, b) {
      var x = String(a[state.key]), y = String(b[state.key]);
      if (!x !== !y) { return x ? -1 : 1; }        // empty cells last, either way
      var order = x.localeCompare(y, "zh-CN");
      return state.ascending ? order : -order;
    }

    // A row exactly as the pages print it (templates/ledger.html, the badge macro and
    // Site.deadline in stages/render.py).
    function draw(row) {
      var tr = element("tr");
      tr.dataset.status = row.status_label;
      tr.dataset.unit = row.unit;
      tr.dataset.overdue = row.overdue > 0 ? "yes" : "no";
      var link = element("a", "", row.id);
      link.href = new URL(row.url, src).href;
      var due = null;
      if (row.due) {
        due = element("span", "sl-due");
        due.dataset.due = row.due;
        due.appendChild(date(row.due));
        if (row.extensions) {
          var note = element("span", "sl-due-note", "（已延期 " + row.extensions + " 次");
          if (row.original) {
            note.appendChild(document.createTextNode("；原期限 "));
            var del = element("del");
            del.appendChild(date(row.original));
            note.appendChild(del);
          }
          note.appendChild(document.createTextNode("）"));
          due.appendChild(note);
        }
      }
      var badge = document.createDocumentFragment();
      badge.appendChild(element("span", "sl-badge sl-status-" + row.status, row.status_label));
      if (row.overdue > 0) {
        badge.appendChild(document.createTextNode(" "));
        badge.appendChild(element("span", "sl-badge sl-overdue-badge", "逾期 " + row.overdue + " 日"));
      }
      [link, row.title, row.unit, row.body, due, badge].forEach(function (content, i) {
        var td = element("td");
        // Labelled like the printed cells: a card on a phone shows each value's heading.
        if (i > 0 && heads[i]) { td.setAttribute("data-label", heads[i]); }
        if (typeof content === "string") { td.textContent = content; }
        else if (content) { td.appendChild(content); }
        tr.appendChild(td);
      });
      return tr;
    }

    function pageButton(label, page, current, name) {
      var li = element("li");
      var button = element("button", "", label);
      button.type = "button";
      if (name) { button.setAttribute("aria-label", name); }
      if (current) { button.setAttribute("aria-current", "page"); }
      button.addEventListener("click", function () {
        state.page = page;
        show();
        table.scrollIntoView();
      });
      li.appendChild(button);
      return li;
    }

    function drawPager(pages) {
      pager.textContent = "";
      pager.hidden = pages <= 1;
      if (pages <= 1) { return; }
      pager.appendChild(element("p", "", "第 " + state.page + " / " + pages + " 页"));
      var list = element("ul");
      if (state.page > 1) { list.appendChild(pageButton("上一页", state.page - 1)); }
      numbers(state.page, pages).forEach(function (n) {
        if (n === null) {
          var gap = element("li", "sl-pager-gap");
          gap.appendChild(element("span", "", "…")).setAttribute("aria-hidden", "true");
          list.appendChild(gap);
        } else {
          list.appendChild(pageButton(String(n), n, n === state.page, "第 " + n + " 页"));
        }
      });
      if (state.page < pages) { list.appendChild(pageButton("下一页", state.page + 1)); }
      pager.appendChild(list);
    }

    // The matching rows of the whole ledger, one page of them drawn in place of this page's.
    function show() {
      var found = state.rows.filter(matches);
      if (state.key) { found.sort(compare); }     // stable: ties keep the ledger's order
      var pages = Math.max(1, Math.ceil(found.length / size));
      state.page = Math.min(state.page, pages);
      body.textContent = "";
      found.slice((state.page - 1) * size, state.page * size).forEach(function (row) {
        body.appendChild(draw(row));
      });
      Array.prototype.forEach.call(staticParts, function (el) { el.hidden = true; });
      drawPager(pages);
      count.textContent = "显示 " + found.length + " / " + state.rows.length + " 项";
    }

    // Only when the rows cannot be loaded (a site opened from disk): this page's rows.
    function showThisPage() {
      var shown = 0;
      pageRows.forEach(function (tr) {
        var ok = matches({ id: "", title: tr.textContent, unit: tr.dataset.unit, body: "",
                           status_label: tr.dataset.status, due: "",
                           overdue: tr.dataset.overdue === "yes" ? 1 : 0 });
        tr.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = "显示本页 " + shown + " / " + pageRows.length + " 项（未能载入完整台账）";
    }

    function apply(firstPage) {
      if (firstPage) { state.page = 1; }
      load(src).then(function (data) {
        state.rows = state.rows || data.rows.map(function (values) {
          return record(data.fields, values);
        });
        show();
      }, showThisPage);
    }

    function sortBy(th) {
      state.ascending = !(state.key === th.dataset.sort && state.ascending);
      state.key = th.dataset.sort;
      Array.prototype.forEach.call(th.parentNode.children, function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", state.ascending ? "ascending" : "descending");
      apply(true);
    }

    [text, status, unit, overdue].forEach(function (el) {
      el.addEventListener("input", function () { apply(true); });
      el.addEventListener("change", function () { apply(true); });
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (!th.dataset.sort) { return; }
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(th); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); }
      });
    });
  }
  // mkdocs-material's instant navigation swaps pages without reloading: hook into it.
  if (typeof document$ !== "undefined") { document$.subscribe(init); }
  else { document.addEventListener("DOMContentLoaded", init); }
})();
