from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control

from .caching import cached_page, tag_response
from .models import (
    Article,
    Correction,
    DonationAppeal,
    Organisation,
    OrganisationTag,
    OrganisationTagRedirect,
    Quote,
    ShareLink,
    TopicTag,
    TopicTagRedirect,
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
    return render_article(request, article)


def render_article(request, article, *, private=False, preview=False):
    """The article page exactly as readers get it; the one place it is put together.

    A private page (a staff preview or a share link) shows an unpublished article, so
    it must stay out of search engines and out of any shared cache.
    """
    appeal = DonationAppeal.objects.for_article(article)
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "body_blocks": article.body_blocks(),
            "appeal": appeal,
            "noindex": private,
            "preview": preview,
        },
    )
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
        patch_cache_control(response, private=True, no_store=True)
        return response
    return tag_response(
        response,
        article,
        appeal,
        "active-appeal" if article.appeal_id is None else None,
        article.organisations.all(),
        article.tags.all(),
        [quote.organisation for quote in article.quotes.all()],
    )


def share_link(request, token):
    link = get_object_or_404(ShareLink.objects.active(), token=token)
    article = get_object_or_404(Article.objects.for_page(), pk=link.article_id)
    return render_article(request, article, private=True)


def corrections(request):
    notes = Correction.objects.published().select_related("article")
    return render(
        request,
        "articles/corrections.html",
        {"page_obj": _page(request, notes.order_by("-published_at", "-pk"), ARTICLES_PER_PAGE)},
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
    tag = TopicTag.objects.filter(slug=slug).first()
    if tag is None:
        return _merged_tag_redirect(TopicTagRedirect, slug)
    articles = Article.objects.published().filter(tags=tag).for_listing()
    page_obj = _page(request, articles, ARTICLES_PER_PAGE)
    response = render(request, "articles/topic_detail.html", {"tag": tag, "page_obj": page_obj})
    return tag_response(response, tag, f"topictag-{tag.pk}-articles", page_obj, _tags_of(page_obj))


@cached_page
def organisation_tag_detail(request, slug):
    tag = OrganisationTag.objects.filter(slug=slug).first()
    if tag is None:
        return _merged_tag_redirect(OrganisationTagRedirect, slug)
    organisations = Organisation.objects.filter(tags=tag).order_by("name")
    page_obj = _page(request, organisations, ORGANISATIONS_PER_PAGE)
    response = render(
        request, "articles/organisation_tag_detail.html", {"tag": tag, "page_obj": page_obj}
    )
    return tag_response(response, tag, "organisations", page_obj)


def _merged_tag_redirect(redirect_model, slug):
    # The tag was merged into another: send readers and search engines there for good.
    moved = get_object_or_404(redirect_model.objects.select_related("tag"), old_slug=slug)
    return redirect(moved.tag, permanent=True)
