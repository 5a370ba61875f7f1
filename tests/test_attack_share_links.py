"""Share links: revoking one is final, and none works longer than SHARE_LINK_MAX_DAYS."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ShareLink

from .admin_forms import change_form_data
from .conftest import make_article


@pytest.fixture
def writer(make_staff):
    client = Client()
    client.force_login(make_staff("Writers"))
    return client


@pytest.fixture
def draft(db):
    return make_article(status=Article.Status.DRAFT)


def _change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _expiry_fields(index, moment):
    moment = timezone.localtime(moment)
    return {
        f"share_links-{index}-expires_at_0": moment.strftime("%d/%m/%Y"),
        f"share_links-{index}-expires_at_1": moment.strftime("%H:%M:%S"),
    }


def test_a_writer_cannot_unrevoke_a_link_an_editor_revoked(writer, draft):
    link = ShareLink.objects.create(article=draft, is_revoked=True)
    data = change_form_data(writer.get(_change_url(draft)))
    data.pop("share_links-0-is_revoked", None)  # the box unticked

    writer.post(_change_url(draft), data)

    link.refresh_from_db()
    assert link.is_revoked
    assert not link.is_active
    assert writer.get(link.get_absolute_url()).status_code == 404


def test_a_writer_cannot_make_a_link_work_until_the_year_9999(writer, draft):
    link = ShareLink.objects.create(article=draft)
    expiry = link.expires_at
    data = change_form_data(writer.get(_change_url(draft)))
    data.update(
        {"share_links-0-expires_at_0": "31/12/9999", "share_links-0-expires_at_1": "23:59:59"}
    )

    response = writer.post(_change_url(draft), data)

    assert response.status_code == 200
    assert "A share link works for at most 30 days" in response.content.decode()
    link.refresh_from_db()
    assert link.expires_at == expiry


def test_a_new_link_cannot_outlive_the_longest_allowed(writer, draft, settings):
    settings.SHARE_LINK_MAX_DAYS = 10
    data = change_form_data(writer.get(_change_url(draft)))
    data.update(
        {
            "share_links-TOTAL_FORMS": "1",
            "share_links-0-note": "our lawyer",
            **_expiry_fields(0, timezone.now() + timedelta(days=11)),
        }
    )

    response = writer.post(_change_url(draft), data)

    assert response.status_code == 200
    assert "A share link works for at most 10 days" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_a_link_within_the_longest_allowed_is_saved(writer, draft):
    data = change_form_data(writer.get(_change_url(draft)))
    expiry = (timezone.now() + timedelta(days=29)).replace(microsecond=0)
    data.update(
        {
            "share_links-TOTAL_FORMS": "1",
            "share_links-0-note": "our lawyer",
            **_expiry_fields(0, expiry),
        }
    )

    assert writer.post(_change_url(draft), data).status_code == 302

    assert ShareLink.objects.get().expires_at == expiry


def test_revoking_is_final_outside_the_admin_too(draft):
    link = ShareLink.objects.create(article=draft, is_revoked=True)
    link.is_revoked = False
    with pytest.raises(ValidationError):
        link.save()
    assert ShareLink.objects.get().is_revoked


def test_no_code_can_save_a_link_beyond_the_longest_allowed(draft):
    with pytest.raises(ValidationError):
        ShareLink.objects.create(article=draft, expires_at=timezone.now() + timedelta(days=31))
    assert not ShareLink.objects.exists()


def test_an_editor_can_still_revoke_a_link(editor_client, draft):
    link = ShareLink.objects.create(article=draft)
    data = change_form_data(editor_client.get(_change_url(draft)))
    data["share_links-0-is_revoked"] = "on"

    assert editor_client.post(_change_url(draft), data).status_code == 302

    link.refresh_from_db()
    assert link.is_revoked
