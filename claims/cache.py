"""The page and facet cache, never stale after an edit.

Every key holds the *data version*: a token in the "versions" cache, replaced whenever a
tracker row is saved or deleted (claims/signals.py), or written in bulk (the commands that do
so call bump_data_version()). An edit therefore moves every page and count to new keys at
once; old entries are never read again and expire. Keys also hold the day, since pages are
"as of today" unless they say otherwise and statuses move with the date.

The versions cache is shared by every process that serves the site: Redis in production
(REDIS_URL), a small file-based cache on one machine otherwise (see settings.py), so that an
edit saved by one worker reaches all of them.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import secrets
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

DATA_VERSION_KEY = "claims:data-version"


def _release() -> str:
    """Which code is serving: RELEASE if set, else a digest of the code and templates' files.

    Part of every key, so pages cached by the previous release are not served after a deploy.
    """
    if release := os.environ.get("RELEASE"):
        return release
    digest = hashlib.blake2b(digest_size=6)
    for folder in ("claims", "templates", "static", "ssbtracker"):
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".css", ".js", ".svg"}:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


RELEASE = _release()
#: Response headers worth keeping with a cached page (the outer middleware adds the rest).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Last-Modified", "Vary")


def _versions():
    return caches["versions"] if "versions" in settings.CACHES else cache


#: A bump of the data version that the cache did not take (it did not answer): made as soon
#: as it answers again, so pages cached before the outage are not served after an edit made
#: during it. Owed too by a process that found no version at all (the cache down), since an
#: edit may have been saved meanwhile by a process that no longer runs.
_bump_owed = False


def data_version() -> str | None:
    """The current data version (a fresh one if none is stored, e.g. after an eviction);
    None while the cache does not answer, when nothing is cached."""
    global _bump_owed
    _pay_owed_bump()
    store = _versions()
    # Redis keeps each process's copy of the version current (ssbtracker.cache.Watch): no
    # round trip while the data does not change.
    read = getattr(store, "get_watched", store.get)
    version = read(DATA_VERSION_KEY)
    if version is None:
        store.add(DATA_VERSION_KEY, secrets.token_hex(8), timeout=None)
        version = read(DATA_VERSION_KEY)
        if version is None:
            _bump_owed = True
    return version


def _pay_owed_bump() -> None:
    if _bump_owed:
        bump_data_version()


def bump_data_version() -> None:
    """Move every cached page and count to new keys: call after any write to tracker data."""
    global _bump_owed
    # False only from a cache that did not answer (ssbtracker.cache); others return None.
    _bump_owed = _versions().set(DATA_VERSION_KEY, secrets.token_hex(8), timeout=None) is False


def bump_data_version_now_and_on_commit() -> None:
    """Bump now, and again when the transaction commits.

    The second bump matters: another request may render a page between the first bump and
    the commit, reading the old rows; it must not stay cached under the current version.
    """
    bump_data_version()
    transaction.on_commit(bump_data_version)


def _key(kind: str, *parts: Any) -> str | None:
    """The key of a count, None while the cache does not answer."""
    version = data_version()
    if version is None:
        return None
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"{kind}:{RELEASE}:{version}:{date.today().isoformat()}:{digest}"


#: How long counts derived from all the data are kept. They cannot go stale (an edit moves
#: them to new keys), and some take seconds to compute, so for a day.
DERIVED_SECONDS = 24 * 60 * 60


def remember(kind: str, parts: tuple, compute: Callable[[], Any]) -> Any:
    """compute(), cached under the data version for `parts` (which must name every input)."""
    if not settings.PAGE_CACHE_SECONDS:
        return compute()
    key = _key(kind, *parts)
    if key is None:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, DERIVED_SECONDS)
    return value


def fragment_version() -> str:
    """What every cached template fragment's key holds besides the fragment's own inputs
    (`{% cache fragment_seconds name ... fragment_version %}`): the release and the data
    version, so a deploy or an edit moves every fragment to new keys at once. While the cache
    does not answer, a fresh token: nothing is reused then."""
    version = data_version()
    return f"{RELEASE}:{version}" if version else secrets.token_hex(8)


def fragment_seconds() -> int:
    """How long a rendered fragment is kept: as long as derived counts, none without a cache."""
    return DERIVED_SECONDS if settings.PAGE_CACHE_SECONDS else 0


def _cacheable_request(request: HttpRequest) -> bool:
    """An anonymous GET (or HEAD: the same page without its body): no session cookie, so
    nothing on the page depends on who asks."""
    return (
        request.method in ("GET", "HEAD")
        and settings.PAGE_CACHE_SECONDS > 0
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    """A public 200 that sets no cookie (kept in the cache unless streamed).

    A page may carry the CSP nonce of the response it was first rendered for (django-htmx
    puts it on its <script src> tag); a cached copy is sent with a policy without that
    nonce, which still allows the site's own script files ('self'). Pages have no inline
    script that would need the nonce.
    """
    return (
        response.status_code == 200
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def page_key(request: HttpRequest) -> str:
    """The full URL (host, path, query), whether htmx asked for a partial, and the day.

    Not the data version: a cached page carries the version it was rendered under, and is
    served only while that is still the current one.
    """
    parts = (
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-History-Restore-Request", ""),
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"page:{RELEASE}:{date.today().isoformat()}:{digest}"


#: Pages also kept by each process (when configured: beside Redis), so that the pages most
#: asked for cost no round trip; an entry there is served only under the current version.
LOCAL_PAGES = "local-pages"


def _local_pages():
    return caches[LOCAL_PAGES] if LOCAL_PAGES in settings.CACHES else None


def _cached_page(key: str) -> tuple[str | None, tuple | None]:
    """(the current data version, the page cached under `key` if rendered under it); the
    version is None while the cache does not answer."""
    version = data_version()
    if version is None:
        return None, None
    local = _local_pages()
    if local is not None and (entry := local.get(key)) is not None and entry[0] == version:
        return version, entry
    entry = cache.get(key)
    if entry is not None and entry[0] == version:
        if local is not None:
            local.set(key, entry, settings.PAGE_CACHE_SECONDS)
        return version, entry
    return version, None


def _keep_page(key: str, entry: tuple) -> None:
    cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
    if (local := _local_pages()) is not None:
        local.set(key, entry, settings.PAGE_CACHE_SECONDS)


#: Pages larger than this are kept gzipped, and sent so to clients that accept it.
GZIP_OVER_BYTES = 1024


def _to_cache(version: str, response: HttpResponse) -> tuple:
    """What the cache keeps of a page: compressed once here, not on every request."""
    headers = [(h, response[h]) for h in KEPT_HEADERS if response.has_header(h)]
    content, gzipped = response.content, False
    if len(content) > GZIP_OVER_BYTES:
        content, gzipped = gzip.compress(content, compresslevel=4, mtime=0), True
    return (version, response.status_code, content, gzipped, headers)


def _from_cache(request: HttpRequest, entry: tuple) -> HttpResponse:
    _, status, content, gzipped, headers = entry
    if gzipped and "gzip" not in request.headers.get("Accept-Encoding", ""):
        content, gzipped = gzip.decompress(content), False
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    response.headers["X-Cache"] = "hit"
    return response


#: What an anonymous page tells browsers and shared caches (a CDN): keep it, but ask again
#: each time, with its ETag, and take the 304 while the data has not changed.
PUBLIC_CACHE_CONTROL = {"public": True, "max_age": 0, "must_revalidate": True}


def page_etag(key: str, version: str) -> str:
    """The validator of a page: its key (URL, htmx variant, day, release) and the data
    version it shows. Weak: a page may go gzipped or not."""
    digest = hashlib.blake2b(f"{key}:{version}".encode(), digest_size=12).hexdigest()
    return f'W/"{digest}"'


def _validated(response: HttpResponse, etag: str) -> HttpResponse:
    """The validator and the caching rules of a public page, on any response of it."""
    response.headers["ETag"] = etag
    patch_cache_control(response, **PUBLIC_CACHE_CONTROL)
    # Shared caches keep one copy for everyone without a session (editors see their own),
    # and the htmx partial apart from the whole page.
    patch_vary_headers(response, ["Accept-Encoding", "Cookie", "HX-Request"])
    return response


def _not_modified(request: HttpRequest, key: str) -> HttpResponse | None:
    """A 304 if the request holds the current ETag of the page under `key`: revalidation
    needs only the data version, not the cached page itself."""
    version = data_version()
    if version is None:
        return None
    etag = page_etag(key, version)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is None:
        return None
    # With the headers a 200 would carry (RFC 9110 15.4.5).
    not_modified.headers["X-Cache"] = "revalidated"
    return _validated(not_modified, etag)


class RevalidationMiddleware:
    """Answers the revalidation of a public page (a matching If-None-Match) with its 304
    before the session, CSRF, authentication and messages middleware: the 304 needs only the
    data version, and an anonymous request gets nothing from them. Placed after the security
    and CSP middleware, whose headers every response carries. Any other request, and a
    revalidation that does not match, goes on to the view (which answers the same way)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "If-None-Match" in request.headers and _cacheable_request(request):
            try:
                view = resolve(request.path_info).func
            except Resolver404:
                view = None
            public = getattr(view, "cached_public_page", False)
            if public and (not_modified := _not_modified(request, page_key(request))):
                return not_modified
        return self.get_response(request)


def cache_public_page(view: Callable) -> Callable:
    """Serve anonymous GETs of a view from the cache, keyed by page_key(), with an ETag from
    the data version: a request that already holds the current page gets a 304.

    Applied under the middleware, so security headers and the CSP are added to every
    response, cached or not. Streaming responses (CSV exports) are never cached, but carry
    the ETag too.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        if "If-None-Match" in request.headers and (not_modified := _not_modified(request, key)):
            return not_modified
        version, entry = _cached_page(key)
        etag = page_etag(key, version) if version is not None else None
        if entry is not None:
            return _validated(_from_cache(request, entry), etag)
        response = view(request, *args, **kwargs)
        if version is not None and _cacheable_response(request, response):
            if not response.streaming:
                _keep_page(key, _to_cache(version, response))
                response.headers["X-Cache"] = "miss"
            _validated(response, etag)
        return response

    wrapper.cached_public_page = True  # for RevalidationMiddleware (kept by functools.wraps)
    return wrapper
