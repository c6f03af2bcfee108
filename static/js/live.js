// The live stream (/ws/connect) for the Queue, Library and Series pages.
//
// Connects with the session cookie, joins the rooms the page shows and keeps
// it current from events: the active download's progress bar in place, the
// queue, scan panel and episode list re-fetched as htmx partials when their
// state changes, a toast when a download finishes or fails.
//
// A re-fetched element names its URL in data-refresh-url (the template's {% url %}).
//
// Elements marked data-live-poll keep their htmx polling (hx-trigger
// "every …") for when the socket is down; while it is open their polls are
// skipped. A lost socket is retried with exponential backoff.
//
// <html> carries data-live while the socket is open, and data-joined once the
// server has confirmed every room the page asked for (from then on no event
// for the page is missed); both go when the socket closes.
(() => {
  const RETRY_FIRST_MS = 1000;
  const RETRY_MAX_MS = 30000;
  // Events come in bursts (download_completed, then queue_status): one request each.
  const REFRESH_DELAY_MS = 150;
  const CLOSE_UNAUTHENTICATED = 4401;

  const root = document.documentElement;
  const seriesKey = document.querySelector("[data-series-key]")?.dataset.seriesKey;
  const rooms = ["downloads"];
  if (document.getElementById("scan-panel")) rooms.push("scan");

  let socket = null;
  let live = false;
  let retryMs = RETRY_FIRST_MS;

  // ---- Connection --------------------------------------------------------

  function setLive(on) {
    live = on;
    root.toggleAttribute("data-live", on);
    if (!on) root.removeAttribute("data-joined");
  }

  // A "joined" answer names every room the socket is in now.
  function noteJoined(joined) {
    if (Array.isArray(joined) && rooms.every((room) => joined.includes(room))) {
      root.setAttribute("data-joined", "");
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/ws/connect`);
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      handle(message);
    });
    socket.addEventListener("close", (event) => {
      setLive(false);
      socket = null;
      // Signed out: the page's own requests lead to the login page.
      if (event.code === CLOSE_UNAUTHENTICATED) return;
      const delay = retryMs * (0.5 + Math.random());
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      setTimeout(connect, delay);
    });
  }

  function send(action, data) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ action, data }));
    }
  }

  // While the socket is open, a poll (no triggering event) of a data-live-poll
  // element is skipped; clicks and our own refreshes go through.
  document.addEventListener("htmx:confirm", (event) => {
    const { elt, triggeringEvent } = event.detail;
    if (live && !triggeringEvent && elt.matches("[data-live-poll]")) event.preventDefault();
  });

  // ---- Refreshing partials -------------------------------------------------

  const pending = new Map();

  // query: appended to the element's URL (the page's own filters, say).
  function refresh(selector, swap, query = "") {
    if (pending.has(selector)) return;
    pending.set(
      selector,
      setTimeout(() => {
        pending.delete(selector);
        const target = document.querySelector(selector);
        if (!target) return;
        htmx.ajax("GET", target.dataset.refreshUrl + query, {
          source: target,
          target,
          swap,
          event: new CustomEvent("live:refresh"),
        });
      }, REFRESH_DELAY_MS),
    );
  }

  function refreshQueue() {
    refresh("#queue", "outerHTML");
  }

  function refreshScanPanel() {
    refresh("#scan-panel", "innerHTML");
  }

  function refreshEpisodes() {
    refresh("#episodes", "outerHTML", location.search);
  }

  function refreshSeriesList() {
    refresh("#series-list", "outerHTML", location.search);
  }

  // ---- Showing events ----------------------------------------------------

  function fileSize(bytes) {
    if (bytes < 1024) return `${bytes} bytes`;
    const units = ["KB", "MB", "GB", "TB"];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return `${value.toFixed(1)} ${units[unit]}`;
  }

  // The same text as the queue template's label.
  function progressLabel(progress) {
    let label = `${Number(progress.percent || 0).toFixed(1)} %`;
    if (progress.speed_bps) label += ` · ${fileSize(Math.round(progress.speed_bps))}/s`;
    if (progress.eta_seconds) label += ` · ${Math.round(progress.eta_seconds)} s left`;
    return label;
  }

  function episodeName(item) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${item.series_name || item.series_key} S${pad(item.season)}E${pad(item.episode)}`;
  }

  function showDownloadProgress(item) {
    const active = document.getElementById("active-item");
    if (!active || active.dataset.itemId !== String(item.id)) {
      if (document.getElementById("queue")) refreshQueue();
      return;
    }
    const bar = active.querySelector("progress");
    if (bar) bar.value = item.progress.percent || 0;
    const label = active.querySelector("[data-progress-label]");
    if (label) label.textContent = progressLabel(item.progress);
    // What the worker does now: resolving, retrying VOE 2/3 in 4 s, remuxing …
    const stage = active.querySelector("[data-progress-stage]");
    if (stage) {
      stage.textContent = item.progress.message || "";
      stage.dataset.stage = item.progress.stage || "";
    }
  }

  function showDownloadEnd(item, succeeded) {
    if (succeeded) {
      window.aniworld?.toast(`Downloaded ${episodeName(item)}.`, "success");
    } else {
      const reason = item.error ? `: ${item.error}` : ".";
      window.aniworld?.toast(`Download of ${episodeName(item)} failed${reason}`, "error");
    }
    refreshQueue();
    if (succeeded && seriesKey && item.series_key === seriesKey) refreshEpisodes();
  }

  function showScanProgress(scan) {
    const bar = document.querySelector("[data-scan-progress]");
    const count = document.querySelector("[data-scan-count]");
    if (!bar || !count) {
      refreshScanPanel();
      return;
    }
    bar.max = scan.total || 1;
    bar.value = scan.done || 0;
    count.textContent = `${scan.done} of ${scan.total}${scan.current ? ` (${scan.current})` : ""}`;
  }

  function showScanEnd() {
    refreshScanPanel();
    // An import run has looked folders up or attached them.
    refresh("#unmatched", "innerHTML");
    if (seriesKey) refreshEpisodes();
    refreshSeriesList();
  }

  function handle(message) {
    const data = message.data || {};
    switch (message.type) {
      case "connected":
        setLive(true);
        retryMs = RETRY_FIRST_MS;
        for (const room of rooms) send("join", { room });
        break;
      case "joined":
        noteJoined(data.rooms);
        // A scan shown as running may have ended while the socket was down.
        // (The queue needs nothing here: joining downloads brings a queue_status.)
        if (message.room === "scan" && document.querySelector("#scan-panel [data-live-poll]")) {
          refreshScanPanel();
        }
        break;
      case "queue_status":
      case "download_started":
        refreshQueue();
        break;
      case "download_progress":
        showDownloadProgress(data);
        break;
      case "download_completed":
        showDownloadEnd(data, true);
        break;
      case "download_failed":
        showDownloadEnd(data, false);
        break;
      case "scan_started":
        refreshScanPanel();
        break;
      case "scan_progress":
        showScanProgress(data);
        break;
      case "scan_completed":
        showScanEnd();
        break;
      default:
        break;
    }
  }

  connect();
})();
