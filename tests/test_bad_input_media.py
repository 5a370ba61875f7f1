"""Images that pass validation but trip the renditions, and a media disk that fills while
they are cut: one clear outcome, and nothing left in MEDIA_ROOT that no row points to.

The renditions are cut by a task after the save commits (tasks/renditions.py): a failure
there leaves the article saved with its image, shown without resized copies, and the task
to be tried again."""

import errno
import os
from io import BytesIO, StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from articles.models import Article, Organisation
from articles.tasks.renditions import cut_renditions

from .admin_forms import change_form_data
from .conftest import make_article, make_organisation, stored_files

# WebP cannot hold an image taller or wider than this; JPEG and PNG can.
WEBP_MAX_SIDE = 16383


def _image(image_format, size):
    """A gradient: real detail to encode, yet a small file even at 40 megapixels."""
    output = BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(output, format=image_format)
    return output.getvalue()


def _noise(image_format, size):
    output = BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(output, format=image_format)
    return output.getvalue()


@pytest.fixture
def post_lead_image(django_capture_on_commit_callbacks):
    """Upload a lead image in the admin and run the tasks the save's commit would hand a
    worker (the renditions)."""

    def post(client, article, upload):
        url = reverse("admin:articles_article_change", args=[article.pk])
        data = change_form_data(client.get(url), lead_image_alt="The tower from below")
        data["lead_image"] = upload
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, follow=True)

    return post


def _referenced_files(article):
    renditions = article.lead_image_renditions
    names = {article.lead_image.name}
    for size in renditions.get("sizes", []):
        names |= {size["name"], size["smallest"]}
    return sorted(names)


# --- A tall image ------------------------------------------------------------------------


def test_a_tall_lead_image_gets_renditions_without_the_webp_it_cannot_hold(
    editor_client, client, media_root, post_lead_image
):
    article = make_article()
    upload = SimpleUploadedFile("tower.jpg", _image("JPEG", (1000, 40_000)))

    response = post_lead_image(editor_client, article, upload)

    assert response.status_code == 200
    assert response.redirect_chain, response.context["adminform"].form.errors
    article.refresh_from_db()
    sizes = article.lead_image_renditions["sizes"]
    assert [size["width"] for size in sizes] == [480, 800, 1000]
    for size in sizes:
        with Image.open(media_root / size["smallest"]) as rendition:
            assert rendition.width == size["width"]
            if rendition.height > WEBP_MAX_SIDE:
                assert rendition.format == "JPEG"
    assert stored_files(media_root) == _referenced_files(article)
    assert client.get(article.get_absolute_url()).status_code == 200


def test_a_tall_logo_is_stored(editor_client, media_root):
    organisation = make_organisation()
    url = reverse("admin:articles_organisation_change", args=[organisation.pk])
    data = change_form_data(editor_client.get(url))
    data["logo"] = SimpleUploadedFile("banner.png", _image("PNG", (1000, 40_000)))

    response = editor_client.post(url, data)

    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert stored_files(media_root) == [organisation.logo.name]


# --- Renditions that fail half-way --------------------------------------------------------


def _media_refuses_new_files(monkeypatch, media_root, after):
    """ENOSPC on creating a file under MEDIA_ROOT once `after` files have been created:
    the disk fills part-way through the renditions."""
    real_open = os.open
    created = []

    def guarded_open(path, flags, *args, **kwargs):
        if str(path).startswith(str(media_root)) and flags & os.O_CREAT:
            if len(created) >= after:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            created.append(path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)


