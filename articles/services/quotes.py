"""The Quote index kept in step with the quote marks of an article's body.

The body holds the words; the rows are rebuilt from its marks on every save, as the
organisation mentions are (services.mentions), so removing a mark removes its quote.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Quote
from ..rendering.marks import read_marks


def article_index_quotes(*, article):
    """Create, update and delete the article's Quote rows to match its body's marks.

    A mark with no speaker, or naming a person or organisation that does not exist, is
    a ValidationError and nothing is written (the admin form shows the same sentences
    before saving, from Article.clean()). Returns the rows, in body order.
    """
    with transaction.atomic():
        if problems := article.quote_mark_problems():
            raise ValidationError({"body": problems})
        marks = read_marks(article.body).marks
        existing = {quote.key: quote for quote in article.quotes.all()}
        wanted = {mark.key for mark in marks}
        gone = [quote.pk for key, quote in existing.items() if key not in wanted]
        if gone:
            Quote.objects.filter(pk__in=gone).delete()
        quotes = []
        for mark in marks:
            fields = mark.row_fields()
            quote = existing.get(mark.key)
            if quote is None:
                quote = Quote.objects.create(article=article, **fields)
            elif any(getattr(quote, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(quote, name, value)
                quote.save()
            quotes.append(quote)
    return quotes
