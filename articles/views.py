from datetime import date, datetime

from django.core.validators import slug_unicode_re
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from . import search
from .cache_keys import (
    ACTIVE_APPEAL,
    APPEALS,
    ARCHIVES,
    CORRECTIONS,
    FRONT,
    ORGANISATIONS,
    QUOTES,
    SEARCH,
    TOPICS,
    articles_key_for,
    statements_key_for,
)
from .caching import appeal_box as boxes
from .caching import cached_page, tag_response
from .forms import SearchForm
from .models import (
    Article,
    Correction,
    DonationAppeal,
    Organisation,
    OrganisationTag,
    OrganisationTagRedirect,
    Person,
    Quote,
    ShareLink,
    TopicTag,
    TopicTagRedirect,
)
from .pagination import CappedPaginator
from .rendering import article_page

ARTICLES_PER_PAGE = 20
ORGANISATIONS_PER_PAGE = 100
QUOTES_PER_PAGE = 30
RESULTS_PER_PAGE = 20
# The front page's topic sections: the most used topics, a few stories each.
SECTION_COUNT = 3
SECTION_SIZE = 4
# An organisation's page shows its latest statements and links to the rest.
ORGANISATION_QUOTES_SHOWN = 10
# The quotes page offers this many organisations and topics to filter by, the most
# quoted and most used lately.
FILTER_OPTIONS = 50


def _page(request, queryset, per_page, counted=None):
    # get_page() answers a normal page for ?page=abc, -1 or 999999 instead of an error.
    return CappedPaginator(queryset, per_page, counted).get_page(request.GET.get("page"))


def _with_chosen(options, chosen):
    """A shortlist of filter options that always holds the one chosen."""
    options = list(options)
    if chosen is not None and chosen not in options:
        options.insert(0, chosen)
    return options


def _by_slug(model, slug):
    """The row a slug from the query string names. A slug no row can have (a NUL byte,
    which PostgreSQL refuses outright) is a 404 without asking the database."""
    if not slug_unicode_re.match(slug):
        raise Http404("No such slug.")
    return get_object_or_404(model, slug=slug)


def _tags_of(articles):
    """The topic tags a list of articles shows (read by `for_listing()`)."""
    return [tag for article in articles for tag in article.listed_tags]


@cached_page(query=("page",))
def home(request):
    page_obj = _page(request, Article.objects.published().for_listing(), ARTICLES_PER_PAGE)
    # Page one opens with a lead story and the topic sections; later pages are the list.
    lead = page_obj[0] if page_obj.number == 1 and page_obj.object_list else None
    sections = []
    if lead:
        sections = [
            # The sections show no tags to prefetch.
            (tag, list(Article.objects.in_topic(tag)[:SECTION_SIZE]))
            for tag in TopicTag.objects.in_recent_articles()[:SECTION_COUNT]
        ]
    response = render(
        request,
        "articles/home.html",
        {
            "page_obj": page_obj,
            "lead": lead,
            "latest": page_obj[1:] if lead else page_obj,
            "sections": sections,
            "appeal_box": boxes.AppealBoxIncludes(),
        },
    )
    return tag_response(
        response,
        FRONT,
        page_obj,
        _tags_of(page_obj),
        [tag for tag, _ in sections],
        [articles for _, articles in sections],
    )


@cached_page
def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return article_page.render_article(request, article)


def share_link(request, token):
    link = get_object_or_404(ShareLink.objects.active(), token=token)
    article = get_object_or_404(Article, pk=link.article_id)
    return article_page.render_article(request, article, private=True)


@cached_page(query=("page",))
def corrections(request):
    notes = Correction.objects.published().select_related("article")
    page_obj = _page(request, notes.order_by("-published_at", "-pk"), ARTICLES_PER_PAGE)
    response = render(request, "articles/corrections.html", {"page_obj": page_obj})
    return tag_response(response, CORRECTIONS, [note.article for note in page_obj])


# --- Archives ---------------------------------------------------------------------------


@cached_page
def archive_index(request):
    response = render(
        request,
        "articles/archive_index.html",
        {"months": Article.objects.published().month_counts()},
    )
    return tag_response(response, ARCHIVES)


@cached_page
def archive_year(request, year):
    months = list(Article.objects.published().filter(published_at__year=year).month_counts())
    if not months:
        raise Http404("No articles that year.")
    response = render(
        request,
        "articles/archive_year.html",
        {
            "year": year,
            "months": months,
            "article_count": sum(month["count"] for month in months),
        },
    )
    return tag_response(response, ARCHIVES)


