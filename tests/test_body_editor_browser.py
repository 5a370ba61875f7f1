"""The article body editor in a real browser: an editor types, marks a quote and picks its
speaker, saves, and readers see the quote; axe audits the form and the quote dialog."""

from datetime import timedelta
from importlib import import_module

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from articles.rendering.html import clean_body

from .conftest import ARTIFACTS, make_article, make_organisation, make_person, quote_mark

pytestmark = pytest.mark.browser
ROLES = import_module("articles.migrations.0003_editorial_roles").ROLES

PARAGRAPH = "The coalition said it would “leave the smaller bases” within weeks."


@pytest.fixture
def coalition(transactional_db):
    return make_organisation(name="US-led coalition", aliases="Coalition\nCJTF-OIR")


@pytest.fixture
def editor_account(transactional_db, django_user_model):
    """A member of Editors. The live server reads committed rows, and between such tests
    the tables are emptied, the role the migrations create with them: it is made again
    here with the migration's own grants."""
    group, _ = Group.objects.get_or_create(name="Editors")
    codenames = [f"{a}_{model}" for model, actions in ROLES["Editors"].items() for a in actions]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )
    editor = django_user_model.objects.create_user(
        username="desk-editor", password="an editor's password", is_staff=True
    )
    editor.groups.add(group)
    return editor


def _log_in(page, live_server, editor):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill("an editor's password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


@pytest.fixture
def page(chromium, live_server, editor_account):
    """An editor's browser, logged in through the login form; any script error fails."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A CSP refusal is a console error; the missing favicon is the only one allowed.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "favicon" not in message.location.get("url", "")
            and errors.append(message.text)
        ),
    )
    _log_in(page, live_server, editor_account)
    page.script_errors = errors
    yield page
    context.close()
    assert errors == []


def _editor(page):
    return page.get_by_role("textbox", name="Body")


def _select(page, first, last=None):
    """Select from the start of `first` to the end of `last` (by default the end of
    `first`) in the editor, as a mouse or Shift+arrows would, and wait until the editor
    has read it. ProseMirror puts back the selection it knew 20 ms after it gains focus:
    a selection made sooner, faster than any hand, would be undone."""
    page.wait_for_timeout(50)
    selected = page.evaluate(
        """([first, last]) => {
          const root = document.querySelector(".ProseMirror[contenteditable]")
          const find = (words) => {
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
            while (walker.nextNode()) {
              const at = walker.currentNode.data.indexOf(words)
              if (at >= 0) return [walker.currentNode, at]
            }
            throw new Error(`not in the editor: ${words}`)
          }
          const [startNode, start] = find(first)
          const [endNode, end] = find(last)
          const range = document.createRange()
          range.setStart(startNode, start)
          range.setEnd(endNode, end + last.length)
          getSelection().removeAllRanges()
          getSelection().addRange(range)
          return range.toString()
        }""",
        [first, last or first],
    )
    _wait_for_selection(page, selected)


def _paste(page, html):
    """Paste `html` into the editor as a browser does from the clipboard."""
    _editor(page).click()
    page.evaluate(
        """(html) => {
          const data = new DataTransfer()
          data.setData("text/html", html)
          document.querySelector(".ProseMirror[contenteditable]").dispatchEvent(
            new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
          )
        }""",
        html,
    )


def _body(page):
    """What the editor will post; the one sanitiser, clean_body(), keeps it as it is."""
    body = page.locator("textarea#id_body").input_value()
    assert clean_body(body) == body
    return body


def _answered(page, dialog):
    """Waits until the dialog's answer is in the body: it is applied after the dialog
    closes, in a promise's continuation, and a read straight after the click saw the
    body before it once, under the whole suite's load."""
    expect(dialog).to_have_count(0)
    page.evaluate("() => new Promise((done) => setTimeout(done))")


def _serious(page):
    """Axe's serious and critical findings, one line each."""
    return "\n".join(
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"])
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in {"serious", "critical"}
    )


def test_an_editor_marks_a_quote_picks_its_speaker_and_readers_see_it(
    page, live_server, coalition
):
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.get_by_label("Headline").fill("Coalition to leave bases")
    _editor(page).click()
    page.keyboard.type(PARAGRAPH)

    _select(page, "leave the smaller bases")
    page.get_by_role("button", name="Mark a quote").click()
    dialog = page.get_by_role("dialog", name="Who said it?")
    dialog.get_by_role("combobox", name="Speaker").press_sequentially("coal")
    dialog.get_by_role("option", name="US-led coalition — organisation").click()
    dialog.get_by_label("Attribution as written (optional)").fill("The coalition said")
    assert _serious(page) == ""
    dialog.get_by_role("button", name="Mark quote").click()
    assert dialog.count() == 0

    marked = page.locator(".ProseMirror[contenteditable] q[data-quote]")
    assert marked.inner_text() == "leave the smaller bases"
    speaker = page.locator(".ProseMirror[contenteditable] .quote-mark__speaker")
    assert speaker.inner_text() == "US-led coalition"
    assert speaker.get_attribute("title") == "US-led coalition — organisation"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "body-editor-quote.png")
    body = _body(page)
    key = marked.get_attribute("data-quote")
    assert body == (
        f'<p>The coalition said it would “<q data-quote="{key}" '
        f'data-organisation="{coalition.pk}" data-attribution="The coalition said">'
        "leave the smaller bases</q>” within weeks.</p>"
    )

    assert _serious(page) == ""
    page.get_by_label("Status").select_option("Published")
    published_at = timezone.localtime() - timedelta(minutes=5)
    page.get_by_label("Published at, date").fill(published_at.strftime("%Y-%m-%d"))
    page.get_by_label("Published at, time").fill(published_at.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/admin/articles/article/")
    article = Article.objects.get(headline="Coalition to leave bases")
    assert article.body == body

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    quote = page.locator("article q.quote")
    assert quote.inner_text() == "leave the smaller bases"
    assert quote.get_attribute("cite") == coalition.get_absolute_url()
    assert quote.get_attribute("title") == "US-led coalition"
    speaker = page.get_by_role("link", name="The coalition said")
    assert speaker.get_attribute("href") == coalition.get_absolute_url()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "body-editor-article-page.png")


