// The "quote" mark of the article body editor: words an editor marks as said by a
// speaker. It serialises to exactly the body contract's mark,
//   <q data-quote="KEY" data-person="12" | data-organisation="3" | data-source="…"
//      [data-attribution="…"]>words</q>
// A selection over several paragraphs gets one <q> per paragraph, each with the same KEY
// and speaker. In the editor each quote is highlighted and led by its speaker's name;
// that label is a decoration, never part of the saved HTML.
//
// A django-prose-editor extension (Tiptap Mark with addMenuItems), loaded as a plain ES
// module: no build step.

import {
  Mark,
  Plugin,
  gettext,
  pm,
} from "../../django_prose_editor/editor.js"
import { dialogId, element, field } from "./dialog.js"

const KEY = /^[a-z0-9]{1,16}$/
const PK = /^[0-9]+$/
const SPEAKER_KINDS = ["person", "organisation"]
const SHORTCUT = "Mod-'"
const decorationsKey = new pm.state.PluginKey("quoteSpeakers")

function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(10))
  return Array.from(bytes, (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("")
}

function quotesIn(doc, markType) {
  // Every stretch of marked text: {from, to, mark}.
  const stretches = []
  doc.descendants((node, pos) => {
    if (!node.isText) return
    const mark = markType.isInSet(node.marks)
    if (mark) stretches.push({ from: pos, to: pos + node.nodeSize, mark })
  })
  return stretches
}

function newKey(doc, markType) {
  const taken = new Set(quotesIn(doc, markType).map(({ mark }) => mark.attrs.key))
  let key
  do key = randomKey()
  while (taken.has(key))
  return key
}

export function speakerId(attrs) {
  for (const kind of SPEAKER_KINDS) if (attrs[kind]) return `${kind}:${attrs[kind]}`
  return null
}

// Speakers by "kind:pk" ({name, label}, or {missing: true} for one the server no longer
// knows), filled from the speaker search; free-text sources name themselves.
const speakers = new Map()

function remember(results) {
  for (const { id, name, label } of results) speakers.set(id, { name, label })
}

function speakerLabel(attrs, short = false) {
  const id = speakerId(attrs)
  if (!id) return attrs.source || gettext("No speaker")
  const known = speakers.get(id)
  if (!known) return id.replace(":", " ")
  if (known.missing) return gettext("Speaker deleted — choose again")
  return short ? known.name : known.label
}

function speakerIsMissing(attrs) {
  return Boolean(speakers.get(speakerId(attrs))?.missing)
}

function attribute(name, valid) {
  return {
    default: null,
    parseHTML: (element) => {
      const value = (element.getAttribute(`data-${name}`) || "").trim()
      return value && valid(value) ? value : null
    },
    renderHTML: (attrs) => (attrs[name] ? { [`data-${name}`]: attrs[name] } : {}),
  }
}

async function fetchJSON(url) {
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
  if (!response.ok) throw new Error(`${response.status} from ${url}`)
  return response.json()
}

// --- The speaker dialog ---------------------------------------------------------------

// Ask who said it. Resolves to the mark's new attributes (without its key), to
// "remove", or to null when cancelled.
function speakerDialog({ speakersUrl, attrs, editing }) {
  const id = dialogId("quote")
  let chosen =
    speakerId(attrs) && !speakerIsMissing(attrs)
      ? { id: speakerId(attrs), label: speakerLabel(attrs) }
      : null

  const search = element("input", {
    id: `${id}-speaker`,
    type: "text",
    autocomplete: "off",
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": `${id}-results`,
    value: chosen ? chosen.label : "",
  })
  const results = element("ul", {
    id: `${id}-results`,
    role: "listbox",
    className: "editor-dialog__results",
    "aria-label": gettext("Speakers found"),
  })
  results.hidden = true
  const nobody = element("p", { className: "editor-dialog__none", role: "status" })
  const source = element("input", {
    id: `${id}-source`,
    type: "text",
    value: attrs.source || "",
    maxLength: 200,
  })
  const attribution = element("input", {
    id: `${id}-attribution`,
    type: "text",
    value: attrs.attribution || "",
    maxLength: 300,
  })
  const error = element("p", { className: "errornote", role: "alert" })
  error.hidden = !speakerIsMissing(attrs)
  if (!error.hidden) {
    error.textContent = gettext(
      "This quote's speaker was deleted: pick a speaker again, or remove the quote.",
    )
  }

  const submit = element("button", {
    type: "submit",
    className: "default",
    textContent: editing ? gettext("Save quote") : gettext("Mark quote"),
  })
  const cancel = element("button", { type: "button", textContent: gettext("Cancel") })
  const buttons = [submit]
  let remove = null
  if (editing) {
    remove = element("button", {
      type: "button",
      className: "deletelink",
      textContent: gettext("Remove quote"),
    })
    buttons.push(remove)
  }
  buttons.push(cancel)

  const form = element("form", { method: "dialog" }, [
    element("h2", { id: `${id}-title`, textContent: gettext("Who said it?") }),
    field(
      gettext("Speaker"),
      search,
      gettext("Type part of a person's or organisation's name, then pick it from the list."),
    ),
    results,
    nobody,
    field(
      gettext("Or an unnamed source"),
      source,
      gettext("When the article does not name the speaker, e.g. “a security official”."),
    ),
    field(
      gettext("Attribution as written (optional)"),
      attribution,
      gettext("e.g. “the US-led coalition said”."),
    ),
    error,
    element("div", { className: "editor-dialog__buttons" }, buttons),
  ])
  const dialog = element("dialog", { className: "editor-dialog", "aria-labelledby": `${id}-title` }, [
    form,
  ])
  document.body.append(dialog)

  let options = []
  let active = -1
  let sequence = 0
  let timer

  function showResults(found) {
    options = found
    active = -1
    results.replaceChildren(
      ...found.map((result, index) =>
        element("li", {
          id: `${id}-option-${index}`,
          role: "option",
          textContent: result.label,
          "aria-selected": "false",
        }),
      ),
    )
    nobody.textContent = !found.length && search.value.trim() ? gettext("No one found.") : ""
    results.hidden = !found.length
    search.setAttribute("aria-expanded", String(!results.hidden))
    search.removeAttribute("aria-activedescendant")
  }

  function highlight(index) {
    active = index
    results.querySelectorAll("[role=option]").forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === index))
    })
    if (index >= 0) {
      search.setAttribute("aria-activedescendant", `${id}-option-${index}`)
      results.children[index].scrollIntoView({ block: "nearest" })
    }
  }

  function choose(index) {
    chosen = options[index]
    search.value = chosen.label
    source.value = ""
    showResults([])
    error.hidden = true
  }

  search.addEventListener("input", () => {
    chosen = null
    source.value = "" // one speaker: a named one, or an unnamed source
    clearTimeout(timer)
    const query = search.value.trim()
    if (!query) {
      showResults([])
      return
    }
    timer = setTimeout(async () => {
      const mine = ++sequence
      const url = new URL(speakersUrl, window.location.origin)
      url.searchParams.set("q", query)
      try {
        const { results: found } = await fetchJSON(url)
        if (mine !== sequence) return // a later search answers instead
        remember(found)
        showResults(found)
      } catch (problem) {
        console.error(problem)
      }
    }, 150)
  })

  search.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return
      event.preventDefault()
      const step = event.key === "ArrowDown" ? 1 : -1
      highlight((active + step + options.length) % options.length)
    } else if (event.key === "Enter" && !chosen) {
      // Enter picks the highlighted (or first) speaker; it never saves a half-typed name.
      event.preventDefault()
      if (options.length) choose(Math.max(active, 0))
    } else if (event.key === "Escape" && !results.hidden) {
      event.preventDefault() // close the list, not the dialog
      showResults([])
    }
  })

  results.addEventListener("mousedown", (event) => event.preventDefault())
  results.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]")
    if (option) choose([...results.children].indexOf(option))
  })

  source.addEventListener("input", () => {
    if (source.value.trim() && chosen) {
      chosen = null
      search.value = ""
    }
  })

  return new Promise((resolve) => {
    let answer = null
    form.addEventListener("submit", (event) => {
      event.preventDefault()
      const attributionText = attribution.value.trim() || null
      const sourceText = source.value.trim()
      if (chosen) {
        const [kind, pk] = chosen.id.split(":")
        answer = { person: null, organisation: null, source: null, attribution: attributionText }
        answer[kind] = pk
      } else if (sourceText) {
        answer = { person: null, organisation: null, source: sourceText, attribution: attributionText }
      } else {
        error.textContent = gettext(
          "Say who said it: pick a person or an organisation from the list, or type an unnamed source.",
        )
        error.hidden = false
        search.focus()
        return
      }
      dialog.close()
    })
    cancel.addEventListener("click", () => dialog.close())
    remove?.addEventListener("click", () => {
      answer = "remove"
      dialog.close()
    })
    dialog.addEventListener("close", () => {
      dialog.remove()
      resolve(answer)
    })
    dialog.showModal()
    search.focus()
  })
}

