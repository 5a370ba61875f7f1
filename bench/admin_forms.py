"""The admin forms as a browser submits them, for the bench's editors and staff (in
bench/locustfile.py) and the final check of bench/harness.py. Standard library only: it
runs in Locust's environment and in the site's."""

import re
from html.parser import HTMLParser

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ERRORS = re.compile(r'class="errorlist[^"]*"[^>]*><li>([^<]+)')


class FormFields(HTMLParser):
    """The fields a browser would submit from the admin's change form."""

    SKIPPED = {"file", "submit", "button", "image", "reset"}

    def __init__(self):
        super().__init__()
        self.fields, self._in_form, self._textarea, self._select = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or "name" not in attrs or "disabled" in attrs:
            if tag == "option" and self._select and "selected" in attrs:
                self.fields.append((self._select, attrs.get("value", "")))
            return
        name, kind = attrs["name"], attrs.get("type", "text").lower()
        if tag == "input" and kind not in self.SKIPPED:
            if kind not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [name, ""]
        elif tag == "select":
            self._select = name

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that may follow <textarea>.
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def form_fields(html):
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def with_values(fields, **values):
    """The fields with each of `values` set once, replacing what the form held."""
    return [(k, v) for k, v in fields if k not in values] + list(values.items())


def edited_article(html, label):
    """The article change form's fields with a new headline and a marker paragraph
    appended to the body it showed, so a lost save is a missing marker.
    Returns (fields, marker, headline)."""
    fields = form_fields(html)
    marker, headline = f"[{label}]", f"Edited: {label}"
    body = dict(fields)["body"]
    return with_values(fields, body=f"{body}\n\n{marker}", headline=headline), marker, headline


def login_fields(html, username, password):
    token = CSRF_TOKEN.search(html).group(1)
    return {"username": username, "password": password, "csrfmiddlewaretoken": token}


def refusal(html):
    return f"form refused: {FORM_ERRORS.findall(html)[:2]}"
