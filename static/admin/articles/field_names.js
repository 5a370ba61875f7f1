// Names for the stock admin controls a screen reader would announce without one: the
// date and time boxes of a date-time field (labelled "Date:" and "Time:" in plain text)
// and the boxes select2 adds to autocomplete fields. Each takes its field's label.
"use strict";

function labelOf(id) {
  const label = id && document.querySelector(`label[for="${CSS.escape(id)}"]`);
  return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
}

function nameControls(root) {
  for (const input of root.querySelectorAll(".datetime input[id$='_0'], .datetime input[id$='_1']")) {
    // The field's label names no box (Django labels the pair, not each box).
    const label = input.closest(".form-row, td")?.querySelector("label");
    const field = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
    const part = input.id.endsWith("_0") ? "date" : "time";
    if (field && !input.hasAttribute("aria-label")) input.setAttribute("aria-label", `${field}, ${part}`);
  }
  for (const select of root.querySelectorAll("select.admin-autocomplete")) {
    const name = labelOf(select.id);
    const container = select.nextElementSibling;
    if (!name || !container || !container.classList.contains("select2")) continue;
    for (const control of container.querySelectorAll(
      ".select2-selection, .select2-selection__rendered, .select2-search__field",
    )) {
      control.setAttribute("aria-label", name);
    }
  }
}

// select2 builds its boxes when jQuery is ready (which may come after "load"), rebuilds a
// multiple box's search field as choices change, and inline rows add more: name them
// whenever the form's elements change.
document.addEventListener("DOMContentLoaded", () => {
  let pending = false;
  const observer = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      nameControls(document);
    });
  });
  nameControls(document);
  observer.observe(document.body, { childList: true, subtree: true });
});
