"""The quality gate: decide, with a reason a person can read, what is not an article.

Rejections are cheap to explain and expensive to get wrong, so each check looks
for strong evidence: binary payloads by their bytes and content type,
interstitials (cookie walls, captchas, paywalls, error pages, JavaScript shells)
by their typical phrases *and* by how little else the page says, index pages by
their shape (many short headline lines, few sentences).
"""

from __future__ import annotations

import re
from collections.abc import Container

from newsflow.wordcount import count_words

_TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/json", "application/rss",
               "application/atom", "application/ld+json", "application/x-ndjson", "application/javascript")  # fmt: skip
_MAGIC = {
    "%PDF-": "PDF document",
    "\x89PNG": "PNG image",
    "GIF87a": "GIF image",
    "GIF89a": "GIF image",
    "\xff\xd8\xff": "JPEG image",
    "PK\x03\x04": "ZIP archive",
    "\x1f\x8b": "gzip data",
    "RIFF": "RIFF media",
    "ID3": "MP3 audio",
    "\x00\x00\x00": "binary data",
}
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]")


def check_not_text(body: str, content_type: str = "") -> str | None:
    """`not_text: ...` when the payload is not text (by content type, magic bytes or control characters)."""
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype and not ctype.startswith(_TEXT_TYPES) and ctype not in {"application/octet-stream", ""}:
        return f"not_text: content type {ctype}"
    head = body[:16].lstrip("\ufeff")
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return f"not_text: {what}"
    sample = body[:4000]
    if sample:
        bad = len(_BINARY_CHARS.findall(sample))
        if bad > 8 and bad * 100 > len(sample) * 2:
            return f"not_text: binary content ({bad * 100 // len(sample)}% control characters)"
    return None


# Interstitial kinds: phrases typical of each, matched case-insensitively in the page text.
_INTERSTITIALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("captcha", re.compile(
        r"captcha|are you (?:a )?(?:robot|human)|verify (?:that )?you are (?:a )?human|unusual traffic"
        r"|checking (?:if the site connection is secure|your browser)|press (?:&|and) hold|just a moment\.\.\."
        r"|complete the security check|access to this page has been denied|bot (?:detection|protection)",
        re.I)),
    ("cookie consent", re.compile(
        r"(?:we|this (?:site|website)) uses? cookies|accept (?:all )?cookies|cookie (?:policy|settings|preferences)"
        r"|consent to (?:the use of )?cookies|manage (?:your )?(?:cookie|privacy) (?:settings|choices|preferences)"
        r"|we value your privacy|(?:reject|accept) all|our partners (?:store|use)"
        # de, fr, es, it, pt, nl: the same walls in the other languages we index
        r"|cookies? (?:akzeptieren|zustimmen)|alle akzeptieren|(?:wir|partner) verwenden cookies"
        r"|datenschutzeinstellungen|einstellungen verwalten|stimmen sie zu"
        r"|(?:nous )?utilisons des cookies|accepter (?:les cookies|et fermer)|tout accepter|tout refuser"
        r"|g[ée]rer (?:mes|les) (?:choix|cookies|préférences)|param[èe]tres des cookies"
        r"|utilizamos cookies|aceptar (?:todo|todas|cookies)|rechazar todo|accetta (?:tutti|i cookie)"
        r"|utilizziamo (?:i )?cookie|aceitar (?:todos|cookies)|alles accepteren|wij gebruiken cookies",
        re.I)),
    ("paywall", re.compile(
        r"subscribe (?:now )?to (?:continue|keep) reading|(?:to continue|keep) reading,? (?:please )?(?:subscribe|log ?in"
        r"|sign ?in)|this (?:content|article|story) is (?:only )?(?:available )?(?:for|to) (?:paying )?"
        r"(?:subscribers|members)|already a subscriber|subscribers only|become a (?:subscriber|member) to read"
        r"|you(?:'ve| have) reached (?:your|the) (?:limit|maximum) of free articles|unlock (?:this|full) article"
        r"|um weiterzulesen|jetzt (?:abonnieren|weiterlesen mit)|nur für abonnenten|abonnez-vous pour lire"
        r"|réservé aux abonnés|lire la suite (?:pour|en vous abonnant)|suscr[íi]bete para (?:seguir|continuar)"
        r"|exclusivo para suscriptores|riservato agli abbonati|exclusivo para assinantes",
        re.I)),
    ("error page", re.compile(
        r"\b(?:404|410|500|502|503)\b.{0,40}(?:not found|error|gone|unavailable)|page (?:not found|cannot be found"
        r"|could not be found|doesn'?t exist|does not exist|no longer exists)|the (?:page|article|content) you"
        r" (?:requested|are looking for|were looking for)|internal server error|service (?:temporarily )?unavailable"
        r"|(?:403 )?forbidden|access denied|bad gateway|something went wrong"
        r"|seite (?:wurde )?nicht gefunden|page (?:introuvable|non trouvée)|página no encontrada"
        r"|pagina non trovata|página não encontrada|pagina niet gevonden",
        re.I)),
    ("javascript required", re.compile(
        r"(?:please )?enable javascript|javascript (?:is )?(?:disabled|required|must be enabled)|requires javascript"
        r"|you need to enable javascript|turn on javascript|browser (?:does not|doesn'?t) support javascript"
        r"|this (?:app|site|page) works best with javascript|javascript aktivieren|aktivieren sie javascript"
        r"|activer (?:le )?javascript|activa(?:r)? javascript|abilita(?:re)? javascript",
        re.I)),
)  # fmt: skip

