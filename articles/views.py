from datetime import date, datetime

from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import search
from .forms import SearchForm
from .models import (
    Article,
    DonationAppeal,
    Organisation,
    OrganisationTag,
    Quote,
    TopicTag,
)

ARTICLES_PER_PAGE = 20
ORGANISATIONS_PER_PAGE = 100
QUOTES_PER_PAGE = 30
RESULTS_PER_PAGE = 20
# The front page's topic sections: the most used topics, a few stories each.
SECTION_COUNT = 3
SECTION_SIZE = 4
# An organisation's page shows its latest statements and links to the rest.
ORGANISATION_QUOTES_SHOWN = 10


def _page(request, queryset, per_page):
    # get_page() answers a normal page for ?page=abc, -1 or 999999 instead of an error.
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def home(request):
    page_obj = _page(request, Article.objects.published().for_listing(), ARTICLES_PER_PAGE)
    # Page one opens with a lead story and the topic sections; later pages are the list.
    lead = page_obj[0] if page_obj.number == 1 and page_obj.object_list else None
    sections = []
    if lead:
        sections = [
            # Newest first by the model's ordering; the sections show no tags to prefetch.
            (tag, Article.objects.published().filter(tags=tag)[:SECTION_SIZE])
            for tag in TopicTag.objects.with_article_count()[:SECTION_COUNT]
        ]
    return render(
        request,
        "articles/home.html",
        {
            "page_obj": page_obj,
            "lead": lead,
            "latest": page_obj[1:] if lead else page_obj,
            "sections": sections,
            "appeal": DonationAppeal.objects.current(),
        },
    )


def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published().for_page(), slug=slug)
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "body_blocks": article.body_blocks(),
            "appeal": DonationAppeal.objects.for_article(article),
        },
    )


# --- Archives ---------------------------------------------------------------------------


def archive_index(request):
    return render(
        request,
        "articles/archive_index.html",
        {"months": Article.objects.published().month_counts()},
    )


def archive_year(request, year):
    months = list(Article.objects.published().filter(published_at__year=year).month_counts())
    if not months:
        raise Http404("No articles that year.")
    return render(
        request,
        "articles/archive_year.html",
        {
            "year": year,
            "months": months,
            "article_count": sum(month["count"] for month in months),
        },
    )


def archive_month(request, year, month):
    published = Article.objects.published()
    page_obj = _page(request, published.in_month(year, month).for_listing(), ARTICLES_PER_PAGE)
    if not page_obj.paginator.count:
        raise Http404("No articles that month.")
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    neighbours = published.aggregate(
        previous=Max("published_at", filter=Q(published_at__lt=start)),
        next=Min("published_at", filter=Q(published_at__gte=end)),
    )
    return render(
        request,
        "articles/archive_month.html",
        {
            "month": date(year, month, 1),
            "page_obj": page_obj,
            "previous_month": _local_month(neighbours["previous"]),
            "next_month": _local_month(neighbours["next"]),
        },
    )


def _local_month(moment):
    return timezone.localtime(moment).date().replace(day=1) if moment else None


# --- Organisations, quotes and tags -----------------------------------------------------


def organisation_list(request):
    organisations = Organisation.objects.directory()
    tag = None
    if tag_slug := request.GET.get("tag"):
        tag = get_object_or_404(OrganisationTag, slug=tag_slug)
        organisations = organisations.filter(tags=tag)
    initials = list(organisations.initials())
    if letter := request.GET.get("letter", "").upper():
        organisations = organisations.filter(initial=letter)
    return render(
        request,
        "articles/organisation_list.html",
        {
            "page_obj": _page(request, organisations, ORGANISATIONS_PER_PAGE),
            "tag": tag,
            "letter": letter,
            "initials": initials,
            "tags": OrganisationTag.objects.annotate(
                organisation_count=Count("tagged_organisations")
            ).filter(organisation_count__gt=0),
        },
    )


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.prefetch_related("tags"), slug=slug)
    articles = Article.objects.published().filter(organisations=organisation).for_listing()
    quotes = Quote.objects.published().filter(organisation=organisation).for_listing()
    return render(
        request,
        "articles/organisation_detail.html",
        {
            "organisation": organisation,
            "page_obj": _page(request, articles, ARTICLES_PER_PAGE),
            "quotes": quotes[:ORGANISATION_QUOTES_SHOWN],
            "quote_count": quotes.count(),
        },
    )


def organisation_tag_detail(request, slug):
    tag = get_object_or_404(OrganisationTag, slug=slug)
    organisations = Organisation.objects.filter(tags=tag).directory()
    return render(
        request,
        "articles/organisation_tag_detail.html",
        {"tag": tag, "page_obj": _page(request, organisations, ORGANISATIONS_PER_PAGE)},
    )


def quote_list(request):
    quotes = Quote.objects.published().for_listing()
    # Each filter is a slug; an unknown one is a page that does not exist.
    filters = {
        "organisation": (Organisation, "organisation"),
        "tag": (OrganisationTag, "organisation__tags"),
        "topic": (TopicTag, "article__tags"),
    }
    chosen = {}
    for param, (model, lookup) in filters.items():
        if slug := request.GET.get(param):
            chosen[param] = get_object_or_404(model, slug=slug)
            quotes = quotes.filter(**{lookup: chosen[param]})
    quoted = Organisation.objects.filter(quotes__in=Quote.objects.published()).distinct()
    return render(
        request,
        "articles/quote_list.html",
        {
            "page_obj": _page(request, quotes, QUOTES_PER_PAGE),
            "chosen": chosen,
            "organisations": quoted.order_by("name"),
            "tags": OrganisationTag.objects.filter(organisations__in=quoted).distinct(),
            "topics": TopicTag.objects.with_article_count(),
        },
    )


def topic_list(request):
    return render(
        request, "articles/topic_list.html", {"tags": TopicTag.objects.with_article_count()}
    )


def topic_detail(request, slug):
    tag = get_object_or_404(TopicTag, slug=slug)
    articles = Article.objects.published().filter(tags=tag).for_listing()
    return render(
        request,
        "articles/topic_detail.html",
        {"tag": tag, "page_obj": _page(request, articles, ARTICLES_PER_PAGE)},
    )


# --- Search, appeals, robots -------------------------------------------------------------


def search_results(request):
    form = SearchForm(request.GET)
    query = form.query()
    results = search.search_articles(query).prefetch_related("tags", "organisations")
    page_obj = _page(request, results, RESULTS_PER_PAGE)
    return render(
        request,
        "articles/search.html",
        {
            "form": form,
            "query": query,
            "page_obj": page_obj,
            "hits": search.hits(page_obj, search.query_terms(query)),
        },
    )


def appeal_list(request):
    current = DonationAppeal.objects.current()
    past = DonationAppeal.objects.past()
    if current:
        past = past.exclude(pk=current.pk)
    return render(request, "articles/appeal_list.html", {"appeal": current, "past": past})


@require_GET
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"site_url": request.build_absolute_uri("/").rstrip("/")},
        content_type="text/plain; charset=utf-8",
    )
