from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _repair_search_index(sender, using, **kwargs):
    from .search import repair_sqlite_index

    repair_sqlite_index(connections[using])


def _refresh_sqlite_statistics(sender, using, **kwargs):
    # Without statistics SQLite's planner guesses, and picks table scans for the joins
    # behind tag and organisation pages once there are many articles.
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the cache purge handlers)

        post_migrate.connect(_repair_search_index, sender=self)
        post_migrate.connect(_refresh_sqlite_statistics, sender=self)
