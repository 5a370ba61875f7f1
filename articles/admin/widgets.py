"""The article form's widgets: the body editor, and the tag box (how its text becomes
tag names, and its suggestions)."""

import json
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from taggit.forms import TagWidget
from taggit.utils import _parse_tags

# Typographic quotes, as macOS and word processors type them, group a name too.
_CURLY_QUOTES = str.maketrans("“”„", '"""')


def parse_tags(text):
    """The tag names typed in a tag box (settings.TAGGIT_TAGS_FROM_STRING).

    As django-taggit reads them, except that the box says "separated by commas" and
    means it: "US military" is one tag, not "US" and "military". Names that differ only
    in capitals are one tag, written as first typed.
    """
    text = (text or "").translate(_CURLY_QUOTES)
    if "," not in text and '"' not in text:
        names = [text.strip()] if text.strip() else []
    else:
        # taggit returns its names sorted: put them back in the order they were typed.
        names = sorted(_parse_tags(text), key=text.find)
    unique = {}
    for name in names:
        unique.setdefault(name.casefold(), name)
    return list(unique.values())


class TagAutocompleteWidget(TagWidget):
    """The comma-separated tag box, suggesting existing tags as the editor types.

    Suggestions come from the admin's autocomplete view, which already checks that the
    user may see the tags; the field stays a plain text box without JavaScript.
    """

    class Media:
        js = ["admin/articles/tag_autocomplete.js"]

    def __init__(self, model, attrs=None):
        self.model = model
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        query = urlencode(
            {"app_label": self.model._meta.app_label, "model_name": self.model._meta.model_name}
        )
        attrs = {**(attrs or {}), "data-tag-autocomplete": f"{reverse('admin:autocomplete')}?"}
        attrs["data-tag-autocomplete"] += f"{query}&field_name={name}"
        return super().get_context(name, value, attrs)


class TagAutocompleteMixin:
    """For a ModelAdmin whose model has a `tags` field: the box above instead of taggit's."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            kwargs["widget"] = TagAutocompleteWidget(model=self.model)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class BodyEditorWidget(forms.Textarea):
    """The body as rich text (django-prose-editor, configured in body_editor.js to write
    only what `clean_body()` keeps), with quotes marked and their speakers found through
    the article admin's speaker search. Without JavaScript it is the textarea of HTML.

    Not django-prose-editor's own widget: its media include an import map, an inline
    script the CSP (script-src 'self') refuses; body_editor.js imports the package's
    bundle by its static path instead.
    """

    class Media:
        css = {
            "all": [
                "django_prose_editor/material-icons.css",
                "django_prose_editor/editor.css",
                "django_prose_editor/overrides.css",
                "admin/articles/body_editor.css",
            ]
        }
        js = [forms.Script("admin/articles/body_editor.js", type="module")]

    def get_context(self, name, value, attrs):
        config = {"speakersUrl": reverse("admin:articles_article_speakers"), "label": "Body"}
        attrs = {**(attrs or {}), "data-body-editor": json.dumps(config)}
        return super().get_context(name, value, attrs)
