from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from articles.api.endpoints import api

admin.site.site_header = f"{settings.SITE_NAME} · editors’ desk"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
