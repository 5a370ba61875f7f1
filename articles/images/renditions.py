"""Resized copies of a lead image, cut once after it is stored (by a task, see
`tasks.renditions`), for the page's srcset."""

import hashlib
import logging
from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image

logger = logging.getLogger(__name__)

# Widths readers' browsers choose from (srcset); the article column is at most ~640 CSS
# pixels, so 1600 covers it on a 2.5× screen.
RENDITION_WIDTHS = (480, 800, 1200, 1600)
JPEG_QUALITY = 85
WEBP_QUALITY = 80
# The widest or tallest image WebP can hold.
WEBP_MAX_SIDE = 16383


class RenditionError(Exception):
    """Pillow read the image but could not encode a resized copy of it."""


def renditions_for(image_file):
    """Resized copies of a stored image, written to storage once, as a dict to keep.

    Each width gets a copy in the source's own kind (JPEG, or PNG for a PNG) and one in
    WebP where WebP can hold it and is smaller; `smallest` names the file a WebP-capable
    browser should load for that width.

    All or nothing: each file is written under a staging name and renamed into place
    (MediaStorage), and when any copy fails (a full disk, an encoder's limit) the ones
    already written are deleted before the error goes up, since no row will record them.
    """
    if not image_file:
        return {}
    storage = image_file.storage
    if not storage.exists(image_file.name):
        # A path set by an import before its file arrived: nothing to cut yet. Returning
        # no "source" means the next save tries again.
        logger.warning("Lead image %s is missing; no renditions made.", image_file.name)
        return {}
    folder = "renditions/" + hashlib.sha256(image_file.name.encode()).hexdigest()[:16]
    written = []
    try:
        return _cut_renditions(image_file, folder, written)
    except BaseException:
        _delete_files(storage, written)
        raise


def delete_renditions(storage, renditions):
    """Delete the files of renditions that no row records (cut for an image replaced
    while they were being cut)."""
    sizes = renditions.get("sizes", [])
    _delete_files(storage, {name for size in sizes for name in (size["name"], size["smallest"])})


def _delete_files(storage, names):
    folders = set()
    for name in names:
        storage.delete(name)
        folders.add(name.rpartition("/")[0])
    for folder in folders:
        try:
            storage.delete(folder)  # removed only when empty
        except OSError:
            pass


def _cut_renditions(image_file, folder, written):
    storage = image_file.storage
    with image_file.open("rb"), Image.open(image_file) as source:
        source.load()
        result = {"source": image_file.name, "width": source.width, "height": source.height}
        if source.format == "GIF":
            return {**result, "sizes": []}  # resizing would drop the animation
        fallback = "PNG" if source.format == "PNG" else "JPEG"
        if fallback == "JPEG" and source.mode not in ("RGB", "L"):
            source = source.convert("RGB")
        widths = [w for w in RENDITION_WIDTHS if w < source.width]
        if source.width <= RENDITION_WIDTHS[-1]:
            widths.append(source.width)
        sizes = []
        for width in widths:
            height = max(1, round(source.height * width / source.width))
            resized = source.resize((width, height), Image.Resampling.LANCZOS)
            encoded = _encode(resized, fallback)
            name = storage.save(f"{folder}/{width}.{fallback.lower()}", ContentFile(encoded))
            written.append(name)
            smallest = name
            # A tall image's narrow copies outgrow WebP; browsers then load the fallback.
            if height <= WEBP_MAX_SIDE and len(webp := _encode(resized, "WEBP")) < len(encoded):
                smallest = storage.save(f"{folder}/{width}.webp", ContentFile(webp))
                written.append(smallest)
            sizes.append({"width": width, "name": name, "smallest": smallest})
    return {**result, "sizes": sizes}


def _encode(image, image_format):
    options = {
        "JPEG": {"quality": JPEG_QUALITY, "optimize": True, "progressive": True},
        "PNG": {"optimize": True},
        "WEBP": {"quality": WEBP_QUALITY, "method": 4},
    }[image_format]
    output = BytesIO()
    try:
        image.save(output, format=image_format, **options)
    except (OSError, ValueError) as error:
        # Pillow's encoders fail with either; neither is about the disk (this is memory).
        raise RenditionError(f"{image_format}: {error}") from error
    return output.getvalue()
