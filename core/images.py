"""Validation of uploaded images (brand logos, campaign covers, candidate pictures).

An upload is accepted only if Pillow can decode it as JPEG, PNG or WebP within the size
limits; it is then re-encoded, which drops EXIF metadata (a phone photo's GPS position)
and anything appended to the image data, and stored under a random name."""

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # decompression bombs: refuse before decoding
MAX_SIDE = 4000
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


def image_clean(upload: UploadedFile, *, max_side: int = 2000) -> InMemoryUploadedFile:
    """Return a re-encoded copy of `upload`, resized to fit `max_side`, or raise
    ValidationError with a message for the form."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(_("The image is larger than 5 MB."), code="too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE * 4:
                raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")
            probe.verify()  # a truncated or corrupt file fails here
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            if image_format not in FORMATS:
                raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="invalid_format")
            image.thumbnail((max_side, max_side))
            if image_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            buffer = io.BytesIO()
            image.save(buffer, format=image_format)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image we can read (JPEG, PNG or WebP)."), code="invalid_image"
        ) from None
    extension, content_type = FORMATS[image_format]
    buffer.seek(0)
    return InMemoryUploadedFile(
        buffer,
        field_name=None,
        name=f"{secrets.token_hex(12)}.{extension}",
        content_type=content_type,
        size=buffer.getbuffer().nbytes,
        charset=None,
    )
