"""Bodies and amounts get the maximum the database can hold, and the search index reads
only the start of a standfirst (issue 13, items 10 and 11).

A database holding a body over 100,000 characters, or an amount over
9,999,999,999,999.99, refuses the new constraints: shorten or correct those rows first.
"""

from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models
from django.db.models.functions import Left, Length
from django.db.models.lookups import LessThanOrEqual

import articles.models


# Spelled out rather than read from articles.search, so this step stays what it was when
# the index changes again.
def _article_search_index(standfirst):
    return GinIndex(
        SearchVector("headline", weight="A", config="english")
        + SearchVector(standfirst, weight="B", config="english")
        + SearchVector("body", weight="C", config="english"),
        name="article_search_idx",
    )


def _replace_article_search_index(old, new):
    def replace(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite's FTS5 index has no size limit to guard against
        article = apps.get_model("articles", "Article")
        schema_editor.remove_index(article, old)
        schema_editor.add_index(article, new)

    return replace


WHOLE_STANDFIRST = _article_search_index("standfirst")
STANDFIRST_START = _article_search_index(Left("standfirst", 10_000))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_topic_listing_time"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="body",
            field=models.TextField(
                help_text="Paragraphs separated by a blank line. Links (&lt;a href&gt;) and "
                "emphasis (&lt;em&gt;, &lt;strong&gt;) are kept; any other HTML is removed. "
                "At most 100,000 characters.",
                validators=[articles.models.validate_body_length],
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), 100_000),
                name="article_body_max_length",
                violation_error_message="A body can hold at most 100,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="donation",
            constraint=models.CheckConstraint(
                condition=models.Q(amount__lte=Decimal("9999999999999.99")),
                name="donation_amount_at_most_max",
                violation_error_message="An amount can be at most 9,999,999,999,999.99.",
            ),
        ),
        migrations.AddConstraint(
            model_name="donationappeal",
            constraint=models.CheckConstraint(
                condition=models.Q(goal__lte=Decimal("9999999999999.99")),
                name="appeal_goal_at_most_max",
                violation_error_message="An amount can be at most 9,999,999,999,999.99.",
            ),
        ),
        migrations.RunPython(
            _replace_article_search_index(WHOLE_STANDFIRST, STANDFIRST_START),
            _replace_article_search_index(STANDFIRST_START, WHOLE_STANDFIRST),
        ),
    ]