@cached_page(query=("page",))
def archive_month(request, year, month):
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    # The month's own bounds go into the WHERE clause before published()'s "not in the
    # future": SQLite takes the first bound it meets for the index range, and "<= now"
    # would make it walk every newer article first.
    articles = Article.objects.filter(published_at__gte=start, published_at__lt=end).published()
    page_obj = _page(request, articles.for_listing(), ARTICLES_PER_PAGE)
    if not page_obj.paginator.count:
        raise Http404("No articles that month.")
    earlier = Article.objects.filter(published_at__lt=start).published()
    later = Article.objects.filter(published_at__gte=end).published()
    response = render(
        request,
        "articles/archive_month.html",
        {
            "month": date(year, month, 1),
            "page_obj": page_obj,
            "previous_month": earlier.latest_month(),
            "next_month": later.earliest_month(),
        },
    )
    return tag_response(response, ARCHIVES, page_obj, _tags_of(page_obj))


# --- Organisations, quotes and tags -----------------------------------------------------


@cached_page(query=("tag", "letter", "page"))
def organisation_list(request):
    organisations = Organisation.objects.directory()
    tag = None
    if tag_slug := request.GET.get("tag"):
        tag = _by_slug(OrganisationTag, tag_slug)
        organisations = organisations.filter(tags=tag)
    initials = list(organisations.initials())
    if letter := request.GET.get("letter", ""):
        # An initial is one character, and never NUL (which PostgreSQL refuses).
        if len(letter) > 1 or letter == "\x00":
            raise Http404("No such index letter.")
        letter = letter.upper()
        organisations = organisations.filter(initial=letter)
    page_obj = _page(request, organisations, ORGANISATIONS_PER_PAGE)
    response = render(
        request,
        "articles/organisation_list.html",
        {
            "page_obj": page_obj,
            "tag": tag,
            "letter": letter,
            "initials": initials,
            "tags": OrganisationTag.objects.annotate(
                organisation_count=Count("tagged_organisations")
            ).filter(organisation_count__gt=0),
        },
    )
    return tag_response(response, ORGANISATIONS, page_obj, tag)


@cached_page(query=("page",))
def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.prefetch_related("tags"), slug=slug)
    articles = Article.objects.published().filter(organisations=organisation).for_listing()
    # What it said, and what its people said for it.
    quotes = Quote.objects.published().said_for(organisation).for_listing()
    page_obj = _page(request, articles, ARTICLES_PER_PAGE)
    shown_quotes = list(quotes[:ORGANISATION_QUOTES_SHOWN])
    response = render(
        request,
        "articles/organisation_detail.html",
        {
            "organisation": organisation,
            "page_obj": page_obj,
            "quotes": shown_quotes,
            "quote_count": quotes.count(),
        },
    )
    return tag_response(
        response,
        organisation,
        articles_key_for(Organisation, organisation.pk),
        # Not QUOTES, which every article's edit purges: only its own statements.
        statements_key_for(organisation.pk),
        organisation.tags.all(),
        page_obj,
        _tags_of(page_obj),
        [quote.article for quote in shown_quotes],
    )


@cached_page(query=("page",))
def person_detail(request, slug):
    person = get_object_or_404(Person.objects.public().select_related("organisation"), slug=slug)
    quotes = Quote.objects.published().filter(person=person).for_listing()
    page_obj = _page(request, quotes, QUOTES_PER_PAGE)
    articles = list(
        Article.objects.published()
        .filter(pk__in=quotes.values("article_id"))
        .for_listing()[:ARTICLES_PER_PAGE]
    )
    response = render(
        request,
        "articles/person_detail.html",
        {"person": person, "page_obj": page_obj, "articles": articles},
    )
    # QUOTES: any article or quote change may add to or take from their list.
    return tag_response(response, person, person.organisation, QUOTES, articles)


@cached_page(query=("page",))
def organisation_tag_detail(request, slug):
    tag = OrganisationTag.objects.filter(slug=slug).first()
    if tag is None:
        return _merged_tag_redirect(OrganisationTagRedirect, slug)
    organisations = Organisation.objects.filter(tags=tag).directory()
    page_obj = _page(request, organisations, ORGANISATIONS_PER_PAGE)
    response = render(
        request, "articles/organisation_tag_detail.html", {"tag": tag, "page_obj": page_obj}
    )
    return tag_response(response, tag, ORGANISATIONS, page_obj)


