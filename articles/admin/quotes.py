"""Quotes in their own list, each one part of its article."""

import reversion
from django.contrib import admin

from ..models import Article, Quote
from .articles import ArticleRowMixin


@admin.register(Quote)
class QuoteAdmin(ArticleRowMixin, admin.ModelAdmin):
    list_display = ["__str__", "article", "organisation", "speaker", "paragraph"]
    list_filter = ["organisation"]
    list_select_related = ["article", "organisation"]
    search_fields = ["text", "speaker", "attribution", "organisation__name"]
    autocomplete_fields = ["article", "organisation"]
    show_full_result_count = False

    # Nor may they add or move a quote to an article they may not change.
    def _article_of(self, quote):
        return quote.article

    @property
    def _article_admin(self):
        return self.admin_site._registry[Article]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            kwargs["queryset"] = self._article_admin.get_changeable_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # A quote is also part of its article's form (the quotes inline), so a quote edit is
    # an edit of the article: it draws the article a new edit token, and an article form
    # opened before it is refused instead of writing the old quotes back.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved_from = form.initial.get("article") if change else None
        self._touch_articles(request, {obj.article_id, moved_from} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._touch_articles(request, {obj.article_id})

    def delete_queryset(self, request, queryset):
        article_ids = set(queryset.values_list("article_id", flat=True))
        super().delete_queryset(request, queryset)
        self._touch_articles(request, article_ids)

    def _touch_articles(self, request, article_ids):
        for article in Article.objects.filter(pk__in=article_ids):
            # Kept as a revision of the article, with its quotes as they now are: the
            # refused editor's conflict message can then say what changed.
            with reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment("Quotes changed in the quote list.")
                article.save(update_fields=["updated_at"])
