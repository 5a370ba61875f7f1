"""Parts that many pages share, rendered once and kept in the cache until what they show
changes (see `caching.cached_fragment`)."""

from dataclasses import dataclass
from functools import partial

from django.template.loader import render_to_string
from django.utils import timezone

from .caching import cached_fragment, keys_for
from .models import DonationAppeal

# Purged by every save of an appeal and every donation (signals.py).
APPEALS_KEY = "appeals"


@dataclass(frozen=True)
class AppealBox:
    """The donation bar over a page and the appeal under it, as HTML, with the surrogate
    keys of the appeal they show; empty, with no keys, while no appeal runs."""

    bar: str = ""
    message: str = ""
    keys: frozenset = frozenset()

    @classmethod
    def of(cls, appeal):
        if appeal is None:
            return cls()
        context = {"appeal": appeal}
        return cls(
            bar=render_to_string("articles/partials/appeal_bar.html", context),
            message=render_to_string("articles/partials/appeal_message.html", context),
            keys=frozenset(keys_for(appeal)),
        )


def appeal_box(article=None):
    """The appeal box of an article's page, or of a page that is not an article's.

    Every reader page shows one and only a donation or an edit to an appeal changes it,
    so it is rendered once for all of them: a page the cache does not hold is spared
    the sum over the ledger, which grows with every gift.
    """
    appeals = DonationAppeal.objects
    if article is not None and article.appeal_id is not None:
        name, find = f"appeal-box:{article.appeal_id}", partial(appeals.for_article, article)
    else:
        # Which appeal is current turns over with the month, with nothing saved.
        name, find = f"appeal-box:current:{timezone.localdate():%Y-%m}", appeals.current
    return cached_fragment(name, {APPEALS_KEY}, lambda: AppealBox.of(find()))
