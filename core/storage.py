"""Where files live. Public uploads (logos, covers, candidate pictures) are in MEDIA_ROOT
and served under MEDIA_URL; exports hold a campaign's data and live in a private folder
that no URL maps to: only the permission-checked download view reads them."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.FOULE_PRIVATE_ROOT, base_url=None)
