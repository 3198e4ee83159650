"""Values every page's layout needs."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from claims.cache import fragment_seconds, fragment_version


def site(request: HttpRequest) -> dict:
    return {
        "corrections_email": settings.CORRECTIONS_EMAIL,
        # For {% cache %}: asked of the cache only by a page that caches a fragment.
        "fragment_version": SimpleLazyObject(fragment_version),
        "fragment_seconds": fragment_seconds(),
    }
