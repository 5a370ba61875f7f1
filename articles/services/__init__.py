"""Writes that span more than one row, by domain. Views, admin actions and commands call
these as `services.name(...)`; the import's writes live in `articles.importer.apply`."""

from .donations import (
    GiftNotRecorded,
    appeal_record_donation,
    appeal_record_online_gift,
    donation_record_reversal,
    donor_erase,
)
from .mentions import (
    LinkChange,
    article_link_mentions,
    articles_relink_all_mentions,
    articles_relink_mentions,
    organisation_matcher,
)
from .people import people_merge
from .publishing import PublishError, article_publish, article_unpublish
from .quotes import article_index_quotes
from .tags import (
    organisations_add_tag,
    organisations_remove_tag,
    tag_match_key,
    tags_merge,
    tags_similar,
)

__all__ = [
    "GiftNotRecorded",
    "LinkChange",
    "PublishError",
    "appeal_record_donation",
    "appeal_record_online_gift",
    "donation_record_reversal",
    "donor_erase",
    "article_index_quotes",
    "article_link_mentions",
    "article_publish",
    "article_unpublish",
    "articles_relink_all_mentions",
    "articles_relink_mentions",
    "organisation_matcher",
    "organisations_add_tag",
    "organisations_remove_tag",
    "people_merge",
    "tag_match_key",
    "tags_merge",
    "tags_similar",
]
