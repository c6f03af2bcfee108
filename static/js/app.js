// Behaviour shared by every page: theme toggle, toasts, error reporting for
// htmx requests, confirmations and dialogs. Listeners are delegated from
// document, so content swapped in by htmx needs no re-binding.
(() => {
  const root = document.documentElement;

  // ---- Theme toggle ------------------------------------------------------
  // The button's name stays "Dark theme"; aria-pressed says whether it is on.
  const THEME_KEY = "aniworld-theme";
  const themeToggle = document.querySelector("[data-theme-toggle]");

  function showTheme() {
    const dark = root.dataset.theme === "dark";
    themeToggle.setAttribute("aria-pressed", String(dark));
    themeToggle.title = dark ? "Switch to light theme" : "Switch to dark theme";
  }

  if (themeToggle) {
    themeToggle.addEventListener("click", () => {
      const theme = root.dataset.theme === "dark" ? "light" : "dark";
      root.dataset.theme = theme;
      try {
        localStorage.setItem(THEME_KEY, theme);
      } catch {
        // Storage blocked: the switch still holds for this page.
      }
    });
    // theme.js may also change the theme (system preference, another tab).
    new MutationObserver(showTheme).observe(root, { attributeFilter: ["data-theme"] });
    showTheme();
    themeToggle.hidden = false;
  }

  // ---- Toasts ------------------------------------------------------------
  const TOAST_KINDS = new Set(["success", "error", "warning", "info"]);
  const TOAST_MS = 6000;
  const MAX_TOASTS = 5;
  const toasts = document.getElementById("toasts");
  const toastTemplate = document.getElementById("toast-template");

  // Hovering or focusing a toast pauses its timer, so it can be read in full.
  function armToast(toast) {
    let timer;
    const start = () => {
      clearTimeout(timer);
      timer = setTimeout(() => toast.remove(), TOAST_MS);
    };
    const stop = () => clearTimeout(timer);
    toast.addEventListener("mouseenter", stop);
    toast.addEventListener("mouseleave", start);
    toast.addEventListener("focusin", stop);
    toast.addEventListener("focusout", start);
    start();
  }

  function toast(message, kind = "info") {
    const toastElement = toastTemplate.content.firstElementChild.cloneNode(true);
    toastElement.className = `toast toast-${TOAST_KINDS.has(kind) ? kind : "info"}`;
    toastElement.querySelector(".toast-message").textContent = message;
    toasts.append(toastElement);
  }

  if (toasts) {
    // Arms every toast however it arrives: rendered with the page, added by
    // toast(), or swapped in out of band by htmx. Old ones make room.
    toasts.querySelectorAll(".toast").forEach(armToast);
    new MutationObserver((records) => {
      for (const record of records) {
        record.addedNodes.forEach((node) => {
          if (node instanceof Element && node.matches(".toast")) armToast(node);
        });
      }
      while (toasts.children.length > MAX_TOASTS) toasts.firstElementChild.remove();
    }).observe(toasts, { childList: true });
  }

  document.addEventListener("click", (event) => {
    const dismiss = event.target.closest("[data-dismiss-toast]");
    if (dismiss) dismiss.closest(".toast").remove();
  });

  // HX-Trigger: {"toast": {"message": "…", "kind": "success"}} or {"toast": "…"}.
  document.addEventListener("toast", (event) => {
    const detail = event.detail || {};
    const message = detail.message ?? detail.value;
    if (message) toast(String(message), detail.kind);
  });

  // ---- Failed htmx requests ----------------------------------------------
  // Our API errors are {"success": false, "message": "…"}; our plain-text
  // answers (the rate limit's "try again in N seconds") are a message as they
  // are; anything else (an HTML error page, a proxy's reply) gets a generic
  // line with the status, or for a 429 the wait from Retry-After.
  const MAX_PLAIN_MESSAGE = 300;

  function errorMessage(xhr) {
    try {
      const body = JSON.parse(xhr.responseText);
      if (body && body.success === false && typeof body.message === "string") return body.message;
    } catch {
      // Not JSON.
    }
    const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain");
    const text = (xhr.responseText || "").trim();
    if (plain && text && text.length <= MAX_PLAIN_MESSAGE) return text;
    if (xhr.status === 429) {
      const wait = xhr.getResponseHeader("Retry-After");
      return wait ? `Too many requests; try again in ${wait} seconds.` : "Too many requests; try again shortly.";
    }
    return `Something went wrong (HTTP ${xhr.status}). Please try again.`;
  }

  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    // A response that brings its own toast has said it already.
    if ((xhr.getResponseHeader("HX-Trigger") || "").includes('"toast"')) return;
    toast(errorMessage(xhr), "error");
  });

  document.addEventListener("htmx:sendError", () => {
    toast("Could not reach the server. Check that Aniworld is running.", "error");
  });

  // ---- Confirmation: data-confirm="Question?" ----------------------------
  // Goes on an htmx element, a form, or a form's submit button. A form that
  // htmx drives fires both "submit" and "htmx:confirm"; remember forms already
  // confirmed on submit so the question is asked once.
  const confirmedForms = new WeakSet();

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      const question = event.submitter?.dataset.confirm ?? form.dataset.confirm;
      if (!question) return;
      if (window.confirm(question)) {
        confirmedForms.add(form);
        return;
      }
      // Capture phase on document runs before htmx's listener on the form,
      // so stopping here keeps htmx from sending the request as well.
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    true,
  );

  document.addEventListener("htmx:confirm", (event) => {
    const element = event.detail.elt;
    if (confirmedForms.delete(element)) return;
    const question = element.dataset.confirm;
    if (!question) return;
    event.preventDefault();
    if (window.confirm(question)) event.detail.issueRequest(true);
  });

  // ---- Dialogs -----------------------------------------------------------
  // data-open-dialog="id" opens <dialog id="id"> as a modal; data-close-dialog
  // closes the dialog it is in (a <form method="dialog"> also works without JS).
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      document.getElementById(opener.dataset.openDialog)?.showModal();
      return;
    }
    const closer = event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog")?.close();
  });

  // ---- Select all: <input type="checkbox" data-select-all="name"> --------
  // ticks or clears every checkbox called "name" in the same form.
  document.addEventListener("change", (event) => {
    const all = event.target.closest("[data-select-all]");
    if (!all) return;
    const boxes = all.form?.querySelectorAll(`input[type="checkbox"][name="${all.dataset.selectAll}"]`);
    boxes?.forEach((box) => {
      box.checked = all.checked;
    });
  });

  window.aniworld = { toast };
})();
