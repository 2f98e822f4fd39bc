/* Sunlight's part of the web editor: plain JavaScript, no build step.
 *
 * 1. Backends that name a new record's file by its ID. Decap lower-cases every slug
 *    (zg-2026-001.md) and Sunlight requires the file name to equal the ID (filename-mismatch),
 *    so each pull-request backend is wrapped: a new entry's path takes the ID as written, an
 *    ID whose file already exists is refused with a message, and reading the entry back after
 *    saving finds the file under its real name.
 * 2. The record format: front matter read and written in Sunlight's shape (see below).
 * 3. The preview: the record with the same facts, labels and status badge as its public page,
 *    what the public will not see marked, and the rules the form cannot enforce explained
 *    (they are checked on the pull request).
 * Everything it knows about the model comes from model.js, generated from site_config/.
 */
(function () {
  "use strict";
  var MODEL = window.SUNLIGHT_MODEL;
  var CMS = window.CMS;
  var h = window.h;

  // --- 1. backends --------------------------------------------------------------------------

  function idOf(raw) {
    var front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(raw || "");
    var m = front && /^id:[ \t]*["']?([^"'\s#]+)/m.exec(front[1]);
    return m ? m[1] : null;
  }

  function wrap(impl) {
    var realPaths = {};            // lower-cased path -> the path the file really has
    var persist = impl.persistEntry.bind(impl);
    var getEntry = impl.getEntry.bind(impl);
    impl.persistEntry = function (entry, options) {
      var checks = [];
      if (options && options.newEntry) {
        (entry.dataFiles || []).forEach(function (file) {
          var id = idOf(file.raw);
          var slash = file.path.lastIndexOf("/");
          var name = file.path.slice(slash + 1);
          if (!id || name.toLowerCase() !== (id + ".md").toLowerCase()) { return; }
          var path = file.path.slice(0, slash + 1) + id + ".md";
          // A missing file: the forges' backends reject, the local one answers data: null.
          checks.push(getEntry(path).then(function (found) {
            if (found && found.data !== null && found.data !== undefined) {
              throw new Error("编号 " + id + " 已被占用：" + path + " 已经存在。请把序号改大一些再保存。");
            }
          }, function () { return null; }));
          realPaths[file.path.toLowerCase()] = path;
          file.path = path;
        });
      }
      return Promise.all(checks).then(function () { return persist(entry, options); });
    };
    impl.getEntry = function (path) {
      return getEntry(realPaths[String(path).toLowerCase()] || path);
    };
    // After a reload the names saved above are gone: learn them again from every listing and
    // every draft read, so a published draft (opened by its lower-cased slug) is found.
    function learn(path) {
      if (path) { realPaths[String(path).toLowerCase()] = path; }
    }
    if (impl.entriesByFolder) {
      var byFolder = impl.entriesByFolder.bind(impl);
      impl.entriesByFolder = function () {
        return byFolder.apply(null, arguments).then(function (entries) {
          (entries || []).forEach(function (e) { learn(e && e.file && e.file.path); });
          return entries;
        });
      };
    }
    if (impl.unpublishedEntry) {
      var draft = impl.unpublishedEntry.bind(impl);
      impl.unpublishedEntry = function () {
        return draft.apply(null, arguments).then(function (entry) {
          ((entry && entry.diffs) || []).forEach(function (d) { learn(d.path); });
          return entry;
        });
      };
    }
    return impl;
  }

  ["github", "gitlab", "gitea", "proxy"].forEach(function (name) {
    var original = CMS.getBackend(name);
    if (!original) { return; }
    // Called with `new`: returning an object makes that object the instance.
    CMS.registerBackend("sunlight-" + name, function () {
      return wrap(original.init.apply(null, arguments));
    });
  });

  // --- 2. the record format ----------------------------------------------------------------
  // Front matter read like Sunlight's loader reads it (every scalar text, then typed by the
  // field's declared type), written in one shape: keys in the model's order, empty values
  // left out, quotes only where YAML needs them, block lists, multi-line text as "|".

  var YAML = window.jsyaml;
  var BODY = MODEL.bodyKey;

  function typeField(spec, value) {
    if (value === null || value === undefined) { return value; }
    if (spec.type === "boolean" && (value === "true" || value === "false")) { return value === "true"; }
    if (spec.type === "integer" && /^-?[0-9]+$/.test(value)) { return Number(value); }
    if (spec.type === "list" && spec.items && Array.isArray(value)) {
      return value.map(function (v) { return typeField(spec.items, v); });
    }
    if (spec.type === "object" && spec.fields && value && typeof value === "object") {
      spec.fields.forEach(function (sub) {
        if (sub.name in value) { value[sub.name] = typeField(sub, value[sub.name]); }
      });
    }
    return value;
  }

  function recordType(meta) {
    var names = Object.keys(MODEL.types);
    for (var i = 0; i < names.length; i++) {
      var t = MODEL.types[names[i]];
      var key = t.fields.filter(function (f) { return f.type === "record-type"; })[0];
      if (key && meta[key.name] === names[i]) { return t; }
    }
    return null;
  }

  function fromFile(text) {
    var m = /^---\r?\n([\s\S]*?)\r?\n?---[ \t]*(?:\r?\n|$)([\s\S]*)$/.exec(text || "");
    var meta = m ? YAML.load(m[1], { schema: YAML.FAILSAFE_SCHEMA }) || {} : {};
    var type = recordType(meta);
    (type ? type.fields : []).forEach(function (spec) {
      if (spec.name in meta) { meta[spec.name] = typeField(spec, meta[spec.name]); }
    });
    meta[BODY] = m ? m[2] : (text || "");
    if (typeof meta.id === "string") { KEYS[meta.id] = Object.keys(meta); }
    return meta;
  }

  // The key order each record was read with, by ID: saving keeps it, so a hand-written
  // record's diff shows only what changed; a new key goes after its predecessor in the model.
  var KEYS = {};

  function keyOrder(data, order) {
    var model = (order || []).concat(Object.keys(data));
    var keys = (KEYS[data.id] || []).filter(function (k) { return k in data; });
    model.forEach(function (k, i) {
      if (keys.indexOf(k) >= 0 || !(k in data)) { return; }
      var at = 0;
      for (var j = i - 1; j >= 0; j--) {
        var before = keys.indexOf(model[j]);
        if (before >= 0) { at = before + 1; break; }
      }
      keys.splice(at, 0, k);
    });
    return keys;
  }

  function blank(value) {
    if (value === undefined || value === null || value === "") { return true; }
    if (Array.isArray(value)) { return value.length === 0; }
    if (typeof value === "object") { return Object.keys(value).length === 0; }
    return false;
  }

  function prune(value) {
    if (Array.isArray(value)) {
      return value.map(prune).filter(function (v) { return !blank(v); });
    }
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (k) {
        var v = prune(value[k]);
        if (!blank(v)) { out[k] = v; }
      });
      return out;
    }
    return typeof value === "string" && value.trim() === "" ? "" : value;
  }

  function toFile(data, order) {
    var ordered = {};
    keyOrder(data, order).forEach(function (k) {
      if (k === BODY || k in ordered || !(k in data)) { return; }
      var v = prune(data[k]);
      if (!blank(v)) { ordered[k] = v; }
    });
    var front = YAML.dump(ordered, { schema: YAML.CORE_SCHEMA, lineWidth: -1, noRefs: true,
                                     quotingType: '"', sortKeys: false });
    var body = data[BODY] || "";
    return "---\n" + front + "---\n" + body + (body && !/\n$/.test(body) ? "\n" : "");
  }

  CMS.registerCustomFormat(MODEL.format, "md", { fromFile: fromFile, toFile: toFile });

  // --- 3. preview ---------------------------------------------------------------------------

  function plain(value) {
    return value && typeof value.toJS === "function" ? value.toJS() : value;
  }

  function empty(value) {
    return value === undefined || value === null || value === "" ||
      (Array.isArray(value) && value.length === 0);
  }

  function show(value, field) {
    if (empty(value)) { return ""; }
    switch (field.type) {
      case "enum":
        return (field.values && field.values[value]) || String(value);
      case "boolean":
        return value === true || value === "true" ? "是" : "否";
      case "ref":
        if (field.to && field.to[0] === "body") { return MODEL.bodies[value] || String(value); }
        if (field.to && field.to[0] === "unit") { return MODEL.units[value] || String(value); }
        return String(value);
      case "list":
        if (!Array.isArray(value)) { return String(value); }
        if (field.items && field.items.type === "object") {
          return h("ol", {}, value.map(function (item, i) {
            return h("li", { key: i }, (field.items.fields || []).map(function (sub) {
              return empty(item && item[sub.name]) ? null :
                h("div", { key: sub.name }, sub.label + "：" + show(item[sub.name], sub));
            }));
          }));
        }
        return value.map(function (v) { return show(v, field.items || {}); }).join("、");
      case "object":
        return (field.fields || []).filter(function (sub) { return !empty(value[sub.name]); })
          .map(function (sub) { return sub.label + " " + show(value[sub.name], sub); }).join("，");
      default:
        return String(value);
    }
  }

  function today() { return new Date().toISOString().slice(0, 10); }

  function notes(type, data) {
    var out = [];
    var vis = data.visibility || type.visibility;
    if (vis !== "public") {
      out.push(["hidden", "整条记录公众看不到（公开范围：" + vis + "），只在内部网站显示。"]);
    }
    if (type.embargo && data[type.embargo] && data[type.embargo] > today()) {
      out.push(["hidden", "公开日期 " + data[type.embargo] + " 之前公众看不到这条记录。"]);
    }
    var status = data.status;
    var into = Object.keys(type.transitions).filter(function (from) {
      return type.transitions[from].indexOf(status) >= 0;
    }).map(function (from) { return label(type, from); });
    var onward = (type.transitions[status] || []).map(function (to) { return label(type, to); });
    out.push(["rule", "状态流转（编辑器不检查，合并请求的检查会检查）：“" + label(type, status) +
      "”只能由" + (into.length ? "“" + into.join("”“") + "”" : "新记录") + "改来；之后可改为" +
      (onward.length ? "“" + onward.join("”“") + "”" : "（不能再改）") + "。"]);
    type.requires.forEach(function (rule) {
      if (rule.when.indexOf(status) < 0) { return; }
      var missing = rule.fields.filter(function (f) { return empty(data[f]); });
      if (missing.length) {
        out.push(["missing", "状态为“" + label(type, status) + "”时必须填写：" +
          missing.map(function (f) { return fieldLabel(type, f); }).join("、") + "。"]);
      }
    });
    if (type.extensions) {
      var list = data[type.extensions.field] || [];
      list.forEach(function (item, i) {
        if (empty(item && item[type.extensions.reasonField])) {
          out.push(["missing", "第 " + (i + 1) + " 次延期缺少延期理由：延期必须写明理由，公众会看到它。"]);
        }
      });
    }
    return out;
  }

  function label(type, status) {
    return (type.statuses[status] && type.statuses[status].label) || status || "（未选）";
  }

  function fieldLabel(type, name) {
    var f = type.fields.filter(function (x) { return x.name === name; })[0];
    return f ? f.label : name;
  }

  function bodyParts(body) {
    // Internal blocks: lines between <!-- internal --> and <!-- /internal --> (record_body.py).
    var parts = [], internal = false, lines = [];
    function flush() {
      if (lines.join("").trim()) { parts.push({ internal: internal, text: lines.join("\n") }); }
      lines = [];
    }
    String(body || "").split(/\r?\n/).forEach(function (line) {
      if (/^\s*<!--\s*internal\s*-->\s*$/.test(line)) { flush(); internal = true; return; }
      if (/^\s*<!--\s*\/internal\s*-->\s*$/.test(line)) { flush(); internal = false; return; }
      lines.push(line);
    });
    flush();
    return parts;
  }

  var Preview = window.createClass({
    render: function () {
      var name = this.props.collection.get("name");
      var type = MODEL.types[name];
      var data = plain(this.props.entry.get("data")) || {};
      var skip = { id: 1, type: 1, title: 1, status: 1 };
      var rows = type.fields.filter(function (f) {
        return !skip[f.name] && f.type !== "id" && f.type !== "record-type" &&
          f.type !== "status" && !empty(data[f.name]);
      }).map(function (f) {
        return h("tr", { key: f.name, className: f.internal ? "sl-editor-hidden" : "" },
          h("th", {}, f.internal ? f.label + "（内部）" : f.label),
          h("td", {}, show(data[f.name], f),
            f.internal ? h("span", { className: "sl-editor-tag" }, "公众看不到") : null));
      });
      var body = bodyParts(data[BODY]).map(function (part, i) {
        return h("div", { key: i, className: part.internal ? "sl-editor-hidden sl-editor-block" : "" },
          part.internal ? h("span", { className: "sl-editor-tag" }, "内部内容，公众看不到") : null,
          part.text.split(/\n\s*\n/).map(function (p, j) { return h("p", { key: j }, p); }));
      });
      return h("div", { className: "sl-page sl-record sl-type-" + name },
        h("ul", { className: "sl-editor-notes" }, notes(type, data).map(function (n, i) {
          return h("li", { key: i, className: "sl-editor-" + n[0] }, n[1]);
        })),
        h("h1", {}, data.title || "（未填标题）"),
        h("p", { className: "sl-meta" },
          h("span", { className: "sl-badge sl-status-" + data.status }, label(type, data.status)),
          " " + type.label + " ", h("code", {}, data.id || "")),
        h("h2", {}, "基本情况"),
        h("table", {}, h("tbody", {},
          h("tr", {}, h("th", {}, "编号"), h("td", {}, data.id || "")),
          h("tr", {}, h("th", {}, "状态"), h("td", {}, label(type, data.status))),
          rows)),
        body.length ? h("h2", {}, "详细内容") : null,
        body.length ? h("div", { className: "sl-body" }, body) : null,
        h("p", { className: "sl-footnote" },
          "预览按段落显示正文；公开网站按 Markdown 排版。标有“公众看不到”的内容只在内部网站显示。"));
    }
  });

  Object.keys(MODEL.types).forEach(function (name) {
    CMS.registerPreviewTemplate(name, Preview);
  });
  // The site's own stylesheet (status badges), then the marks for what the public won't see.
  CMS.registerPreviewStyle("../assets/sunlight.css");
  CMS.registerPreviewStyle(
    "body{font:15px/1.7 sans-serif;padding:0 1em}table{border-collapse:collapse}" +
    "th,td{border:1px solid #ddd;padding:.2em .6em;text-align:left;vertical-align:top}" +
    ".sl-editor-hidden{background:#fff4e5}.sl-editor-tag{margin-left:.6em;padding:0 .4em;" +
    "border-radius:.6em;background:#e65100;color:#fff;font-size:.75em}" +
    ".sl-editor-block{border-left:4px solid #e65100;padding-left:.6em}" +
    ".sl-editor-notes{list-style:none;padding:0}.sl-editor-notes li{margin:.3em 0;padding:.3em .6em;" +
    "border-radius:4px}.sl-editor-hidden{}.sl-editor-rule{background:#e3f2fd}" +
    ".sl-editor-missing{background:#ffebee;color:#b71c1c}", { raw: true });

  if (window.SUNLIGHT_EDITOR_CONFIGURED) {
    CMS.init();
  } else {
    document.getElementById("sunlight-editor-unconfigured").hidden = false;
  }
})();
