// The browsable API (DRF's own template, which has no block for these): say the
// page's language, and name the format menu's button, whose title Bootstrap's
// tooltips take away.
document.documentElement.lang ||= "en";
for (const toggle of document.querySelectorAll(".format-selection .dropdown-toggle")) {
  toggle.setAttribute("aria-label", "Choose the response format");
}
