# The models' old import path, kept until they import from articles.images.
from .images.validation import validate_image_upload

__all__ = ["validate_image_upload"]
