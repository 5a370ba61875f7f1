import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import feeds
from articles.links import url_for as _url_for

register = template.Library()

# As Django's json_script: JSON cannot close the <script> element or open a comment.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
SHARE_IMAGE = "img/share-card.png"
PUBLISHER_LOGO = "img/logo.png"


@register.simple_tag(name="url_for")
def url_for(viewname, *args, **kwargs):
    """As {% url %}, from memory after the first time (see articles/links.py)."""
    return _url_for(viewname, *args, **kwargs)


@register.simple_tag
def donate_url(appeal):
    """Where an appeal's Donate button leads: the donation page, or without Stripe keys
    the appeal's own donate_url when it has one (the page shows the giving instructions)."""
    if not settings.STRIPE_SECRET_KEY and appeal.donate_url:
        return appeal.donate_url
    return _url_for("articles:support-appeal", pk=appeal.pk)


@register.filter
def w3c_datetime(value):
    """ "2021-03-01T09:30:00+00:00": the form sitemaps ask for, without microseconds."""
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else ""


@register.filter(is_safe=True)
def xml_text(value):
    """Text without the characters XML 1.0 cannot hold (see feeds.py)."""
    return feeds.xml_text(value)


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """The current query string with its page replaced, e.g. "?tag=iraq&page=2"."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address: no filters or queries, but the page number past the first."""
    request = context["request"]
    url = request.build_absolute_uri(request.path)
    page_obj = context.get("page_obj")
    if page_obj is not None and page_obj.number > 1:
        query = QueryDict(mutable=True)
        query["page"] = page_obj.number
        return f"{url}?{query.urlencode()}"
    return url


@register.simple_tag(takes_context=True)
def news_article_json_ld(context, article, tags, corrections):
    """Schema.org NewsArticle for search engines, as a script block that never executes."""
    request = context["request"]
    image = article.lead_image.url if article.lead_image else static(SHARE_IMAGE)
    author = (
        {"@type": "Person", "name": article.byline}
        if article.byline
        else {"@type": "Organization", "name": settings.SITE_NAME}
    )
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.summary,
        "mainEntityOfPage": request.build_absolute_uri(article.get_absolute_url()),
        "image": [request.build_absolute_uri(image)],
        "author": [author],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "logo": {
                "@type": "ImageObject",
                "url": request.build_absolute_uri(static(PUBLISHER_LOGO)),
            },
        },
        "keywords": [tag.name for tag in tags],
    }
    # An imported page whose real date is unknown gets no date, rather than a made-up one.
    if article.show_publication_date:
        data["datePublished"] = article.published_at
        data["dateModified"] = article.content_updated_at or article.published_at
    if corrections:
        data["correction"] = [
            {"@type": "CorrectionComment", "text": note.text, "datePublished": note.published_at}
            for note in corrections
        ]
    return _json_ld(data)


def _json_ld(data):
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),
    )


@register.simple_tag(takes_context=True)
def person_json_ld(context, person):
    """Schema.org Person for a person's page, as a script block that never executes."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": person.name,
        "url": request.build_absolute_uri(person.get_absolute_url()),
    }
    if person.other_name_list:
        data["alternateName"] = person.other_name_list
    if person.role:
        data["jobTitle"] = person.role
    if person.description:
        data["description"] = person.description
    if person.organisation_id:
        organisation = person.organisation
        data["affiliation"] = {
            "@type": "Organization",
            "name": organisation.name,
            "url": request.build_absolute_uri(organisation.get_absolute_url()),
        }
    return _json_ld(data)
