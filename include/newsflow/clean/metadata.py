"""Page metadata a user sees: headline, publication date (with its real precision), authors.

Why these rules (each measured or seen across the real pages of `benchmarks/realpages_bench.py`):

- Dates keep the precision the page states. A page that gives a time and a UTC offset keeps
  both ("2020-05-03T10:15:00+02:00"); a time without an offset stays a local time
  ("2020-05-03T10:15:00", never labelled UTC); a date alone stays a date ("2020-05-03":
  as midnight UTC it would be the previous day for every reader west of UTC). Elasticsearch's
  `date` type takes all three forms.
- Of the page's structured dates (JSON-LD `datePublished`, `<meta>` published times, `<time
  itemprop=datePublished>`), one with an offset beats one without, a time beats a date; an
  `ImageObject`'s (or any media object's) date and the modified date are never the
  publication date.
- The headline is the article's own (JSON-LD `headline`, the page's `<h1>` when it matches
  the title) before the social one (`og:title`), and loses the site name the page appends or
  prepends ("Headline | Site", "Site - Headline", "Headline:Site").
- Authors are people: organisations, the site's own name and byline words ("By", "Von",
  "Autor:") go; "Last, First" is one person.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import lxml.html
from dateutil import parser as date_parser

from newsflow import clock
from newsflow.wordcount import count_words

MIN_YEAR = 1990
_MEDIA_TYPES = {"imageobject", "videoobject", "audioobject", "mediaobject", "person", "organization",
                "newsmediaorganization", "corporation", "place", "comment", "answer", "offer", "product",
                "review", "rating", "aggregaterating", "searchaction", "sitenavigationelement",
                "breadcrumblist", "listitem", "website", "event"}  # fmt: skip


# --- JSON-LD -----------------------------------------------------------------------------------------


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON-LD value: top-level objects, @graph members, list members."""
    if isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        yield value
        graph = value.get("@graph")
        if graph is not None:
            yield from _walk(graph)
        main = value.get("mainEntity")
        if isinstance(main, dict):
            yield from _walk(main)


def jsonld_objects(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """The JSON-LD objects of the page (broken blocks are skipped: pages ship many)."""
    objects: list[dict[str, Any]] = []
    for script in tree.xpath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
            except ValueError:
                data = _salvage(raw)
        objects.extend(_walk(data))
    return objects


_SALVAGE_KEYS = ("datePublished", "dateModified", "headline")


def _salvage(raw: str) -> dict[str, Any]:
    """The story's fields from a JSON-LD block that does not parse (a stray comma, a raw newline).

    Such blocks are common; their last `datePublished` is the story's (images and
    authors, which carry dates too, come first in every CMS template we saw).
    """
    found: dict[str, Any] = {}
    for key in _SALVAGE_KEYS:
        values = re.findall(rf'"{key}"\s*:\s*"([^"]{{1,300}})"', raw)
        if values:
            found[key] = values[-1]
    return found


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type") or ""
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).casefold().rsplit("/", 1)[-1] for k in kinds}


def article_objects(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The objects that describe the page's story (not its images, people, site or breadcrumbs)."""
    return [obj for obj in objects if not (_types(obj) & _MEDIA_TYPES)]


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    return " ".join(str(value or "").split())


# --- dates -------------------------------------------------------------------------------------------

_ISO = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)"
    r"(?:[T ](?P<H>\d\d):(?P<M>\d\d)(?::(?P<S>\d\d)(?:[.,]\d+)?)?\s*(?P<z>Z|[+-]\d\d:?\d\d|[+-]\d\d)?)?"
)
_HAS_TIME = re.compile(r"\d{1,2}[:.h]\d\d(?!\d)|\d{1,2}\s*[ap]\.?m\b", re.I)
_HAS_ZONE = re.compile(r"(?:Z|[+-]\d\d:?\d\d|\b(?:UTC|GMT|[A-Z]{2,4}T))\s*$")


