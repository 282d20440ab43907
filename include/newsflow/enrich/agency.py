"""Wire agencies credited for an article's text.

Read from the places agencies are credited, never from any mention in the story:

- a byline: "By AFP", "By Reuters Staff", "By The Associated Press", "By AFP and Reuters";
- a wire dateline: "WASHINGTON (Reuters) -", "PARIS, Nov 5 (AFP) —", "MADRID (EFE).-",
  "BERLIN (dpa) -", "BEIJING (Xinhua) --" (in the head);
- a credit line: "Source: AFP", "Sources: AFP, Reuters", "Quelle: dpa", "Fonte: ANSA",
  "Fuente: EFE", "Credit: AFP", "(c) Reuters", "© 2017 AFP", "With AFP", "AFP/dpa", "- AFP",
  "(AFP)" as a whole short line (a few words, in the last lines or the first lines);
- "told AFP" / "told Reuters": only an agency's own reporters are *told* things, so a quote
  given to the agency means the text is (or is built on) that agency's copy. This is a
  deliberate choice: outlets that republish AFP keep "told AFP" even when they drop the
  credit line. "X reported", "according to X", "state news agency SANA said" are NOT
  credits: they cite another agency's report inside the story.

Photo credits ("/ AFP PHOTO / STRINGER", "(AP Photo/Jane Doe)") credit a picture, not the
text, and are ignored. Acronyms match in capitals only ("AP", never "ap" or "Ap").
What clean already found (`article.claims["agency"]`) is merged in; the result is the canonical
names, unique, sorted case-insensitively.
"""

from __future__ import annotations

import re

# Canonical name -> spellings (case-sensitive), aligned with newsflow.clean's names.
AGENCIES: dict[str, tuple[str, ...]] = {
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse", "Agence France-Press"),
    "Reuters": ("Reuters", "REUTERS", "Thomson Reuters"),
    "AP": ("AP", "Associated Press", "The Associated Press", "ASSOCIATED PRESS"),
    "dpa": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "ANSA": ("ANSA",),
    "EFE": ("EFE", "Efe", "Agencia EFE"),
    "Xinhua": ("Xinhua", "XINHUA", "Xinhua News Agency"),
    "PTI": ("PTI", "Press Trust of India"),
    "IANS": ("IANS",),
    "ANI": ("ANI",),
    "UPI": ("UPI", "United Press International"),
    "Anadolu": ("Anadolu", "Anadolu Agency", "AA"),
    "Kyodo": ("Kyodo", "Kyodo News", "KYODO"),
    "Jiji": ("Jiji", "Jiji Press"),
    "Yonhap": ("Yonhap", "YONHAP", "Yonhap News Agency"),
    "TASS": ("TASS", "Tass"),
    "RIA Novosti": ("RIA Novosti", "RIA"),
    "Interfax": ("Interfax",),
    "Bernama": ("Bernama", "BERNAMA"),
    "Antara": ("Antara",),
    "APP": ("APP",),
    "AAP": ("AAP", "Australian Associated Press"),
    "CP": ("The Canadian Press", "Canadian Press"),
    "PA": ("PA", "PA Media", "Press Association"),
    "Europa Press": ("Europa Press",),
    "Lusa": ("Lusa", "LUSA"),
    "Belga": ("Belga", "BELGA"),
    "ANP": ("ANP",),
    "APA": ("APA",),
    "Keystone-SDA": ("Keystone-SDA", "SDA", "ATS"),
    "PAP": ("PAP",),
    "CTK": ("CTK", "ČTK"),
    "MTI": ("MTI",),
    "Agerpres": ("Agerpres",),
    "BTA": ("BTA",),
    "SANA": ("SANA",),
    "IRNA": ("IRNA",),
    "WAM": ("WAM",),
    "KUNA": ("KUNA",),
    "MENA": ("MENA",),
    "Bloomberg": ("Bloomberg",),
}
_CANONICAL = {spelling: name for name, spellings in AGENCIES.items() for spelling in spellings}
_ALT = "|".join(re.escape(s) for s in sorted(_CANONICAL, key=len, reverse=True))
_AG = rf"(?<![\w-])(?:{_ALT})(?![\w-])"
_LIST = rf"{_AG}(?:\s*(?:/|,|&|\band\b|\+)\s*{_AG})*"

# "By AFP", "By Reuters Staff", "By AFP and Reuters", "By AFP     Nov 8, 2017 in World"
_BYLINE = re.compile(rf"^\s*(?:By|BY|Par|Von|Por)\s+(?P<list>{_LIST})(?:\s+(?:Staff|staff|Reporters?))?\b")
# "WASHINGTON (Reuters) -", "PARIS, Nov 5 (AFP) —", "(AP) —"
_DATELINE = re.compile(rf"\((?P<list>{_LIST})\)\s*\.?\s*[-–—:]")
# A whole short credit line: "Source: AFP", "Souece: AFP", "With AFP", "- AFP", "(AFP)", "AFP/dpa"
_CREDIT_LINE = re.compile(
    rf"^\s*(?:(?:\([cC]\)|©|[Cc]opyright)\s*(?:(?:19|20)\d\d\s*)?)?"
    rf"[-–—(\[]*\s*(?:(?:[A-Z][a-z]{{2,8}}s?|[Ww]ith|[Vv]ia)\s*:?\s+|[A-Z][a-z]{{2,8}}s?\s*:\s*)?"
    rf"(?P<list>{_LIST})\s*[)\]]?\s*\.?\s*$"
)
_TOLD = re.compile(rf"\btold\s+(?P<list>{_AG})")
_PHOTO = re.compile(r"\bphoto\b", re.IGNORECASE)
_ONE = re.compile(_AG)

EDGE_LINES = 4  # credit lines are looked for among the first and last lines


def _names(fragment: str) -> list[str]:
    return [_CANONICAL[m.group(0)] for m in _ONE.finditer(fragment)]


def agencies_in(text: str, title: str = "") -> list[str]:
    """Agencies credited in `text` (see the module docstring), canonical, unique, sorted."""
    found: set[str] = set()
    lines = [line for line in (text or "").splitlines() if line.strip()]
    edges = lines[:EDGE_LINES] + lines[-EDGE_LINES:]
    for line in edges:
        if _PHOTO.search(line):
            continue
        for pattern in (_BYLINE, _CREDIT_LINE):
            m = pattern.match(line)
            if m:
                found.update(_names(m.group("list")))
    head = "\n".join(lines[:EDGE_LINES])
    for m in _DATELINE.finditer(head):
        found.update(_names(m.group("list")))
    for m in _TOLD.finditer(text or ""):
        found.update(_names(m.group("list")))
    return sorted(found, key=lambda n: (n.casefold(), n))


def merge_agencies(*lists: list[str]) -> list[str]:
    """Union of agency lists, canonical names kept as given, sorted case-insensitively."""
    names = {n.strip() for lst in lists for n in lst if n and n.strip()}
    return sorted(names, key=lambda n: (n.casefold(), n))
