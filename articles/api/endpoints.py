"""The Content API's operations: each reads what readers may see from the models'
querysets, and its response is cached like the pages, under the same surrogate keys."""

import math
from datetime import datetime
from functools import wraps

from django.core.validators import slug_unicode_re
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.docs import Swagger

from ..cache_keys import ACTIVE_APPEAL, APPEALS, FEEDS, ORGANISATIONS, PEOPLE, QUOTES, WITHDRAWN
from ..caching import mark_shared, tag_response
from ..models import (
    Article,
    DonationAppeal,
    Organisation,
    OrganisationTag,
    Person,
    Quote,
    TopicTag,
    WithdrawnArticle,
)
from . import schemas
from .access import ApiKeyOrAnonymous, RateLimit
from .cursors import BadCursor, Ordering, page_of

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SLUG = r"^[-\w]+$"
CURSOR_LENGTH = 500

NEWEST = Ordering("newest", "published_at", descending=True)
# The same order, by the topic's copy of the publication time (TaggedArticle.published_at).
TOPIC_NEWEST = Ordering("topic-newest", "listed_at", descending=True)
# Incremental sync walks forwards in time, to the present, oldest change first.
MODIFIED = Ordering("modified", "modified_at")
WITHDRAWN_FIRST = Ordering("withdrawn", "withdrawn_at")
QUOTES_NEWEST = Ordering("quotes", "listed_at", descending=True)
BY_ID = Ordering("organisations")
PEOPLE_BY_ID = Ordering("people")

ERRORS = {400: schemas.ErrorOut, 401: schemas.ErrorOut, 429: schemas.ErrorOut}
AUTH = ApiKeyOrAnonymous()
THROTTLE = RateLimit()


