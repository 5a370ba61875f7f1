import os
import tempfile

from django.core.files.storage import FileSystemStorage


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
