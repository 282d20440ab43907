"""Bylines, datelines and footers: furniture that carries metadata.

"By AFP  Nov 8, 2017 in World", "DEIR EZZOR: ...", "Published in Dawn,
November 5th, 2017" and "Source: AFP" are not story text, but they are the
best evidence we have of who wrote the story, who published it and when. The
parsers here turn such lines into fields; `boilerplate` decides where to look
and removes the lines.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from newsflow.clean.metadata import iso_value
from newsflow.wordcount import count_words

# Wire agencies as they are written in bylines and footers -> the canonical name we store.
AGENCIES: dict[str, str] = {
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "ansa": "ANSA",
    "efe": "EFE",
    "xinhua": "Xinhua",
    "tass": "TASS",
    "ria novosti": "RIA Novosti",
    "interfax": "Interfax",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "yonhap": "Yonhap",
    "pti": "PTI",
    "ians": "IANS",
    "ani": "ANI",
    "upi": "UPI",
    "anadolu": "Anadolu",
    "anadolu agency": "Anadolu",
    "bernama": "Bernama",
    "app": "APP",
    "aap": "AAP",
    "sana": "SANA",
    "irna": "IRNA",
    "wam": "WAM",
    "kuna": "KUNA",
    "mena": "MENA",
    "antara": "Antara",
    "europa press": "Europa Press",
    "lusa": "Lusa",
    "canadian press": "CP",
    "the canadian press": "CP",
    "press association": "PA",
    "pa media": "PA",
    "bloomberg": "Bloomberg",
}
# Words that mean "some agencies" without naming one: the line is a footer, no agency recorded.
GENERIC_AGENCY = {"agencies", "wires", "news agencies", "wire services", "staff", "news desk", "web desk"}

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_TIME = (
    r"(?:,?\s*(?:at\s+)?[0-2]?\d[:.][0-5]\d(?:[:.][0-5]\d)?(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*(?:gmt|utc|z|[+-][01]\d:?[0-5]\d|[a-z]{3,4}))?)?"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
# A calendar date with day, month and year (and maybe a time): the only dates we trust in text.
DATE = (
    rf"{_WEEKDAY}(?:{_MONTH}\s+{_DAY},?\s+{_YEAR}|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"
    rf"|{_YEAR}-[01]\d-[0-3]\d(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:z|[+-][01]\d:?[0-5]\d)?)?)"
    rf"{_TIME}"
)
DATE_RE = re.compile(DATE, re.I)
_MIN_YEAR = 1990


def parse_date(text: str) -> str | None:
    """ISO 8601 for a date string with the precision it states, or None when it is not a plausible date.

    "Nov 8, 2017" -> "2017-11-08" (a day, not midnight UTC: that is the previous day
    west of UTC); a time without a zone stays a local time; see `metadata.iso_value`.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return iso_value(text)


def find_date(text: str) -> tuple[str, re.Match[str]] | None:
    """The first parseable full date inside `text`, with its match."""
    for m in DATE_RE.finditer(text):
        iso = parse_date(m.group(0))
        if iso:
            return iso, m
    return None


def agency_name(name: str) -> str | None:
    """Canonical agency name for `name` ("Agence France-Presse" -> "AFP"), else None."""
    key = " ".join(name.strip(" .,;:()[]-–—").split()).casefold()
    return AGENCIES.get(key)


@dataclass
class Credits:
    """What a byline or footer says: people, agencies, outlet, dates, section."""

    authors: list[str] = field(default_factory=list)
    agency: list[str] = field(default_factory=list)
    publisher: str = ""
    published_at: str | None = None
    updated_at: str | None = None
    section: str = ""


_NAME_TOKEN = re.compile(
    r"^(?:[A-ZÀ-ÖØ-Þ][\w.'’\-]*|(?:al|el|de|da|del|der|di|du|van|von|la|le|bin|ibn|ben)(?:-\w+)?)$"
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bet\b|\bund\b|\by\b)\s*")


def split_names(text: str) -> Credits | None:
    """People and agencies from "John Smith and Jane Doe, AFP"; None when it is not a list of names."""
    credits = Credits()
    text = text.strip(" |·•,;:-–—\t")
    if not text:
        return None
    for part in _NAME_SPLIT.split(text):
        part = part.strip(" |·•.-–—()")
        if not part:
            continue
        agency = agency_name(part)
        if agency:
            if agency not in credits.agency:
                credits.agency.append(agency)
            continue
        if part.casefold() in GENERIC_AGENCY:
            continue
        tokens = part.split()
        if not 1 <= len(tokens) <= 5 or not all(_NAME_TOKEN.match(t) for t in tokens):
            return None
        if not tokens[0][0].isupper():
            return None
        credits.authors.append(part)
    return credits


