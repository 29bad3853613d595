from django.utils.functional import SimpleLazyObject

from wards.access import access_for


def access(request):
    """`access` in every template: the user's grants, computed only if a template asks."""
    return {"access": SimpleLazyObject(lambda: access_for(getattr(request, "user", None)))}
