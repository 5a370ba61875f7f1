"""Every surrogate key a reader page can carry, declared once.

A page names what it shows with these keys (`caching.tag_response`), and a change purges
the keys its row declares (each model's `cache_keys()`), so the two sides cannot drift
apart by a typo: a key is a name here, never a string typed again elsewhere.
"""

# Pages that list things rather than show one row.
FRONT = "front"
ARCHIVES = "archives"
FEEDS = "feeds"
SITEMAP = "sitemap"
SEARCH = "search"
QUOTES = "quotes"
PEOPLE = "people"
TOPICS = "topics"
ORGANISATIONS = "organisations"
CORRECTIONS = "corrections"
APPEALS = "appeals"
# The API's list of articles readers could read and no longer can.
WITHDRAWN = "withdrawn"
# Pages whose article names no appeal of its own show the active one.
ACTIVE_APPEAL = "active-appeal"

# Any change to an article may add it to, or drop it from, these pages.
ARTICLE_LISTS = frozenset({FRONT, ARCHIVES, FEEDS, SITEMAP, SEARCH, QUOTES, TOPICS})


def key_for(model, pk):
    """The key of one row, e.g. `article-12`, from its model and primary key."""
    return f"{model._meta.model_name}-{pk}"


def object_key(obj):
    """The key of one row, e.g. `article-12`."""
    return key_for(type(obj), obj.pk)


def articles_key_for(model, pk):
    """The key of the list of articles filed under a topic or naming an organisation,
    e.g. `topictag-5-articles`: purged when an article joins or leaves that list, not
    when the topic itself is renamed."""
    return f"{key_for(model, pk)}-articles"


def statements_key_for(organisation_pk):
    """The key of what an organisation said (its people included), as its page lists it,
    e.g. `organisation-3-statements`: purged when a quote, an article quoting it or one
    of its people changes, not by every article's edit as the quotes page's list is."""
    return f"organisation-{organisation_pk}-statements"
