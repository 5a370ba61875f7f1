// Suggests existing tags for the last name typed in a comma-separated tag field. The
// suggestions come from the admin's own autocomplete view and are offered through a
// native <datalist>, so arrow keys and Enter work as in any field.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-tag-autocomplete]")) {
    const list = document.createElement("datalist");
    list.id = `${input.id}_suggestions`;
    input.after(list);
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    let timer;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const typed = input.value;
        const cut = typed.lastIndexOf(",") + 1;
        const term = typed.slice(cut).trim();
        if (term.length < 2) {
          list.replaceChildren();
          return;
        }
        const url = new URL(input.dataset.tagAutocomplete, window.location.origin);
        url.searchParams.set("term", term);
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) return;
        const { results } = await response.json();
        const head = typed.slice(0, cut) + (cut ? " " : "");
        list.replaceChildren(
          ...results.map((result) => {
            const option = document.createElement("option");
            option.value = head + result.text;
            return option;
          }),
        );
      }, 150);
    });
  }
});