def _disk_fills_inside_a_rendition(monkeypatch, after):
    """The renditions are ContentFiles: the one after `after` of them is half written when
    the disk fills."""
    real_chunks = ContentFile.chunks
    written = []

    def chunks(self, chunk_size=None):
        if len(written) < after:
            written.append(self)
            yield from real_chunks(self, chunk_size)
            return
        data = self.read()
        yield data[: len(data) // 2]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ContentFile, "chunks", chunks)


def _assert_saved_with_the_image_alone(response, article, media_root):
    """The save went through; the renditions task failed and left no file behind."""
    assert response.redirect_chain, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.lead_image_alt == "The tower from below"
    assert article.lead_image
    assert article.lead_image_renditions == {}
    assert stored_files(media_root) == [article.lead_image.name]


# The original is the first file created; four widths of a 2000 px image follow, each as
# PNG and WebP, so these land the fault after one, two and five renditions.
@pytest.mark.parametrize("after", [2, 3, 6])
def test_a_disk_that_fills_between_renditions_leaves_only_the_image(
    editor_client, client, media_root, monkeypatch, after, post_lead_image
):
    article = make_article()
    upload = SimpleUploadedFile("wide.png", _noise("PNG", (2000, 1000)))
    _media_refuses_new_files(monkeypatch, media_root, after)

    response = post_lead_image(editor_client, article, upload)
    monkeypatch.undo()

    _assert_saved_with_the_image_alone(response, article, media_root)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'src="/media/{article.lead_image.name}"' in page and "srcset" not in page
    # The retry, once the disk has room, cuts them all.
    cut_renditions.call(article.pk, article.lead_image.name)
    article.refresh_from_db()
    assert len(article.lead_image_renditions["sizes"]) == 4
    assert stored_files(media_root) == _referenced_files(article)


@pytest.mark.parametrize("after", [0, 3])
def test_a_disk_that_fills_inside_a_rendition_leaves_only_the_image(
    editor_client, media_root, monkeypatch, after, post_lead_image
):
    article = make_article()
    upload = SimpleUploadedFile("wide.png", _noise("PNG", (2000, 1000)))
    _disk_fills_inside_a_rendition(monkeypatch, after)

    response = post_lead_image(editor_client, article, upload)
    monkeypatch.undo()

    _assert_saved_with_the_image_alone(response, article, media_root)


def test_an_image_the_encoder_refuses_is_kept_and_shown_without_renditions(
    editor_client, client, media_root, monkeypatch, post_lead_image
):
    # A limit of an encoder no validation foresaw, as WebP's 16383 px was.
    def refuse(image, fp, filename):
        raise ValueError("encoding error 5")

    monkeypatch.setitem(Image.SAVE, "WEBP", refuse)
    article = make_article()
    upload = SimpleUploadedFile("wide.png", _noise("PNG", (900, 600)))

    response = post_lead_image(editor_client, article, upload)
    monkeypatch.undo()

    _assert_saved_with_the_image_alone(response, article, media_root)
    assert client.get(article.get_absolute_url()).status_code == 200


# --- The make_renditions command ----------------------------------------------------------


def _article_with_unrendered_image(content, name="old.png"):
    """An image stored before renditions existed: on disk, with no renditions recorded."""
    stored = default_storage.save(f"articles/{name}", ContentFile(content))
    article = make_article(lead_image_alt="Alt")
    Article.objects.filter(pk=article.pk).update(lead_image=stored)
    return article


def test_the_command_reports_a_full_disk_and_leaves_no_renditions_behind(
    media_root, db, monkeypatch
):
    article = _article_with_unrendered_image(_noise("PNG", (2000, 1000)))
    before = stored_files(media_root)
    _media_refuses_new_files(monkeypatch, media_root, after=3)
    errors = StringIO()

    with pytest.raises(CommandError, match="1 article"):
        call_command("make_renditions", stdout=StringIO(), stderr=errors)
    monkeypatch.undo()

    assert f"article {article.pk}" in errors.getvalue()
    assert "No space left on device" in errors.getvalue()
    assert len(errors.getvalue().splitlines()) == 1
    assert stored_files(media_root) == before
    assert Article.objects.get().lead_image_renditions == {}


def test_the_command_goes_on_to_the_next_image_after_a_bad_one(media_root, db):
    damaged = _article_with_unrendered_image(_noise("PNG", (900, 600))[:2000], "cut.png")
    good = _article_with_unrendered_image(_noise("PNG", (900, 600)), "good.png")
    errors, output = StringIO(), StringIO()

    with pytest.raises(CommandError):
        call_command("make_renditions", stdout=output, stderr=errors)

    assert f"article {damaged.pk}" in errors.getvalue()
    assert "Made renditions for 1 article(s)." in output.getvalue()
    assert Article.objects.get(pk=good.pk).lead_image_renditions["sizes"]
    assert Article.objects.get(pk=damaged.pk).lead_image_renditions == {}
