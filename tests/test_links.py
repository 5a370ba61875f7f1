"""url_for() remembers reversed paths; it must never hand out a path reverse() would not."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from articles.links import url_for


def test_it_gives_what_reverse_gives():
    assert url_for("articles:home") == reverse("articles:home") == "/"
    assert url_for("articles:topic-detail", slug="iraq") == "/topics/iraq/"
    assert url_for("articles:archive-month", 2021, 3) == reverse(
        "articles:archive-month", args=(2021, 3)
    )


def test_a_second_script_prefix_gets_its_own_paths():
    assert url_for("articles:topic-detail", slug="iraq") == "/topics/iraq/"
    set_script_prefix("/news/")
    try:
        assert url_for("articles:topic-detail", slug="iraq") == "/news/topics/iraq/"
    finally:
        clear_script_prefix()
    assert url_for("articles:topic-detail", slug="iraq") == "/topics/iraq/"


def test_another_urlconf_is_not_answered_from_the_first():
    assert url_for("articles:home") == "/"
    with override_settings(ROOT_URLCONF="tests.urls_error"):
        with pytest.raises(NoReverseMatch):
            url_for("articles:home")