_BYLINE = re.compile(r"^(?:by|par|von|por|di)\s+(?P<rest>\S.*)$", re.I)
_SECTION_TAIL = re.compile(r"^\s*(?:in|under)\s+(?P<section>[\w&/' -]{2,40})$", re.I)
_UPDATED_WORD = re.compile(r"\b(?:updated|published|posted|on|last updated)\s*:?\s*$", re.I)


def parse_byline(line: str) -> Credits | None:
    """ "By AFP  Nov 8, 2017 in World" -> agency AFP, published 2017-11-08, section World.

    Only lines that are nothing but a byline qualify ("By the time ..." is a sentence).
    """
    m = _BYLINE.match(line.strip())
    if not m:
        return _name_date_line(line)
    if count_words(line) > 20:
        return None
    rest = m.group("rest")
    published = None
    section = ""
    found = find_date(rest)
    if found:
        published, dm = found
        tail = rest[dm.end() :]
        rest = rest[: dm.start()]
        rest = _UPDATED_WORD.sub("", rest)
        tail = tail.strip(" |·•,-–—")
        if tail:
            sm = _SECTION_TAIL.match(tail)
            if not sm:
                return None
            section = sm.group("section").strip()
    credits = split_names(rest)
    if credits is None or not (credits.authors or credits.agency):
        return None
    credits.published_at = published
    credits.section = section
    return credits


_META_SEPARATOR = re.compile(r"\s+[|·•–—]\s+|\s*[|·•]\s*")


def _name_date_line(line: str) -> Credits | None:
    """ "Jane Doe | 14 May 2024" or "2024-05-14 · Jane Doe": a byline without "By", names and a date only."""
    parts = [p for p in _META_SEPARATOR.split(line.strip()) if p.strip()]
    if len(parts) != 2 or count_words(line) > 16:
        return None
    for names, date in (parts, parts[::-1]):
        parsed = parse_date_line(date)
        credits = split_names(names) if parsed else None
        if parsed and credits and (credits.authors or credits.agency):
            credits.published_at = parsed[1] if parsed[0] == "published" else None
            credits.updated_at = parsed[1] if parsed[0] == "updated" else None
            return credits
    return None


_PUBLISHED_IN = re.compile(
    rf"^(?:this (?:article|story) (?:was )?(?:first |originally )?)?(?:published|printed|appeared) "
    rf"(?:in|by) (?:the )?(?P<pub>[^,]{{2,60}}?)(?:,[^,]{{0,60}}?)??,?\s+(?:on\s+)?(?P<date>{DATE})\.?$",
    re.I,
)
_DOTTED = r"[0-3]?\d\.[01]?\d\.(?:19|20)\d\d"  # 23.10.2018: day first, as everywhere dots are used
_DATE_ONLY = re.compile(
    rf"^(?P<label>(?:(?:first |last )?(?:updated|published|posted|modified|created)(?: on| at)?"
    rf"|(?:zuletzt )?(?:aktualisiert|ge[äa]ndert|ver[öo]ffentlicht)(?: am)?|letzte [äa]nderung|stand(?: vom)?)"
    rf"\s*:?\s*)?(?P<date>{DATE}|{_DOTTED})\.?$",
    re.I,
)
_SOURCE_KEYS = {"source", "sources", "quelle", "fuente", "fonte", "bron", "источник"}
_SOURCE_LINE = re.compile(r"^(?P<key>[^\W\d_]{4,9})\s*:\s*(?P<value>\S.{0,80})$")
_AGENCY_SIGNOFF = re.compile(r"^[(\[–—-]*\s*(?:with\s+)?(?P<value>[\w .,/&'-]{2,60}?)\s*[)\]]?\.?$")


