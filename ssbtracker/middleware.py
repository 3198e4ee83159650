"""Middleware for requests that no view should have to think about."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import bad_request

API_PREFIX = "/api/"


def _is_text(raw: bytes) -> bool:
    """UTF-8 without a NUL: what a path or a query parameter can be."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


class RefuseUndecodableRequestsMiddleware:
    """A path or query holding a NUL or bytes that are not UTF-8 is a 400, before any view.

    Django passes such bytes on (re-percent-encoded in the path, replaced in the query), and
    PostgreSQL refuses a NUL in any text it is given: a lookup by slug became a server error.
    Nothing the site links to holds either. The 400 is JSON under /api/, HTML elsewhere.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "").replace("+", " ")
        # Django keeps bytes that are not UTF-8 in path_info percent-encoded ("%FF"), so they
        # are read back from there; no path of the site holds a "%" of its own.
        if _is_text(unquote_to_bytes(request.path_info)) and _is_text(unquote_to_bytes(query)):
            return self.get_response(request)
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse(
                {"detail": "The address holds bytes that are not text.", "errors": {}},
                status=400,
            )
        return bad_request(request, ValueError("bytes that are not text"))


class HeadMiddleware:
    """HEAD answers as GET does, with the same headers and no body.

    The pages allow HEAD themselves (`require_safe`); django-ninja routes only the methods an
    operation names, and naming HEAD on each would list every operation twice, under one id,
    in the OpenAPI schema, so on the API a HEAD is dispatched as a GET. The body is dropped
    here rather than by the server (gunicorn drops it too, but logs a line for each one).
    Placed outside CommonMiddleware, which sets the Content-Length that GET would carry.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        if request.path_info.startswith(API_PREFIX):
            request.method = "GET"
            try:
                response = self.get_response(request)
            finally:
                request.method = "HEAD"
        else:
            response = self.get_response(request)
        if response.streaming:
            response.streaming_content = []  # the old iterator is closed with the response
        else:
            response.content = b""
        return response