def _zone(text: str) -> timezone | None:
    if text == "Z":
        return UTC
    text = text.replace(":", "")
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[3:5] or 0) if len(text) >= 5 else 0
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def plausible_year(year: int, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return MIN_YEAR <= year <= now.year + 1


def iso_value(text: str, now: datetime | None = None, *, plausible: bool = True) -> str | None:
    """A date string as ISO 8601 with the precision it states (see the module docstring), else None.

    "2020-05-03" -> "2020-05-03"; "2020-05-03T10:15" -> "2020-05-03T10:15:00";
    "Sun, 03 May 2020 10:15:00 +0200" -> "2020-05-03T10:15:00+02:00". With `plausible`,
    a year before 1990 or after next year is no date (the caller may flag it instead). A midnight time
    ("2020-05-03T00:00:00", with or without an offset) is how CMSs write a date alone: a date.
    """
    text = " ".join(str(text or "").split()).rstrip(".")
    if not text or len(text) > 80:
        return None
    m = _ISO.match(text)
    try:
        if m:
            day = date(int(m["y"]), int(m["m"]), int(m["d"]))
            if plausible and not plausible_year(day.year, now):
                return None
            if m["H"] is None:
                return day.isoformat()
            moment = datetime(day.year, day.month, day.day, int(m["H"]), int(m["M"]), int(m["S"] or 0))
            if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
                return day.isoformat()  # how CMSs write a date alone, with or without an offset
            zone = _zone(m["z"]) if m["z"] else None
            if zone is None:
                return moment.isoformat()
            return moment.replace(tzinfo=zone).isoformat()
        return _free_value(text, now if plausible else None, plausible)
    except (ValueError, OverflowError):
        return None


_DOTTED = re.compile(r"^([0-3]?\d)\.([01]?\d)\.((?:19|20)\d\d)$")


def _free_value(text: str, now: datetime | None, plausible: bool = True) -> str | None:
    """A date in words ("May 3, 2020 10:15 CEST") with the precision it states."""
    if not re.search(r"(?:19|20)\d\d", text):
        return None
    dotted = _DOTTED.match(text)
    if dotted:  # 03.10.2018 is the 3rd of October wherever dots separate a date
        day = date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
        return day.isoformat() if not plausible or plausible_year(day.year, now) else None
    try:
        parsed = date_parser.parse(text, fuzzy=False, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if plausible and not plausible_year(parsed.year, now):
        return None
    if not _HAS_TIME.search(text):
        return parsed.date().isoformat()
    if parsed.tzinfo is not None and parsed.utcoffset() is not None and _HAS_ZONE.search(text):
        return parsed.isoformat()
    return parsed.replace(tzinfo=None).isoformat()


def precision_rank(value: str) -> int:
    """2: time and offset; 1: local time; 0: date only."""
    if len(value) <= 10:
        return 0
    return 2 if re.search(r"(?:[+-]\d\d:\d\d|Z)$", value) else 1


_META_PUBLISHED = ("article:published_time", "og:article:published_time", "og:published_time",
                   "datepublished", "pubdate", "publishdate", "publish-date", "publish_date",
                   "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dc.date.created",
                   "sailthru.date", "parsely-pub-date", "article.published", "published_time", "date")  # fmt: skip
_META_MODIFIED = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)


def _meta_values(tree: lxml.html.HtmlElement, names: tuple[str, ...]) -> list[str]:
    """<meta> contents whose property/name/itemprop is one of `names`, in the order of `names`."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (meta.get(attr) or "").strip().casefold()
            if key in names:
                found.setdefault(key, []).append(meta.get("content") or "")
    return [v for name in names for v in found.get(name, [])]


def published_candidates(tree: lxml.html.HtmlElement, objects: list[dict[str, Any]]) -> list[str]:
    """The page's structured publication dates, best first (offset, then time; JSON-LD first)."""
    raw = [_text(obj.get("datePublished")) for obj in article_objects(objects) if obj.get("datePublished")]
    raw += _meta_values(tree, _META_PUBLISHED)
    raw += [
        str(v) for v in tree.xpath("//*[@itemprop='datePublished']/@datetime | //time[@pubdate]/@datetime")
    ]
    values = [v for v in (iso_value(r) for r in raw) if v]
    return sorted(dict.fromkeys(values), key=precision_rank, reverse=True)


def modified_value(tree: lxml.html.HtmlElement, objects: list[dict[str, Any]]) -> str | None:
    raw = [_text(obj.get("dateModified")) for obj in article_objects(objects) if obj.get("dateModified")]
    raw += _meta_values(tree, _META_MODIFIED)
    values = [v for v in (iso_value(r) for r in raw) if v]
    return max(values, key=precision_rank) if values else None


def choose_published(candidates: list[str], day: str | None, url_day: str | None = None) -> str | None:
    """The publication date: the structured value for the day the date search settled on.

    `day` is htmldate's answer: it weighs every date on the page and is right more often
    than any single tag. A structured value on that day adds the time and offset; with no
    day found, the best structured value stands. (Dropping a day that only the modified
    date supports was tried: on the real pages it removed as many right days as wrong.)
    When they disagree (`_conflict`), a structured time still says when on that day; a stamp
    in the site's own offset beats the coarser copies of it on htmldate's day (`_local_rendering`).
    """
    if day:
        on_day = [value for value in candidates if value[:10] == day]
        if on_day:
            return _local_rendering(candidates, on_day) or on_day[0]
        return _conflict(candidates, day, url_day)
    return candidates[0] if candidates else None


def _local_rendering(candidates: list[str], on_day: list[str]) -> str | None:
    """An instant in the publisher's own offset, when `day` rests only on coarser copies of it.

    A time written in a UTC offset other than zero states the local day the site published
    on. A UTC copy of the same instant ("Z", "+00:00") or a date alone that some zone puts the
    instant on (`ZONE_HOURS`) says no more than that instant, only less precisely: when every
    value on htmldate's day is such a copy, the local rendering names the day (on the real
    pages: 2 of 2; where htmldate's day also had a local time or another instant, it was
    right and is kept).
    """
    for value in candidates:
        if precision_rank(value) == 2 and not _is_utc(value) and value[:10] != on_day[0][:10]:
            if all(_copy_of(other, value) for other in on_day):
                return value
    return None


def _is_utc(value: str) -> bool:
    return value.endswith(("Z", "+00:00", "-00:00"))


def _copy_of(other: str, instant: str) -> bool:
    """`other` is a date some zone puts `instant` on, or `instant` itself written in UTC."""
    rank = precision_rank(other)
    if rank == 0:
        return _on_day(instant, other) is not None
    if rank == 2 and _is_utc(other):
        try:
            return datetime.fromisoformat(other) == datetime.fromisoformat(instant)
        except ValueError:
            return False
    return False


URL_LEAD_DAYS = 31  # a story goes out at most this long after the day its URL was minted


def _conflict(candidates: list[str], day: str, url_day: str | None) -> str:
    """The value to store when no structured value is on htmldate's `day`.

    - A local time names the day as the site wrote it (on the real pages' conflicts: 3 of 3).
    - An instant with an offset that falls on `day` in some time zone is the same moment
      seen from UTC (an evening story in the Americas is the next day in UTC, an after-midnight
      one in Europe the previous day), where htmldate's day is right (6 of 6): the page's
      instant is kept, written in the offset nearest its own that puts it on `day`.
    - An instant no zone puts on `day`, when `day` is the URL's date and the instant follows
      it within `URL_LEAD_DAYS`: the URL was minted when the story was drafted (or a slug's
      digit read as a day: "/2023/10/3-fragen-an"), the page states when it went out (2 of 2;
      a stamp years later is a re-publication, where the URL's day was right).
    """
    local = [value for value in candidates if precision_rank(value) == 1]
    if local:
        return local[0]
    instants = [value for value in candidates if precision_rank(value) == 2]
    for value in instants:
        shifted = _on_day(value, day)
        if shifted:
            return shifted
    if url_day == day and instants:
        lead = date.fromisoformat(instants[0][:10]) - date.fromisoformat(day)
        if timedelta(days=1) <= lead <= timedelta(days=URL_LEAD_DAYS):
            return instants[0]
    return day


ZONE_HOURS = range(-10, 15)  # UTC offsets news is published in (Hawaii to Kiribati)


def _on_day(value: str, day: str) -> str | None:
    """`value` (an instant with an offset) written in the nearest whole-hour offset putting it on `day`."""
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    own = instant.utcoffset() or timedelta(0)
    for hours in sorted(ZONE_HOURS, key=lambda h: abs(timedelta(hours=h) - own)):
        moment = instant.astimezone(timezone(timedelta(hours=hours)))
        if moment.date().isoformat() == day:
            return moment.isoformat()
    return None


# --- titles ------------------------------------------------------------------------------------------

_SEPARATORS = r"\s+[|·•»«:/\\~–—-]{1,2}\s+|\s*[|·•»«]\s*|\s*::\s*|:(?=\S)"


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _is_site(part: str, sites: list[str]) -> bool:
    key = _fold(part)
    if not key or len(key) > 60:
        return False
    for site in sites:
        other = _fold(site)
        if other and (key == other or (len(key) >= 3 and (key in other or other in key))):
            return True
    return False


def strip_site(title: str, sites: list[str]) -> str:
    """`title` without the site name the page adds before or after it ("Headline | Site")."""
    if not title or not sites:
        return title
    parts = re.split(f"({_SEPARATORS})", title)
    if len(parts) < 3:
        return title
    if _is_site(parts[-1], sites):
        head = "".join(parts[:-2]).strip()
        if count_words(head) >= 2:
            return strip_site(head, sites)
    if _is_site(parts[0], sites):
        tail = "".join(parts[2:]).strip()
        if count_words(tail) >= 2:
            return tail
    return title


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.casefold()) if len(w) > 2}


