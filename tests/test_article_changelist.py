from django.urls import reverse

from articles.admin import ArticleAdmin

from .conftest import make_article, make_organisation


def test_the_changelist_is_built_for_a_large_archive():
    # No COUNT(*) of the whole table, and no per-day SELECT DISTINCT over every row.
    assert ArticleAdmin.show_full_result_count is False
    assert ArticleAdmin.date_hierarchy is None
    assert set(ArticleAdmin.autocomplete_fields) == {"organisations", "appeal"}


def test_its_query_count_does_not_grow_with_the_rows(
    editor_client, db, django_assert_max_num_queries
):
    organisation = make_organisation()
    for _ in range(60):
        article = make_article()
        article.organisations.add(organisation)
        article.tags.add("Iraq")
    with django_assert_max_num_queries(9):
        response = editor_client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200
