from django import forms

# Longer queries are refused with a message rather than searched: nobody types 200
# characters into a news site's search box, and the page stays cheap whatever is sent.
SEARCH_MAX_LENGTH = 200


class SearchForm(forms.Form):
    # CharField already refuses NUL characters, which PostgreSQL cannot store or compare.
    q = forms.CharField(label="Search", required=False, max_length=SEARCH_MAX_LENGTH)

    def query(self):
        """The query to search for; empty when there is none or it was refused."""
        return self.cleaned_data["q"] if self.is_valid() else ""
