"""The article page: what it shows of one article, and the one place it is rendered
(for readers, staff previews and share links)."""

from dataclasses import dataclass
from operator import attrgetter

from django.shortcuts import render
from django.utils.cache import patch_cache_control

from ..caching import tag_response
from ..caching.appeal_box import AppealBoxIncludes
from ..models import Article, TopicTag
from .body import body_blocks


@dataclass
class ArticlePage:
    """Everything the article page shows of one article, read with one plain query per
    kind: for a single article, prefetch_related() (taggit's above all) costs more to
    build than the queries take to run."""

    article: Article
    quotes: list
    organisations: list
    tags: list
    corrections: list

    @classmethod
    def of(cls, article):
        # The page shows an organisation as a name and a link, so that is all it reads:
        # the other columns cost more to convert than the query costs to run.
        organisations = list(article.organisations.order_by("name").only("name", "slug"))
        # One article's quotes and corrections are a handful: sorting them here, in their
        # models' order, costs less than the ORM's building of the ORDER BY for them.
        # Their speakers come in the same query, however many there are.
        quotes = sorted(article.quotes.with_speakers().order_by(), key=attrgetter("position"))
        return cls(
            article,
            quotes=quotes,
            organisations=organisations,
            # Not through the tags manager, whose filter on the tagging costs more to
            # build than the query costs to run.
            tags=list(TopicTag.objects.filter(tagged_articles__content_object_id=article.pk)),
            corrections=sorted(
                article.corrections.order_by(), key=attrgetter("published_at", "pk")
            ),
        )

    def body_blocks(self):
        return body_blocks(self.article.body, self.quotes)

    def shown_objects(self):
        """The rows the page shows, for its surrogate keys."""
        return [
            self.article,
            self.organisations,
            self.tags,
            [quote.speaker for quote in self.quotes if quote.speaker is not None],
        ]


def render_article(request, article, *, private=False, preview=False):
    """The article page exactly as readers get it; the one place it is put together.

    A private page (a staff preview or a share link) shows an unpublished article, so
    it must stay out of search engines and out of any shared cache.
    """
    page = ArticlePage.of(article)
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "body_blocks": page.body_blocks(),
            "organisations": page.organisations,
            "tags": page.tags,
            "corrections": page.corrections,
            "appeal_box": AppealBoxIncludes(article.appeal_id),
            "noindex": private,
            "preview": preview,
        },
    )
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
        patch_cache_control(response, private=True, no_store=True)
        return response
    return tag_response(response, page.shown_objects())
