from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _repair_search_index(sender, using, **kwargs):
    from .search import repair_sqlite_index

    repair_sqlite_index(connections[using])


class ArticlesConfig(AppConfig):
    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_repair_search_index, sender=self)
