"""Hostile text typed by staff, in every field they fill in, is shown as text (or
stripped by the sanitiser, in the body and caption) on every page, feed, sitemap,
JSON-LD block and admin page: no script can run, and the words are still there to read.

The rows are written through the ORM, as the admin form stores them (a form only strips
the ends); `test_the_admin_form_stores_hostile_text_as_typed` checks that step.
"""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO
from types import SimpleNamespace
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

import pytest
import reversion
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from articles.models import (
    Correction,
    Donation,
    Organisation,
    OrganisationTag,
    ShareLink,
    TopicTag,
)
from articles.rendering.html import MARK_ATTRIBUTES, clean_body

from .admin_forms import change_form_data
from .conftest import make_appeal, make_article, make_quote, visible_text

PAYLOADS = {
    "script": '<script>alert("xss")</script>',
    "img onerror": "<img src=x onerror=alert(1)>",
    "javascript link": '<a href="javascript:alert(1)">click</a>',
    "mixed-case scheme": '<a href=" JaVaScRiPt:alert(1)">click</a>',
    "entity-encoded scheme": '<a href="&#106;avascript&colon;alert(1)">click</a>',
    "data link": '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">click</a>',
    "bare javascript url": "javascript:alert(1)",
    "svg onload": '<svg onload="alert(1)"><circle r="9"/></svg>',
    "textarea breakout": "</textarea><script>alert(1)</script>",
    "title breakout": "</title><script>alert(1)</script>",
    "script breakout": "</script><script>alert(1)</script><!--",
    "double-quote attribute breaker": '" onmouseover="alert(1)" x="',
    "single-quote attribute breaker": "'><script>alert(1)</script>",
    "pre-escaped entities": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "mutation": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "fullwidth brackets": "＜script＞alert(1)＜/script＞",
    "rtl override": "\u202e<script>alert(1)</script>",
    "zero-width characters": "<scr\u200bipt>alert(1)</scr\u200bipt><img\u200b src=x onerror=1>",
    "template syntax": "{{ request.META }}{% debug %}",
}

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "poster", "data", "xlink:href"}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
# <script> elements that hold data and are never executed.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