def test_a_statement_over_two_paragraphs_is_one_quote_whose_speaker_changes_and_goes(
    page, live_server, coalition
):
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    _editor(page).click()
    page.keyboard.type("“We will stay,” an official said. “For now.")
    page.keyboard.press("Enter")
    page.keyboard.type("Then we leave.”")

    _select(page, "For now.", "Then we leave.")
    page.keyboard.press("Control+'")
    dialog = page.get_by_role("dialog", name="Who said it?")
    dialog.get_by_role("button", name="Mark quote").click()
    assert dialog.get_by_role("alert").inner_text().startswith("Say who said it")
    dialog.get_by_label("Or an unnamed source").fill("a security official")
    dialog.get_by_role("button", name="Mark quote").click()
    _answered(page, dialog)

    marks = page.locator(".ProseMirror[contenteditable] q[data-quote]")
    assert marks.all_inner_texts() == ["For now.", "Then we leave."]
    [key] = {mark.get_attribute("data-quote") for mark in marks.all()}
    assert _body(page) == (
        "<p>“We will stay,” an official said. “"
        f'<q data-quote="{key}" data-source="a security official">For now.</q></p>\n'
        f'<p><q data-quote="{key}" data-source="a security official">Then we leave.</q>”</p>'
    )
    # Each paragraph's stretch is led by the speaker's name.
    assert page.locator(".quote-mark__speaker").all_inner_texts() == ["a security official"] * 2

    # The caret inside the quote, the same button: the dialog changes the whole quote.
    _select(page, "leave")
    page.keyboard.press("ArrowLeft")
    page.get_by_role("button", name="Mark a quote").click()
    dialog.get_by_role("combobox", name="Speaker").press_sequentially("cjtf")
    dialog.get_by_role("option", name="US-led coalition — organisation").wait_for()
    dialog.get_by_role("combobox", name="Speaker").press("ArrowDown")
    dialog.get_by_role("combobox", name="Speaker").press("Enter")
    dialog.get_by_role("button", name="Save quote").click()
    _answered(page, dialog)
    assert _body(page) == (
        "<p>“We will stay,” an official said. “"
        f'<q data-quote="{key}" data-organisation="{coalition.pk}">For now.</q></p>\n'
        f'<p><q data-quote="{key}" data-organisation="{coalition.pk}">Then we leave.</q>”</p>'
    )

    _select(page, "For")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+'")
    dialog.get_by_role("button", name="Remove quote").click()
    _answered(page, dialog)
    assert _body(page) == (
        "<p>“We will stay,” an official said. “For now.</p>\n<p>Then we leave.”</p>"
    )
    assert page.locator(".quote-mark__speaker").count() == 0


