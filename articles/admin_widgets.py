from urllib.parse import urlencode

from django.urls import reverse
from taggit.forms import TagWidget


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