class _Markup(HTMLParser):
    """Everything in a page that a browser would run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self._data_script = [], False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and value is not None:
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                if url.startswith(SCRIPT_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")
        attributes = dict(attrs)
        if tag == "script":
            self._data_script = attributes.get("type") in DATA_SCRIPT_TYPES
            if "src" not in attributes and not self._data_script:
                self.problems.append(f"inline <script {attrs}>")
        if tag in {"iframe", "object", "embed", "base"} or "http-equiv" in attributes:
            self.problems.append(f"<{tag} {attrs}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._data_script = False

    def handle_data(self, data):
        # A data block must not be able to close its element: "<" is always escaped.
        if self._data_script and "<" in data:
            self.problems.append(f"unescaped data block {data[:80]!r}")


def executable_markup(html):
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.problems


def _attributes_of_all(html):
    """(name, value) of every attribute of every tag, entities decoded."""
    parser = HTMLParser()
    found = []
    parser.handle_starttag = lambda name, attrs: found.extend(attrs)
    parser.feed(html)
    return found


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<p title="x" onmouseover="alert(1)">',
        "<svg/onload=alert(1)>",
        '<a href=" java&#x09;script:alert(1)">',
        '<form action="JAVASCRIPT:alert(1)">',
        '<script type="application/ld+json">{"a": "</script><script>alert(1)</script>"}',
        '<iframe src="https://example.org/">',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    ],
)
def test_the_markup_check_finds_what_a_browser_would_run(html):
    assert executable_markup(html) != []


def test_the_markup_check_lets_data_blocks_files_and_escaped_text_through():
    html = (
        '<script src="/static/a.js"></script><script type="application/ld+json">'
        '{"a": "\\u003C/script\\u003E"}</script><a href="https://example.org/">'
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot; onmouseover=&quot;alert(1)</a>"
    )
    assert executable_markup(html) == []


def _png():
    output = BytesIO()
    Image.new("RGB", (16, 12), "navy").save(output, format="PNG")
    return SimpleUploadedFile("photo.png", output.getvalue())


@pytest.fixture(params=PAYLOADS.values(), ids=PAYLOADS.keys())
def payload(request):
    return request.param


@pytest.fixture
def hostile(payload, media_root, editor):
    """A published site in which every field staff type holds the payload."""
    now = timezone.now()
    with reversion.create_revision():
        reversion.set_user(editor)
        reversion.set_comment(f"Tagged “{payload}” from the list.")
        organisation = Organisation.objects.create(
            name="Before the rename",
            slug="hostile-org",
            aliases=f"{payload}\nDaesh",
            description=payload,
            country=payload,
            website="https://example.org/",
            logo=_png(),
        )
        organisation_tag = OrganisationTag.objects.create(name=payload, slug="hostile-org-tag")
        organisation.tags.add(organisation_tag)
        article = make_article(
            headline="Before the edit",
            slug="hostile-article",
            standfirst=payload,
            byline=payload,
            lead_image=_png(),
            lead_image_alt=payload,
            lead_image_caption=payload,
            lead_image_credit=payload,
            paragraphs=[f"Zebra crossing. {payload}", payload, f"{payload} the spokesman said"],
            published_at=now - timedelta(minutes=5),
        )
        article.tags.add(TopicTag.objects.create(name=payload, slug="hostile-topic"))
        article.organisations.add(organisation)
        make_quote(article, text=payload, source=payload, attribution=payload, paragraph=2)
        make_quote(
            article, text=payload, organisation=organisation, attribution=payload, paragraph=3
        )
    with reversion.create_revision():
        reversion.set_user(editor)
        organisation.name = payload
        organisation.save()
        article.headline = payload
        article.save()
    # Its list summary comes from the body, not the standfirst.
    make_article(
        headline="A second story", slug="second-story", paragraphs=[payload], published_at=now
    )
    Correction.objects.create(article=article, what_was_wrong=payload, what_is_right=payload)
    share_link = ShareLink.objects.create(article=article, note=payload)
    appeal = make_appeal(
        message=payload,
        currency_symbol="\"'<&>",  # five characters, every one that HTML escapes
        is_active=True,
        donate_url="https://example.org/give",
    )
    Donation.objects.create(appeal=appeal, amount=10, note=payload)
    return SimpleNamespace(
        article=article, organisation=organisation, share_link=share_link, appeal=appeal
    )


def _reader_pages(article, payload):
    """Each reader page that shows staff text, with the fields it must show as text."""
    month = timezone.localtime(article.published_at)
    person = ["headline", "standfirst", "byline", "credit", "organisation", "topic", "appeal"]
    return {
        "/": ["headline", "standfirst", "topic", "appeal"],
        "/archive/": [],
        f"/{month:%Y}/": [],
        f"/{month:%Y/%m}/": ["headline", "topic"],
        "/organisations/": ["organisation", "country", "organisation tag"],
        "/organisations/?tag=hostile-org-tag": ["organisation", "organisation tag"],
        f"/organisations/?letter={quote(payload[0])}": ["organisation"],
        "/organisations/hostile-org/": ["organisation", "description", "quote", "headline"],
        "/organisations/tags/hostile-org-tag/": ["organisation", "organisation tag"],
        "/quotes/": ["quote", "speaker", "organisation", "headline"],
        "/quotes/?organisation=hostile-org": ["quote", "organisation"],
        "/quotes/?tag=hostile-org-tag": ["quote", "organisation tag"],
        "/quotes/?topic=hostile-topic": ["quote", "topic"],
        "/topics/": ["topic"],
        "/topics/hostile-topic/": ["topic", "headline"],
        "/search/?q=zebra": ["headline"],
        f"/search/?{urlencode({'q': payload})}": ["search"],
        "/appeals/": ["appeal"],
        "/corrections/": ["headline", "correction"],
        article.get_absolute_url(): [*person, "correction"],
        "/articles/second-story/": [],
    }


def test_reader_pages_show_hostile_text_as_text(client, hostile, payload):
    pages = _reader_pages(hostile.article, payload)
    pages[hostile.share_link.get_absolute_url()] = ["headline", "standfirst"]
    for url, shown in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert executable_markup(html) == [], url
        text = visible_text(html)
        for field in shown:
            # What the page shows must be the words as typed: not stripped, not
            # escaped twice. (Search shows the query, trimmed as the form trims it.)
            assert payload.strip() in text, f"{field} on {url}"


def test_the_article_page_keeps_alt_text_and_caption_safe(client, hostile, payload):
    html = client.get(hostile.article.get_absolute_url()).content.decode()
    images = re.findall(r"<img [^>]*>", html)
    assert images and all(executable_markup(image) == [] for image in images)
    alts = [dict(_attributes_of_all(image))["alt"] for image in images]
    assert alts == [payload]
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S).group(1)
    assert executable_markup(caption) == []
    assert f"Photo: {payload}" in visible_text(caption)


def test_the_json_ld_block_carries_hostile_text_as_data(client, hostile, payload):
    html = client.get(hostile.article.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    assert "<" not in blocks[0] and ">" not in blocks[0]
    data = json.loads(blocks[0])
    assert data["headline"] == payload
    assert data["description"] == payload
    assert data["author"] == [{"@type": "Person", "name": payload}]
    assert data["keywords"] == [payload]
    assert data["correction"][0]["text"] == f"{payload.strip()} {payload.strip()}"


ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = [
    "/feeds/rss/",
    "/feeds/atom/",
    "/topics/hostile-topic/rss/",
    "/topics/hostile-topic/atom/",
    "/organisations/hostile-org/rss/",
    "/organisations/hostile-org/atom/",
]


def _feed_entries(root):
    """(title, summary HTML, categories) of each item, RSS or Atom."""
    if root.tag == f"{ATOM}feed":
        for entry in root.iter(f"{ATOM}entry"):
            summary = entry.find(f"{ATOM}summary")
            assert summary.get("type") == "html"
            categories = [c.get("term") for c in entry.iter(f"{ATOM}category")]
            yield entry.findtext(f"{ATOM}title"), summary.text or "", categories
    else:
        for item in root.iter("item"):
            categories = [c.text for c in item.iter("category")]
            yield item.findtext("title"), item.findtext("description"), categories


def test_feeds_carry_hostile_text_as_text(client, hostile, payload):
    for url in FEEDS:
        response = client.get(url)
        assert response.status_code == 200, url
        entries = list(_feed_entries(ElementTree.fromstring(response.content)))
        assert (payload, [payload]) in [(title, tags) for title, _, tags in entries], url
        for title, summary, _ in entries:
            # Feed readers render a summary as HTML: it must be plain text, escaped.
            assert "<" not in summary, (url, title, summary)
        summaries = {title: visible_text(summary) for title, summary, _ in entries}
        assert summaries[payload] == " ".join(payload.split()), url


def test_sitemaps_carry_hostile_text_as_text(client, hostile, payload):
    news = ElementTree.fromstring(client.get("/sitemap-news.xml").content)
    titles = [t.text for t in news.iter("{http://www.google.com/schemas/sitemap-news/0.9}title")]
    assert payload in titles
    for section in ("articles", "organisations", "topics", "archives", "pages"):
        response = client.get(f"/sitemap-{section}.xml")
        assert response.status_code == 200
        ElementTree.fromstring(response.content)  # well-formed: nothing broke out


def _admin_pages(site):
    article, organisation = site.article, site.organisation

    def admin(name, *args, query=""):
        return reverse(f"admin:articles_{name}", args=args) + query

    def history(model, obj):
        versions = list(Version.objects.get_for_object(obj).order_by("pk"))
        compare = f"?older={versions[0].pk}&newer={versions[-1].pk}"
        return [
            admin(f"{model}_history", obj.pk),
            admin(f"{model}_compare", obj.pk, query=compare),
            admin(f"{model}_revision", obj.pk, versions[0].pk),
        ]

    quote = article.quotes.first()
    topic, organisation_tag = article.tags.get(), organisation.tags.get()
    return [
        reverse("admin:index"),
        admin("article_changelist"),
        admin("article_changelist", query="?q=zebra"),
        admin("article_change", article.pk),
        admin("article_preview", article.pk),
        admin("article_delete", article.pk),
        *history("article", article),
        admin("organisation_changelist"),
        admin("organisation_changelist", query=f"?tags__id__exact={organisation_tag.pk}"),
        admin("organisation_change", organisation.pk),
        *history("organisation", organisation),
        admin("topictag_changelist"),
        admin("topictag_change", topic.pk),
        admin("topictag_similar"),
        admin("organisationtag_changelist"),
        admin("organisationtag_change", organisation_tag.pk),
        admin("donationappeal_changelist"),
        admin("donationappeal_change", site.appeal.pk),
        admin("donation_changelist"),
        admin("quote_changelist"),
        admin("quote_change", quote.pk),
    ]


def test_admin_pages_show_hostile_text_as_text(editor_client, hostile, payload):
    article = hostile.article
    for url in _admin_pages(hostile):
        response = editor_client.get(url)
        assert response.status_code == 200, url
        assert executable_markup(response.content.decode()) == [], url
    # Text areas and lists show the words as typed.
    for url in [
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_history", args=[article.pk]),
        reverse("admin:index"),
    ]:
        assert payload.strip() in visible_text(editor_client.get(url).content.decode()), url


def test_admin_messages_show_hostile_text_as_text(editor_client, hostile, payload):
    changelist = reverse("admin:articles_organisation_changelist")
    selected = [hostile.organisation.pk]
    for action in ("add_tag", "remove_tag"):
        data = {"action": action, "_selected_action": selected, "tag": f"{payload} 2"}
        response = editor_client.post(changelist, data, follow=True)
        html = response.content.decode()
        assert executable_markup(html) == [], action
        assert f"“{payload.strip()} 2”" in visible_text(html), action


def test_the_import_page_reports_hostile_text_as_text(editor_client, db, payload):
    page = f"Imported {payload}\n\nA paragraph about {payload}.\n\nAnother one."
    url = reverse("admin:articles_article_import")
    for dry_run in ("on", ""):
        data = {"text": page, **({"dry_run": dry_run} if dry_run else {})}
        response = editor_client.post(url, data, follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert executable_markup(html) == [], dry_run
        assert f"Imported {payload.strip()}" in visible_text(html), dry_run


def test_the_edit_conflict_message_shows_hostile_text_as_text(editor_client, hostile, payload):
    article = hostile.article
    url = reverse("admin:articles_article_change", args=[article.pk])
    stale = editor_client.get(url)
    with reversion.create_revision():
        article.standfirst = f"{payload} again"
        article.save()
    response = editor_client.post(url, change_form_data(stale, byline="Someone else"))
    assert response.status_code == 200
    message = str(response.context["adminform"].form.non_field_errors())
    assert "Someone else saved this article" in message
    assert executable_markup(message) == []
    assert executable_markup(response.content.decode()) == []


@pytest.mark.parametrize(
    "payload", [PAYLOADS["script"], PAYLOADS["double-quote attribute breaker"]]
)
def test_the_admin_form_stores_hostile_text_as_typed_and_the_body_sanitised(
    editor_client, payload
):
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    fields = ["headline", "standfirst", "byline", "lead_image_caption", "lead_image_credit"]
    data = change_form_data(editor_client.get(url), **dict.fromkeys(fields, payload))
    data["body"] = f"First.\n\n{payload}"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert {field: getattr(article, field) for field in fields} == dict.fromkeys(fields, payload)
    # The body is cleaned once, on save, by the one sanitiser: what is stored is what
    # readers get, with nothing executable left in it.
    assert article.body == clean_body(f"First.\n\n{payload}")
    assert article.paragraphs[0] == "<p>First.</p>"
    assert executable_markup(article.body) == []


# The article page wraps a statement's attribution in <cite>, inside HTML the
# sanitiser already wrote: the wrapping must never land inside a tag.


def _statement(client, paragraph, attribution, organisation=None):
    article = make_article(paragraphs=["Intro.", paragraph])
    organisation = organisation or Organisation.objects.create(name="Coalition", slug="coalition")
    make_quote(
        article,
        text="We are leaving",
        organisation=organisation,
        attribution=attribution,
        paragraph=2,
    )
    html = client.get(article.get_absolute_url()).content.decode()
    return re.search(r'<blockquote class="statement".*?</blockquote>', html, re.S).group()


def test_an_attribution_also_written_in_a_link_address_is_cited_in_the_text(client, db):
    statement = _statement(
        client,
        '“We are leaving,” coalition<a href="https://example.org/coalition">.</a>',
        "coalition",
    )
    assert executable_markup(statement) == []
    # The body's links are an address and nothing else (no target, so no rel="noopener"
    # is needed; the site's Referrer-Policy decides what another site learns).
    assert (
        '“We are leaving,” <cite><a href="/organisations/coalition/">coalition</a></cite>'
        '<a href="https://example.org/coalition">.</a>'
    ) in statement


def test_an_attribution_found_only_inside_a_tag_is_cited_below_the_statement(client, db):
    statement = _statement(
        client,
        '“We are leaving”<a href="https://example.org/x-said">.</a>',
        "x-said",
    )
    assert 'href="https://example.org/x-said"' in statement
    assert '<footer class="statement__source">— <cite><a href="/organisations/coalition/">' in (
        statement
    )


def test_an_attribution_with_quote_marks_is_cited_in_the_text(client, db):
    statement = _statement(
        client, '“We are leaving,” the army\'s "chief" said.', 'the army\'s "chief" said'
    )
    assert '<cite><a href="/organisations/coalition/">the army\'s "chief" said</a></cite>' in (
        statement
    )
    assert "statement__source" not in statement


# Addresses staff type (an organisation's website, an appeal's donate link) go into
# href attributes, where escaping is not enough: a script scheme must never be stored.
SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://example.org/%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]
URL_FIELDS = {
    "website": ("organisation", lambda: Organisation.objects.create(name="ISIS", slug="isis")),
    "donate_url": ("donationappeal", lambda: make_appeal(is_active=True)),
}


@pytest.mark.parametrize("field", URL_FIELDS)
def test_a_script_address_is_refused_by_the_admin(editor_client, field):
    model_name, make = URL_FIELDS[field]
    obj = make()
    url = reverse(f"admin:articles_{model_name}_change", args=[obj.pk])
    for address in SCRIPT_URLS:
        response = editor_client.post(
            url, change_form_data(editor_client.get(url), **{field: address})
        )
        assert response.status_code == 200, address
        assert response.context["adminform"].form.errors[field] == ["Enter a valid URL."]
    obj.refresh_from_db()
    assert getattr(obj, field) == ""


@pytest.mark.parametrize("field", URL_FIELDS)
def test_a_valid_address_that_carries_markup_stays_inside_its_attribute(
    editor_client, client, field
):
    model_name, make = URL_FIELDS[field]
    obj = make()
    make_article().organisations.add(*Organisation.objects.all())
    address = 'https://example.org/?q="><script>alert(1)</script>'
    url = reverse(f"admin:articles_{model_name}_change", args=[obj.pk])
    response = editor_client.post(
        url, change_form_data(editor_client.get(url), **{field: address})
    )
    assert response.status_code == 302
    page = "/organisations/isis/" if field == "website" else "/appeals/"
    html = client.get(page).content.decode()
    assert executable_markup(html) == []
    assert address in [value for name, value in _attributes_of_all(html) if name == "href"]


# --- The stored body: cleaned once, on save, by clean_body() -------------------------


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_no_payload_survives_the_body_sanitiser_in_text_or_in_a_quote_mark(payload):
    escaped = payload.replace("&", "&amp;").replace('"', "&quot;")
    body = clean_body(
        f"<p>{payload}</p><p>{payload} "
        f'<q data-quote="a" data-source="{escaped}" data-attribution="{escaped}">{payload}</q>'
        f' <q data-quote="{escaped}" data-person="{escaped}">{payload}</q></p>'
    )
    assert executable_markup(body) == []
    assert clean_body(body) == body
    for name, value in _attributes_of_all(body):
        assert name in {"href", "rel", *MARK_ATTRIBUTES, "data-attribution"}
        if name in ("data-quote", "data-person"):
            assert re.fullmatch(r"[a-z0-9]{1,16}", value), value


@pytest.mark.parametrize(
    "payload", [PAYLOADS["double-quote attribute breaker"], PAYLOADS["mutation"]]
)
def test_a_hostile_speaker_and_attribution_in_marks_stay_text_on_the_page(client, db, payload):
    article = make_article(paragraphs=[f"“We stay,” {payload}."])
    make_quote(article, text="We stay", source=payload, attribution=payload)


def test_the_speaker_search_answers_hostile_names_as_json_data(editor_client, hostile, payload):
    organisation = hostile.organisation
    response = editor_client.get(
        reverse("admin:articles_article_speakers"), {"ids": f"organisation:{organisation.pk}"}
    )
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    [found] = response.json()["results"]
    assert found["name"] == payload


# HTML as the body editor posts it (or as anyone can post it, bypassing the editor): what
# is stored is the body contract's HTML and nothing a browser would run.
EDITOR_PAYLOADS = {
    "script": "<p>Hello<script>alert(1)</script></p>",
    "event handlers": '<p onclick="alert(1)">Hello<img src=x onerror=alert(1)></p>',
    "javascript links": (
        '<p><a href="javascript:alert(1)">one</a> <a href=" JaVaScRiPt:alert(1)">two</a> '
        '<a href="&#106;avascript&colon;alert(1)">three</a></p>'
    ),
    "data attributes carrying markup": (
        '<p data-x="<script>alert(1)</script>">Said '
        '<q data-quote="ab1" data-source="<img src=x onerror=alert(1)>">words</q></p>'
    ),
    "quote with a forged speaker": (
        '<p><q data-quote="ab1" data-person="1 onmouseover=alert(1)" '
        'data-organisation="javascript:alert(1)" data-source="a source" '
        'onmouseover="alert(1)" style="x:expression(alert(1))">words</q></p>'
    ),
    "quote breakout": (
        '<p><q data-quote="ab1" data-source="a source">a</q></q><script>alert(1)</script></p>'
    ),
    "svg and iframe": '<svg onload=alert(1)></svg><iframe src="javascript:alert(1)"></iframe>',
}
BODY_ATTRIBUTES = {
    "href",
    "data-quote",
    "data-person",
    "data-organisation",
    "data-source",
    "data-attribution",
}


@pytest.mark.parametrize("body", EDITOR_PAYLOADS.values(), ids=EDITOR_PAYLOADS.keys())
def test_html_posted_by_the_body_editor_is_stored_and_shown_with_nothing_that_runs(
    editor_client, client, body
):
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url), body=f"<p>First.</p>{body}")
    response = editor_client.post(url, data)
    assert response.status_code in (200, 302)  # a form error at worst, never a 500
    article.refresh_from_db()
    assert executable_markup(article.body) == []
    attributes = _attributes_of_all(article.body)
    assert {name for name, _ in attributes} <= BODY_ATTRIBUTES
    # A speaker is a row's number; free text stays an attribute's text.
    for name, value in attributes:
        if name in ("data-person", "data-organisation"):
            assert value.isascii() and value.isdigit(), (name, value)
        if name == "data-quote":
            assert re.fullmatch("[a-z0-9]{1,16}", value), value
    page = client.get(article.get_absolute_url()).content.decode()
    assert executable_markup(page) == []
