from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class NewsroomAdminSite(admin.AdminSite):
    """The stock admin, opening on the newsroom dashboard (see dashboard.py)."""

    index_template = "admin/newsroom_index.html"

    def index(self, request, extra_context=None):
        from .dashboard import dashboard

        context = dict(extra_context or {})
        if request.user.has_perm("articles.view_article"):
            context["dashboard"] = dashboard()
        return super().index(request, context)


class NewsroomAdminConfig(AdminConfig):
    default_site = "articles.admin_site.NewsroomAdminSite"
