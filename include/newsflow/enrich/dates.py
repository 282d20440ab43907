"""Publication and update dates.

`published_at`: the first trustworthy date from, in order,

1. the dates clean proposed, in its order (`article.claims["published"]`: the page's
   metadata, its byline or footer, a JSON record's date, the feed's date);
2. a date written in the text: one announced as such ("Published in Dawn, November 5th,
   2017", "Posted on ...", "First published ...", "Publié le", "Veröffentlicht am",
   "Publicado el", "Pubblicato il", "Gepubliceerd op" at the start of a line), else the first one in the head
   (`HEAD_CHARS`, where bylines and datelines sit: "By AFP  Nov 8, 2017"), else the last one
   in the tail (`TAIL_CHARS`, where footers sit). Other dates in the middle of the text are
   the events the story tells, not its publication, and are not used.

Formats in the text: "Nov 8, 2017", "November 5th, 2017", "5 Nov 2017", "8 November 2017",
"2017-11-08", "08.11.2017" (day first), and month names in French, German, Spanish,
Italian, Portuguese, Dutch and Russian: "8 novembre 2017", "1er mai 2020",
"8. November 2017", "8 de noviembre de 2017", "8 ноября 2017".

`updated_at`: the update dates clean proposed (`article.claims["updated"]`: the page's
`article:modified_time`, a footer's "updated" line), else a date announced on a line of the text ("Updated
...", "Last updated ...", "Mis à jour le ...", "Aktualisiert am ...", "Actualizado ...",
"Aggiornato ...", "Atualizado ...", "Bijgewerkt ..."). An update before the publication
date is not one (`updated_before_published`); an untrusted update date is flagged
`updated_suspicious_past`/`updated_suspicious_future`; either leaves `updated_at` empty.

Results are ISO 8601 with the precision the source states: a time with an offset keeps it,
a time without one stays a local time (no invented UTC), a date alone (a text date always)
stays a date. For the plausibility checks only, a value without an offset is read as UTC. A date before `EARLIEST` (1990) or later than
now + 1 day is not trusted: it is skipped, `suspicious_past`/`suspicious_future` is added to
`date_flags`, and the next source in the order above is tried; when none is trusted,
`published_at` stays empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

from dateutil import parser as dateparser

from newsflow import clock
from newsflow.timeutil import as_utc

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
HEAD_CHARS = 400
TAIL_CHARS = 400
SUSPICIOUS_PAST = "suspicious_past"
SUSPICIOUS_FUTURE = "suspicious_future"

# Month names and abbreviations in the languages newsflow indexes (lower case, accents kept
# and dropped). No name means two different months in two languages.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "janvier",
        "janv",
        "januar",
        "jänner",
        "enero",
        "ene",
        "gennaio",
        "gen",
        "janeiro",
        "januari",
        "января",
        "январь",
    ),
    2: (
        "february",
        "feb",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "février",
        "februar",
        "febrero",
        "febbraio",
        "fevereiro",
        "fev",
        "februari",
        "февраля",
        "февраль",
    ),
    3: ("march", "mar", "mars", "märz", "maerz", "mär", "marzo", "março", "marco", "maart", "марта", "март"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "апреля", "апрель"),
    5: ("may", "mai", "mayo", "maggio", "mag", "maio", "mei", "мая", "май"),
    6: ("june", "jun", "juin", "juni", "junio", "giugno", "giu", "junho", "июня", "июнь"),
    7: ("july", "jul", "juillet", "juil", "juli", "julio", "luglio", "lug", "julho", "июля", "июль"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus", "августа", "август"),
    9: (
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "set",
        "setembro",
        "сентября",
        "сентябрь",
    ),
    10: (
        "october",
        "oct",
        "octobre",
        "oktober",
        "okt",
        "octubre",
        "ottobre",
        "ott",
        "outubro",
        "out",
        "октября",
        "октябрь",
    ),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "ноября", "ноябрь"),
    12: (
        "december",
        "dec",
        "décembre",
        "decembre",
        "déc",
        "dezember",
        "dez",
        "diciembre",
        "dic",
        "dicembre",
        "dezembro",
        "декабря",
        "декабрь",
    ),
}
_MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}
_MONTH_ALT = "|".join(re.escape(n) for n in sorted(_MONTHS, key=len, reverse=True))
_MONTH = r"(?P<{0}>" + _MONTH_ALT + r")\.?"
_DAY = r"(?P<{0}>[0-3]?\d)(?:st|nd|rd|th|er|\.|º|°)?"
_YEAR = r"(?P<{0}>(?:19|20)\d\d)"
_TEXT_DATE = re.compile(
    r"(?<!\w)(?:"
    + _MONTH.format("m1")  # November 5th, 2017 / Nov. 8 2017
    + r"\s+"
    + _DAY.format("d1")
    + r",?\s+"
    + _YEAR.format("y1")
    + r"|"
    + _DAY.format("d2")  # 8 November 2017 / 8. November 2017 / 8 de noviembre de 2017 / 1er mai 2020
    + r"\s*(?:of\s+|de\s+)?"
    + _MONTH.format("m2")
    + r",?\s+(?:de\s+|del\s+)?"
    + _YEAR.format("y2")
    + r"|"
    + r"(?P<y3>(?:19|20)\d\d)-(?P<m3>[01]\d)-(?P<d3>[0-3]\d)"  # 2017-11-08
    + r"|"
    + r"(?P<d4>[0-3]?\d)\.(?P<m4>[01]?\d)\.(?P<y4>(?:19|20)\d\d)"  # 08.11.2017 (day first)
    + r")(?!\w)",
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
    if dt is None or as_utc(dt) is None:  # not expressible in UTC (year 9999 at -05:00): no date
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _match_date(m: re.Match[str]) -> datetime | None:
    if m.group("y3"):
        year, month, day = int(m.group("y3")), int(m.group("m3")), int(m.group("d3"))
    elif m.group("y4"):
        year, month, day = int(m.group("y4")), int(m.group("m4")), int(m.group("d4"))
    else:
        i = "1" if m.group("y1") else "2"
        year, month, day = int(m.group("y" + i)), _MONTHS[m.group("m" + i).lower()], int(m.group("d" + i))
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:  # 31 Nov
        return None


def dates_in_text(text: str) -> list[datetime]:
    """Every valid date written in `text`, in order."""
    return [d for m in _TEXT_DATE.finditer(text or "") if (d := _match_date(m)) is not None]


# A line that starts by announcing the date: "Published in Dawn, ", "First published on ".
_ANNOUNCED_WORDS = (
    r"(?:published|posted|publié|publiée|mis en ligne|veröffentlicht|publicado|publicada"
    r"|pubblicato|pubblicata|gepubliceerd|опубликовано)"
)
_ANNOUNCED = re.compile(rf"\s*(?:first\s+)?{_ANNOUNCED_WORDS}(?!\w)[^\n]{{0,50}}$", re.IGNORECASE)
# A line that announces an update: "Updated 5 Nov 2017", "Mis à jour le 8 novembre 2017".
_UPDATED_WORDS = (
    r"(?:updated|modified|mis à jour|mise à jour|aktualisiert|geändert|actualizado|actualizada"
    r"|aggiornato|aggiornata|atualizado|atualizada|bijgewerkt|обновлено)"
)
_UPDATED = re.compile(rf"\s*(?:last\s+)?{_UPDATED_WORDS}(?!\w)[^\n]{{0,50}}$", re.IGNORECASE)
# The announcing word anywhere: without it no line can announce, and scanning every date of
# the text (about 1.5 ms an article) is skipped.
_ANNOUNCER_WORDS = {
    _ANNOUNCED: re.compile(_ANNOUNCED_WORDS, re.IGNORECASE),
    _UPDATED: re.compile(_UPDATED_WORDS, re.IGNORECASE),
}
UPDATED_BEFORE_PUBLISHED = "updated_before_published"


def _announced_date(text: str, announcer: re.Pattern[str]) -> datetime | None:
    words = _ANNOUNCER_WORDS.get(announcer)
    if words is not None and not words.search(text):
        return None
    for m in _TEXT_DATE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if announcer.fullmatch(text, line_start, m.start()) and (d := _match_date(m)):
            return d
    return None


def text_date(title: str, text: str) -> datetime | None:
    """An announced date, else the first date of the head, else the last of the tail."""
    text = text or ""
    announced = _announced_date(text, _ANNOUNCED)
    if announced:
        return announced
    head = dates_in_text(f"{title or ''}\n{text[:HEAD_CHARS]}")
    if head:
        return head[0]
    tail = dates_in_text(text[max(HEAD_CHARS, len(text) - TAIL_CHARS) :])
    return tail[-1] if tail else None


def check_date(dt: datetime, now: datetime | None = None) -> str:
    """ "" when `dt` is plausible for a news article, else the flag saying why not."""
    now = now or clock.now()
    if dt < EARLIEST:
        return SUSPICIOUS_PAST
    if dt > now + FUTURE_SLACK:
        return SUSPICIOUS_FUTURE
    return ""


# A way to find a date: (an aware datetime for the checks, the value as stated), or None.
_Candidate = Callable[[], "tuple[datetime, str] | None"]


def _stated(value: str) -> tuple[datetime, str] | None:
    """(an aware datetime for the plausibility checks, the value with the precision it states).

    The checks need a point in time (a date or a local time is read as UTC for them);
    what is stored keeps the page's own precision: a date stays a date, a local time
    gets no invented offset (see `newsflow.clean.metadata.iso_value`).
    """
    from newsflow.clean.metadata import iso_value

    stated = iso_value(value, plausible=False)
    dt = parse_datetime(value)
    if stated is None or dt is None:
        return None
    return dt, stated


def _day(dt: datetime | None) -> tuple[datetime, str] | None:
    return (dt, dt.date().isoformat()) if dt else None  # a date in the text is a day, never a time


def _text_value(title: str, text: str) -> tuple[datetime, str] | None:
    return _day(text_date(title, text))


def published_date(
    proposed: Sequence[str],
    title: str,
    text: str,
    now: datetime | None = None,
) -> tuple[str | None, list[str]]:
    """(ISO 8601 publication date or None, date flags) from the sources in order.

    `proposed` are clean's candidates, most trusted first. The value keeps the precision its
    source states: "2017-11-08" (a day), "2017-11-08T10:00:00" (a local time),
    "2017-11-08T10:00:00+02:00".
    """
    flags: list[str] = []
    candidates: tuple[_Candidate, ...] = (
        *(partial(_stated, value) for value in proposed),
        lambda: _text_value(title, text),
    )
    for candidate in candidates:
        found = candidate()
        if found is None:
            continue
        flag = check_date(found[0], now)
        if not flag:
            return found[1], flags
        if flag not in flags:
            flags.append(flag)
    return None, flags


def updated_date(
    proposed: Sequence[str],
    published: str | None,
    text: str,
    now: datetime | None = None,
) -> tuple[str | None, list[str]]:
    """(ISO 8601 update date or None, flags): see the module docstring."""
    flags: list[str] = []
    published_dt = parse_datetime(published or "")
    candidates: tuple[_Candidate, ...] = (
        *(partial(_stated, value) for value in proposed),
        lambda: _day(_announced_date(text or "", _UPDATED)),
    )
    for candidate in candidates:
        found = candidate()
        if found is None:
            continue
        dt = found[0]
        flag = check_date(dt, now)
        if flag:
            flag = f"updated_{flag}"
        elif published_dt is not None and dt < published_dt.replace(
            hour=0, minute=0, second=0, microsecond=0
        ) - timedelta(days=1):
            flag = UPDATED_BEFORE_PUBLISHED  # a day or local time is read as UTC: one day's slack
        if not flag:
            return found[1], flags
        if flag not in flags:
            flags.append(flag)
    return None, flags
