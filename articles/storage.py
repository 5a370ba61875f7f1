import os
import tempfile

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class _StagedFile:
    """An already written file on disk: FileSystemStorage then moves it instead of copying."""

    def __init__(self, path):
        self.path = path

    def temporary_file_path(self):
        return self.path


class MediaStorage(FileSystemStorage):
    """FileSystemStorage that never leaves a half-written upload in MEDIA_ROOT.

    Django streams an upload straight to its final name, so a disk that fills up (or a
    mount that turns read-only) half-way through leaves a truncated image behind, under a
    real name that backups carry and later uploads step around. Here the bytes go to a
    hidden staging file in MEDIA_ROOT first and are renamed into place only once they are
    all on disk (a rename within one filesystem is atomic); when writing fails, the
    staging file is removed and the error goes up to the caller.
    """

    def _save(self, name, content):
        os.makedirs(self.location, exist_ok=True)
        fd, staged = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=self.location)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                # Some filesystems only report a full disk when the data is flushed.
                os.fsync(out.fileno())
            return super()._save(name, _StagedFile(staged))
        finally:
            # Gone after a successful move; still there when writing or moving failed.
            try:
                os.remove(staged)
            except FileNotFoundError:
                pass


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