// --- The mark ---------------------------------------------------------------------------

function stretchesOf(state, markType, key) {
  return quotesIn(state.doc, markType).filter(({ mark }) => mark.attrs.key === key)
}

function redraw(view) {
  view.dispatch(view.state.tr.setMeta(decorationsKey, "labels"))
}

async function loadLabels(view, markType, speakersUrl) {
  const ids = new Set()
  for (const { mark } of quotesIn(view.state.doc, markType)) {
    const id = speakerId(mark.attrs)
    if (id && !speakers.has(id)) ids.add(id)
  }
  if (!ids.size) return
  const url = new URL(speakersUrl, window.location.origin)
  url.searchParams.set("ids", [...ids].join(","))
  try {
    const { results } = await fetchJSON(url)
    remember(results)
    // Left out of the answer: deleted since the mark was made.
    for (const id of ids) if (!speakers.has(id)) speakers.set(id, { missing: true })
    if (!view.isDestroyed) redraw(view)
  } catch (problem) {
    console.error(problem)
  }
}

function decorate(doc, markType) {
  const decorations = []
  let previous = null
  for (const { from, to, mark } of quotesIn(doc, markType)) {
    const label = speakerLabel(mark.attrs)
    const name = speakerLabel(mark.attrs, true)
    decorations.push(
      pm.view.Decoration.inline(from, to, {
        class: "quote-mark__words",
        title: `${gettext("Quote")}: ${label}`,
      }),
    )
    // The speaker's name before each stretch, not before every piece of it (a quote
    // with a link or emphasis inside is several text nodes).
    if (!(previous && previous.to === from && previous.mark.attrs.key === mark.attrs.key)) {
      decorations.push(
        pm.view.Decoration.widget(
          from,
          () => {
            const speaker = document.createElement("span")
            speaker.className = speakerIsMissing(mark.attrs)
              ? "quote-mark__speaker quote-mark__speaker--missing"
              : "quote-mark__speaker"
            speaker.contentEditable = "false"
            speaker.title = label
            speaker.textContent = name
            return speaker
          },
          { side: -1, key: `${mark.attrs.key}:${label}`, ignoreSelection: true },
        ),
      )
    }
    previous = { to, mark }
  }
  return pm.view.DecorationSet.create(doc, decorations)
}

