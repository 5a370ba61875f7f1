"""The articles app's models, one module per domain; every public name is re-exported
here, so `from articles.models import Article` works wherever a model is needed.

Imported in dependency order: tags, organisations (tagged), appeals, articles (tagged,
naming organisations and an appeal), quotes and people (of articles), editorial and
withdrawals (on articles).
"""

from .api_keys import ApiKey, ApiKeyQuerySet
from .appeals import Donation, DonationAppeal, DonationAppealQuerySet, DonationQuerySet
from .articles import (
    ALT_TEXT_MISSING,
    BODY_TOO_LONG,
    CONTENT_FIELDS,
    DESCRIPTION_LENGTH,
    MAX_BODY_LENGTH,
    MODIFIED_AT,
    Article,
    ArticleQuerySet,
    published_condition,
    validate_body_length,
)
from .base import RECENT_ARTICLES, EditLocked
from .editorial import (
    Correction,
    CorrectionQuerySet,
    OrganisationTagRedirect,
    ShareLink,
    ShareLinkQuerySet,
    TagRedirect,
    TopicTagRedirect,
)
from .organisations import Organisation, OrganisationQuerySet
from .quotes import Person, PersonQuerySet, Quote, QuoteQuerySet
from .tags import (
    OrganisationTag,
    TaggedArticle,
    TaggedArticleQuerySet,
    TaggedOrganisation,
    TagMixin,
    TopicTag,
    TopicTagQuerySet,
)
from .withdrawals import WithdrawnArticle, WithdrawnArticleQuerySet

__all__ = [
    "ALT_TEXT_MISSING",
    "BODY_TOO_LONG",
    "CONTENT_FIELDS",
    "DESCRIPTION_LENGTH",
    "MAX_BODY_LENGTH",
    "RECENT_ARTICLES",
    "ApiKey",
    "ApiKeyQuerySet",
    "MODIFIED_AT",
    "Article",
    "ArticleQuerySet",
    "Correction",
    "CorrectionQuerySet",
    "Donation",
    "DonationAppeal",
    "DonationAppealQuerySet",
    "DonationQuerySet",
    "EditLocked",
    "Organisation",
    "OrganisationQuerySet",
    "OrganisationTag",
    "OrganisationTagRedirect",
    "Person",
    "PersonQuerySet",
    "Quote",
    "QuoteQuerySet",
    "ShareLink",
    "ShareLinkQuerySet",
    "TagMixin",
    "TagRedirect",
    "TaggedArticle",
    "TaggedArticleQuerySet",
    "TaggedOrganisation",
    "TopicTag",
    "TopicTagQuerySet",
    "TopicTagRedirect",
    "WithdrawnArticle",
    "WithdrawnArticleQuerySet",
    "published_condition",
    "validate_body_length",
]
