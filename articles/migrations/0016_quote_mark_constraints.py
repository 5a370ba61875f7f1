from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_body_html")]

    operations = [
        migrations.AddConstraint(
            model_name="quote",
            constraint=models.UniqueConstraint(fields=("article", "key"), name="one_quote_per_mark"),
        ),
        migrations.AddConstraint(
            model_name="quote",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("organisation__isnull", True), ("person__isnull", False), ("source", "")),
                    models.Q(("organisation__isnull", False), ("person__isnull", True), ("source", "")),
                    models.Q(
                        ("organisation__isnull", True),
                        ("person__isnull", True),
                        models.Q(("source", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="quote_has_one_speaker",
                violation_error_message="Say who said it: one person, organisation or source.",
            ),
        ),
    ]
