"""Quotes in their own list: a read-only index of the marks in article bodies.

The body holds a quote's words, speaker and place; it is changed in its article's form,
and the index follows on save (services.article_index_quotes)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html

from ..models import Article, Quote


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article_link", "speaker_name", "attribution", "paragraph"]
    list_filter = ["is_statement", ("person", admin.RelatedOnlyFieldListFilter), "organisation"]
    list_select_related = ["article", "person", "organisation"]
    search_fields = [
        "text",
        "source",
        "attribution",
        "person__name",
        "organisation__name",
        "article__headline",
    ]
    show_full_result_count = False
    readonly_fields = ["article_link", "speaker_name", "text", "attribution", "paragraph"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Asked by the article's delete page about the quotes that go with it: whoever
        # may delete the article may delete its index. Never on its own (below).
        return obj is not None and self.admin_site._registry[Article].has_delete_permission(
            request, obj.article
        )

    def may_restore(self, request, quote):
        """A restored revision brings back its article's quotes with its body: whoever
        may change the article may restore them (history.HistoryAdmin asks)."""
        article = Article.objects.filter(pk=quote.article_id).first()
        article_admin = self.admin_site._registry[Article]
        if article is None:  # restored with its article, whose own check decides
            return article_admin.has_add_permission(request)
        return article_admin.has_change_permission(request, article)

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def get_actions(self, request):
        return {}

    @admin.display(description="Article", ordering="article__headline")
    def article_link(self, quote):
        url = reverse("admin:articles_article_change", args=[quote.article_id])
        return format_html('<a href="{}">{}</a>', url, quote.article.headline)

    @admin.display(description="Speaker")
    def speaker_name(self, quote):
        return quote.speaker_name
