"""The appeal box: the donation bar and appeal every reader page shows, rendered once
and kept in the cache until a donation or an edit to an appeal changes it.

Pages do not hold the box itself but an `<esi:include>` of its own address
(`/fragments/appeal-box/<appeal id or "active">/<part>/`), so a donation purges the box
and no page: Varnish fills the include from its own copy of the box, and the page cache
(`stitch`) fills it from the box's cache entry for everyone else.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html

from ..cache_keys import ACTIVE_APPEAL, APPEALS, object_key
from ..models import DonationAppeal
from .fragments import cached_fragment

PARTS = ("bar", "message")
# How long an HTTP cache may serve a box past its lifetime or a donation's soft purge
# while it fetches the new one: a fetch takes well under this, even on a busy node.
BOX_STALE_SECONDS = 30
# A caller that does ESI itself says so (deploy/varnish/default.vcl), and a page sent to
# it keeps its includes, marked for it to process.
SURROGATE_CAPABILITY = "Surrogate-Capability"
ESI_CONTENT = 'content="ESI/1.0"'
_ACTIVE = "active"
# Only includes this module writes are filled: nothing a reader can type survives
# escaping or the body's sanitiser as a tag, and a src naming another address is left.
_INCLUDE = re.compile(rb'<esi:include src="([^"<>]*)"/>')


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
            keys=frozenset({object_key(appeal)}),
        )


@dataclass(frozen=True)
class AppealBoxIncludes:
    """What a page holds where the box goes: an include of each part's own address."""

    appeal_id: int | None = None

    def _include(self, part):
        src = reverse("articles:appeal-box", args=[self.appeal_id or _ACTIVE, part])
        return format_html('<esi:include src="{}"/>', src)

    @property
    def bar(self):
        return self._include("bar")

    @property
    def message(self):
        return self._include("message")


def box_address(appeal, part):
    """The appeal (None for the current one) and the part an address of the box names."""
    if part not in PARTS or not (appeal == _ACTIVE or appeal.isdigit()):
        raise Http404("No such part of the appeal box.")
    return (None if appeal == _ACTIVE else int(appeal)), part


def appeal_box(appeal_id=None):
    """The appeal box of a page whose article names `appeal_id`, or of any other page;
    DonationAppeal.DoesNotExist when no appeal has that id.

    Every reader page shows one and only a donation or an edit to an appeal changes it,
    so it is rendered once for all of them: the sum over the ledger, which grows with
    every gift, is read once per change.
    """
    appeals = DonationAppeal.objects.with_raised()
    if appeal_id is not None:
        name = f"appeal-box:{appeal_id}"

        def find():
            # Raised, not an empty box: a missing appeal is never stored, so a flood of
            # made-up ids in the box's address cannot fill the cache.
            return appeals.get(pk=appeal_id)
    else:
        # Which appeal is current turns over with the month, with nothing saved.
        name = f"appeal-box:current:{timezone.localdate():%Y-%m}"
        find = DonationAppeal.objects.current
    # Every save of an appeal and every donation purges APPEALS.
    return cached_fragment(name, {APPEALS}, lambda: AppealBox.of(find()))


def box_keys(box, appeal_id):
    """The surrogate keys of one box's own address."""
    return {APPEALS, *box.keys, *([] if appeal_id else [ACTIVE_APPEAL])}


def box_lifetime(appeal_id):
    """Seconds the box may be cached: the current appeal's never past the month's end."""
    lifetime = settings.PAGE_CACHE_SECONDS
    if appeal_id is None:
        today = timezone.localdate()
        next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = timezone.make_aware(datetime.combine(next_month, time()))
        lifetime = min(lifetime, max(1, int((end - timezone.now()).total_seconds()) + 1))
    return lifetime


def stitch(request, response):
    """The page as this caller gets it: with its includes for an ESI processor in front
    (unless the page is private), with the current box in their place for anyone else.

    The stored page keeps its includes, so the box in it is never older than the box's
    own cache entry; ConditionalGetMiddleware, above, makes the ETag of what is sent.
    """
    if response.streaming or b"<esi:include" not in response.content:
        return response
    patch_vary_headers(response, [SURROGATE_CAPABILITY])
    private = re.search(r"private|no-store", response.get("Cache-Control", ""))
    if not private and "ESI/1.0" in request.headers.get(SURROGATE_CAPABILITY, ""):
        response["Surrogate-Control"] = ESI_CONTENT
        return response
    boxes = {}

    def part(match):
        try:
            src = resolve(match[1].decode())
        except Resolver404:
            return match[0]
        if src.view_name != "articles:appeal-box":
            return match[0]
        appeal_id, name = box_address(**src.kwargs)
        if appeal_id not in boxes:
            try:
                boxes[appeal_id] = appeal_box(appeal_id)
            except DonationAppeal.DoesNotExist:
                boxes[appeal_id] = AppealBox()  # deleted since the page was stored
        return getattr(boxes[appeal_id], name).encode()

    response.content = _INCLUDE.sub(part, response.content)
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    return response