def test_a_link_address_the_body_does_not_allow_is_refused_in_the_link_dialog(page, live_server):
    popups = []
    page.on("dialog", lambda popup: (popups.append(popup.message), popup.dismiss()))
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    _editor(page).click()
    page.keyboard.type("Read the report.")
    _select(page, "the report")
    page.get_by_role("button", name="Link (Ctrl+K)").click()
    dialog = page.get_by_role("dialog", name="Link")
    address = dialog.get_by_role("textbox", name="Address")
    refusal = (
        "This address cannot be linked: use one starting with https://, http:// or mailto:, "
        "or a page of this site starting with /."
    )
    for hostile in [
        "javascript:alert(1)",
        "  JavaScript:alert(1)",
        "//other.example/",
        "ftp://x/",
    ]:
        address.fill(hostile)
        dialog.get_by_role("button", name="Save link").click()
        assert dialog.get_by_role("alert").inner_text() == refusal
        assert address.get_attribute("aria-invalid") == "true"
        error_id = dialog.get_by_role("alert").get_attribute("id")
        assert error_id in address.get_attribute("aria-describedby").split()
        assert address.input_value() == hostile
        assert address.evaluate("input => input === document.activeElement")
        assert _body(page) == "<p>Read the report.</p>"
    assert _serious(page) == ""
    assert popups == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "body-editor-link-refused.png")

    address.fill("https://example.org/report")
    assert address.get_attribute("aria-invalid") is None
    address.press("Enter")
    expect(dialog).to_have_count(0)
    assert _body(page) == '<p>Read <a href="https://example.org/report">the report</a>.</p>'


def test_a_quote_whose_speaker_was_deleted_says_so_until_its_speaker_is_chosen_again(
    page, live_server, coalition
):
    gone = make_person(name="Jane Gone")
    article = make_article(status=Article.Status.DRAFT, headline="Bases")
    # As a revision restored from before the person was deleted brings the mark back.
    Article.objects.filter(pk=article.pk).update(
        body=f"<p>She said {quote_mark('k1', person=gone)}we stay</q>.</p>"
    )
    gone_pk = gone.pk
    gone.delete()
    missing = "Speaker deleted — choose again"

    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    speaker = page.locator(".ProseMirror[contenteditable] .quote-mark__speaker")
    expect(speaker).to_have_text(missing)
    page.get_by_role("button", name="Save and continue editing").first.click()

    # The form refuses the mark, next to the body, and the editor is told so.
    error = page.locator(".form-row.field-body .errorlist")
    assert error.inner_text() == (
        f"A quote names person no. {gone_pk}, which does not exist: choose its speaker again."
    )
    assert _editor(page).get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in _editor(page).get_attribute("aria-describedby").split()
    expect(speaker).to_have_text(missing)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "body-editor-speaker-deleted.png")

    _editor(page).click()
    _select(page, "stay")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Control+'")
    dialog = page.get_by_role("dialog", name="Who said it?")
    assert dialog.get_by_role("alert").inner_text() == (
        "This quote's speaker was deleted: pick a speaker again, or remove the quote."
    )
    search = dialog.get_by_role("combobox", name="Speaker")
    assert search.input_value() == ""
    search.press_sequentially("coal")
    dialog.get_by_role("option", name="US-led coalition — organisation").click()
    dialog.get_by_role("button", name="Save quote").click()
    expect(speaker).to_have_text("US-led coalition")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/admin/articles/article/")
    article.refresh_from_db()
    assert article.body == (
        f'<p>She said <q data-quote="k1" data-organisation="{coalition.pk}">we stay</q>.</p>'
    )
    assert article.quotes.get().organisation == coalition


