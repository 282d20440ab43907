"""Canonical URLs and document ids (dedupe level 1: the same article).

The document id is a hash of the canonical URL, so a re-fetch, a backfill or
the same article reached through a feed, an AMP page or a mobile host updates
one document in place instead of creating a second one.

`canonicalize_url` does, in order:

1. scheme and host lower-cased, trailing dot and default port (80/443) removed,
   IDNA hosts ASCII-encoded (by w3lib);
2. host prefixes `www.` (`www2.`...), `m.`, `mobile.` and `amp.` removed (only
   while a registrable name remains: `m.com` stays);
3. AMP variants folded: a trailing `/amp` path segment, `.amp` before a file
   extension (`story.amp.html`), and `amp=...` / `outputType=amp` /
   `output=amp` query parameters;
4. tracking parameters removed (`utm_*`, click ids, newsletter ids, `ref`...:
   see `TRACKING_PARAMS` / `TRACKING_PREFIXES`; names compared case-insensitively);
5. the remaining query parameters sorted and percent-encoding normalised
   (w3lib `canonicalize_url`), the fragment dropped, the trailing slash removed.

The canonical URL is an identity key, not a link to show: the original `url`
stays on the article. `file://` URLs (local files given to the CLI) only get
the scheme lower-cased and the fragment dropped.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

# Exact parameter names (lower-case) that only say how a reader arrived.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "cmp",
        "icid",
        "ocid",
        "ncid",
        "xtor",
        "ito",
        "smid",
        "smtyp",
        "s_cid",
        "soc_src",
        "soc_trk",
        "share",
        "sr_share",
        "taid",
        "wt.mc_id",
        "wt_mc",
        "mbid",
        "spm",
        "__twitter_impression",
        "rss",
        "feed",
        "via",
        "amp",
    }
)
# Parameter name prefixes (lower-case) of tracking families.
TRACKING_PREFIXES = ("utm_", "at_", "ns_", "pk_", "mtm_", "hsa_", "oly_")
# Parameters that select the AMP rendering only when they carry this value.
_AMP_VALUED = frozenset({"outputtype", "output", "format", "view"})

_HOST_PREFIX = re.compile(r"^(?:www\d*|m|mobile|amp)\.")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_AMP_EXT = re.compile(r"\.amp(\.[a-z0-9]{2,5})$", re.IGNORECASE)


def _is_tracking(name: str, value: str) -> bool:
    low = name.lower()
    if low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES):
        return True
    return low in _AMP_VALUED and value.lower() == "amp"


def _clean_host(host: str) -> str:
    host = host.lower().rstrip(".")
    while True:
        stripped = _HOST_PREFIX.sub("", host, count=1)
        if stripped == host or "." not in stripped:
            return host
        host = stripped


def _clean_path(path: str) -> str:
    # AMP variants: /story/amp, /story/amp/, /story.amp.html
    path = re.sub(r"/amp/?$", "", path, flags=re.IGNORECASE)
    path = _AMP_EXT.sub(r"\1", path)
    return path.rstrip("/")


def canonicalize_url(url: str) -> str:
    """The canonical form of `url` used as the identity of an article (see module docstring)."""
    url = (url or "").strip()
    if not url:
        return ""
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    if scheme not in ("http", "https") or not parts.hostname:
        # Not a web URL we know how to fold: only drop the fragment.
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))

    host = _clean_host(parts.hostname)
    try:
        port = parts.port
    except ValueError:  # a non-numeric port: keep the host alone
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k, v)]
    rebuilt = urlunsplit((scheme, netloc, _clean_path(parts.path) or "/", urlencode(query), ""))
    canonical = _w3lib_canonicalize(rebuilt, keep_fragments=False)
    # w3lib renders an empty path as "/": drop the trailing slash of every path.
    head, sep, tail = canonical.partition("?")
    return head.rstrip("/") + (sep + tail if tail else "")


def doc_id(canonical_url: str) -> str:
    """Deterministic document id: the first 20 hex digits of SHA-1 of the canonical URL.

    `http://` and `https://` are treated as the same page (the scheme is left out of the
    hashed key), because sites move to https and feeds keep old links.
    """
    key = re.sub(r"^https?://", "", canonical_url or "", flags=re.IGNORECASE)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]