// Pasted quotes are new quotes: they get keys of their own (one per pasted KEY, so a
// pasted statement over two paragraphs stays one quote).
function rekeyed(fragment, markType, keyFor) {
  const nodes = []
  fragment.forEach((node) => {
    if (node.isText) {
      nodes.push(
        node.mark(
          node.marks.map((mark) =>
            mark.type === markType
              ? markType.create({ ...mark.attrs, key: keyFor(mark.attrs.key) })
              : mark,
          ),
        ),
      )
    } else {
      nodes.push(node.copy(rekeyed(node.content, markType, keyFor)))
    }
  })
  return pm.model.Fragment.fromArray(nodes)
}

export const QuoteMark = Mark.create({
  name: "quote",
  // Typing just after a quote does not extend it.
  inclusive: false,
  priority: 1100,

  addOptions() {
    return { speakersUrl: "" }
  },

  addAttributes() {
    return {
      key: {
        default: null,
        parseHTML: (el) => {
          const key = el.getAttribute("data-quote")
          return key && KEY.test(key) ? key : null
        },
        renderHTML: (attrs) => ({ "data-quote": attrs.key }),
      },
      person: attribute("person", (v) => PK.test(v)),
      organisation: attribute("organisation", (v) => PK.test(v)),
      source: attribute("source", () => true),
      attribution: attribute("attribution", () => true),
    }
  },

  parseHTML() {
    return [{ tag: "q[data-quote]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["q", HTMLAttributes, 0]
  },

  addCommands() {
    return {
      markQuote:
        () =>
        ({ editor }) => {
          // Inside a quote (or over it all): change it; over other words: a new one.
          const current = editor.isActive(this.name)
          if (editor.state.selection.empty && !current) return false
          const attrs = current ? editor.getAttributes(this.name) : {}
          speakerDialog({
            speakersUrl: this.options.speakersUrl,
            attrs,
            editing: current,
          }).then((answer) => {
            if (!answer) {
              editor.commands.focus()
            } else if (answer === "remove") {
              editor.chain().focus().removeQuote(attrs.key).run()
            } else if (current) {
              editor.chain().focus().changeQuote(attrs.key, answer).run()
            } else {
              const key = newKey(editor.state.doc, editor.schema.marks[this.name])
              editor.chain().focus().setMark(this.name, { ...answer, key }).run()
            }
          })
          return true
        },
      changeQuote:
        (key, attrs) =>
        ({ tr, state }) => {
          // Every stretch of the quote takes the new speaker.
          const markType = state.schema.marks[this.name]
          for (const { from, to } of stretchesOf(state, markType, key)) {
            tr.addMark(from, to, markType.create({ ...attrs, key }))
          }
          return true
        },
      removeQuote:
        (key) =>
        ({ tr, state }) => {
          const markType = state.schema.marks[this.name]
          for (const { from, to, mark } of stretchesOf(state, markType, key)) {
            tr.removeMark(from, to, mark)
          }
          return true
        },
    }
  },

  addKeyboardShortcuts() {
    return {
      [SHORTCUT]: () => this.editor.commands.markQuote(),
    }
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "quote",
      groups: "quote",
      command(editor) {
        editor.commands.markQuote()
      },
      enabled(editor) {
        return !editor.state.selection.empty || editor.isActive("quote")
      },
      active(editor) {
        return editor.isActive("quote")
      },
      button: buttons.material(
        "record_voice_over",
        gettext("Mark a quote and who said it, or change its speaker (Ctrl+')"),
      ),
    })
  },

  addProseMirrorPlugins() {
    const markType = this.type
    const speakersUrl = this.options.speakersUrl
    return [
      new Plugin({
        key: decorationsKey,
        state: {
          init: (_, state) => decorate(state.doc, markType),
          apply: (tr, decorations, _old, state) =>
            tr.docChanged || tr.getMeta(decorationsKey)
              ? decorate(state.doc, markType)
              : decorations,
        },
        props: {
          decorations(state) {
            return decorationsKey.getState(state)
          },
          transformPasted(slice, view) {
            const keys = new Map()
            const keyFor = (old) => {
              if (!keys.has(old)) keys.set(old, newKey(view.state.doc, markType))
              return keys.get(old)
            }
            return new pm.model.Slice(
              rekeyed(slice.content, markType, keyFor),
              slice.openStart,
              slice.openEnd,
            )
          },
        },
        view(view) {
          loadLabels(view, markType, speakersUrl)
          return {}
        },
      }),
    ]
  },
})
