"""The roles' rights over people: Writers may add and change a speaker while marking a
quote; Editors also delete and merge them. Quotes are an index rebuilt from the body:
no role adds, changes or deletes one by hand any more."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Writers": ["view_person", "add_person", "change_person"],
    "Editors": ["view_person", "add_person", "change_person", "delete_person", "merge_person"],
}
QUOTE_EDITS = ["add_quote", "change_quote", "delete_quote"]


def _permissions(apps, codenames):
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, codenames in GRANTS.items():
        if group := Group.objects.filter(name=role).first():
            group.permissions.add(*_permissions(apps, codenames))
            group.permissions.remove(*_permissions(apps, QUOTE_EDITS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, codenames in GRANTS.items():
        if group := Group.objects.filter(name=role).first():
            group.permissions.remove(*_permissions(apps, codenames))
            group.permissions.add(*_permissions(apps, QUOTE_EDITS))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_people_and_quote_marks"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
