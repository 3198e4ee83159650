"""Source URLs compared as the same page: the form the duplicate check and matching use.

Pure: no ORM. The URL an editor entered is kept as given; this is only the key it is
compared by.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that say how a reader arrived, not which page it is.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "spm",
        "from",
        "share_token",
        "ref",
        "ref_src",
        "cmpid",
        "ocid",
    }
)


def normalise_url(url: str) -> str:
    """The key a source URL is compared by: scheme and `www.` dropped, host lower-case, default
    port, trailing slash, fragment and tracking parameters (utm_*, fbclid, …) removed, the
    remaining parameters sorted. "" for "".

    >>> normalise_url("http://www.Example.com/a/?utm_source=x&b=2&a=1#top")
    'example.com/a?a=1&b=2'
    """
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    path = parts.path.rstrip("/")
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMETERS
    )
    return urlunsplit(("", netloc, path, urlencode(query), "")).removeprefix("//")