INTERSTITIAL_MAX_WORDS = 150


def detect_interstitial(page_text: str, article_words: int) -> str | None:
    """`interstitial: <kind>` when the page is a wall in front of (or instead of) an article.

    `page_text` is the normalised text before boilerplate removal (the wall's
    own wording is what gives it away); `article_words` the words left after
    cleaning. A long article that merely mentions cookies is not a wall.
    """
    if article_words >= INTERSTITIAL_MAX_WORDS:
        return None
    for kind, pattern in _INTERSTITIALS:
        hits = pattern.findall(page_text)
        if hits and (len(hits) >= 2 or article_words < 60 or kind in {"paywall", "captcha"}):
            return f"interstitial: {kind}"
    return None


_SENTENCE_END = re.compile(r"[.!?。！？][\"”’»)]?$")


def detect_index_page(
    lines: list[str], link_density: float | None = None, anchors: Container[str] | None = None
) -> str | None:
    """`index_page: ...` for section fronts and lists of links rather than one story.

    Shape: many lines, nearly all short and headline-like, few sentences. For
    HTML, a high share of text inside links is decisive, and a short line only
    counts as a headline when it is the text of one of the page's links
    (`anchors`): a recipe, a product sheet or a poem is short lines too, but
    its lines lead nowhere.
    """
    lines = [line for line in lines if line.strip()]
    if link_density is not None and link_density >= 0.6 and len(lines) >= 5:
        return f"index_page: {link_density:.0%} of the page text is links"
    if len(lines) < 10:
        return None
    short = [line for line in lines if count_words(line) <= 12]
    sentences = sum(1 for line in lines if _SENTENCE_END.search(line) and count_words(line) > 12)
    if len(short) * 10 < len(lines) * 8 or sentences * 5 > len(lines):
        return None  # a story even before the link test, which only ever shortens `short`
    if anchors is not None:
        short = [line for line in short if " ".join(line.split()).casefold() in anchors]
    if len(short) * 10 >= len(lines) * 8:
        kind = "linked headlines" if anchors is not None else "headline-like"
        return f"index_page: {len(short)} of {len(lines)} lines are {kind}"
    return None


def check_too_short(words: int, min_words: int) -> str | None:
    """`too_short: 12 words < 40`."""
    if words < min_words:
        return f"too_short: {words} words < {min_words}"
    return None
