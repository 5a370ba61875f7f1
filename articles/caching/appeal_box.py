"""The appeal box: the donation bar and appeal every reader page shows, rendered once
and kept in the cache until a donation or an edit to an appeal changes it."""

from dataclasses import dataclass
from functools import partial

from django.template.loader import render_to_string
from django.utils import timezone

from ..cache_keys import APPEALS
from ..models import DonationAppeal
from .fragments import cached_fragment
from .pages import keys_for


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
    # Every save of an appeal and every donation purges APPEALS.
    return cached_fragment(name, {APPEALS}, lambda: AppealBox.of(find()))
