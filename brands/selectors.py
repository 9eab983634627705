"""Reads about brands."""

from brands.models import Brand


def brands_of_member(*, user) -> list[Brand]:
    """The brands a user belongs to (the first five by name), for the header's links: one
    query."""
    if not user.is_authenticated:
        return []
    return list(Brand.objects.filter(memberships__user=user).order_by("name")[:5])