@cached_page(query=("organisation", "person", "tag", "topic", "page"))
def quote_list(request):
    quotes = Quote.objects.published().for_listing()
    # Each filter is a slug; an unknown one is a page that does not exist.
    filters = {
        "organisation": (Organisation, "organisation"),
        "person": (Person, "person"),
        "tag": (OrganisationTag, "organisation__tags"),
        "topic": (TopicTag, "article__tags"),
    }
    chosen = {}
    for param, (model, lookup) in filters.items():
        if slug := request.GET.get(param):
            chosen[param] = _by_slug(model, slug)
            quotes = quotes.filter(**{lookup: chosen[param]})
    organisations = Organisation.objects.quoted_recently()[:FILTER_OPTIONS]
    response = render(
        request,
        "articles/quote_list.html",
        {
            "page_obj": _page(request, quotes, QUOTES_PER_PAGE),
            "chosen": chosen,
            "organisations": _with_chosen(organisations, chosen.get("organisation")),
            "tags": OrganisationTag.objects.filter(tagged_organisations__isnull=False)
            .distinct()
            .order_by("name"),
            "topics": _with_chosen(
                TopicTag.objects.in_recent_articles()[:FILTER_OPTIONS], chosen.get("topic")
            ),
            # Who said what: the most quoted people and organisations, with their counts.
            "quoted_people": Person.objects.quoted()[:FILTER_OPTIONS],
            "quoted_organisations": Organisation.objects.quoted()[:FILTER_OPTIONS],
        },
    )
    # Any article, quote or organisation change purges QUOTES; tag renames their own.
    return tag_response(response, QUOTES, chosen.values())


@cached_page
def topic_list(request):
    tags = list(TopicTag.objects.with_article_count())
    response = render(request, "articles/topic_list.html", {"tags": tags})
    return tag_response(response, TOPICS, tags)


@cached_page(query=("page",))
def topic_detail(request, slug):
    tag = TopicTag.objects.filter(slug=slug).first()
    if tag is None:
        return _merged_tag_redirect(TopicTagRedirect, slug)
    articles = Article.objects.for_listing().in_topic(tag)
    # Counted off the topic's own index: counting the articles themselves would read the
    # row of every article a busy topic has (up to the cap) on each request.
    page_obj = _page(request, articles, ARTICLES_PER_PAGE, counted=tag.tagged_articles.listed())
    response = render(request, "articles/topic_detail.html", {"tag": tag, "page_obj": page_obj})
    return tag_response(
        response, tag, articles_key_for(TopicTag, tag.pk), page_obj, _tags_of(page_obj)
    )


def _merged_tag_redirect(redirect_model, slug):
    # The tag was merged into another: send readers and search engines there for good.
    moved = get_object_or_404(redirect_model.objects.select_related("tag"), old_slug=slug)
    return redirect(moved.tag, permanent=True)


# --- Search, appeals, robots -------------------------------------------------------------


@cached_page(query=("q", "page"))
def search_results(request):
    form = SearchForm(request.GET)
    query = form.query()
    page_obj = _page(request, search.ranked_ids(query), RESULTS_PER_PAGE)
    ids = page_obj.object_list
    found = Article.objects.published().filter(pk__in=ids).for_search_results()
    page_obj.object_list = sorted(found, key=lambda article: ids.index(article.pk))
    response = render(
        request,
        "articles/search.html",
        {
            "form": form,
            "query": query,
            "page_obj": page_obj,
            "hits": search.hits(page_obj, search.query_terms(query)),
        },
    )
    return tag_response(response, SEARCH, page_obj)


@cached_page
def appeal_list(request):
    current = DonationAppeal.objects.current()
    past = DonationAppeal.objects.past()
    if current:
        past = past.exclude(pk=current.pk)
    past = list(past)
    response = render(request, "articles/appeal_list.html", {"appeal": current, "past": past})
    return tag_response(response, APPEALS, ACTIVE_APPEAL, current, past)


@require_GET
def appeal_box(request, appeal, part):
    """One part of the appeal box on its own, for the includes pages hold in its place:
    a donation purges it and no page. Not in Django's page cache: pages read the box's
    own cache entry, so only an HTTP cache in front reads this address."""
    appeal_id, part = boxes.box_address(appeal, part)
    try:
        box = boxes.appeal_box(appeal_id)
    except DonationAppeal.DoesNotExist:
        # Not stored by the box's cache, nor by Varnish (it keeps no answer but 200 and 301).
        raise Http404("No such appeal.") from None
    response = HttpResponse(getattr(box, part))
    response["X-Robots-Tag"] = "noindex"
    # After a donation's soft purge, an HTTP cache serves the old box (for at most this
    # stale_while_revalidate) while it fetches the new one.
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=boxes.box_lifetime(appeal_id),
        stale_while_revalidate=boxes.BOX_STALE_SECONDS,
    )
    return tag_response(response, boxes.box_keys(box, appeal_id))


@require_GET
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"site_url": request.build_absolute_uri("/").rstrip("/")},
        content_type="text/plain; charset=utf-8",
    )
