/* Telltale browser script: uncaught errors, unhandled rejections, failed fetch/XHR calls and
   Web Vitals (LCP, CLS, INP, FCP, TTFB), sent as Sentry envelopes. No dependencies.
   <script src="https://telltale.example.com/js/telltale.js" data-dsn="https://KEY@telltale.example.com/1"
           data-release="shop@1.2.3" data-environment="production" defer></script> */
(function () {
  "use strict";
  var script = document.currentScript;
  var dsn = script && script.getAttribute("data-dsn");
  var match = dsn && /^(https?):\/\/([^@\/]+)@([^\/]+)\/(?:.*\/)?(\d+)\/?$/.exec(dsn);
  if (!match || window.__telltale) return;
  window.__telltale = true;
  var endpoint = match[1] + "://" + match[3] + "/api/" + match[4] + "/envelope/?sentry_key=" + encodeURIComponent(match[2]) + "&sentry_version=7&sentry_client=telltale.javascript%2F1.0";
  var release = script.getAttribute("data-release") || undefined;
  var environment = script.getAttribute("data-environment") || undefined;
  var sdk = { name: "telltale.javascript", version: "1.0" };
  var nativeFetch = window.fetch && window.fetch.bind(window);
  var sent = 0;

  function id(n) {
    var out = "", bytes = new Uint8Array(n);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    for (var i = 0; i < n; i++) out += (bytes[i] + 256).toString(16).slice(1);
    return out;
  }
  var traceId = id(16), pageSpanId = id(8);

  function envelope(type, payload) {
    var body = JSON.stringify(payload);
    return JSON.stringify({ event_id: payload.event_id, sent_at: new Date().toISOString(), sdk: sdk }) + "\n" +
      JSON.stringify({ type: type, length: new TextEncoder().encode(body).length }) + "\n" + body + "\n";
  }

  function send(type, payload, beacon) {
    if (sent++ > 100) return; // a page in an error loop stops after a hundred envelopes
    var body = envelope(type, payload);
    var blob = new Blob([body], { type: "text/plain;charset=UTF-8" });
    if (beacon && navigator.sendBeacon && navigator.sendBeacon(endpoint, blob)) return;
    if (nativeFetch) nativeFetch(endpoint, { method: "POST", body: body, keepalive: true, mode: "no-cors", credentials: "omit" }).catch(function () {});
  }

  function base(extra) {
    var event = {
      event_id: id(16), timestamp: Date.now() / 1000, platform: "javascript", sdk: sdk, release: release, environment: environment,
      request: { url: location.href, headers: { "User-Agent": navigator.userAgent } },
      contexts: { trace: { trace_id: traceId, span_id: id(8), parent_span_id: pageSpanId } },
      tags: connection()
    };
    for (var key in extra) event[key] = extra[key];
    return event;
  }

  function connection() {
    var c = navigator.connection;
    return c && c.effectiveType ? { effectiveConnectionType: c.effectiveType } : {};
  }

  // Chrome: "    at fn (https://x/app.js:10:5)"; Firefox and Safari: "fn@https://x/app.js:10:5".
  function frames(stack) {
    var out = [];
    String(stack || "").split("\n").forEach(function (line) {
      var m = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?\s*$/.exec(line) || /^\s*(.*?)@(.+?):(\d+):(\d+)\s*$/.exec(line);
      if (m) out.push({ function: m[1] || "?", filename: m[2], abs_path: m[2], lineno: +m[3], colno: +m[4], in_app: m[2].indexOf("/js/telltale.js") < 0 });
    });
    return out.reverse(); // the protocol lists the outermost frame first
  }

  function captureError(error, mechanism, handled) {
    var type = (error && error.name) || "Error";
    var value = error && error.message !== undefined ? String(error.message) : String(error);
    var exception = { type: type, value: value, mechanism: { type: mechanism, handled: handled } };
    var list = frames(error && error.stack);
    if (list.length) exception.stacktrace = { frames: list };
    var event = base({ level: "error", exception: { values: [exception] } });
    lastEventId = event.event_id;
    send("event", event);
  }
  var lastEventId = null;

  window.addEventListener("error", function (e) {
    if (e.error) captureError(e.error, "onerror", false);
    else if (e.message) captureError({ name: "Error", message: e.message, stack: "at ? (" + e.filename + ":" + e.lineno + ":" + e.colno + ")" }, "onerror", false);
  });
  window.addEventListener("unhandledrejection", function (e) {
    var reason = e.reason;
    captureError(reason instanceof Error ? reason : { name: "UnhandledRejection", message: String(reason) }, "onunhandledrejection", false);
  });

  function captureHTTP(method, url, status, ms) {
    if (String(url).indexOf(endpoint.split("?")[0]) === 0) return;
    var path;
    try { path = new URL(url, location.href).pathname; } catch (_) { path = String(url); }
    send("event", base({
      level: "error", logger: "telltale.http",
      message: { formatted: status ? "HTTP " + status + " " + method + " " + path : "Network error " + method + " " + path },
      fingerprint: ["http", method, path, String(status || "network")],
      tags: Object.assign(connection(), { "http.method": method, "http.status_code": String(status || 0), url: path }),
      extra: { url: String(url), duration_ms: Math.round(ms) }
    }));
  }

  if (nativeFetch) {
    window.fetch = function (input, init) {
      var method = ((init && init.method) || (input && input.method) || "GET").toUpperCase();
      var url = typeof input === "string" ? input : (input && input.url) || String(input);
      var started = performance.now();
      return nativeFetch(input, init).then(function (response) {
        if (response.status >= 500 || response.status === 0 && response.type !== "opaque") captureHTTP(method, url, response.status, performance.now() - started);
        return response;
      }, function (error) {
        captureHTTP(method, url, 0, performance.now() - started);
        throw error;
      });
    };
  }
  var open = XMLHttpRequest.prototype.open, sendXHR = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__telltale = { method: String(method).toUpperCase(), url: url };
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    var xhr = this, info = xhr.__telltale, started = performance.now();
    if (info) xhr.addEventListener("loadend", function () {
      if (xhr.status === 0 || xhr.status >= 500) captureHTTP(info.method, info.url, xhr.status, performance.now() - started);
    });
    return sendXHR.apply(this, arguments);
  };

  // Web Vitals, measured as the web-vitals library does.
  var vitals = {};
  function observe(type, callback, options) {
    try {
      var observer = new PerformanceObserver(function (list) { list.getEntries().forEach(callback); });
      observer.observe(Object.assign({ type: type, buffered: true }, options || {}));
    } catch (_) {}
  }
  observe("largest-contentful-paint", function (entry) { vitals.lcp = entry.renderTime || entry.startTime; });
  observe("paint", function (entry) { if (entry.name === "first-contentful-paint") vitals.fcp = entry.startTime; });
  // CLS: the largest session window (shifts less than 1 s apart, at most 5 s long).
  var windowValue = 0, windowStart = 0, lastShift = 0;
  observe("layout-shift", function (entry) {
    if (entry.hadRecentInput) return;
    if (windowValue && entry.startTime - lastShift < 1000 && entry.startTime - windowStart < 5000) {
      windowValue += entry.value;
    } else {
      windowValue = entry.value;
      windowStart = entry.startTime;
    }
    lastShift = entry.startTime;
    vitals.cls = Math.max(vitals.cls || 0, windowValue);
  });
  // INP: the longest interaction (the 98th percentile once there are fifty or more).
  var interactions = {};
  observe("event", function (entry) {
    if (!entry.interactionId) return;
    interactions[entry.interactionId] = Math.max(interactions[entry.interactionId] || 0, entry.duration);
    var durations = Object.keys(interactions).map(function (k) { return interactions[k]; }).sort(function (a, b) { return b - a; });
    vitals.inp = durations[Math.min(durations.length - 1, Math.floor(durations.length / 50))];
  }, { durationThreshold: 40 });
  observe("first-input", function (entry) { vitals.fid = entry.processingStart - entry.startTime; });
  var navigation = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  if (navigation) vitals.ttfb = Math.max(0, navigation.responseStart);

  var reported = false;
  function report() {
    if (reported) return;
    reported = true;
    var measurements = {};
    for (var name in vitals) measurements[name] = { value: vitals[name], unit: name === "cls" ? "" : "millisecond" };
    var origin = performance.timeOrigin || Date.now() - performance.now();
    send("transaction", base({
      type: "transaction", transaction: location.pathname, transaction_info: { source: "url" },
      start_timestamp: origin / 1000, timestamp: (origin + performance.now()) / 1000,
      contexts: { trace: { trace_id: traceId, span_id: pageSpanId, op: "pageload", status: "ok" } },
      measurements: measurements, spans: []
    }), true);
  }
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") report(); });
  window.addEventListener("pagehide", report);
  // lastEventId lets the feedback widget link a report to the error the person just saw.
  window.telltale = { captureException: function (error) { captureError(error, "generic", true); }, report: report,
                      lastEventId: function () { return lastEventId; } };
})();