def choose_title(
    tree: lxml.html.HtmlElement, objects: list[dict[str, Any]], social: str, sites: list[str]
) -> str:
    """The article's own headline (JSON-LD, then <h1> when it matches the page's title), else `social`."""
    for obj in article_objects(objects):
        headline = _text(obj.get("headline"))
        if 1 <= count_words(headline) <= 40:
            return strip_site(headline, sites)
    page_title = " ".join(" ".join(tree.xpath("//head/title//text()")).split())
    reference = _words(f"{social} {page_title}")
    for h1 in tree.xpath("//h1")[:3]:
        text = " ".join(" ".join(h1.itertext()).split())
        words = _words(text)
        if 2 <= count_words(text) <= 40 and words and len(words & reference) * 2 >= len(words):
            if not _is_site(text, sites):
                return text
    return strip_site(social, sites) if social else strip_site(page_title, sites)


# --- authors -----------------------------------------------------------------------------------------

_BYLINE_WORDS = re.compile(
    r"^\s*(?:(?:written|posted|published|reported)\s+by|by|von(?!\s+(?:der|dem|den)\b)|par|por|door"
    r"|autor(?:in|en)?|author(?:s)?|text|texte|redaktion|reporter|verfasst von|geschrieben von|авторы?)\s*[:\-–]?\s+",
    re.I,
)
_ORG_WORDS = re.compile(
    r"\b(?:gmbh|ag|kg|e\.?\s?v|inc|ltd|llc|plc|s\.?a|corp|co|redaktion|newsroom|staff|team|desk|verlag"
    r"|agentur|agency|agence|media|medien|news|online|zeitung|magazin|magazine|press|presse|tv|radio"
    r"|ministry|department|universit\w*|institut\w*|foundation|association|society|council|gemeinde|stadt"
    r"|office|bureau|service|services|editors?|editorial|writer|correspondent|contributor|columnist)\b"
    # German compounds end in the organisation word: Bundesministerium, Landesverband, Tageszeitung
    r"|\w*(?:ministerium|verband|verein|stiftung|zeitung|verlag|agentur|redaktion|gesellschaft|beh[öo]rde"
    r"|desk|admin|departement|feuerwehr|polizei)\b",
    re.I,
)
_PLACEHOLDERS = {"user", "admin", "administrator", "gast", "guest", "anonymous", "anonym", "unknown", "redakteur",
                 "text", "autor", "author", "staff"}  # fmt: skip
