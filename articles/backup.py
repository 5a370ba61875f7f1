"""Backup and restore of the whole site: every row and every media file, in one archive.

The rows are dumped with Django's serializer (natural keys for references to content
types and permissions), so an archive made on SQLite restores on PostgreSQL and back. A
manifest holds the row count of each model and the SHA-256 of each media file; a restore
checks both before it commits, so a damaged archive never half-replaces a working site.
"""

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

FORMAT_VERSION = 1
# The extension tells loaddata the format: JSON with times to the microsecond.
DATA_FILE = "data.precise_json"
# Rows Django rebuilds by itself (content types, permissions) or that are transient.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line for the user."""


def backed_up_models():
    skipped_apps = {label for label in EXCLUDED if "." not in label}
    skipped_models = {label for label in EXCLUDED if "." in label}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in skipped_apps or label in skipped_models:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def row_counts():
    return {m._meta.label_lower: m._default_manager.count() for m in backed_up_models()}


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root=None):
    root = Path(root or settings.MEDIA_ROOT)
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def create_backup(destination):
    """Write the archive to `destination` (a .tar.gz path) and return its manifest."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    data = io.StringIO()
    call_command(
        "dumpdata",
        format="precise_json",
        exclude=EXCLUDED,
        # Rows keep their primary keys; references to content types and permissions,
        # which `flush` recreates with new ids, go by natural key.
        natural_foreign=True,
        stdout=data,
        verbosity=0,
    )
    payload = data.getvalue().encode()
    with transaction.atomic():
        counts = row_counts()
    manifest = {
        "format": FORMAT_VERSION,
        "rows": counts,
        "media": media_files(),
        "data_sha256": hashlib.sha256(payload).hexdigest(),
    }
    # Write beside the target and rename, so a crash never leaves a truncated archive
    # under the final name.
    partial = destination.with_name(destination.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
        _add_bytes(archive, DATA_FILE, payload)
        media_root = Path(settings.MEDIA_ROOT)
        for name in manifest["media"]:
            archive.add(media_root / name, arcname=f"media/{name}")
    partial.replace(destination)
    return manifest


def _add_bytes(archive, name, content):
    info = tarfile.TarInfo(name)
    info.size = len(content)
    archive.addfile(info, io.BytesIO(content))


def restore_backup(source):
    """Replace every row and media file with the archive's; all or nothing."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    with tempfile.TemporaryDirectory(prefix="newsroom-restore-") as scratch:
        scratch = Path(scratch)
        manifest = _unpack(source, scratch)
        data_file = scratch / DATA_FILE
        if hashlib.sha256(data_file.read_bytes()).hexdigest() != manifest["data_sha256"]:
            raise BackupError(f"{source}: the data does not match its checksum")
        staged_media = scratch / "media"
        if media_files(staged_media) != manifest["media"]:
            raise BackupError(f"{source}: the media files do not match the manifest")

        with transaction.atomic():
            # flush empties every table (and recreates content types and permissions);
            # loaddata checks foreign keys and resets PostgreSQL's sequences. Both run
            # inside this transaction, so a failure leaves the old site untouched.
            # PostgreSQL refuses to TRUNCATE tables with deferred foreign-key checks
            # still pending in this transaction: run them first.
            connection.check_constraints()
            call_command("flush", interactive=False, verbosity=0)
            # flush recreated the content types under new ids: forget the cached ones.
            ContentType.objects.clear_cache()
            call_command("loaddata", str(data_file), verbosity=0)
            if (counts := row_counts()) != manifest["rows"]:
                raise BackupError(f"{source}: restored rows differ from the manifest: {counts}")
            _swap_media(staged_media)
    return manifest


def _unpack(source, scratch):
    try:
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(scratch, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{source}: not a readable backup archive ({error})") from error
    try:
        manifest = json.loads((scratch / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{source}: the archive has no valid manifest.json") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{source}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _swap_media(staged):
    """Put the restored media in place by renames on the media disk."""
    root = Path(settings.MEDIA_ROOT)
    incoming = root.with_name(root.name + ".restoring")
    previous = root.with_name(root.name + ".before-restore")
    for leftover in (incoming, previous):
        if leftover.exists():
            shutil.rmtree(leftover)
    if staged.exists():
        shutil.copytree(staged, incoming)
    else:
        incoming.mkdir(parents=True)
    if root.exists():
        root.rename(previous)
    incoming.rename(root)
    if previous.exists():
        shutil.rmtree(previous)
