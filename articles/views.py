from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control

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
    return render_article(request, article)


def render_article(request, article, *, private=False, preview=False):
    """The article page exactly as readers get it; the one place it is put together.

    A private page (a staff preview or a share link) shows an unpublished article, so
    it must stay out of search engines and out of any shared cache.
    """
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "body_blocks": article.body_blocks(),
            "appeal": DonationAppeal.objects.for_article(article),
            "noindex": private,
            "preview": preview,
        },
    )
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
        patch_cache_control(response, private=True, no_store=True)
    return response


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
    tag = TopicTag.objects.filter(slug=slug).first()
    if tag is None:
        return _merged_tag_redirect(TopicTagRedirect, slug)
    articles = Article.objects.published().filter(tags=tag).for_listing()
    return render(
        request,
        "articles/topic_detail.html",
        {"tag": tag, "page_obj": _page(request, articles, ARTICLES_PER_PAGE)},
    )


def organisation_tag_detail(request, slug):
    tag = OrganisationTag.objects.filter(slug=slug).first()
    if tag is None:
        return _merged_tag_redirect(OrganisationTagRedirect, slug)
    organisations = Organisation.objects.filter(tags=tag).order_by("name")
    return render(
        request,
        "articles/organisation_tag_detail.html",
        {"tag": tag, "page_obj": _page(request, organisations, ORGANISATIONS_PER_PAGE)},
    )


def _merged_tag_redirect(redirect_model, slug):
    # The tag was merged into another: send readers and search engines there for good.
    moved = get_object_or_404(redirect_model.objects.select_related("tag"), old_slug=slug)
    return redirect(moved.tag, permanent=True)
