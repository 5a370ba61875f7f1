"""Static file URLs as readers get them in production (hashed by the manifest)."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

MANIFEST = {
    "version": "1.1",
    "hash": "0",
    "paths": {"css/site.css": "css/site.5e0f1a.css", "img/logo.png": "img/logo.77ab.png"},
}


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "staticfiles.json").write_text(json.dumps(MANIFEST))
    return CompressedManifestStaticFilesStorage(location=tmp_path, base_url="/static/")


def test_urls_are_the_hashed_names_from_the_manifest(storage, settings):
    settings.DEBUG = False
    for _ in range(2):
        assert storage.url("css/site.css") == "/static/css/site.5e0f1a.css"
        assert storage.url("img/logo.png") == "/static/img/logo.77ab.png"


def test_debug_gets_the_unhashed_name_even_after_a_hashed_one(storage, settings):
    settings.DEBUG = False
    assert storage.url("css/site.css") == "/static/css/site.5e0f1a.css"
    settings.DEBUG = True
    assert storage.url("css/site.css") == "/static/css/site.css"


def test_a_file_missing_from_the_manifest_is_an_error_every_time(storage, settings):
    settings.DEBUG = False
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
