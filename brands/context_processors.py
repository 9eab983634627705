from django.utils.functional import SimpleLazyObject

from brands.selectors import brands_of_member


def my_brands(request):
    """The header links a brand's team to its brand page (their campaigns, drafts,
    dashboards): the user's brands, computed only if a template reads them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_brands": []}
    return {"my_brands": SimpleLazyObject(lambda: brands_of_member(user=user))}
