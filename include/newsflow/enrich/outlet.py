"""The outlet: publisher name, registered domain and country.

- `publisher`: the source's declared publisher (`source_meta["publisher"]`), else what clean
  read in a credit line ("Published in Dawn" -> `article.publisher`), else the page's
  `og:site_name`, else the domain. A source's own declaration wins because pages of one
  outlet disagree with each other ("Dawn", "DAWN.COM", "Dawn News").
- `domain`: the registered domain of the URL (public suffix list of the `tld` package,
  which trafilatura/courlan already bring): `https://www.bbc.co.uk/news` -> `bbc.co.uk`;
  "" for `file://` URLs.
- `country`: `source_meta["country"]` (ISO 3166-1 alpha-2, upper-cased; anything else is
  ignored), else what the article already had. Not guessed from the TLD: `.tv`, `.io`, `.co`, `.ly` say nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tld import get_fld


def registered_domain(url: str) -> str:
    """`www.bbc.co.uk` -> `bbc.co.uk`; the bare host when the suffix is unknown; "" without a host."""
    host = (urlsplit(url or "").hostname or "").rstrip(".")
    if not host:
        return ""
    fld = get_fld(host, fix_protocol=True, fail_silently=True)
    if fld:
        return fld.lower()
    return host.removeprefix("www.")


def outlet(
    url: str, site_name: str = "", current_publisher: str = "", source_meta: dict[str, Any] | None = None
) -> tuple[str, str, str]:
    """(publisher, domain, country) of an article."""
    meta = source_meta or {}
    domain = registered_domain(url)
    publisher = next(
        (
            " ".join(str(p).split())
            for p in (meta.get("publisher"), current_publisher, site_name, domain)
            if p and str(p).strip()
        ),
        "",
    )
    country = str(meta.get("country") or "").strip().upper()
    if len(country) != 2 or not country.isalpha():  # sources.yaml validation reports bad codes
        country = ""
    return publisher, domain, country
