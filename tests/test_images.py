"""Lead images and logos: bad files refused with a clear message and nothing stored;
good ones straightened, stripped of location and cut into renditions once."""

import struct
import zlib
from io import BytesIO, StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article, Organisation

from .admin_forms import change_form_data
from .conftest import make_article, make_organisation, stored_files


def _image(image_format, size=(64, 48), exif=None):
    output = BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.effect_noise(size, 60).convert("RGB").save(output, format=image_format, **options)
    return output.getvalue()


def _png_claiming(width, height):
    """A tiny PNG whose header claims an enormous size, as a decompression bomb does."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


BAD_FILES = {
    "svg": (
        "chart.svg",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
        "SVG drawings cannot be uploaded",
    ),
    "text renamed .jpg": (
        "photo.jpg",
        b"This is a press release, not a photo.\n" * 20,
        "not a readable image",
    ),
    "truncated": ("cut.jpg", _image("JPEG", (400, 300))[:3000], "not a readable image"),
    "decompression bomb": ("bomb.png", _png_claiming(30_000, 30_000), "too large to open safely"),
    "over 40 megapixels": ("huge.png", _png_claiming(8_000, 6_000), "more than 40 megapixels"),
    "over 20 MB": ("big.jpg", b"\xff\xd8" + b"\x00" * (20 * 1024 * 1024), "larger than 20 MB"),
    "another format": ("scan.jpg", _image("BMP"), "Only JPEG, PNG, WebP and GIF"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_lead_image_is_refused_with_its_reason_and_nothing_is_stored(
    editor_client, media_root, kind
):
    name, content, message = BAD_FILES[kind]
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url), lead_image_alt="Alt")
    data["lead_image"] = SimpleUploadedFile(name, content)
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["lead_image"])
    assert stored_files(media_root) == []
    assert not Article.objects.get().lead_image


@pytest.mark.parametrize("kind", ["svg", "decompression bomb"])
def test_a_bad_logo_is_refused_too(editor_client, media_root, kind):
    name, content, message = BAD_FILES[kind]
    organisation = make_organisation()
    url = reverse("admin:articles_organisation_change", args=[organisation.pk])
    data = change_form_data(editor_client.get(url))
    data["logo"] = SimpleUploadedFile(name, content)
    response = editor_client.post(url, data)
    assert message in str(response.context["adminform"].form.errors["logo"])
    assert stored_files(media_root) == []


def _photo_taken_sideways_with_a_location():
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (33.0, 18.0, 0.0)
    return _image("JPEG", (1000, 600), exif=exif.tobytes())


def test_a_good_photo_is_straightened_stripped_of_location_and_cut_into_renditions(
    editor_client, client, media_root
):
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url), lead_image_alt="A launcher in Tal Afar")
    data["lead_image"] = SimpleUploadedFile("taji.jpg", _photo_taken_sideways_with_a_location())
    assert editor_client.post(url, data).status_code == 302

    article = Article.objects.get()
    with Image.open(article.lead_image.path) as stored:
        assert stored.size == (600, 1000)  # upright
        exif = stored.getexif()
        assert 0x8825 not in exif
        assert exif.get(0x0112, 1) == 1
    widths = [size["width"] for size in article.lead_image_renditions["sizes"]]
    assert widths == [480, 600]
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'srcset="' in page and " 480w" in page
    assert 'alt="A launcher in Tal Afar"' in page


def test_renditions_are_made_once_not_on_every_request(client, media_root, db):
    article = make_article()
    article.lead_image = SimpleUploadedFile("a.png", _image("PNG", (900, 500)))
    article.lead_image_alt = "Alt"
    article.save()
    before = stored_files(media_root)
    for _ in range(2):
        client.get(article.get_absolute_url())
        article.save()  # a resave of the same image cuts nothing new
    assert stored_files(media_root) == before
    assert any(name.endswith(".webp") or name.endswith(".png") for name in before)


def test_webp_is_offered_only_where_it_is_smaller(media_root, db):
    article = make_article()
    article.lead_image = SimpleUploadedFile("n.jpg", _image("JPEG", (800, 400)))
    article.lead_image_alt = "Alt"
    article.save()
    for size in article.lead_image_renditions["sizes"]:
        fallback = (media_root / size["name"]).stat().st_size
        chosen = (media_root / size["smallest"]).stat().st_size
        assert chosen <= fallback


def test_a_good_logo_is_stored(editor_client, media_root):
    organisation = make_organisation()
    url = reverse("admin:articles_organisation_change", args=[organisation.pk])
    data = change_form_data(editor_client.get(url))
    data["logo"] = SimpleUploadedFile("logo.png", _image("PNG"))
    assert editor_client.post(url, data).status_code == 302
    assert Organisation.objects.get().logo.name.startswith("organisations/")


def test_a_missing_image_file_does_not_stop_a_save(media_root, db):
    article = make_article()
    article.lead_image = "articles/2021/03/not-there.jpg"
    article.lead_image_alt = "Alt"
    article.save()
    assert Article.objects.get().lead_image_renditions == {}


def test_the_command_makes_renditions_for_images_stored_before_them(media_root, db):
    from django.core.management import call_command

    article = make_article()
    article.lead_image = SimpleUploadedFile("old.png", _image("PNG", (700, 400)))
    article.lead_image_alt = "Alt"
    article.save()
    Article.objects.filter(pk=article.pk).update(lead_image_renditions={})
    call_command("make_renditions", stdout=StringIO())
    assert Article.objects.get().lead_image_renditions["sizes"][0]["width"] == 480
