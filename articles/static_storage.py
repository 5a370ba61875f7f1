from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, hashed static files, each URL worked out once a process.

    Finding a file's hashed URL (normalising the path, looking it up in the manifest,
    quoting the result) costs about 40 µs, and every page asks for the same five or so.
    The manifest cannot change under a running process: a deploy runs collectstatic and
    restarts the workers.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        # DEBUG is in the key because Django's answer depends on it (unhashed names).
        key = (name, force, settings.DEBUG)
        if (url := self._urls.get(key)) is None:
            url = self._urls[key] = super().url(name, force)
        return url
