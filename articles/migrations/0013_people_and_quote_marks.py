"""People as speakers, and Quote reshaped as the index of the body's quote marks.

The constraints that need every quote to have its mark (one per article and key, one
speaker each) are added in 0016, after 0015 has turned the bodies and quotes over."""

import uuid

import articles.models

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_api_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="Person",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("edit_token", models.UUIDField(default=uuid.uuid4, editable=False)),
                ("name", models.CharField(max_length=200)),
                ("slug", models.SlugField(allow_unicode=True, max_length=200, unique=True)),
                ("other_names", models.TextField(blank=True, help_text="Other names they go by, one per line (e.g. “Joe Biden” for Joseph R. Biden).")),
                ("role", models.CharField(blank=True, help_text="As a reader should know them, e.g. “spokeswoman for the ministry”.", max_length=300, verbose_name="role or title")),
                ("description", models.TextField(blank=True, help_text="One or two plain sentences.")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("organisation", models.ForeignKey(blank=True, help_text="The organisation they speak for, if any.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="people", to="articles.organisation")),
            ],
            options={
                "verbose_name_plural": "people",
                "ordering": [django.db.models.functions.text.Lower("name"), "pk"],
                "permissions": [("merge_person", "Can merge two people")],
                "indexes": [models.Index(django.db.models.functions.text.Lower("name"), name="person_name_idx")],
                "constraints": [models.CheckConstraint(condition=models.Q(("name", ""), _negated=True), name="person_has_name")],
            },
        ),
        migrations.RemoveConstraint(model_name="quote", name="one_quote_per_paragraph"),
        migrations.RemoveConstraint(model_name="quote", name="quote_has_speaker"),
        migrations.RenameField(model_name="quote", old_name="speaker", new_name="source"),
        migrations.AlterField(
            model_name="quote",
            name="source",
            field=models.CharField(blank=True, help_text="An unnamed source, e.g. “a security official”, when no person or organisation is named.", max_length=200),
        ),
        migrations.AddField(
            model_name="quote",
            name="key",
            field=models.CharField(default="", help_text="The quote's mark in the body (<q data-quote=…>).", max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="quote",
            name="person",
            field=models.ForeignKey(blank=True, help_text="The person who said it, if a person did.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="quotes", to="articles.person"),
        ),
        migrations.AddField(
            model_name="quote",
            name="is_statement",
            field=models.BooleanField(default=False, help_text="Whole paragraphs of its own: shown as a block quote."),
        ),
        migrations.AddField(
            model_name="quote",
            name="position",
            field=models.PositiveSmallIntegerField(default=0, help_text="Its place among the article's quotes, from 0."),
        ),
        migrations.AlterField(
            model_name="quote",
            name="text",
            field=models.TextField(blank=True, help_text="The quoted words as the body holds them; “ … ” joins the parts of a split quote, a blank line its paragraphs."),
        ),
        migrations.AlterField(
            model_name="quote",
            name="paragraph",
            field=models.PositiveSmallIntegerField(help_text="The body paragraph the quote starts in, counting from 1.", validators=[django.core.validators.MinValueValidator(1)]),
        ),
        migrations.AlterField(
            model_name="quote",
            name="paragraph_count",
            field=models.PositiveSmallIntegerField(default=1, help_text="How many paragraphs it runs over.", validators=[django.core.validators.MinValueValidator(1)]),
        ),
        migrations.AlterModelOptions(name="quote", options={"ordering": ["article_id", "position"]}),
        migrations.AlterField(
            model_name="article",
            name="body",
            field=models.TextField(help_text="Paragraphs, headings, lists, block quotes, links, emphasis and quote marks; anything else is removed when the article is saved. At most 100,000 characters.", validators=[articles.models.validate_body_length]),
        ),
    ]
