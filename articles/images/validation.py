import re
import zipfile

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

# The kinds of image accepted, each with the extension it is stored under (fields.py).
ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# The same kinds, for the file picker's filter.
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,image/gif"
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
# A photo never holds a web page: one that does is a polyglot, a file made to be read
# as something else too. Only tags of five letters or more, so that the bytes of an
# ordinary photo practically never spell one by chance.
_WEB_CODE = re.compile(rb"<(?:script|iframe|object|embed|html|body|\?php)[\s/>]", re.I)


def validate_image_upload(file):
    """Accept only real JPEG, PNG, WebP or GIF images of a sane size.

    Pillow reads the header to name the format and decodes the pixels to catch a
    truncated file; the pixel cap is checked before decoding, so a decompression bomb
    is refused without being expanded in memory.
    """
    if getattr(file, "_committed", False):
        return  # already stored: it was checked when it was uploaded
    if file.size is not None and file.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            "The image is larger than 20 MB. Export it smaller and upload it again.",
            code="image_too_large",
        )
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        if _looks_like_svg(file.read(1024)):
            # Pillow cannot read SVG, and an SVG can carry scripts: say so plainly.
            raise ValidationError(
                "SVG drawings cannot be uploaded. Export it as a PNG and upload that.",
                code="image_svg",
            )
        file.seek(0)
        with Image.open(file) as image:
            if image.format not in ALLOWED_IMAGE_FORMATS:
                raise ValidationError(
                    "Only JPEG, PNG, WebP and GIF images can be uploaded "
                    "(this file is %(format)s).",
                    code="image_format",
                    params={"format": image.format or "not an image"},
                )
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "The image has more than 40 megapixels (%(width)s × %(height)s). "
                    "Resize it and upload it again.",
                    code="image_too_many_pixels",
                    params={"width": width, "height": height},
                )
            image.load()
        _refuse_polyglot(file)
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise ValidationError(
            "The image is too large to open safely.", code="image_bomb"
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            "The file is not a readable image (it may be damaged or of another type).",
            code="image_invalid",
        ) from error
    finally:
        if position is not None:
            file.seek(position)


def _refuse_polyglot(file):
    """Refuse an image with an archive or web page code joined to it or hidden in it.

    Refused rather than re-encoded: a clean upload is kept byte for byte as the
    photographer exported it (see fields.clean_image), and such a file is no photo.
    """
    file.seek(0)
    if zipfile.is_zipfile(file):
        hidden = "a ZIP archive"
    else:
        file.seek(0)
        if not (found := _WEB_CODE.search(file.read())):
            return
        hidden = f"web page code (“{found.group().decode('ascii').strip()}”)"
    raise ValidationError(
        "The image has %(hidden)s hidden in it. Open it in a photo editor, export it "
        "again and upload the new file.",
        code="image_polyglot",
        params={"hidden": hidden},
    )


def _looks_like_svg(head):
    head = head.lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head
