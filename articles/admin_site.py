from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class NewsroomAdminSite(admin.AdminSite):
    """The stock admin, opening on the newsroom dashboard (see dashboard.py)."""

    index_template = "admin/newsroom_index.html"

    def index(self, request, extra_context=None):
        from .dashboard import dashboard

        return super().index(request, {"dashboard": dashboard(), **(extra_context or {})})


class NewsroomAdminConfig(AdminConfig):
    default_site = "articles.admin_site.NewsroomAdminSite"