def test_the_block_type_menu_holds_its_labelled_items_and_nothing_else(page, live_server):
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    _editor(page).click()
    trigger = page.locator(".prose-menubar__selected")
    # Its arrow is drawn by the stylesheet: "⏷", as the package wrote it, is a character
    # few fonts hold, an empty box in the rest.
    arrow = trigger.evaluate(
        "element => { const arrow = getComputedStyle(element, '::after')"
        "; return [arrow.content, parseFloat(arrow.borderTopWidth)] }"
    )
    assert arrow[0] == '""' and arrow[1] > 0
    trigger.click()
    picker = page.locator(".prose-menubar__picker")
    items = picker.get_by_role("button")
    assert items.all_inner_texts() == ["Heading 2", "Heading 3", "Paragraph"]
    boxes = [item.bounding_box() for item in items.all()]
    assert all(item.is_visible() for item in items.all())
    # No room in the menu beyond its items: an empty box below them was the body
    # editor's minimum height reaching the menu.
    assert picker.bounding_box()["height"] <= sum(box["height"] for box in boxes) + 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "body-editor-block-menu.png")
    items.get_by_text("Heading 2").click()
    page.keyboard.type("Our findings")
    assert _body(page) == "<h2>Our findings</h2>"


def _focused(page):
    """The name of what has the keyboard's focus."""
    return page.evaluate(
        "() => { const e = document.activeElement"
        "; return e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent }"
    ).strip()


def _wait_for_selection(page, words):
    """Until the editor has read the selection the keys made: the browser tells it after
    the keys, and a shortcut pressed at once, faster than any hand, would act on the
    selection before."""
    page.wait_for_function(
        """(words) => {
          const { state } = document.querySelector(".ProseMirror[contenteditable]").editor
          return state.doc.textBetween(state.selection.from, state.selection.to) === words
        }""",
        arg=words,
    )


def _back_in_the_text(page):
    """The focus is in the text again. ProseMirror puts back the selection it knows 20 ms
    after it gains focus, undoing keys pressed sooner than any hand would."""
    assert _focused(page) == "Body"
    page.wait_for_timeout(50)


def test_an_editor_writes_links_and_marks_a_quote_with_the_keyboard_alone(
    page, live_server, coalition
):
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.get_by_label("Byline").focus()
    # The menu bar is one stop on the way into the text, and on the way out.
    page.keyboard.press("Tab")
    assert page.get_by_role("toolbar", name="Body formatting").count() == 1
    assert _focused(page) == "Block type: paragraph"
    page.keyboard.press("Tab")
    _back_in_the_text(page)
    page.keyboard.type("Findings")

    # Into the menu bar, to its block-type menu: Heading 2.
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == "Block type: paragraph"
    page.keyboard.press("Enter")
    assert _focused(page) == "Heading 2"
    page.keyboard.press("ArrowDown")
    assert _focused(page) == "Heading 3"
    page.keyboard.press("Escape")
    assert _focused(page) == "Block type: paragraph"
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    _back_in_the_text(page)
    assert _body(page) == "<h2>Findings</h2>"

    # Along the bar with the arrows to bold; the bar keeps the last button used.
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("Read the report, we stay.")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowLeft")
    assert _focused(page) == "edit HTML"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert _focused(page) == "bold"
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == "bold"
    page.keyboard.press("Tab")
    _back_in_the_text(page)

    # A link: the words selected with Shift and the arrows, then Ctrl+K.
    for _ in range(len(", we stay.")):
        page.keyboard.press("ArrowLeft")
    for _ in range(len("the report")):
        page.keyboard.press("Shift+ArrowLeft")
    _wait_for_selection(page, "the report")
    page.keyboard.press("Control+k")
    assert _focused(page) == "Address"
    page.keyboard.type("https://example.org/report")
    page.keyboard.press("Enter")
    _back_in_the_text(page)

    # A quote: Ctrl+', the speaker found by typing and picked with the arrows.
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    for _ in range(len("we stay")):
        page.keyboard.press("Shift+ArrowLeft")
    _wait_for_selection(page, "we stay")
    page.keyboard.press("Control+'")
    assert _focused(page) == "Speaker"
    page.keyboard.type("coal")
    page.get_by_role("option", name="US-led coalition — organisation").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    _back_in_the_text(page)
    key = page.locator(".ProseMirror[contenteditable] q[data-quote]").get_attribute("data-quote")
    assert _body(page) == (
        "<h2>Findings</h2>\n"
        '<p>Read <a href="https://example.org/report">the report</a>, '
        f'<q data-quote="{key}" data-organisation="{coalition.pk}">we stay</q>.</p>'
    )
    page.keyboard.press("Tab")
    assert _focused(page) == "Lead image:"
    assert _serious(page) == ""


