"""`manage.py import_article`: good files imported, bad ones refused one line each."""

import io

import pytest
from django.core.management import CommandError, call_command

from articles.importer import MAX_BYTES
from articles.models import Article, Donation, DonationAppeal, Organisation, Quote

from .conftest import SEED_FILE

pytestmark = pytest.mark.django_db

BAD_FILES = {
    "empty.txt": (b"", "the file is empty"),
    "binary.txt": (bytes(range(256)) * 4, "the file is binary, not plain text"),
    "latin1.txt": ("Café Closes\n\nThe café closed.".encode("latin-1"), "not UTF-8 text"),
    "bar-only.txt": (b"0 $\n2,500 $\n5,000 $\n671 $\nMARCH 2021\n", "no headline"),
}


def _counts():
    return [m.objects.count() for m in (Article, Quote, Organisation, DonationAppeal, Donation)]


def _run(*args):
    out = io.StringIO()
    call_command("import_article", *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize("name", BAD_FILES)
def test_it_refuses_a_bad_file_with_one_line_and_writes_nothing(tmp_path, name):
    data, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError) as error:
        _run(path)
    assert error.value.returncode == 1
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert _counts() == [0, 0, 0, 0, 0]


def test_it_refuses_a_50_mb_file_before_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as file:
        file.truncate(50 * 1024 * 1024)  # sparse: no time spent writing it
    assert path.stat().st_size > MAX_BYTES
    with pytest.raises(CommandError, match="huge.txt: the file is 50.0 MB"):
        _run(path)
    assert _counts() == [0, 0, 0, 0, 0]


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        _run(tmp_path / "missing.txt")


def test_in_a_batch_it_imports_the_good_files_and_lists_the_bad(tmp_path):
    paths = []
    for name, (data, _) in BAD_FILES.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    with pytest.raises(CommandError) as error:
        _run(paths[0], SEED_FILE, *paths[1:])
    lines = str(error.value).splitlines()
    assert [line.split(": ")[0] for line in lines] == [str(p) for p in paths]
    assert Article.objects.get().status == Article.Status.DRAFT
    assert Quote.objects.count() == 2


def test_publish_publishes(tmp_path):
    _run(SEED_FILE, "--publish")
    assert Article.objects.published().count() == 1


def test_a_dry_run_prints_the_changes_and_writes_nothing():
    output = _run(SEED_FILE, "--dry-run")
    assert "would make 7 change(s), dry run" in output
    assert "create organisation “US-led coalition” (to review)" in output
    assert _counts() == [0, 0, 0, 0, 0]


def test_running_it_twice_reports_the_article_up_to_date():
    _run(SEED_FILE)
    counts = _counts()
    assert "already up to date" in _run(SEED_FILE)
    assert _counts() == counts
