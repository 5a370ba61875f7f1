from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

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


def home(request):
    return render(
        request,
        "articles/home.html",
        {
            "page_obj": _page(
                request, Article.objects.published().for_listing(), ARTICLES_PER_PAGE
            ),
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


def organisation_list(request):
    organisations = Organisation.objects.order_by("name")
    tag = None
    if tag_slug := request.GET.get("tag"):
        tag = get_object_or_404(OrganisationTag, slug=tag_slug)
        organisations = organisations.filter(tags=tag)
    return render(
        request,
        "articles/organisation_list.html",
        {
            "page_obj": _page(request, organisations, ORGANISATIONS_PER_PAGE),
            "tag": tag,
            "tags": OrganisationTag.objects.annotate(
                organisation_count=Count("tagged_organisations")
            ).filter(organisation_count__gt=0),
        },
    )


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.prefetch_related("tags"), slug=slug)
    articles = Article.objects.published().filter(organisations=organisation)
    return render(
        request,
        "articles/organisation_detail.html",
        {
            "organisation": organisation,
            "page_obj": _page(request, articles.for_listing(), ARTICLES_PER_PAGE),
            "quotes": Quote.objects.published()
            .filter(organisation=organisation)
            .select_related("article", "organisation")
            .order_by("-article__published_at", "paragraph"),
        },
    )


def topic_detail(request, slug):
    tag = get_object_or_404(TopicTag, slug=slug)
    articles = Article.objects.published().filter(tags=tag).for_listing()
    return render(
        request,
        "articles/topic_detail.html",
        {"tag": tag, "page_obj": _page(request, articles, ARTICLES_PER_PAGE)},
    )


def organisation_tag_detail(request, slug):
    tag = get_object_or_404(OrganisationTag, slug=slug)
    organisations = Organisation.objects.filter(tags=tag).order_by("name")
    return render(
        request,
        "articles/organisation_tag_detail.html",
        {"tag": tag, "page_obj": _page(request, organisations, ORGANISATIONS_PER_PAGE)},
    )
