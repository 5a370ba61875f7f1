"""Uploaded images: made safe to publish as they are stored, cut into renditions once.

validators.py decides whether an upload is acceptable at all; this module only deals
with images that passed it.
"""

import hashlib
import logging
from io import BytesIO
from pathlib import Path

from django import forms
from django.core.files.base import ContentFile
from django.db import models
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

# Widths readers' browsers choose from (srcset); the article column is at most ~640 CSS
# pixels, so 1600 covers it on a 2.5× screen.
RENDITION_WIDTHS = (480, 800, 1200, 1600)
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,image/gif"
EXIF_ORIENTATION = 0x0112
EXIF_GPS_IFD = 0x8825
JPEG_QUALITY = 85
WEBP_QUALITY = 80
# The widest or tallest image WebP can hold.
WEBP_MAX_SIDE = 16383
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def clean_image(file):
    """The upload with its EXIF orientation applied and its location data removed.

    Returns None when the image needs neither, so an ordinary upload is stored byte for
    byte as the photographer exported it (no needless re-encoding). GIFs are left alone:
    re-encoding would drop their animation, and they carry no EXIF location.
    """
    file.seek(0)
    with Image.open(file) as image:
        exif = image.getexif()
        rotated = exif.get(EXIF_ORIENTATION, 1) != 1
        located = EXIF_GPS_IFD in exif
        if image.format == "GIF" or not (rotated or located):
            return None
        image_format = image.format
        icc_profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)  # also resets the orientation tag
    exif = upright.getexif()
    exif.pop(EXIF_GPS_IFD, None)
    options = {"exif": exif.tobytes()}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if image_format == "JPEG":
        options["quality"] = 92
    output = BytesIO()
    # XMP, which can also hold a location, is not passed on, so it is dropped too.
    upright.save(output, format=image_format, **options)
    file.seek(0)
    return ContentFile(output.getvalue())


def name_for_content(file):
    """The upload's name, ending as its content does, with no other dot in it.

    The web server picks a file's type by its name: a GIF uploaded as "page.html" or
    "page.js" would be served from the site's own address as a page or a script, and
    "photo.php.jpg" runs as PHP under some Apache setups.
    """
    file.seek(0)
    with Image.open(file) as image:
        extension = EXTENSIONS.get(image.format) or image.format.lower()
    file.seek(0)
    stem = Path(file.name).stem.replace(".", "-").strip("-") or "image"
    return f"{stem}.{extension}"


class CleanImageField(models.ImageField):
    """An ImageField that straightens and strips an upload, and names it by its
    content, before storing it."""

    def formfield(self, **kwargs):
        # A plain file field: Django's image form field would answer every bad file with
        # one vague "Upload a valid image"; validate_image_upload says what is wrong.
        return models.FileField.formfield(
            self,
            **{
                "form_class": forms.FileField,
                "widget": forms.ClearableFileInput(attrs={"accept": ACCEPTED_TYPES}),
                **kwargs,
            },
        )

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            cleaned = clean_image(file)
            if cleaned is not None:
                file.file = cleaned
            file.name = name_for_content(file)
        return super().pre_save(model_instance, add)


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
        for name in written:
            storage.delete(name)
        try:
            storage.delete(folder)  # removed only when empty
        except OSError:
            pass
        raise


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
