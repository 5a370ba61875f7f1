"""The image field: an upload is straightened, stripped of its location and named by its
content as it is stored.

validation.py decides whether an upload is acceptable at all; this module only deals
with images that passed it.
"""

from io import BytesIO
from pathlib import Path

from django import forms
from django.core.files.base import ContentFile
from django.db import models
from PIL import Image, ImageOps

from .validation import ACCEPTED_TYPES, ALLOWED_IMAGE_FORMATS

EXIF_ORIENTATION = 0x0112
EXIF_GPS_IFD = 0x8825


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
        extension = ALLOWED_IMAGE_FORMATS.get(image.format) or image.format.lower()
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