def _keyed_and_limited(view):
    """The schema and docs pages, which django-ninja serves outside its operations,
    under the same keys and rate limits as the operations."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        try:
            request.auth = AUTH(request)
        except HttpError as error:
            return _http_error(request, error)
        if not THROTTLE.allow_request(request):
            wait = THROTTLE.wait()
            response = _rate_limited(request, Throttled(wait=wait))
            response["Retry-After"] = str(math.ceil(wait))
            return response
        return view(request, *args, **kwargs)

    return limited


api = NinjaAPI(
    title="Newsroom Content API",
    version="1",
    description="Published articles, who said what, organisations and the appeal, "
    "read-only. Lists are walked with `next` (cursor pagination); send an API key in "
    "`X-API-Key` for the higher rate limit.",
    urls_namespace="api",
    auth=AUTH,
    throttle=THROTTLE,
    # No validator badge: Swagger UI would load it from another host.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=_keyed_and_limited,
)


class BadParameter(Exception):
    def __init__(self, parameter, message):
        self.parameter = parameter
        self.message = message
        super().__init__(f"{parameter}: {message}")


# --- Errors: JSON, never cached, naming the parameter -------------------------------------


def _error(request, status, detail, errors=()):
    response = api.create_response(
        request, {"detail": detail, "errors": list(errors)}, status=status
    )
    patch_cache_control(response, no_store=True)
    return response


@api.exception_handler(BadParameter)
def _bad_parameter(request, error):
    return _error(
        request, 400, str(error), [{"parameter": error.parameter, "message": error.message}]
    )


@api.exception_handler(ValidationError)
def _invalid(request, error):
    errors = [
        {"parameter": ".".join(str(part) for part in e["loc"][1:]), "message": e["msg"]}
        for e in error.errors
    ]
    detail = "; ".join(f"{e['parameter']}: {e['message']}" for e in errors)
    return _error(request, 400, detail, errors)


@api.exception_handler(Http404)
def _not_found(request, error):
    return _error(request, 404, "Not found.")


@api.exception_handler(HttpError)
def _http_error(request, error):
    return _error(request, error.status_code, str(error))


@api.exception_handler(AuthenticationError)
def _unauthorised(request, error):
    return _error(request, 401, "Unauthorised.")


@api.exception_handler(Throttled)
def _rate_limited(request, error):
    # django-ninja adds Retry-After.
    return _error(request, 429, f"Rate limit reached; retry after {math.ceil(error.wait)} s.")


# --- Helpers ------------------------------------------------------------------------------


def _shared(response, *shown):
    """Cache the response like a reader page: keyed by what it shows."""
    tag_response(response, *shown)
    mark_shared(response)


def _by_slug(rows, parameter, slug):
    """The row of `rows` (a manager or queryset) with `slug`; a 400 naming the parameter
    when there is none, so a filter never hints at a row readers may not see."""
    if slug is None:
        return None
    found = rows.filter(slug=slug).first()
    if found is None:
        raise BadParameter(parameter, f"nothing has the slug “{slug}”.")
    return found


def _moment(parameter, value):
    """A time from the query string, aware, and one the database can store."""
    if value is None:
        return None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(timezone.get_current_timezone())
    except (OverflowError, ValueError) as error:
        raise BadParameter(parameter, "out of the range of dates.") from error


def _published_between(queryset, field, dates):
    if after := _moment("published_after", dates.published_after):
        queryset = queryset.filter(**{f"{field}__gte": after})
    if before := _moment("published_before", dates.published_before):
        queryset = queryset.filter(**{f"{field}__lt": before})
    return queryset


def _page(request, queryset, ordering, cursor, limit):
    try:
        rows, next_cursor = page_of(queryset, ordering, cursor=cursor, limit=limit)
    except BadCursor as error:
        raise BadParameter("cursor", str(error)) from error
    next_url = None
    if next_cursor:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return rows, {"results": rows, "next": next_url, "next_cursor": next_cursor}


def _articles():
    """Published articles with everything an item shows, in one query per kind."""
    return (
        Article.objects.published()
        .with_modified_at()
        .prefetch_related(
            "tags",
            Prefetch("organisations", queryset=Organisation.objects.only("name", "slug")),
            Prefetch(
                "quotes",
                queryset=Quote.objects.select_related("person", "organisation").order_by(
                    "position", "pk"
                ),
            ),
            "corrections",
        )
    )


def _article_keys(articles):
    """What article items show, for their surrogate keys (as the article page's)."""
    return [
        articles,
        [article.tags.all() for article in articles],
        [article.organisations.all() for article in articles],
        [quote.speaker for article in articles for quote in article.quotes.all() if quote.speaker],
    ]


Cursor = Query(None, max_length=CURSOR_LENGTH, description="`next_cursor` of the page before.")
Limit = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")
Slug = Query(None, pattern=SLUG, max_length=200)
UpdatedSince = Query(
    None,
    description="Articles changed or published at or after this time, oldest change first: "
    "pass the last item's `modified_at` to sync again.",
)

WithdrawnSince = Query(
    None,
    description="Withdrawn at or after this time: pass the last item's `withdrawn_at` from "
    "the sync before.",
)


# --- Operations ---------------------------------------------------------------------------


@api.get("/articles/", response={200: schemas.ArticlePageOut, **ERRORS}, tags=["articles"])
def article_list(
    request,
    response: HttpResponse,
    dates: Query[schemas.PublishedBetween],
    topic: str | None = Slug,
    organisation: str | None = Slug,
    person: str | None = Slug,
    updated_since: datetime | None = UpdatedSince,
    cursor: str | None = Cursor,
    limit: int = Limit,
):
    """Published articles, newest first (oldest change first with `updated_since`)."""
    articles = _articles()
    ordering = NEWEST
    topic_tag = _by_slug(TopicTag.objects, "topic", topic)
    if topic_tag:
        # Walked off the topic's own index (tag, publication time), as the topic page
        # is: by the article's order alone the database reads every newer article of
        # any topic to find twenty of this one.
        articles = articles.in_topic(topic_tag).annotate(listed_at=F("tagged_items__published_at"))
        ordering = TOPIC_NEWEST
    named = _by_slug(Organisation.objects, "organisation", organisation)
    if named:
        articles = articles.filter(organisations=named)
    quoted = _by_slug(Person.objects.public(), "person", person)
    if quoted:
        # A subquery, not a join: an article quoting them twice is still one item.
        articles = articles.filter(pk__in=Quote.objects.filter(person=quoted).values("article"))
    articles = _published_between(articles, "published_at", dates)
    if since := _moment("updated_since", updated_since):
        articles = articles.modified_since(since)
        ordering = MODIFIED
    rows, page = _page(request, articles, ordering, cursor, limit)
    _shared(response, FEEDS, topic_tag, named, quoted, _article_keys(rows))
    return page


@api.get("/articles/{slug}/", response={200: schemas.ArticleOut, **ERRORS}, tags=["articles"])
def article_detail(request, response: HttpResponse, slug: str):
    """One published article; 404 for any other."""
    if not slug_unicode_re.match(slug):
        raise Http404("No such slug.")
    article = get_object_or_404(_articles(), slug=slug)
    _shared(response, _article_keys([article]))
    return article


@api.get(
    "/withdrawn-articles/",
    response={200: schemas.WithdrawnPageOut, **ERRORS},
    tags=["articles"],
)
def withdrawn_article_list(
    request,
    response: HttpResponse,
    since: datetime | None = WithdrawnSince,
    cursor: str | None = Cursor,
    limit: int = Limit,
):
    """Articles readers could read and no longer can (unpublished, rescheduled for later,
    deleted, or moved to another slug), oldest first: a partner syncing with
    `updated_since` deletes its copies of these. An article published again leaves this
    list and comes back through `updated_since`. Articles never published are never here.
    """
    withdrawn = WithdrawnArticle.objects.announced()
    if moment := _moment("since", since):
        withdrawn = withdrawn.filter(withdrawn_at__gte=moment)
    _, page = _page(request, withdrawn, WITHDRAWN_FIRST, cursor, limit)
    _shared(response, WITHDRAWN)
    return page


@api.get("/quotes/", response={200: schemas.QuotePageOut, **ERRORS}, tags=["quotes"])
def quote_list(
    request,
    response: HttpResponse,
    dates: Query[schemas.PublishedBetween],
    organisation: str | None = Slug,
    person: str | None = Slug,
    cursor: str | None = Cursor,
    limit: int = Limit,
):
    """Who said what in published articles, newest article first."""
    quotes = Quote.objects.published().for_listing().annotate(listed_at=F("article__published_at"))
    speaker = _by_slug(Organisation.objects, "organisation", organisation)
    if speaker:
        quotes = quotes.filter(organisation=speaker)
    quoted = _by_slug(Person.objects.public(), "person", person)
    if quoted:
        quotes = quotes.filter(person=quoted)
    quotes = _published_between(quotes, "article__published_at", dates)
    _, page = _page(request, quotes, QUOTES_NEWEST, cursor, limit)
    # Any article, quote or organisation change purges QUOTES, as for the quotes page.
    _shared(response, QUOTES, speaker, quoted)
    return page


@api.get(
    "/organisations/",
    response={200: schemas.OrganisationPageOut, **ERRORS},
    tags=["organisations"],
)
def organisation_list(
    request,
    response: HttpResponse,
    tag: str | None = Slug,
    cursor: str | None = Cursor,
    limit: int = Limit,
):
    """The organisations the news is about, as the directory lists them."""
    organisations = Organisation.objects.prefetch_related("tags")
    chosen = _by_slug(OrganisationTag.objects, "tag", tag)
    if chosen:
        organisations = organisations.filter(tags=chosen)
    rows, page = _page(request, organisations, BY_ID, cursor, limit)
    _shared(response, ORGANISATIONS, chosen, rows, [row.tags.all() for row in rows])
    return page


@api.get("/people/", response={200: schemas.PersonPageOut, **ERRORS}, tags=["people"])
def person_list(
    request,
    response: HttpResponse,
    organisation: str | None = Slug,
    cursor: str | None = Cursor,
    limit: int = Limit,
):
    """The people articles quote, with their role and organisation."""
    people = Person.objects.public().select_related("organisation")
    chosen = _by_slug(Organisation.objects, "organisation", organisation)
    if chosen:
        people = people.filter(organisation=chosen)
    rows, page = _page(request, people, PEOPLE_BY_ID, cursor, limit)
    _shared(response, PEOPLE, chosen, rows, [row.organisation for row in rows])
    return page


@api.get(
    "/appeal/", response={200: schemas.AppealOut, 404: schemas.ErrorOut, **ERRORS}, tags=["appeal"]
)
def appeal(request, response: HttpResponse):
    """The appeal running now and its figures; 404 while none runs."""
    current = DonationAppeal.objects.current()
    if current is None:
        raise Http404("No appeal is running.")
    current.donate_url = request.build_absolute_uri(reverse("articles:support"))
    _shared(response, APPEALS, ACTIVE_APPEAL, current)
    return current
