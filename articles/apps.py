from django.apps import AppConfig
from django.contrib import admin
from django.contrib.admin import apps as admin_apps
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        from .search import register_sqlite_functions

        register_sqlite_functions(connection.connection)


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

        connection_created.connect(_register_sqlite_functions)
        post_migrate.connect(_repair_search_index, sender=self)
        post_migrate.connect(_refresh_sqlite_statistics, sender=self)


class NewsroomAdminSite(admin.AdminSite):
    """The stock admin, opening on the newsroom dashboard (see admin/dashboard.py).

    Here, not in the admin package: Django builds the default site by importing this
    class, and importing that package first would register its ModelAdmins with a site
    still being built, which is then thrown away.
    """

    index_template = "admin/newsroom_index.html"

    def index(self, request, extra_context=None):
        from .admin.dashboard import dashboard

        context = dict(extra_context or {})
        if request.user.has_perm("articles.view_article"):
            context["dashboard"] = dashboard()
        return super().index(request, context)


class NewsroomAdminConfig(admin_apps.AdminConfig):
    default = False  # "articles" in INSTALLED_APPS still means ArticlesConfig
    default_site = "articles.apps.NewsroomAdminSite"
