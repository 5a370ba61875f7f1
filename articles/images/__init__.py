"""Uploaded images: the upload checks (validation), the field that straightens an upload
and strips its location as it is stored (fields), the renditions cut once from it
(renditions) and the media storage that never leaves a half-written file (storage)."""

from .fields import CleanImageField
from .renditions import RenditionError, delete_renditions, renditions_for
from .validation import validate_image_upload

__all__ = [
    "CleanImageField",
    "RenditionError",
    "delete_renditions",
    "renditions_for",
    "validate_image_upload",
]
