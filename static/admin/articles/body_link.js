// Links in the article body: an address and nothing else (no title, target or rel for
// clean_body() to strip), to the places clean_body() keeps. An address it would drop is
// refused in the link dialog itself, beside the field, with what was typed kept there.

import { gettext, Link } from "../../django_prose_editor/editor.js"
import { dialogId, element, field } from "./dialog.js"

// http(s), mailto and addresses on this site ("/…", not "//other.host/…").
const ALLOWED_LINK = /^(https?:\/\/|mailto:|\/(?!\/))/i

// Ask for the address. Resolves to it ("" to unlink), or to null when cancelled.
function linkDialog({ href, editing }) {
  const id = dialogId("link")
  const address = element("input", {
    id: `${id}-address`,
    type: "text",
    value: href,
    autocomplete: "off",
    spellcheck: false,
  })
  const addressField = field(
    gettext("Address"),
    address,
    gettext("https://…, http://…, mailto:… or a page of this site: /…"),
  )
  const help = address.getAttribute("aria-describedby")
  const error = element("p", { id: `${id}-error`, className: "errornote", role: "alert" })
  error.hidden = true
  addressField.append(error)

  const buttons = [
    element("button", { type: "submit", className: "default", textContent: gettext("Save link") }),
  ]
  let remove = null
  if (editing) {
    remove = element("button", {
      type: "button",
      className: "deletelink",
      textContent: gettext("Remove link"),
    })
    buttons.push(remove)
  }
  const cancel = element("button", { type: "button", textContent: gettext("Cancel") })
  buttons.push(cancel)

  const form = element("form", { method: "dialog" }, [
    element("h2", { id: `${id}-title`, textContent: gettext("Link") }),
    addressField,
    element("div", { className: "editor-dialog__buttons" }, buttons),
  ])
  const dialog = element(
    "dialog",
    { className: "editor-dialog", "aria-labelledby": `${id}-title` },
    [form],
  )
  document.body.append(dialog)

  function refuse() {
    error.textContent = gettext(
      "This address cannot be linked: use one starting with https://, http:// or mailto:, " +
        "or a page of this site starting with /.",
    )
    error.hidden = false
    address.setAttribute("aria-invalid", "true")
    address.setAttribute("aria-describedby", `${error.id} ${help}`)
    address.focus()
  }

  // Typing again answers the refusal; the next try is checked anew.
  address.addEventListener("input", () => {
    error.hidden = true
    address.removeAttribute("aria-invalid")
    address.setAttribute("aria-describedby", help)
  })

  return new Promise((resolve) => {
    let answer = null
    form.addEventListener("submit", (event) => {
      event.preventDefault()
      const typed = address.value.trim()
      if (typed && !ALLOWED_LINK.test(typed)) {
        refuse()
        return
      }
      answer = typed
      dialog.close()
    })
    cancel.addEventListener("click", () => dialog.close())
    remove?.addEventListener("click", () => {
      answer = ""
      dialog.close()
    })
    dialog.addEventListener("close", () => {
      dialog.remove()
      resolve(answer)
    })
    dialog.showModal()
    address.focus()
  })
}

export const BodyLink = Link.extend({
  addAttributes() {
    return { href: this.parent?.().href }
  },

  addCommands() {
    return {
      ...this.parent?.(),
      addLink:
        () =>
        ({ editor }) => {
          const editing = editor.isActive("link")
          if (editor.state.selection.empty && !editing) return false
          const href = editor.getAttributes("link").href || ""
          linkDialog({ href, editing }).then((answer) => {
            const chain = editor.chain().focus()
            if (answer === null) chain.run()
            else if (!answer) chain.extendMarkRange("link").unsetLink().run()
            else chain.extendMarkRange("link").setLink({ href: answer }).run()
          })
          return true
        },
    }
  },

  addMenuItems({ buttons, menu }) {
    this.parent?.({ buttons, menu })
    // The package's own item, with its shortcut in its name.
    menu.defineItem({
      name: "link",
      groups: "link",
      command(editor) {
        editor.commands.addLink()
      },
      enabled(editor) {
        return !editor.state.selection.empty || editor.isActive("link")
      },
      active(editor) {
        return editor.isActive("link")
      },
      button: buttons.material("insert_link", gettext("Link (Ctrl+K)")),
    })
  },
}).configure({
  enableTarget: false,
  isAllowedUri: (url) => ALLOWED_LINK.test(url || ""),
})
