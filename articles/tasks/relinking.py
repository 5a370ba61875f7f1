"""Relinking every article to the organisations its text names, after an organisation's
names change: an article written before "Daesh" was an alias of ISIS gets the link."""

from django_tasks import task

from .. import caching, services
from ..cache_keys import SEARCH, articles_key_for, key_for
from ..models import Article, Organisation


@task()
def relink_mentions():
    """Recompute every article's links, in committed batches, and purge the pages whose
    links changed, in each batch's transaction. Idempotent: a second run finds nothing
    to change."""
    for _batch, changes in services.articles_relink_all_mentions():
        keys = {SEARCH}
        for article_pk, change in changes.items():
            keys.add(key_for(Article, article_pk))
            keys |= {articles_key_for(Organisation, pk) for pk in change.linked | change.unlinked}
        if changes:
            caching.purge(keys)
