// Telltale dashboard: copy buttons, select-all, and live issue, monitor and incident rows over Server-Sent Events.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const text = button.dataset.copy || "";
  const done = () => { const label = button.textContent; button.textContent = "Copied"; setTimeout(() => { button.textContent = label; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
  } else {
    fallbackCopy(text, done);
  }
});

// Clipboard API needs a secure context; plain http on a LAN address falls back to a selection.
function fallbackCopy(text, done) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "sr";
  document.body.appendChild(area);
  area.select();
  try { document.execCommand("copy"); done(); } catch (_) { /* the text stays visible to copy by hand */ }
  area.remove();
}

document.addEventListener("change", (event) => {
  if (event.target.id !== "pick-all") return;
  for (const box of document.querySelectorAll('#issue-rows input[name="id"]')) box.checked = event.target.checked;
});

function startLive() {
  const badge = document.getElementById("live");
  const issues = document.getElementById("issue-rows");
  const body = issues || document.getElementById("monitor-rows") || document.getElementById("incident-rows");
  if (!badge || !body || !window.EventSource) return;
  const label = badge.querySelector(".label");
  const state = (name, text) => { badge.dataset.state = name; label.textContent = text; };
  const source = new EventSource(badge.dataset.src);
  source.onopen = () => state("live", "live");
  source.onerror = () => state(source.readyState === EventSource.CLOSED ? "offline" : "connecting", source.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
  const rowFrom = (html) => {
    const holder = document.createElement("tbody");
    holder.innerHTML = html; // rendered and escaped by the server's row template
    return holder.querySelector("tr");
  };
  // Health grid: a monitor's row is replaced where it stands.
  source.addEventListener("monitor", (message) => {
    state("live", "live");
    const update = JSON.parse(message.data);
    const row = rowFrom(update.html);
    const old = body.querySelector('tr[data-monitor-id="' + String(update.id) + '"]');
    if (!row || !old) return;
    row.classList.add("fresh");
    old.replaceWith(row);
  });
  // Active incidents: the whole list, already ordered by the server.
  source.addEventListener("incidents", (message) => {
    state("live", "live");
    body.innerHTML = JSON.parse(message.data).html; // rendered and escaped by the server's row template
  });
  source.addEventListener("issue", (message) => {
    if (!issues) return;
    state("live", "live");
    const update = JSON.parse(message.data);
    const row = rowFrom(update.html);
    if (!row) return;
    const old = body.querySelector('tr[data-issue-id="' + String(update.id) + '"]');
    if (old) {
      const checked = old.querySelector('input[name="id"]');
      const box = row.querySelector('input[name="id"]');
      if (checked && box) box.checked = checked.checked;
      old.remove();
    }
    row.classList.add("fresh");
    body.prepend(row);
    const none = document.getElementById("no-match");
    if (none) none.remove();
    const setup = document.querySelector(".setup");
    if (setup) setup.remove();
  });
}

document.addEventListener("DOMContentLoaded", startLive);

// Panels computed on request (the issue page's similar and related issues), loaded once
// the page is shown.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".lazy[data-src]")) {
    fetch(box.dataset.src, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => { if (html) box.innerHTML = html; }); // rendered and escaped by the server
  }
});

// Times the server wrote in UTC, shown in the reader's time zone: chart axis labels
// (data-time, seconds) and <time datetime> stamps, with the zone named in captions.
(function localTimes() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const two = (n) => String(n).padStart(2, "0");
  for (const tick of document.querySelectorAll("[data-time]")) {
    const date = new Date(Number(tick.dataset.time) * 1000);
    tick.textContent = tick.dataset.format === "day" ? two(date.getMonth() + 1) + "-" + two(date.getDate()) : two(date.getHours()) + ":" + two(date.getMinutes());
  }
  for (const name of document.querySelectorAll(".zone")) name.textContent = zone;
  for (const stamp of document.querySelectorAll("time[datetime]")) {
    const date = new Date(stamp.getAttribute("datetime"));
    if (isNaN(date)) continue;
    const local = date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate()) + " " + two(date.getHours()) + ":" + two(date.getMinutes()) + ":" + two(date.getSeconds()) + " " + zone;
    // Absolute stamps become local; relative ones ("3 hours ago") keep their text and get the local time as a tooltip.
    if (stamp.hasAttribute("data-local")) stamp.textContent = local; else stamp.title = local;
  }
})();

// "/" focuses the search box, unless the reader is typing somewhere already.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
  const search = document.getElementById("search");
  if (!search) return;
  event.preventDefault();
  search.focus();
  search.select();
});

// The bell's unread count, kept current by a small event stream.
(function startBell() {
  const bell = document.getElementById("bell");
  if (!bell || !window.EventSource) return;
  const count = bell.querySelector(".count");
  const source = new EventSource(bell.dataset.src);
  source.addEventListener("unread", (message) => {
    const unread = String(parseInt(message.data, 10) || 0);
    count.textContent = unread;
    count.dataset.unread = unread;
  });
})();
