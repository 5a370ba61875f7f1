"""Quotes: statements an article quotes, an index over its body, which keeps the words."""

import reversion
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from ..cache_keys import QUOTES
from ..rendering.body import quote_in_text, speaker_cite
from .articles import Article, published_condition
from .base import related_key
from .organisations import Organisation


class QuoteQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_condition("article__"))

    def for_listing(self):
        """Newest article first, then in the order the article quotes them."""
        return (
            self.select_related("article", "organisation")
            .defer("article__body")
            .order_by("-article__published_at", "-article_id", "paragraph")
        )


@reversion.register()
class Quote(models.Model):
    """A statement quoted in an article: an index over the body, which keeps the words.

    The page shows paragraphs `paragraph` … `paragraph + paragraph_count - 1` as one
    block quote with its speaker cited.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField(
        help_text="The quoted words without quotation marks; a blank line between paragraphs."
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="The organisation that said it, if an organisation did.",
    )
    speaker = models.CharField(
        max_length=200,
        blank=True,
        help_text="A person or an unnamed source, when no organisation said it.",
    )
    attribution = models.CharField(
        max_length=300,
        blank=True,
        help_text="As written in the article, e.g. “the US-led coalition said”.",
    )
    paragraph = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)],
        help_text="The body paragraph the quote starts at, counting from 1.",
    )
    paragraph_count = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="How many paragraphs the statement runs over.",
    )

    objects = QuoteQuerySet.as_manager()

    class Meta:
        # article_id, not article: ordering by the relation would join in the articles
        # table (to sort by its own ordering) on every prefetch of quotes.
        ordering = ["article_id", "paragraph"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "paragraph"], name="one_quote_per_paragraph"
            ),
            models.CheckConstraint(
                condition=Q(paragraph__gte=1) & Q(paragraph_count__gte=1),
                name="quote_paragraph_from_one",
            ),
            models.CheckConstraint(
                condition=~Q(organisation__isnull=True, speaker=""),
                name="quote_has_speaker",
                violation_error_message="Say who said it: an organisation or a speaker.",
            ),
        ]

    def __str__(self):
        words = " ".join(self.text.split())
        return f"{self.speaker_name}: “{words[:60]}{'…' if len(words) > 60 else ''}”"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"quote-{self.paragraph}"

    @property
    def speaker_name(self):
        return self.organisation.name if self.organisation_id else self.speaker

    def fits_in(self, paragraph_total):
        return self.paragraph + self.paragraph_count - 1 <= paragraph_total

    def matches_body(self, paragraphs=None):
        """Whether the body still holds these words where the quote points."""
        paragraphs = self.article.paragraphs if paragraphs is None else paragraphs
        if not self.fits_in(len(paragraphs)):
            return False
        span = paragraphs[self.paragraph - 1 : self.paragraph - 1 + self.paragraph_count]
        return quote_in_text(self.text, span)

    @property
    def speaker_cite_html(self):
        return speaker_cite(self)

    def cache_keys(self):
        keys = {related_key(self, "article"), QUOTES}
        if self.organisation_id:
            keys.add(related_key(self, "organisation"))
        return keys
