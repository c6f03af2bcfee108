// Applies the theme before the first paint (loaded in <head> without defer),
// so a light-theme user never sees a dark flash. A choice saved by the theme
// toggle (app.js) wins; without one the system preference decides, live.
(() => {
  const KEY = "aniworld-theme";
  const prefersLight = window.matchMedia("(prefers-color-scheme: light)");

  function savedTheme() {
    try {
      return localStorage.getItem(KEY);
    } catch {
      return null; // storage blocked (privacy settings): fall back to the system
    }
  }

  function applyTheme() {
    const saved = savedTheme();
    const theme = saved === "light" || saved === "dark" ? saved : prefersLight.matches ? "light" : "dark";
    document.documentElement.dataset.theme = theme;
  }

  applyTheme();
  prefersLight.addEventListener("change", applyTheme);
  // Another tab toggled the theme: follow it.
  window.addEventListener("storage", (event) => {
    if (event.key === KEY) applyTheme();
  });
})();