# Lower-case words inside a name: the particles of surnames; any other lower-case word makes a phrase.
_PARTICLES = {"von", "van", "der", "den", "de", "da", "di", "du", "del", "della", "la", "le", "dos", "das",
              "bin", "ibn", "al", "el", "y", "e", "zu", "ter", "ten", "af", "av"}  # fmt: skip
_URLISH = re.compile(r"\S*(?:://|www\.)\S*|\S+\.(?:com|org|net|de|at|ch|uk|fr|es|it)\b\S*", re.I)
_TOP = re.compile(r"\s*[;|/]\s*")
_AND = re.compile(r"\s*(?:\band\b|\bund\b|\bet\b|\by\b|\be\b|&)\s*", re.I)


def _person_names(value: str) -> list[str]:
    """The people in one author string: byline words off, "Last, First" kept as one person.

    A chunk that names an organisation ("Bundesministerium für Wirtschaft und Klimaschutz")
    goes whole, before "und" could cut it into a "person".
    """
    value = _URLISH.sub(" ", " ".join(value.split()))
    value = _BYLINE_WORDS.sub("", value.strip()).strip(" ,;:|-–—")
    names: list[str] = []
    for chunk in _TOP.split(value):
        if _ORG_WORDS.search(chunk) and "," not in chunk:  # "Jane Doe, AP National Writer" keeps Jane
            continue
        for part in _AND.split(chunk):
            part = part.strip(" ,;:|-–—().")
            if not part:
                continue
            pieces = [p.strip() for p in part.split(",") if p.strip()]
            if len(pieces) == 2 and len(pieces[0].split()) == 1 and 1 <= len(pieces[1].split()) <= 2:
                names.append(f"{pieces[1]} {pieces[0]}")  # "Smith, Jane" is Jane Smith
            else:
                names.extend(pieces)
    return names


