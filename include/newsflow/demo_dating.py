"""Date the demo newsroom to the day a run covers, so the demo tells its story on any day.

The bundled newsroom (include/demo) is written as it appeared on `ANCHOR`: feeds, pages,
URL paths, file names and the local archive all carry that day. A feed only shows what is
current, so a demo that ran that fixed day would, a week later, find every feed outside
its live window and show nothing. Instead `render_newsroom` copies the newsroom with every
written form of the anchor day (ISO, URL paths, RFC 822, English, German and French dates,
datelines) moved to the run's day; the time of day and the offset stay as written.

Only whole days move: what the corpus says about weekdays in prose ("on Thursday") is
left alone, while the weekday of an RFC 822 date is recomputed so feeds stay valid.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

ANCHOR = date(2026, 11, 20)
"""The day the bundled demo newsroom was written for."""

_TEXT_SUFFIXES = {".html", ".htm", ".xml", ".jsonl", ".json", ".txt", ".yaml", ".yml", ".md"}

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
}
_WEEKDAYS_RFC = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _month(day: date, lang: str) -> str:
    return _MONTHS[lang].split()[day.month - 1]


def date_forms(day: date) -> list[str]:
    """Every way the corpus writes a day, in a fixed order (so forms of two days pair up)."""
    en, de, fr = _month(day, "en"), _month(day, "de"), _month(day, "fr")
    rfc = f"{_WEEKDAYS_RFC[day.weekday()]}, {day.day:02d} {en[:3]} {day.year}"
    return [
        rfc,
        f"{en} {day.day}, {day.year}",
        f"{day.day}. {de} {day.year}",
        f"{day.day} {fr} {day.year}",
        f"{day.day} {en} {day.year}",
        day.isoformat(),
        f"{day:%Y/%m/%d}",
        f"{en[:3]} {day.day}",
    ]


def forms_pattern(day: date) -> re.Pattern[str]:
    """Any written form of `day`, longest first, not inside a longer word or number."""
    forms = sorted(date_forms(day), key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(f)}(?!\d)" for f in forms))


def shift_text(text: str, day: date, anchor: date = ANCHOR) -> str:
    """`text` with every written form of `anchor` replaced by the same form of `day`."""
    if day == anchor:
        return text
    pattern = forms_pattern(anchor)
    table = dict(zip(date_forms(anchor), date_forms(day), strict=True))
    return pattern.sub(lambda m: table[m.group(0)], text)


def render_newsroom(source: Path, dest: Path, day: date, anchor: date = ANCHOR) -> Path:
    """Copy the newsroom folder `source` to `dest` (replaced), dated to `day`; returns `dest`."""
    if dest.exists():
        shutil.rmtree(dest)
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        target = dest / shift_text(path.relative_to(source).as_posix(), day, anchor)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() in _TEXT_SUFFIXES:
            target.write_text(shift_text(path.read_text(encoding="utf-8"), day, anchor), encoding="utf-8")
        else:
            shutil.copyfile(path, target)
    return dest
