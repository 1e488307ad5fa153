/* Telltale feedback widget: a "Report a problem" button that opens a form and files a user
   report (with up to three screenshots) linked to the last error the page captured. No
   dependencies.
   <script src="https://telltale.example.com/js/telltale-feedback.js" data-dsn="https://KEY@telltale.example.com/1"
           data-reporter-type="customer" data-name="Ana" data-email="ana@example.com" defer></script>
   Optional: data-button-text, data-nonce (for a Content-Security-Policy with style nonces). */
(function () {
  "use strict";
  var script = document.currentScript;
  var dsn = script && script.getAttribute("data-dsn");
  var match = dsn && /^(https?):\/\/([^@\/]+)@([^\/]+)\/(?:.*\/)?(\d+)\/?$/.exec(dsn);
  if (!match || window.__telltaleFeedback) return;
  window.__telltaleFeedback = true;
  var endpoint = match[1] + "://" + match[3] + "/api/" + match[4] + "/user-reports/?sentry_key=" + encodeURIComponent(match[2]);
  var attr = function (name) { return script.getAttribute("data-" + name) || ""; };
  var MAX_BYTES = 5 * 1024 * 1024, MAX_FILES = 3;
  var TYPES = [["bug", "Something is broken"], ["performance", "Slow"], ["ui_issue", "Looks wrong"], ["data_issue", "Wrong data"],
               ["feature_request", "Feature request"], ["other", "Other"]];
  var PRIORITIES = [["low", "Low"], ["medium", "Medium"], ["high", "High"], ["critical", "Critical: I cannot work"]];

  var css = ".tt-fb-button{position:fixed;right:16px;bottom:16px;z-index:2147483000;padding:10px 14px;border:0;border-radius:20px;background:#3b5bdb;color:#fff;font:600 14px system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.25)}" +
    ".tt-fb-button:focus-visible,.tt-fb-dialog :focus-visible{outline:3px solid #1d2330;outline-offset:2px}" +
    ".tt-fb-dialog{max-width:34rem;width:calc(100% - 32px);border:1px solid #c9ced8;border-radius:8px;padding:16px;font:14px system-ui,sans-serif;color:#1d2330;background:#fff}" +
    ".tt-fb-dialog::backdrop{background:rgba(0,0,0,.4)}.tt-fb-dialog h2{margin:0 0 8px;font-size:18px}" +
    ".tt-fb-dialog label{display:block;margin:8px 0 2px;font-weight:600}.tt-fb-dialog input,.tt-fb-dialog select,.tt-fb-dialog textarea{width:100%;box-sizing:border-box;padding:6px;border:1px solid #6b7385;border-radius:4px;font:inherit;color:inherit;background:#fff}" +
    ".tt-fb-row{display:flex;gap:8px}.tt-fb-row>div{flex:1}.tt-fb-actions{display:flex;gap:8px;justify-content:flex-end;margin-top:12px}" +
    ".tt-fb-actions button{padding:8px 14px;border-radius:4px;border:1px solid #3b5bdb;background:#fff;color:#3b5bdb;font:600 14px system-ui,sans-serif;cursor:pointer}" +
    ".tt-fb-actions button[type=submit]{background:#3b5bdb;color:#fff}.tt-fb-status{margin:8px 0 0;min-height:1.2em}.tt-fb-status.tt-fb-error{color:#a61e1e}.tt-fb-hint{color:#4a5161;font-size:12px;margin:2px 0 0}";

  function el(tag, props, children) {
    var node = document.createElement(tag);
    for (var key in props) {
      if (key === "text") node.textContent = props[key];
      else node.setAttribute(key, props[key]);
    }
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }
  function field(id, label, control, hint) {
    control.id = id;
    var parts = [el("label", { "for": id, text: label }), control];
    if (hint) { control.setAttribute("aria-describedby", id + "-hint"); parts.push(el("p", { id: id + "-hint", "class": "tt-fb-hint", text: hint })); }
    return el("div", {}, parts);
  }
  function select(name, options) {
    return el("select", { name: name }, options.map(function (o) { return el("option", { value: o[0], text: o[1] }); }));
  }
  function lastEventId() {
    try {
      if (window.telltale && window.telltale.lastEventId) return window.telltale.lastEventId();
      if (window.Sentry && window.Sentry.lastEventId) return window.Sentry.lastEventId();
    } catch (e) { /* a broken page still files its report */ }
    return null;
  }
  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve({ filename: file.name, data: reader.result }); };
      reader.onerror = function () { reject(new Error("could not read " + file.name)); };
      reader.readAsDataURL(file);
    });
  }

  function build() {
    var style = el("style", { text: css });
    if (attr("nonce")) style.setAttribute("nonce", attr("nonce"));
    document.head.appendChild(style);
    var button = el("button", { type: "button", "class": "tt-fb-button", text: attr("button-text") || "Report a problem", "aria-haspopup": "dialog" });
    var status = el("p", { "class": "tt-fb-status", role: "status", "aria-live": "polite" });
    var files = el("input", { type: "file", name: "screenshots", accept: "image/png,image/jpeg", multiple: "" });
    var form = el("form", { method: "dialog", novalidate: "" }, [
      el("h2", { id: "tt-fb-title", text: "Report a problem" }),
      el("div", { "class": "tt-fb-row" }, [field("tt-fb-type", "Kind", select("type", TYPES)), field("tt-fb-priority", "Priority", select("priority", PRIORITIES))]),
      field("tt-fb-summary", "Title", el("input", { name: "title", required: "", maxlength: "200" })),
      field("tt-fb-description", "What happened?", el("textarea", { name: "description", rows: "3", required: "", maxlength: "10000" })),
      field("tt-fb-steps", "Steps to reproduce", el("textarea", { name: "steps", rows: "2", maxlength: "10000" })),
      el("div", { "class": "tt-fb-row" }, [field("tt-fb-expected", "What did you expect?", el("textarea", { name: "expected", rows: "2", maxlength: "10000" })),
                                         field("tt-fb-actual", "What happened instead?", el("textarea", { name: "actual", rows: "2", maxlength: "10000" }))]),
      el("div", { "class": "tt-fb-row" }, [field("tt-fb-name", "Your name", el("input", { name: "name", autocomplete: "name", value: attr("name") })),
                                         field("tt-fb-email", "Email for a reply", el("input", { name: "email", type: "email", autocomplete: "email", value: attr("email") }))]),
      field("tt-fb-files", "Screenshots", files, "Up to three PNG or JPEG images, 5 MB each."),
      status,
      el("div", { "class": "tt-fb-actions" }, [el("button", { type: "button", value: "cancel", text: "Cancel" }), el("button", { type: "submit", text: "Send report" })])
    ]);
    var dialog = el("dialog", { "class": "tt-fb-dialog", "aria-labelledby": "tt-fb-title" }, [form]);
    document.body.appendChild(button);
    document.body.appendChild(dialog);

    button.addEventListener("click", function () { status.textContent = ""; status.className = "tt-fb-status"; dialog.showModal(); form.elements.namedItem("title").focus(); });
    form.querySelector("button[value=cancel]").addEventListener("click", function () { dialog.close(); button.focus(); });
    function fail(message) { status.className = "tt-fb-status tt-fb-error"; status.textContent = message; }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = { get: function (name) { return form.elements.namedItem(name); } };
      if (!values.get("title").value.trim() || !values.get("description").value.trim()) return fail("Please give a title and say what happened.");
      var chosen = Array.prototype.slice.call(files.files || []);
      if (chosen.length > MAX_FILES) return fail("At most three screenshots.");
      for (var i = 0; i < chosen.length; i++) {
        if (chosen[i].size > MAX_BYTES) return fail(chosen[i].name + " is larger than 5 MB.");
        if (!/^image\/(png|jpeg)$/.test(chosen[i].type)) return fail(chosen[i].name + " is not a PNG or JPEG image.");
      }
      var submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      status.className = "tt-fb-status";
      status.textContent = "Sending…";
      Promise.all(chosen.map(readFile)).then(function (shots) {
        var report = {
          type: values.get("type").value, priority: values.get("priority").value, title: values.get("title").value, description: values.get("description").value,
          steps: values.get("steps").value, expected: values.get("expected").value, actual: values.get("actual").value, name: values.get("name").value, email: values.get("email").value,
          reporter_type: attr("reporter-type") || "customer", url: location.href, browser: navigator.userAgent, event_id: lastEventId(), screenshots: shots
        };
        return fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(report), credentials: "omit" });
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) throw new Error(body.detail || "the report was not accepted (" + response.status + ")");
          form.reset();
          values.get("name").value = attr("name");
          values.get("email").value = attr("email");
          status.textContent = "Thank you, your report was sent (number " + body.id + ").";
        });
      }).catch(function (error) {
        fail("Sorry, the report could not be sent: " + error.message);
      }).then(function () { submit.disabled = false; });
    });
  }

  if (document.body) build(); else document.addEventListener("DOMContentLoaded", build);
})();
