from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<str:slug>/", views.article_detail, name="article-detail"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path(
        "organisations/tags/<str:slug>/",
        views.organisation_tag_detail,
        name="organisation-tag-detail",
    ),
    path("organisations/<str:slug>/", views.organisation_detail, name="organisation-detail"),
    path("topics/<str:slug>/", views.topic_detail, name="topic-detail"),
    path("corrections/", views.corrections, name="corrections"),
    path("shared/<str:token>/", views.share_link, name="share-link"),
]
