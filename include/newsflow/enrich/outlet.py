"""The outlet: publisher name, registered domain, country and section.

- `publisher`: the source's declared publisher (`source_meta["publisher"]`), else what clean
  read in a credit line ("Published in Dawn" -> `article.claims["publisher"]`), else the page's
  `og:site_name`, else the domain. A source's own declaration wins because pages of one
  outlet disagree with each other ("Dawn", "DAWN.COM", "Dawn News").
- `domain`: the registered domain of the URL (public suffix list of the `tld` package,
  which trafilatura/courlan already bring): `https://www.bbc.co.uk/news` -> `bbc.co.uk`;
  "" for `file://` URLs.
- `country`: `source_meta["country"]` (ISO 3166-1 alpha-2, upper-cased; anything else is
  ignored), else the one clean proposed (a news API's, `claims["country"]`), else the country of the domain's
  country-code TLD (`lemonde.fr` -> FR, `bbc.co.uk` -> GB, checked against `pycountry`).
  Generic TLDs (`.com`, `.org`) and country codes sold as vanity names (`VANITY_TLDS`:
  `.tv`, `.io`, `.co`, `.ly`, `.me`, `.fm`, `.ai`...) say nothing and give "".
- `section`: what clean found (the page's `article:section`, a byline's "in World", the
  feed entry's category), whitespace collapsed; of a breadcrumb ("News > World") the
  last part; at most `MAX_SECTION` characters.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from tld import get_fld

MAX_SECTION = 80
VANITY_TLDS = frozenset(
    "ac ad ai am as bz cc cd cx dj fm gg gl gy io je la ly me ms mu nu sc sh so st tk to tv vc vg ws".split()
)
_BREADCRUMB = re.compile(r"\s*(?:>|»|›|/|\|)\s*")


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


def tld_country(domain: str) -> str:
    """ISO alpha-2 of the domain's country-code TLD ("" for generic and vanity TLDs)."""
    suffix = (domain or "").rsplit(".", 1)[-1].lower()
    if len(suffix) != 2 or suffix in VANITY_TLDS:
        return ""
    code = "GB" if suffix == "uk" else suffix.upper()
    return code if code in _iso_codes() else ""


def section_of(section: str) -> str:
    """The last part of a breadcrumb, whitespace collapsed, bounded."""
    parts = [p for p in _BREADCRUMB.split(" ".join((section or "").split())) if p]
    return parts[-1][:MAX_SECTION].strip() if parts else ""


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
