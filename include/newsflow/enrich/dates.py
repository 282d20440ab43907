"""Publication date: the first trustworthy date from, in order,

1. what clean already found on the page (`article.published_at`: meta tags, byline, footer);
2. the feed's date (`source_meta["feed_published"]`, passed by the pipeline from the RawItem);
3. a date written in the text: one announced as such ("Published in Dawn, November 5th,
   2017", "Posted on ...", "First published ..." at the start of a line), else the first one in the head
   (`HEAD_CHARS`, where bylines and datelines sit: "By AFP  Nov 8, 2017"), else the last one
   in the tail (`TAIL_CHARS`, where footers sit). Other dates in the middle of the text are
   the events the story tells, not its publication, and are not used.

Formats in the text: "Nov 8, 2017", "November 5th, 2017", "5 Nov 2017", "8 November 2017",
"2017-11-08" (English month names; other languages give no text date).

Results are timezone-aware ISO 8601: a date with an offset keeps it, one without a zone is
taken as UTC, a text date is midnight UTC. A date before `EARLIEST` (1990) or later than
now + 1 day is not trusted: it is skipped, `suspicious_past`/`suspicious_future` is added to
`date_flags`, and the next source in the order above is tried; when none is trusted,
`published_at` stays empty.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil import parser as dateparser

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
HEAD_CHARS = 400
TAIL_CHARS = 400
SUSPICIOUS_PAST = "suspicious_past"
SUSPICIOUS_FUTURE = "suspicious_future"

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<{0}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<{0}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{0}>(?:19|20)\d\d)"
_TEXT_DATE = re.compile(
    r"\b(?:"
    + _MONTH.format("m1")
    + r"\s+"
    + _DAY.format("d1")
    + r",?\s+"
    + _YEAR.format("y1")
    + r"|"
    + _DAY.format("d2")
    + r"\s+(?:of\s+)?"
    + _MONTH.format("m2")
    + r",?\s+"
    + _YEAR.format("y2")
    + r"|"
    + r"(?P<y3>(?:19|20)\d\d)-(?P<m3>[01]\d)-(?P<d3>[0-3]\d)"
    + r")\b",
    re.IGNORECASE,
)


def parse_datetime(value: str) -> datetime | None:
    """An aware datetime from an ISO 8601 or common date string (UTC when it has no zone)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = dateparser.parse(value)
        except (ValueError, OverflowError, TypeError):
            return None
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _match_date(m: re.Match[str]) -> datetime | None:
    if m.group("y3"):
        year, month, day = int(m.group("y3")), int(m.group("m3")), int(m.group("d3"))
    else:
        i = "1" if m.group("y1") else "2"
        year, month, day = int(m.group("y" + i)), _MONTHS[m.group("m" + i)[:3].lower()], int(m.group("d" + i))
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:  # 31 Nov
        return None


def dates_in_text(text: str) -> list[datetime]:
    """Every valid date written in `text`, in order."""
    return [d for m in _TEXT_DATE.finditer(text or "") if (d := _match_date(m)) is not None]


# A line that starts by announcing the date: "Published in Dawn, ", "First published on ".
_ANNOUNCED = re.compile(r"\s*(?:first\s+)?(?:published|posted)\b[^\n]{0,50}$", re.IGNORECASE)


def text_date(title: str, text: str) -> datetime | None:
    """An announced date, else the first date of the head, else the last of the tail."""
    text = text or ""
    for m in _TEXT_DATE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if _ANNOUNCED.fullmatch(text, line_start, m.start()) and (d := _match_date(m)):
            return d
    head = dates_in_text(f"{title or ''}\n{text[:HEAD_CHARS]}")
    if head:
        return head[0]
    tail = dates_in_text(text[max(HEAD_CHARS, len(text) - TAIL_CHARS) :])
    return tail[-1] if tail else None


def check_date(dt: datetime, now: datetime | None = None) -> str:
    """ "" when `dt` is plausible for a news article, else the flag saying why not."""
    now = now or datetime.now(UTC)
    if dt < EARLIEST:
        return SUSPICIOUS_PAST
    if dt > now + FUTURE_SLACK:
        return SUSPICIOUS_FUTURE
    return ""


def published_date(
    current: str | None,
    source_meta: dict[str, Any] | None,
    title: str,
    text: str,
    now: datetime | None = None,
) -> tuple[str | None, list[str]]:
    """(ISO 8601 publication date or None, date flags) from the sources in order."""
    meta = source_meta or {}
    flags: list[str] = []
    candidates = (
        lambda: parse_datetime(current or ""),
        lambda: parse_datetime(str(meta.get("feed_published") or "")),
        lambda: text_date(title, text),
    )
    for candidate in candidates:
        dt = candidate()
        if dt is None:
            continue
        flag = check_date(dt, now)
        if not flag:
            return dt.isoformat(), flags
        if flag not in flags:
            flags.append(flag)
    return None, flags
