"""URL canonicalisation: one URL per story however it was linked."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as w3lib_canonicalize

TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid"
    r"|ref_src|ref|cmpid|src|ncid|taid|smid|ocid|outputType|amp|guccounter|__twitter_impression)$",
    re.IGNORECASE,
)
MOBILE_HOST_PREFIXES = ("m.", "mobile.", "amp.")
AMP_PATH_SUFFIX = re.compile(r"/(amp|amp\.html)/?$")


def canonicalize_url(url: str) -> str:
    """Normalise a URL: drop tracking parameters, fragments, AMP/mobile variants, trailing slashes."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    host = (parts.hostname or "").lower()
    for prefix in MOBILE_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = AMP_PATH_SUFFIX.sub("", parts.path) or "/"
    if path != "/" and path.endswith("/"):
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    rebuilt = urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))
    return w3lib_canonicalize(rebuilt, keep_fragments=False)