def _near(word: str, target: str) -> bool:
    """True when `word` is `target` with at most one typo (substitution, insertion, deletion)."""
    if word == target:
        return True
    if abs(len(word) - len(target)) > 1 or word[:1] != target[:1]:
        return False
    prev = list(range(len(target) + 1))
    for i, a in enumerate(word, 1):
        cur = [i]
        for j, b in enumerate(target, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
        prev = cur
    return prev[-1] <= 1


def parse_date_line(line: str) -> tuple[str, str] | None:
    """ "Updated 18 Jan 2021" -> ("updated", iso); "Nov 5, 2017" -> ("published", iso)."""
    m = _DATE_ONLY.match(line.strip())
    if not m:
        return None
    iso = parse_date(m.group("date"))
    if not iso:
        return None
    label = (m.group("label") or "").casefold()
    kind = (
        "updated" if re.search(r"updated|modified|aktualisiert|nderung|ndert|stand", label) else "published"
    )
    return kind, iso


def parse_footer(line: str) -> Credits | None:
    """A footer line that names the outlet, the agency or the date, else None.

    Handles "Published in Dawn, November 5th, 2017", "Source: AFP" (and typos
    such as "Souece: AFP"), and a bare agency sign-off ("- AFP", "(Reuters)").
    """
    line = line.strip()
    m = _PUBLISHED_IN.match(line)
    if m:
        return Credits(publisher=m.group("pub").strip(), published_at=parse_date(m.group("date")))
    m = _SOURCE_LINE.match(line)
    if m:
        key = m.group("key").casefold()
        if key in _SOURCE_KEYS or _near(key, "source") or _near(key, "sources"):
            value = m.group("value").strip().rstrip(".")
            names = split_names(value.replace("/", ","))
            if names is None:
                return None
            credits = Credits(agency=names.agency)
            if names.authors:
                credits.publisher = ", ".join(names.authors)
            return credits
        return None
    m = _AGENCY_SIGNOFF.match(line)
    if m and len(line) <= 60:
        names = split_names(m.group("value").replace("/", ","))
        if names is not None and names.agency and not names.authors:
            return Credits(agency=names.agency)
    return None


_DATELINE_CAPS = re.compile(
    r"^(?P<place>[A-Z][A-Z'’.\-]+(?: [A-Z][A-Z'’.\-]+){0,3})"
    r"(?P<extra>,\s*[A-Z][\w.'’\-]+(?: [A-Z][\w.'’\-]+){0,2})?"
    rf"(?:,?\s*(?P<date>(?i:{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?)))?"
    r"\s*(?:\((?P<agency>[^()]{2,30})\))?\s*(?::|—|–|--?)\s+(?=\S)"
)
_DATELINE_AGENCY = re.compile(
    r"^(?P<place>[A-Z][\w.'’\-]+(?: [A-Z][\w.'’\-]+){0,3})"
    r"(?P<extra>,\s*[A-Z][\w.'’\-]+(?: [A-Z][\w.'’\-]+){0,2})?"
    rf"(?:,?\s*(?P<date>(?i:{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?)))?"
    r"\s*\((?P<agency>[^()]{2,30})\)\s*(?::|—|–|--?)\s+(?=\S)",
)
# All-caps labels that open a paragraph but are not places.
_KICKERS = {
    "UPDATE", "UPDATED", "BREAKING", "BREAKING NEWS", "EXCLUSIVE", "WATCH", "VIDEO", "PHOTOS", "OPINION",
    "ANALYSIS", "EDITORIAL", "COMMENT", "LIVE", "NOTE", "EDITOR'S NOTE", "CORRECTION", "FILE", "READ",
    "Q", "A", "FAQ", "WARNING",
}  # fmt: skip


@dataclass
class Dateline:
    place: str
    rest: str
    agency: list[str] = field(default_factory=list)


def parse_dateline(paragraph: str) -> Dateline | None:
    """Split "DEIR EZZOR: Syrian forces ..." into the place and the paragraph.

    A dateline is an all-caps place (optionally ", Country", a day and an
    agency in parentheses) followed by a colon or dash; mixed-case places only
    count when an agency in parentheses follows ("Beirut (AFP) - ...").
    """
    m = _DATELINE_CAPS.match(paragraph)
    caps = True
    if m and m.group("agency") and not re.fullmatch(r"[A-Z][A-Za-z.&\- ]{1,29}", m.group("agency")):
        m = None  # "(see below) -" is not an agency credit
    if not m:
        m = _DATELINE_AGENCY.match(paragraph)
        caps = False
        if not m or not agency_name(m.group("agency")):
            return None
    place = m.group("place").strip()
    letters = [c for c in place if c.isalpha()]
    if caps and (len(letters) < 3 or place in _KICKERS):
        return None
    rest = paragraph[m.end() :].strip()
    if not rest or not (rest[0].isupper() or rest[0] in "\"“‘'«(" or rest[0].isdigit()):
        return None
    extra = (m.group("extra") or "").strip()
    agency = agency_name(m.group("agency") or "")
    return Dateline(place=place + (extra if extra else ""), rest=rest, agency=[agency] if agency else [])
