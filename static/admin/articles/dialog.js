// What the body editor's dialogs (the link and the quote's speaker) are built from.

let dialogs = 0

// A prefix for the ids of one dialog's parts, unique on the page.
export function dialogId(name) {
  return `${name}-dialog-${++dialogs}`
}

export function element(tag, properties = {}, children = []) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(properties)) {
    if (name in node && !name.includes("-")) node[name] = value
    else node.setAttribute(name, value)
  }
  node.append(...children)
  return node
}

// A labelled input with its help below it, read out with the input.
export function field(label, input, help) {
  const parts = [element("label", { htmlFor: input.id, textContent: label }), input]
  if (help) {
    const note = element("p", { className: "help", id: `${input.id}-help`, textContent: help })
    input.setAttribute("aria-describedby", note.id)
    parts.push(note)
  }
  return element("div", { className: "editor-dialog__field" }, parts)
}
