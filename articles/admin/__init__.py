"""The editors' admin, one module per model group; importing it registers them all.

Mixins that add one thing to a ModelAdmin each have a module of their own: history,
locking, uploads, importing, mentions, widgets.
"""

from .api_keys import ApiKeyAdmin
from .appeals import DonationAdmin, DonationAppealAdmin
from .articles import ArticleAdmin
from .organisations import OrganisationAdmin
from .people import PersonAdmin
from .quotes import QuoteAdmin
from .tags import OrganisationTagAdmin, TopicTagAdmin

__all__ = [
    "ApiKeyAdmin",
    "ArticleAdmin",
    "DonationAdmin",
    "DonationAppealAdmin",
    "OrganisationAdmin",
    "OrganisationTagAdmin",
    "PersonAdmin",
    "QuoteAdmin",
    "TopicTagAdmin",
]
