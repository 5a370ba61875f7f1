"""People as speakers: merging two records of the same person."""

import re

from django.db import transaction

from ..models import Article
from ..rendering.html import SANITISED_TAG
from .quotes import article_index_quotes

_PERSON_ATTRIBUTE = 'data-person="{}"'


def people_merge(*, source, target):
    """Fold `source` into `target`: every mark naming `source` in an article body names
    `target` (so the quotes move with it, the index rebuilt), `source`'s names become
    `target`'s other names, an empty role, organisation or description is taken from
    `source`, and `source` is deleted. Returns the articles changed."""
    if source.pk == target.pk:
        raise ValueError("A person cannot be merged into themself.")
    with transaction.atomic():
        articles = list(
            Article.objects.select_for_update().filter(pk__in=source.quotes.values("article_id"))
        )
        for article in articles:
            article.body = _renamed_marks(article.body, source.pk, target.pk)
            article.save()
            article_index_quotes(article=article)
        known = {name.casefold() for name in target.names}
        new_names = [name for name in source.names if name.casefold() not in known]
        target.other_names = "\n".join([*target.other_name_list, *new_names])
        for name in ("role", "description"):
            if not getattr(target, name):
                setattr(target, name, getattr(source, name))
        if target.organisation_id is None:
            target.organisation_id = source.organisation_id
        target.save()
        source.delete()
    return articles


def _renamed_marks(body, old_pk, new_pk):
    # Only inside tags: a text may hold the same characters, and is left alone.
    old, new = _PERSON_ATTRIBUTE.format(old_pk), _PERSON_ATTRIBUTE.format(new_pk)
    pieces = SANITISED_TAG.split(body)
    for index in range(1, len(pieces), 2):
        if pieces[index].startswith("<q "):
            pieces[index] = re.sub(rf"\b{re.escape(old)}", new, pieces[index])
    return "".join(pieces)
