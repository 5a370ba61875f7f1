"""Editors see the background tasks in the admin (django-tasks-db's "Task results"): a
task parked after its last attempt waits there with its error."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    tasks_app = apps.get_app_config("django_tasks_database")
    tasks_app.models_module = True
    create_permissions(tasks_app, apps=apps, verbosity=0)
    tasks_app.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(
        content_type__app_label="django_tasks_database", codename="view_dbtaskresult"
    )
    # filter().first(): a database flushed by a test has no roles, and nothing to grant.
    if editors := Group.objects.filter(name="Editors").first():
        editors.permissions.add(view)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    if editors := Group.objects.filter(name="Editors").first():
        editors.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="django_tasks_database", codename="view_dbtaskresult"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_quote_mark_constraints"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
