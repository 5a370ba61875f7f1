// The body editor's menu bar as one keyboard stop (the ARIA toolbar pattern): Tab
// enters it on the button last used and leaves it for the text; the arrows, Home and End
// move between its buttons. As the package draws it, a keyboard user tabbed past every
// button on the way into the text and again on the way out. Its block-type menu opens
// on its first choice, Up and Down move through it, and Escape goes back to the button.

const BUTTONS = ".prose-menubar__group > button, .prose-menubar__selected > button"

const shown = (node) => node.offsetParent !== null

// The item `key` moves to from `from` among `items`, or null for other keys; `back` and
// `forward` name the arrows of the row (a toolbar) or column (a menu).
function step(items, from, key, [back, forward]) {
  const at = items.indexOf(from)
  const last = items.length - 1
  const next = {
    [back]: at <= 0 ? last : at - 1,
    [forward]: at >= last ? 0 : at + 1,
    Home: 0,
    End: last,
  }[key]
  return next === undefined || at < 0 ? null : items[next]
}

function blockTypeMenu(menubar, label) {
  const selected = menubar.querySelector(".prose-menubar__selected")
  const picker = menubar.querySelector(".prose-menubar__picker")
  if (!selected || !picker) return () => {}
  const options = () => [...picker.querySelectorAll(".prose-menubar__option")].filter(shown)
  const trigger = () => selected.querySelector("button")

  // After the package's own listener, which opens the menu: into it, at once, so that
  // the next key is the menu's.
  selected.addEventListener("click", () => {
    if (picker.matches(":popover-open")) options()[0]?.focus()
  })
  picker.addEventListener("toggle", (event) => {
    trigger()?.setAttribute("aria-expanded", String(event.newState === "open"))
    // Closed with Escape, the menu left the focus nowhere.
    const lost = document.activeElement === document.body || picker.contains(document.activeElement)
    if (event.newState === "closed" && lost) trigger()?.focus()
  })
  picker.addEventListener("keydown", (event) => {
    const next = step(options(), event.target, event.key, ["ArrowUp", "ArrowDown"])
    if (next) {
      event.preventDefault()
      next.focus()
    }
  })

  // The package shows the current block type's own button here, a new copy at each
  // change: name it as the menu it opens.
  return () => {
    const button = trigger()
    if (!button || button.dataset.menu) return
    button.dataset.menu = "block-type"
    // The package's button for a block it has no item for has no title.
    button.setAttribute("aria-label", button.title ? `${label}: ${button.title}` : label)
    button.setAttribute("aria-haspopup", "true")
    button.setAttribute("aria-expanded", String(picker.matches(":popover-open")))
  }
}

export function makeToolbar(menubar, { label, blockTypeLabel }) {
  menubar.setAttribute("role", "toolbar")
  menubar.setAttribute("aria-label", label)
  const nameBlockType = blockTypeMenu(menubar, blockTypeLabel)
  let current = null

  const buttons = () => [...menubar.querySelectorAll(BUTTONS)].filter(shown)
  function settle() {
    nameBlockType()
    const reachable = buttons()
    if (!reachable.includes(current)) current = reachable[0] || null
    for (const button of menubar.querySelectorAll(BUTTONS)) {
      const tabIndex = button === current ? 0 : -1
      if (button.tabIndex !== tabIndex) button.tabIndex = tabIndex
    }
  }

  menubar.addEventListener("focusin", (event) => {
    if (event.target.matches(BUTTONS)) {
      current = event.target
      settle()
    }
  })
  menubar.addEventListener("keydown", (event) => {
    if (!event.target.matches(BUTTONS)) return
    const next = step(buttons(), event.target, event.key, ["ArrowLeft", "ArrowRight"])
    if (next) {
      event.preventDefault()
      next.focus()
    }
  })
  // Buttons come and go (the unlink button, the block type's copy) at each transaction.
  new MutationObserver(settle).observe(menubar, {
    subtree: true,
    childList: true,
    attributeFilter: ["class"],
  })
  settle()
}
