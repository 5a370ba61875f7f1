"""Lead images and logos: bad files refused with a clear message and nothing stored;
good ones straightened, stripped of location and cut into renditions once."""

import struct
import zipfile
import zlib
from io import BytesIO, StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from django.urls import reverse
from PIL import Image, PngImagePlugin

from articles import caching
from articles.cache_keys import object_key
from articles.models import Article, Organisation
from articles.tasks.renditions import store_renditions

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


def _png_with_text(text):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    output = BytesIO()
    Image.new("RGB", (32, 32), "olive").save(output, format="PNG", pnginfo=info)
    return output.getvalue()


def _zip():
    output = BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return output.getvalue()


PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"

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
    "25 MB": ("huge.jpg", _image("JPEG") + b"\x00" * (25 * 1024 * 1024), "larger than 20 MB"),
    "another format": ("scan.jpg", _image("BMP"), "Only JPEG, PNG, WebP and GIF"),
    "svg with a script, named .png": (
        "logo.png",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(1)</script></svg>",
        "SVG drawings cannot be uploaded",
    ),
    # Polyglots: valid images that are something else too.
    "GIF with a web page appended": ("anim.gif", _image("GIF") + PAGE, "web page code"),
    "JPEG with a script appended": ("photo.jpg", _image("JPEG") + PAGE[12:], "“<script>”"),
    "PNG with a script in a text chunk": ("chart.png", _png_with_text(PAGE.decode()), "“<html>”"),
    "JPEG with a ZIP archive appended": ("photo.jpg", _image("JPEG") + _zip(), "a ZIP archive"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_lead_image_is_refused_with_its_reason_and_nothing_is_stored(
    editor_client, media_root, settings, tmp_path, kind
):
    # Uploads over 5 MB wait in a temporary file while the form checks them.
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "uploading"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    name, content, message = BAD_FILES[kind]
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url), lead_image_alt="Alt")
    data["lead_image"] = SimpleUploadedFile(name, content)
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["lead_image"])
    assert stored_files(media_root) == []
    assert stored_files(settings.FILE_UPLOAD_TEMP_DIR) == []
    assert not Article.objects.get().lead_image


@pytest.mark.parametrize("kind", ["svg", "decompression bomb", "GIF with a web page appended"])
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
    editor_client, client, media_root, django_capture_on_commit_callbacks
):
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url), lead_image_alt="A launcher in Tal Afar")
    data["lead_image"] = SimpleUploadedFile("taji.jpg", _photo_taken_sideways_with_a_location())
    with django_capture_on_commit_callbacks(execute=True):
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


def _give_lead_image(article, upload):
    article.lead_image = upload
    article.lead_image_alt = "Alt"
    article.save()


def test_renditions_are_made_once_not_on_every_request(client, media_root, db, commit):
    article = make_article()
    commit(
        lambda: _give_lead_image(article, SimpleUploadedFile("a.png", _image("PNG", (900, 500))))
    )
    before = stored_files(media_root)
    assert len(before) == 1 + 2 * 3  # the image; 480, 800 and 900 px as PNG and WebP
    for _ in range(2):
        client.get(article.get_absolute_url())
        commit(article.save)  # a resave of the same image cuts nothing new
    assert stored_files(media_root) == before


def test_the_save_does_not_wait_for_the_renditions(client, media_root, db, commit, monkeypatch):
    purged = []
    monkeypatch.setattr(caching, "purge", lambda keys, **options: purged.append(set(keys)))
    article = make_article()
    saved = []
    commit(
        lambda: (
            saved.append(
                _give_lead_image(article, SimpleUploadedFile("a.png", _image("PNG", (900, 500))))
            )
            or saved.append(stored_files(media_root))
        )
    )
    # When the save returned, only the image was stored; its task cut the copies after
    # the commit and purged the pages that show the image.
    assert saved[1] == [article.lead_image.name]
    article.refresh_from_db()
    assert article.lead_image_renditions["source"] == article.lead_image.name
    assert object_key(article) in purged[-1]


def test_a_new_image_never_shows_the_old_one_s_renditions(client, media_root, db, commit):
    article = make_article()
    commit(
        lambda: _give_lead_image(article, SimpleUploadedFile("old.png", _image("PNG", (900, 500))))
    )
    old_name = article.lead_image.name
    _give_lead_image(article, SimpleUploadedFile("new.png", _image("PNG", (700, 400))))
    article.refresh_from_db()
    assert article.lead_image_renditions == {}
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'src="/media/{article.lead_image.name}"' in page and "srcset" not in page
    # The old image's task, run late, records nothing and leaves no file.
    before = stored_files(media_root)
    assert store_renditions(article.pk, old_name) is False
    assert stored_files(media_root) == before


def test_webp_is_offered_only_where_it_is_smaller(media_root, db, commit):
    article = make_article()
    commit(
        lambda: _give_lead_image(article, SimpleUploadedFile("n.jpg", _image("JPEG", (800, 400))))
    )
    article.refresh_from_db()
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


@pytest.mark.parametrize(
    "uploaded, stored",
    [
        ("page.html", "page.gif"),  # a GIF: served as a web page under its own name
        ("script.js", "script.gif"),
        ("photo.php.jpg", "photo-php.gif"),
        (".htaccess", "htaccess.gif"),
        ("NO EXTENSION", "NO_EXTENSION.gif"),
        ("animation.GIF", "animation.gif"),
    ],
)
def test_an_image_is_stored_under_the_extension_of_its_content(
    editor_client, media_root, uploaded, stored
):
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url), lead_image_alt="Alt")
    data["lead_image"] = SimpleUploadedFile(uploaded, _image("GIF"))
    assert editor_client.post(url, data).status_code == 302
    assert Article.objects.get().lead_image.name.rsplit("/", 1)[1] == stored


BOUNDARY = "NewsroomBoundary"


def _post_with_raw_file_name(client, url, data, disposition):
    """Post the form with the file named exactly as a hostile client writes it: the
    test client would strip the directories itself, before Django could."""
    body = encode_multipart(BOUNDARY, data)
    closing = f"--{BOUNDARY}--\r\n".encode()
    part = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="lead_image"; '
            f"{disposition}\r\nContent-Type: image/png\r\n\r\n"
        ).encode()
        + _image("PNG")
        + b"\r\n"
    )
    body = body.removesuffix(closing) + part + closing
    return client.post(url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


@pytest.mark.parametrize(
    "disposition",
    [
        'filename="../../../escaped.png"',
        'filename="..\\..\\escaped.png"',
        'filename="....//....//escaped.png"',
        'filename="&#46;&#46;/&#46;&#46;/escaped.png"',
        "filename*=UTF-8''..%2F..%2F..%2Fescaped.png",
        'filename="/tmp/escaped.png"',
        'filename=".."',
        'filename="%2e%2e%2fescaped.png"',
    ],
)
def test_a_file_name_with_dot_dots_never_leaves_media_root(
    editor_client, media_root, tmp_path, disposition
):
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url), lead_image_alt="Alt")
    response = _post_with_raw_file_name(editor_client, url, data, disposition)
    assert response.status_code in (200, 302)
    # Whatever became of the name, the only files written are the image (and its
    # renditions) in their folders under MEDIA_ROOT.
    written = stored_files(tmp_path)
    assert all(name.startswith(("media/articles/", "media/renditions/")) for name in written)
    assert all(".." not in name and "%" not in name for name in written), written
    name = Article.objects.get().lead_image.name
    assert name == "" or (media_root / name).is_file()
