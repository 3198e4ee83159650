"""Values every page's layout needs."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"corrections_email": settings.CORRECTIONS_EMAIL}