def _is_person(name: str, sites: list[str]) -> bool:
    words = name.split()
    if not 1 <= len(words) <= 5 or "@" in name or any(c.isdigit() for c in name):
        return False
    if _ORG_WORDS.search(name) or _is_site(name, sites) or name.casefold() in _PLACEHOLDERS:
        return False
    if len(words) == 1 and len(name) <= 2:
        return False  # initials alone say nobody's name
    if any(w[:1].islower() and w not in _PARTICLES for w in words) or name.endswith(("기자", "記者")):
        return False  # a phrase or a handle ("multigames"), or a Korean/Japanese "reporter" credit
    return not (len(words) == 1 and name.isupper() and len(name) > 4)  # "ZEITUNG", a shouted brand


def clean_authors(values: list[str], sites: list[str], organisations: set[str] | None = None) -> list[str]:
    """People only, in order, once each (see the module docstring)."""
    people: list[str] = []
    skip = {_fold(o) for o in organisations or set()}
    for value in values:
        for name in _person_names(value):
            if _fold(name) in skip:
                continue
            if _is_person(name, sites) and name not in people:
                people.append(name)
    return people


def jsonld_people(objects: list[dict[str, Any]]) -> tuple[list[str], set[str]]:
    """(people, organisations) named as authors of the story in JSON-LD."""
    people: list[str] = []
    orgs: set[str] = set()
    for obj in article_objects(objects):
        authors = obj.get("author")
        for author in authors if isinstance(authors, list) else [authors]:
            if isinstance(author, dict):
                name = _text(author.get("name"))
                if _types(author) & {"organization", "newsmediaorganization", "corporation"}:
                    orgs.add(name)
                elif name:
                    people.append(name)
            elif isinstance(author, str) and author.strip():
                people.append(author)
    return people, orgs


def site_names(
    tree: lxml.html.HtmlElement, objects: list[dict[str, Any]], sitename: str, url: str
) -> list[str]:
    """Names the site goes by: og:site_name, JSON-LD publisher, application-name, the domain's label."""
    names = [sitename] if sitename else []
    for obj in objects:
        publisher = obj.get("publisher")
        if isinstance(publisher, dict) and _text(publisher.get("name")):
            names.append(_text(publisher.get("name")))
        if _types(obj) & {"website", "organization", "newsmediaorganization"} and _text(obj.get("name")):
            names.append(_text(obj.get("name")))
    for meta in tree.xpath("//meta[@property='og:site_name' or @name='application-name']/@content"):
        names.append(str(meta))
    host = re.sub(r"^www\d?\.", "", re.sub(r"^\w+://", "", url).split("/")[0].split(":")[0])
    if host:
        names.append(host)
        names += [label for label in host.split(".")[:-1] if len(label) >= 4]  # timesofindia.indiatimes.com
    return [n for n in dict.fromkeys(" ".join(n.split()) for n in names) if n]
