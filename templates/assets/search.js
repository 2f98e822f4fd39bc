// Sunlight site search: the theme's search field and result list over Pagefind's chunked index
// (the site's own pagefind/ folder, in bundles; builder/stages/search_index.py builds it).
// Only what one query needs is downloaded: Pagefind's script, its WebAssembly, the word
// chunks of the query and the fragments of the results shown.
//
// Chinese: the index holds every Han character as a word, so a query is looked up as the
// phrase of its characters (exact substring search) and ranked by Pagefind over the same
// characters; an exact record ID typed in the box puts that record first.
(function () {
  "use strict";
  var PAGE = 10;
  // The same ranges as builder/stages/search_index.py.
  var HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var HAN_PAIR = new RegExp("([" + HAN + "])(?=[" + HAN + "])", "g");
  var SPACED = new RegExp("([" + HAN + "])((?:</?mark>)*)\\s((?:</?mark>)*)(?=[" + HAN + "])", "g");
  var FILTERS = ["body", "unit", "year", "status", "type"];
  var script = document.currentScript;
  var root = new URL("../", script ? script.src : location.href);   // assets/search.js → site root

  var HAN_CHAR = new RegExp("[" + HAN + "]");

  var dialog, input, toggle, count, list, more, filterBox, pagefind, shown, pending, sequence = 0;
  var bundled = false;   // the index has more than one bundle (pagefind/parts.json)

  function spaceHan(text) { return text.replace(HAN_PAIR, "$1 "); }
  // An excerpt as the page shows it: no spaces between Han characters, one <mark> per run.
  function unspace(html) {
    return html.replace(/\u200b/g, "").replace(SPACED, "$1$2$3").replace(/<\/mark><mark>/g, "");
  }
  function plain(text) { return (text || "").replace(/\s+/g, "").toLowerCase(); }
  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  // Each Han character is a word of the index: a longer excerpt than Pagefind's 30 words.
  function settings() { return { baseUrl: root.pathname, excerptLength: 60 }; }

  // Pagefind's module, with every bundle of the index merged in: a large site is indexed in
  // bundles (pagefind/ and pagefind/part-n/, listed in pagefind/parts.json); Pagefind searches
  // them together, ranks their results in one list and sums their filter counts.
  function load() {
    if (!pagefind) {
      var parts = fetch(new URL("pagefind/parts.json", root).href)
        .then(function (response) { return response.ok ? response.json() : []; })
        .catch(function () { return []; });
      pagefind = Promise.all([import(new URL("pagefind/pagefind.js", root).href), parts])
        .then(function (loaded) {
          var module = loaded[0];
          bundled = loaded[1].length > 0;
          return module.options(settings()).then(function () {
            return Promise.all(loaded[1].map(function (part) {
              return module.mergeIndex(new URL("pagefind/" + part, root).pathname, settings());
            }));
          }).then(function () { return module; });
        });
    }
    return pagefind;
  }

  function chosen() {
    var out = {};
    filterBox.querySelectorAll("select[data-search-filter]").forEach(function (select) {
      if (select.value) { out[select.dataset.searchFilter] = select.value; }
    });
    return out;
  }

  // Every whitespace-separated term with two or more Han characters must occur as written
  // (a phrase of characters); the ranking is Pagefind's over all terms.
  //
  // In an index of several bundles, each word of a term without Han characters (Pagefind cuts
  // a record ID at its hyphens into letters and numbers) must be found too where it is found
  // in any bundle: Pagefind drops a word that one bundle lacks from that bundle's search, which
  // would answer an ID that lives in another bundle with every page of the same type and year
  // there; one index keeps the word.
  function find(module, query, filters) {
    // Quotes would switch Pagefind to its exact mode for the whole query.
    var terms = query.replace(/["“”]/g, " ").split(/\s+/).filter(Boolean).map(spaceHan);
    var phrases = terms.filter(function (t) { return new RegExp("[" + HAN + "] [" + HAN + "]").test(t); });
    var words = !bundled ? [] : terms.filter(function (t) { return !HAN_CHAR.test(t); })
      .join(" ").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    var ranked = module.search(terms.length ? terms.join(" ") : null, { filters: filters });
    return Promise.all([ranked].concat(phrases.map(function (phrase) {
      return module.search('"' + phrase + '"', { filters: filters });
    }), words.map(function (word) {
      return module.search(word, { filters: filters });
    }))).then(function (found) {
      var results = found[0].results;
      found.slice(1).forEach(function (exact, i) {
        // A word found in no bundle is dropped, as one index drops it.
        if (i >= phrases.length && !exact.results.length) { return; }
        var keep = new Set(exact.results.map(function (r) { return r.id; }));
        results = results.filter(function (r) { return keep.has(r.id); });
      });
      return { results: results, counts: found[0].filters };
    });
  }

  function run() {
    var query = input.value.trim(), filters = chosen(), mine = ++sequence;
    if (!query && !Object.keys(filters).length) {
      list.textContent = "";
      more.hidden = true;
      count.textContent = "键入以开始搜索";
      return;
    }
    count.textContent = "正在搜索……";
    load().then(function (module) {
      return find(module, query, filters).then(function (found) {
        if (mine !== sequence) { return; }
        shown = { results: found.results, next: 0, id: plain(query) };
        list.textContent = "";
        showCounts(found.counts);
        return page(mine).then(function () {
          if (mine !== sequence) { return; }
          // Said once the results are on screen (a live region), and for which query.
          count.textContent = found.results.length ? "找到 " + found.results.length + " 条记录"
            : "没有找到符合条件的记录";
          count.setAttribute("data-query", query);
          loadFilters(module);
        });
      });
    }).catch(function () {
      if (mine === sequence) { count.textContent = "搜索暂时不可用，请使用分类浏览和整改台账。"; }
    });
  }

  // The next PAGE results; on the first page a record whose ID is the query comes first.
  function page(mine) {
    var slice = shown.results.slice(shown.next, shown.next + PAGE);
    var first = shown.next === 0;
    shown.next += slice.length;
    return Promise.all(slice.map(function (r) { return r.data(); })).then(function (data) {
      if (mine !== sequence) { return; }
      if (first) {
        var exact = data.findIndex(function (d) { return plain(d.meta.id) === shown.id; });
        if (exact > 0) { data.unshift(data.splice(exact, 1)[0]); }
      }
      data.forEach(function (d) { list.appendChild(item(d)); });
      more.hidden = shown.next >= shown.results.length;
    });
  }

  // mkdocs-material's result markup: type, ID, status and unit above the excerpt.
  function item(data) {
    var meta = data.meta || {};
    var li = element("li", "md-search-result__item");
    var link = element("a", "md-search-result__link");
    link.href = data.url;
    var article = element("article", "md-search-result__article md-typeset");
    article.appendChild(element("h1", "", meta.title || ""));
    var facts = element("p", "sl-search-facts");
    [meta.type, meta.id, meta.status, meta.unit || meta.body].forEach(function (value, i) {
      if (!value) { return; }
      var part = element(i === 1 ? "code" : "span", "sl-search-" + ["type", "id", "status", "unit"][i], value);
      facts.appendChild(part);
    });
    article.appendChild(facts);
    var excerpt = element("p", "sl-search-excerpt");
    excerpt.innerHTML = unspace(data.excerpt || "");  // Pagefind escapes the text; <mark> only
    article.appendChild(excerpt);
    link.appendChild(article);
    li.appendChild(link);
    return li;
  }

  var filtersLoaded = false;
  function loadFilters(module) {
    if (filtersLoaded) { return; }
    filtersLoaded = true;
    module.filters().then(function (all) {
      FILTERS.forEach(function (key) {
        var select = filterBox.querySelector('select[data-search-filter="' + key + '"]');
        var values = Object.keys(all[key] || {}).sort(function (a, b) {
          return key === "year" ? b.localeCompare(a) : a.localeCompare(b, "zh");
        });
        values.forEach(function (value) {
          var option = element("option", "", value);
          option.value = value;
          select.appendChild(option);
        });
        select.closest("label").hidden = !values.length;
      });
      filterBox.hidden = false;
    });
  }

  // How many results each filter value would leave, beside the value.
  function showCounts(counts) {
    if (!counts) { return; }
    filterBox.querySelectorAll("select[data-search-filter]").forEach(function (select) {
      var mine = counts[select.dataset.searchFilter] || {};
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value) { option.textContent = option.value + "（" + (mine[option.value] || 0) + "）"; }
      });
    });
  }

  // The theme watches the toggle's change event (it locks the page's scrolling on a phone).
  function setToggle(on) {
    if (toggle.checked !== on) {
      toggle.checked = on;
      toggle.dispatchEvent(new Event("change"));
    }
  }
  function open() {
    setToggle(true);
    load();
  }
  function close() {
    setToggle(false);
    input.blur();
  }

  function init() {
    dialog = document.querySelector("[data-sl-search]");
    toggle = document.getElementById("__search");
    if (!dialog || !toggle || dialog.dataset.ready) { return; }
    dialog.dataset.ready = "1";
    input = dialog.querySelector("[data-sl-search-query]");
    count = dialog.querySelector("[data-sl-search-count]");
    list = dialog.querySelector("[data-sl-search-results]");
    more = dialog.querySelector("[data-sl-search-more]");
    filterBox = dialog.querySelector("[data-sl-search-filters]");
    var form = dialog.querySelector("[data-sl-search-form]");

    input.addEventListener("focus", open);
    input.addEventListener("input", function () {
      clearTimeout(pending);
      pending = setTimeout(run, 150);
    });
    filterBox.addEventListener("change", run);
    more.addEventListener("click", function () { page(sequence); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a");
      if (first) { location.href = first.href; }
    });
    form.addEventListener("reset", function () {
      setTimeout(function () { run(); input.focus(); }, 0);
    });
    toggle.addEventListener("change", function () {
      if (toggle.checked) { input.focus(); } else { input.blur(); }
    });
    // The theme's shortcuts: / s f open the search, Esc closes it.
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (event.key === "Escape" && toggle.checked) {
        event.preventDefault();
        close();
      } else if (!typing && (event.key === "/" || event.key === "s" || event.key === "f")) {
        event.preventDefault();
        open();
        input.focus();
        input.select();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
