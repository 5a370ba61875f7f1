"""The newsroom's roles as groups, so every fresh database has them.

Permissions are created by a post_migrate signal, after all migrations; create_permissions()
is called here first so the groups can be given them on the first migrate.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("view", "add", "change", "delete")

ROLES = {
    "Writers": {
        "article": ("view", "add", "change"),
        "quote": ALL,
        "sharelink": ("view", "add", "change"),
        "correction": ("view",),
        "organisation": ("view",),
        "topictag": ("view",),
    },
    "Editors": {
        "article": (*ALL, "publish"),
        "quote": ALL,
        "sharelink": ALL,
        "correction": ALL,
        "organisation": (*ALL, "tag"),
        "organisationtag": ALL,
        "topictag": ALL,
        "organisationtagredirect": ("view",),
        "topictagredirect": ("view",),
        "donationappeal": ALL,
        # The ledger is only ever added to.
        "donation": ("view", "add"),
    },
    "Taggers": {
        "organisation": ("view", "tag"),
        "organisationtag": ("view", "add"),
    },
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [f"{action}_{model}" for model, actions in grants.items() for action in actions]
        permissions = Permission.objects.filter(
            content_type__app_label="articles", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Unknown permissions for {role}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_editorial_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
