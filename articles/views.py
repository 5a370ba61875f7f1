from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from .caching import cached_page, tag_response
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


def _page(request, queryset, per_page):
    # get_page() answers a normal page for ?page=abc, -1 or 999999 instead of an error.
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _tags_of(articles):
    """The topic tags a list of articles shows (prefetched by `for_listing()`)."""
    return [tag for article in articles for tag in article.tags.all()]


@cached_page
def home(request):
    page_obj = _page(request, Article.objects.published().for_listing(), ARTICLES_PER_PAGE)
    appeal = DonationAppeal.objects.current()
    response = render(request, "articles/home.html", {"page_obj": page_obj, "appeal": appeal})
    return tag_response(response, "front", "active-appeal", appeal, page_obj, _tags_of(page_obj))


@cached_page
def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published().for_page(), slug=slug)
    appeal = DonationAppeal.objects.for_article(article)
    response = render(
        request,
        "articles/article_detail.html",
        {"article": article, "body_blocks": article.body_blocks(), "appeal": appeal},
    )
    return tag_response(
        response,
        article,
        appeal,
        "active-appeal" if article.appeal_id is None else None,
        article.organisations.all(),
        article.tags.all(),
        [quote.organisation for quote in article.quotes.all()],
    )


@cached_page
def organisation_list(request):
    organisations = Organisation.objects.order_by("name")
    tag = None
    if tag_slug := request.GET.get("tag"):
        tag = get_object_or_404(OrganisationTag, slug=tag_slug)
        organisations = organisations.filter(tags=tag)
    page_obj = _page(request, organisations, ORGANISATIONS_PER_PAGE)
    response = render(
        request,
        "articles/organisation_list.html",
        {
            "page_obj": page_obj,
            "tag": tag,
            "tags": OrganisationTag.objects.annotate(
                organisation_count=Count("tagged_organisations")
            ).filter(organisation_count__gt=0),
        },
    )
    return tag_response(response, "organisations", page_obj, tag)


@cached_page
def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.prefetch_related("tags"), slug=slug)
    articles = Article.objects.published().filter(organisations=organisation)
    page_obj = _page(request, articles.for_listing(), ARTICLES_PER_PAGE)
    quotes = list(
        Quote.objects.published()
        .filter(organisation=organisation)
        .select_related("article", "organisation")
        .order_by("-article__published_at", "paragraph")
    )
    response = render(
        request,
        "articles/organisation_detail.html",
        {"organisation": organisation, "page_obj": page_obj, "quotes": quotes},
    )
    return tag_response(
        response,
        organisation,
        f"organisation-{organisation.pk}-articles",
        organisation.tags.all(),
        page_obj,
        _tags_of(page_obj),
        [quote.article for quote in quotes],
    )


@cached_page
def topic_detail(request, slug):
    tag = get_object_or_404(TopicTag, slug=slug)
    articles = Article.objects.published().filter(tags=tag).for_listing()
    page_obj = _page(request, articles, ARTICLES_PER_PAGE)
    response = render(request, "articles/topic_detail.html", {"tag": tag, "page_obj": page_obj})
    return tag_response(response, tag, f"topictag-{tag.pk}-articles", page_obj, _tags_of(page_obj))


@cached_page
def organisation_tag_detail(request, slug):
    tag = get_object_or_404(OrganisationTag, slug=slug)
    organisations = Organisation.objects.filter(tags=tag).order_by("name")
    page_obj = _page(request, organisations, ORGANISATIONS_PER_PAGE)
    response = render(
        request, "articles/organisation_tag_detail.html", {"tag": tag, "page_obj": page_obj}
    )
    return tag_response(response, tag, "organisations", page_obj)