HOSTILE_PASTE = (
    '<p>Hello<script>window.__xss = "script"</script>'
    '<img src="x" onerror="window.__xss = \'img\'">'
    "<a href=\"javascript:window.__xss='link'\" onclick=\"window.__xss='click'\">click</a>"
    '<span style="color:red" data-x="<img src=x onerror=alert(1)>">styled</span>'
    '<q data-quote="stolen" data-person="1 onmouseover=alert(1)" '
    'data-organisation="<b>3</b>" data-source="&lt;script&gt;alert(1)&lt;/script&gt;" '
    'title="x" onmouseover="window.__xss=\'q\'">forged</q></p>'
    '<iframe src="javascript:window.__xss=\'frame\'"></iframe><svg onload="window.__xss=1">'
)


def test_hostile_html_pasted_into_the_editor_runs_nothing_and_leaves_only_the_contract(
    page, live_server, transactional_db
):
    villain = make_organisation(name="<img src=x onerror=\"window.__xss='speaker'\">")
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran: {dialog.message}"))
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    _paste(page, HOSTILE_PASTE)
    body = _body(page)
    key = page.locator(".ProseMirror[contenteditable] q").get_attribute("data-quote")
    assert key != "stolen"  # a pasted quote is a new quote
    assert body == (
        "<p>Helloclickstyled"
        f'<q data-quote="{key}" data-source="&lt;script&gt;alert(1)&lt;/script&gt;">forged</q></p>'
    )

    # A speaker whose name is markup is shown as text.
    _select(page, "Hello")
    page.get_by_role("button", name="Mark a quote").click()
    dialog = page.get_by_role("dialog", name="Who said it?")
    dialog.get_by_role("combobox", name="Speaker").press_sequentially("img")
    dialog.get_by_role("option").first.click()
    dialog.get_by_role("button", name="Mark quote").click()
    assert page.locator(".quote-mark__speaker").first.inner_text() == villain.name
    page.locator(".ProseMirror[contenteditable] q").first.hover()
    assert page.evaluate("window.__xss") is None
    assert page.locator(".ProseMirror[contenteditable] :is(img, iframe, svg)").count() == 0
    # Parsing the paste set the handlers on elements of a detached document, which the
    # site's CSP (script-src 'self') refused to compile: reported, and nothing more.
    refused = [e for e in page.script_errors if "Content Security Policy" in e]
    assert refused and all("The action has been blocked" in e for e in refused)
    page.script_errors[:] = [e for e in page.script_errors if e not in refused]


def test_without_javascript_the_body_is_a_textarea_of_html(chromium, live_server, editor_account):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    _log_in(page, live_server, editor_account)
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.get_by_label("Headline").fill("Typed without scripts")
    page.get_by_label("Slug").fill("typed-without-scripts")
    body = page.get_by_role("textbox", name="Body")
    assert body.evaluate("element => element.tagName") == "TEXTAREA"
    body.fill("<p>One paragraph.</p>")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/admin/articles/article/")
    context.close()
    assert Article.objects.get(slug="typed-without-scripts").body == "<p>One paragraph.</p>"
