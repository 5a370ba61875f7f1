// The article body editor: django-prose-editor (Tiptap) over the body's <textarea>,
// with only what the body contract allows (paragraphs, h2, h3, lists, block quotes,
// links, bold, italic, line breaks and quote marks), so what it writes is what the
// server's clean_body() keeps, unchanged. Without JavaScript the textarea stays a
// plain HTML field.
//
// A module of plain ES imports, relative to the package's own bundle: no import map
// (which would be an inline script the site's CSP refuses) and no build step.

import {
  Blockquote,
  Bold,
  BulletList,
  createTextareaEditor,
  Document,
  Dropcursor,
  Gapcursor,
  gettext,
  getHTMLFromFragment,
  HardBreak,
  Heading,
  History,
  HTML,
  Italic,
  initializeEditors,
  ListItem,
  Menu,
  OrderedList,
  Paragraph,
  pm,
  Text,
} from "../../django_prose_editor/editor.js"
import { BodyLink } from "./body_link.js"
import { QuoteMark } from "./quote_mark.js"
import { makeToolbar } from "./toolbar.js"

const SELECTOR = "textarea[data-body-editor]"
const MENU = [
  { group: "blockType -lists", type: "dropdown", minItems: 2 },
  { group: "lists" },
  { group: "nodes -blockType -lists" },
  { group: "marks" },
  { group: "link" },
  { group: "quote" },
  { group: "history" },
  { group: "utility" },
]

// Numbered lists as plain <ol>: no start, type or style to strip on save.
const BodyOrderedList = OrderedList.extend({
  addAttributes: () => ({}),
  addNodeView: null,
}).configure({ enableListAttributes: false })

// The body as clean_body() stores it, so that saving stores exactly what the editor
// wrote: one top-level block a line, blocks without text left out, whitespace between
// tags folded to one space and none just inside a block's ends.
function foldBlock(html) {
  const folded = html
    .split(/(<[^<>]*>)/)
    .map((piece, index) => (index % 2 ? piece : piece.replace(/\s+/g, " ")))
    .join("")
  return folded.replace(/ (<\/[a-z0-9]+>)$/, "$1").replace(/^(<[^<>]*>) /, "$1")
}

function bodyHTML(editor) {
  const blocks = []
  editor.state.doc.forEach((node) => {
    if (node.textContent.trim()) {
      const html = getHTMLFromFragment(pm.model.Fragment.from(node), editor.schema)
      blocks.push(foldBlock(html))
    }
  })
  return blocks.join("\n")
}

function createBodyEditor(textarea) {
  if (textarea.closest(".prose-editor")) return null
  const config = JSON.parse(textarea.dataset.bodyEditor)
  const editor = createTextareaEditor(textarea, [
    Document,
    Paragraph,
    Text,
    HardBreak,
    Heading.configure({ levels: [2, 3] }),
    Bold,
    Italic,
    BulletList,
    BodyOrderedList,
    ListItem,
    Blockquote,
    BodyLink,
    QuoteMark.configure({ speakersUrl: config.speakersUrl }),
    History,
    Dropcursor,
    Gapcursor,
    HTML,
    Menu.configure({ groups: MENU }),
  ])
  // After the package's own update handler, which writes getHTML() into the textarea.
  editor.on("update", () => {
    textarea.value = bodyHTML(editor)
  })
  editor.setOptions({
    editorProps: {
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": config.label,
        "aria-describedby": textarea.getAttribute("aria-describedby") || "",
        // Set by Django on a field with errors, which it lists beside the body.
        "aria-invalid": textarea.getAttribute("aria-invalid") || "false",
      },
    },
  })
  // The menu bar is drawn when the editor is created, just after this.
  editor.on("create", () => {
    makeToolbar(editor.storage.menu.dom, {
      label: `${config.label} ${gettext("formatting")}`,
      blockTypeLabel: gettext("Block type"),
    })
  })
  textarea.dispatchEvent(
    new CustomEvent("body-editor:ready", { detail: { editor }, bubbles: true }),
  )
  return editor
}

initializeEditors(createBodyEditor, SELECTOR)
