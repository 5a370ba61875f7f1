"""The organisations an article names: shown in its form, and linked on save."""

from html import unescape

from django.contrib import admin
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from .. import services
from ..models import Organisation
from ..rendering.html import plain_text


class MentionsAdminMixin:
    """For ArticleAdmin: the mentions found in the text, and organisation links that
    follow the text while keeping the editor's additions and removals."""

    @admin.display(description="Mentions found")
    def mentions_found(self, article):
        if article.pk is None:
            return "Shown once the article is saved."
        matcher = services.organisation_matcher()
        texts = [article.headline, article.lead_image_caption, *article.paragraphs]
        texts = [plain_text(text) for text in texts if text]
        found = [(text, matcher.find(unescape(text))) for text in texts]
        ids = {m.organisation_id for _, mentions in found for m in mentions}
        names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
        if not names:
            return "No organisation is named in the text."
        paragraphs = format_html_join(
            "", "<p>{}</p>", ((_highlighted(text, mentions, names),) for text, mentions in found)
        )
        return format_html(
            '<div class="mentions">{}</div><p class="help">Named: {}. Added by hand: {}. '
            "Removed by hand: {}.</p>",
            paragraphs,
            ", ".join(sorted(names.values())),
            _names(article.pinned_organisations.all()),
            _names(article.excluded_organisations.all()),
        )

    def save_related(self, request, form, formsets, change):
        before = {getattr(o, "pk", o) for o in form.initial.get("organisations", [])}
        super().save_related(request, form, formsets, change)
        chosen = {o.pk for o in form.cleaned_data.get("organisations", [])}
        services.article_link_mentions(
            article=form.instance, added=chosen - before, removed=before - chosen
        )


def _highlighted(text, mentions, names):
    text = unescape(text)
    parts, position = [], 0
    for mention in mentions:
        if mention.organisation_id not in names:
            continue
        parts.append(escape(text[position : mention.start]))
        parts.append(
            format_html(
                '<mark title="{}">{}</mark>',
                names[mention.organisation_id],
                text[mention.start : mention.end],
            )
        )
        position = mention.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))


def _names(organisations):
    return ", ".join(o.name for o in organisations) or "none"
