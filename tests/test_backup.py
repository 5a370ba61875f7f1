import io
import json
import tarfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from articles import services
from articles.backup import DATA_FILE, backed_up_models, media_files
from articles.models import Article, DonationAppeal, Organisation

from .conftest import make_appeal, make_story


def _png_bytes(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _everything():
    """Every backed-up row, content types named by natural key as a restore keeps them."""
    rows = []
    for model in backed_up_models():
        rows += json.loads(
            # Times to the microsecond: Django's own JSON would hide a sub-millisecond loss.
            serializers.serialize(
                "precise_json",
                model._default_manager.all(),
                use_natural_foreign_keys=True,
            )
        )
    for row in rows:
        # Many-to-many ids come back in whatever order the database returns them.
        for name, value in row["fields"].items():
            if isinstance(value, list):  # ids, or natural keys (group permissions)
                row["fields"][name] = sorted(value, key=json.dumps)
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))


@pytest.fixture
def site(db, editor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    make_story()
    call_command(
        "generate_demo",
        articles=1_000,
        organisations=50,
        topics=20,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    # A time in the first millisecond of a second: the case plain JSON gets wrong.
    Article.objects.filter(pk=Article.objects.order_by("pk").first().pk).update(
        created_at=datetime(2021, 3, 1, 12, 0, 0, 123, tzinfo=UTC)
    )
    article = Article.objects.order_by("pk").last()
    article.lead_image_alt = "A red square"  # required once published, as it may be
    article.lead_image.save("lead.png", ContentFile(_png_bytes("red")))
    organisation = Organisation.objects.get(name="ISIS")
    organisation.logo.save("logo.png", ContentFile(_png_bytes("blue")))
    services.appeal_record_donation(
        appeal=DonationAppeal.objects.get(), amount=Decimal("12.34"), recorded_by=editor
    )
    yield tmp_path
    # The restore recreated content types; the test's rollback brings the old ids back.
    ContentType.objects.clear_cache()


def test_a_backup_round_trip_is_lossless(site):
    archive = site / "backup.tar.gz"
    before_rows, before_media = _everything(), media_files()
    assert Article.objects.count() == 1_001 and len(before_media) >= 2

    call_command("backup", output=str(archive), stdout=io.StringIO())
    Article.objects.all().delete()
    make_appeal(campaign_month=date(2030, 1, 1))
    for path in list(media_files()):
        (site / "media" / path).unlink()

    call_command("restore", str(archive), stdout=io.StringIO())
    assert _everything() == before_rows
    assert media_files() == before_media
    assert DonationAppeal.objects.with_raised().get().raised == Decimal("683.34")


def test_a_damaged_archive_is_refused_and_changes_nothing(site):
    archive = site / "backup.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as original:
        members = {m.name: original.extractfile(m).read() for m in original if m.isfile()}
    members[DATA_FILE] = members[DATA_FILE].replace(b"Camp Taji", b"Camp Tajj")
    damaged = site / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as out:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            out.addfile(info, io.BytesIO(content))
    before = _everything()
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(damaged), stdout=io.StringIO())
    assert _everything() == before


def test_restoring_a_missing_file_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore", str(tmp_path / "nope.tar.gz"))


def test_media_files_are_listed_relative_to_the_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.txt").write_bytes(b"x")
    assert list(media_files()) == ["a/b.txt"]
