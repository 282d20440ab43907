"""Text-level boilerplate removal: a table of named rules, plus per-source learning.

Extractors (and plain-text sources) leave furniture in the text: login and
share widgets, "Read more" inserts, photo captions and credits, teaser lists of
other stories, tag lists and footers. Each rule below removes one kind, is
written for what any news site does (not for one page), and records its name
for every line it removes, so "why did this line vanish?" always has an answer.
Rules that remove bylines, dates and footers also keep what those lines say
(authors, agency, publisher, dates) as metadata.

Lines that no fixed rule knows but that recur across one source's articles
(its masthead, its own widgets) are found by `learn_boilerplate` and removed by
the `learned` rule.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from newsflow.clean.footer import Credits, parse_byline, parse_date_line, parse_footer, split_names
from newsflow.clean.normalize import normalize_line, normalize_text
from newsflow.wordcount import count_words

HEAD_LINES = 6  # bylines and dates count as metadata only this close to the top
TAIL_LINES = 4  # "Source: X" / "- AFP" count as footers only this close to the end


@dataclass
class Removal:
    """One removed line and the rule that removed it."""

    rule: str
    line: str


@dataclass
class StripResult:
    """The lines left (blank lines kept as ""), what was removed and why, and the metadata found."""

    lines: list[str]
    removed: list[Removal] = field(default_factory=list)
    credits: Credits = field(default_factory=Credits)

    def reasons(self) -> Counter[str]:
        return Counter(r.rule for r in self.removed)


class _Doc:
    """Working state: the lines, which are still kept, and the removals so far."""

    def __init__(self, lines: list[str], learned: frozenset[str]) -> None:
        self.lines = lines
        self.keep = [bool(line) for line in lines]
        self.learned = learned
        self.removed: list[Removal] = []
        self.credits = Credits()

    def drop(self, i: int, rule: str) -> None:
        if self.keep[i]:
            self.keep[i] = False
            self.removed.append(Removal(rule, self.lines[i]))

    def kept(self) -> list[int]:
        """Indices of the kept non-empty lines, in order."""
        return [i for i, k in enumerate(self.keep) if k]

    def adjacent(self, i: int, j: int) -> bool:
        """True when no blank line separates lines i < j (removed lines do not separate)."""
        return all(self.lines[k] for k in range(i + 1, j))

    def paragraphed(self) -> bool:
        """True when the text separates paragraphs with blank lines (so a block is one unit)."""
        blocks, singles, size = 0, 0, 0
        for line in [*self.lines, ""]:
            if line:
                size += 1
            elif size:
                blocks += 1
                singles += size == 1
                size = 0
        return blocks >= 3 and singles * 10 >= blocks * 6

    def merge(self, credits: Credits) -> None:
        c = self.credits
        c.authors.extend(a for a in credits.authors if a not in c.authors)
        c.agency.extend(a for a in credits.agency if a not in c.agency)
        c.publisher = c.publisher or credits.publisher
        c.published_at = c.published_at or credits.published_at
        c.updated_at = c.updated_at or credits.updated_at
        c.section = c.section or credits.section


def _words(line: str) -> int:
    return count_words(line)


def _title_like(line: str, max_words: int = 15) -> bool:
    """A headline: short and not ending like a sentence (a trailing "..." teaser is fine)."""
    if _words(line) > max_words:
        return False
    if line.endswith(("...", "…")):
        return True
    return not line.endswith((".", "!", ",", ";", ":"))


def _full(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{pattern})$", re.I)


def _line_rule(pattern: re.Pattern[str], max_words: int = 30) -> Callable[[_Doc, str], None]:
    def apply(doc: _Doc, name: str) -> None:
        for i in doc.kept():
            line = doc.lines[i]
            if _words(line) <= max_words and pattern.match(line):
                doc.drop(i, name)

    return apply


# --- widgets ---------------------------------------------------------------------------------------

_LOGIN_TOKEN = (
    r"remember me|forgot(?: your)? (?:password|username|login)\??|(?:log|sign) ?(?:in|on|out|up)"
    r"(?: (?:with|via|using) (?:twitter|facebook|google|apple|linkedin|e-?mail|x))?|register(?: now)?"
    r"|create (?:an |your |a free )?account|don'?t have an account\??|not a member\??|join now|username"
    r"|password|keep me (?:logged|signed) in|my account|or|reset password|new here\??|welcome back"
    # fr, de, es, it, pt
    r"|se (?:connecter|d[ée]connecter)|connexion|s'inscrire|mon compte|mot de passe(?: oubli[ée])?"
    r"|anmelden|abmelden|registrieren|mein konto|passwort(?: vergessen)?|iniciar sesi[óo]n|registrarse"
    r"|mi cuenta|contrase[ñn]a|accedi|registrati|entrar|cadastre-se|minha conta"
)
LOGIN_RE = _full(rf"(?:{_LOGIN_TOKEN})(?:\s*[|/·•,]?\s*(?:{_LOGIN_TOKEN}))*[\s|/·•]*")

_SHARE_TOKEN = (
    r"share(?: (?:this|this (?:article|story|page)|on \w+|via \w+|article|story))?|tweet|facebook|twitter|x"
    r"|linkedin|whatsapp|telegram|reddit|pinterest|messenger|flipboard|e-?mail|print|copy (?:link|url)"
    r"|link copied|\d+ comments?|comments?|save|bookmark|follow us(?: on \w+)?|like us on facebook|\d+ shares?"
    r"|partager(?: (?:sur|par) [\w-]+)?|imprimer|commentaires?|teilen|auf \w+ teilen|drucken|kommentare?"
    r"|compartir(?: en \w+)?|imprimir|comentarios?|correo|condividi|stampa|commenti|compartilhar"
)
SHARE_RE = _full(rf"(?:{_SHARE_TOKEN})(?:\s*[|/·•,]?\s*(?:{_SHARE_TOKEN}))*[\s|/·•]*")

FURNITURE_RE = _full(
    r"advertisement|advertising|sponsored(?: content)?|ad|story continues(?: below)?(?: advertisement)?"
    r"|continue reading(?: below| the main story)?|scroll (?:down )?to continue(?: with content)?"
    r"|skip to (?:main )?content|skip (?:ad|advertisement)|back to top|loading\.*|(?:click|tap) here to .{0,80}"
    r"|sign up (?:for|to) (?:our|the) .{0,60}newsletters?.{0,60}|subscribe to (?:our|the) .{0,40}newsletters?.{0,60}"
    r"|get (?:the|our) .{0,40}newsletter.{0,60}|(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4})).{0,120}"
    r"|.{0,100}all rights reserved\.?|media playback is unsupported on your device"
    r"|image (?:caption|copyright)\b.{0,120}|(?:leave|post|add|view|show) (?:a |all )?comments?"
    r"|listen to (?:this )?(?:article|story).{0,40}|\d+ min(?:ute)?s? read|reading time:? .{0,20}"
    r"|subscribe to (?:continue|keep) reading.{0,80}|already (?:a subscriber|have an account)\??.{0,40}"
    r"|(?:this|the) (?:content|article|story) is (?:only )?(?:available )?(?:for|to) (?:paying )?"
    r"(?:subscribers|members).{0,60}|we use cookies.{0,200}|(?:accept|reject|manage) (?:all )?cookies"
    r"|cookie (?:policy|settings|preferences)"
    # the same furniture in fr, de, es, it, pt
    r"|publicit[ée]|anzeige|werbung|publicidad|pubblicit[àa]|publicidade"
    r"|.{0,100}(?:tous droits r[ée]serv[ée]s|alle rechte vorbehalten|todos los derechos reservados"
    r"|tutti i diritti riservati|todos os direitos reservados)\.?"
    r"|(?:inscrivez-vous|abonnez-vous) [àa] (?:notre|nos) .{0,40}(?:lettre|newsletter).{0,100}"
    r"|(?:melden sie sich|abonnieren sie) .{0,60}newsletter.{0,100}|suscr[íi]b(?:ete|ase) a nuestr[oa] .{0,120}"
    r"|iscriviti alla (?:nostra )?newsletter.{0,100}"
    # image credits, login and comment prompts, newsletter calls, in the languages above
    r"|(?:beitrags|titel|vorschau|artikel|header)bild\s*:.{0,150}|bild anzeigen|bildquelle\s*:.{0,100}"
    r"|cr[ée]dits? photos?\s*:.{0,100}|image (?:illustrative|d'illustration)\s*:.{0,150}|\(credit\s*:.{0,80}\)"
    r"|copyright\s*:.{0,80}|sie sind (?:aktuell |derzeit )?nicht (?:eingeloggt|angemeldet)\.?"
    r"|du musst eingeloggt sein.{0,80}|keine kommentare.{0,80}|(?:jetzt )?zum newsletter anmelden.{0,40}"
    r"|never miss .{0,60}newsletter.{0,40}|video verf[üu]gbar bis .{0,30}|anzeige,? enth[äa]lt affiliate.{0,40}"
    r"|inhaltsverzeichnis|table of contents|quellenangaben\s*:?|sources?\s*:|[*(]?werbung[.):]?\s.{0,100}"
)

RULE_LINE_RE = re.compile(r"^[\s_\-=*~•·.#+]{3,}$")

MACHINE_TRANSLATION_RE = _full(
    r"powered by (?:automated|automatic|machine|google|ai) translation\.?"
    r"|(?:automatically|machine)[- ]translated\b.{0,80}"
    r"|this (?:article|story|text|page) (?:was|has been|is) (?:automatically |machine[- ]|ai[- ])?translated\b.{0,100}"
    r"|(?:cet article a été |ce texte a été )?traduit automatiquement\b.{0,100}|traduction automatique\b.{0,80}"
    r"|(?:dieser (?:artikel|text) wurde )?(?:automatisch|maschinell) übersetzt\b.{0,100}|maschinelle übersetzung\b.{0,80}"
    r"|(?:este (?:artículo|texto) (?:fue|ha sido) )?traducido automáticamente\b.{0,100}|traducción automática\b.{0,80}"
)

# --- photos ----------------------------------------------------------------------------------------

_PHOTO_SOURCES = r"afp|reuters|ap|epa|getty(?: images)?|anadolu|xinhua|sana|dpa|ansa|efe|shutterstock|istock"
# "photo" in the languages we index: en, fr, de, es, it, pt
_PHOTO_WORDS = r"photo|photograph|picture|pic|image|file|via getty|foto|bild|imagen|immagine|fotograf[íi]a|cr[ée]dit photo"
# A credit closing a caption: "... / AFP PHOTO / STRINGER", "(Reuters/John Doe)", "Photo: AFP".
PHOTO_CREDIT_RE = re.compile(
    r"(?:/\s*[A-Z][\w.\- ]{1,30}\s+PHOTOS?\b[^a-z]{0,60}$"
    rf"|\((?:[^()]*\b(?:{_PHOTO_WORDS})\b[^()]*|(?:{_PHOTO_SOURCES})\s*/[^()]*)\)\s*$"
    rf"|\b(?:{_PHOTO_WORDS}|credit)s?\s*(?:by|:|/|credit:)\s*(?-i:[A-Z])[\w'&/-]*(?: [\w'&/-]+){{0,4}}$"
    rf"|/\s*(?:{_PHOTO_SOURCES})(?:\s*/\s*(?:file|[A-Z][\w.' -]{{1,30}}))?\s*$)",
    re.I,
)
_PHOTO_CREDIT_START = re.compile(
    r"^\(?(?:photo|picture|image|credit|photo credit|photograph|foto|bild|imagen|immagine|cr[ée]dit photo)"
    r"\s*(?:by|:)\s*\S",
    re.I,
)
IMAGE_ALT_PREFIX_RE = re.compile(r"^(?:article ?image|image|photo|video|gallery)(?=[A-Z])|^article image\s+")


_NON_ALNUM = re.compile(r"[\W_]+")


def _key(line: str) -> str:
    """Alphanumerics only, casefolded: "November 2  2017" and "November 2, 2017" compare equal."""
    return _NON_ALNUM.sub("", line.casefold())


# --- related links and teasers ---------------------------------------------------------------------

_LIST_HEADING = (
    r"read (?:more|also|next)|also read|see also|related(?: (?:articles?|stories|news|content|coverage|posts"
    r"|links|topics|reading|videos?))?|more (?:on this(?: story| topic)?|stories|news|from [\w .'’&-]{1,40}"
    r"|news from(?: [\w .'’&-]{1,40})?|in [\w .'’&-]{1,30})|latest(?: news| stories| headlines| updates)?"
    r"|top (?:news|stories|headlines)|most (?:read|popular|viewed|shared|watched)|trending(?: now| stories)?"
    r"|recommended(?: for you| stories| reading)?|you (?:may|might) also (?:like|be interested in)"
    r"|editor'?s picks|don'?t miss|further reading|what to read next|in other news|popular(?: now)?"
    # fr, de, es, it, pt
    r"|(?:[àa] )?lire aussi|voir aussi|sur le m[êe]me sujet|les plus (?:lus|partag[ée]s|consult[ée]s)"
    r"|plus d'(?:actualit[ée]s|infos|articles)(?: [\w .'’&-]{1,40})?|derni[èe]res (?:actualit[ée]s|infos|nouvelles)"
    r"|articles? (?:r[ée]cents|similaires|li[ée]s)|lesen sie auch|auch interessant|mehr zum thema|meistgelesen"
    r"|das k[öo]nnte sie (?:auch )?interessieren|weitere (?:nachrichten|artikel|beitr[äa]ge)(?: [\w .'’&-]{1,40})?"
    r"|neueste (?:beitr[äa]ge|nachrichten|artikel)|noticias relacionadas|lo m[áa]s (?:le[íi]do|visto|compartido)"
    r"|m[áa]s noticias(?: [\w .'’&-]{1,40})?|(?:tambi[ée]n )?te puede interesar|[úu]ltimas noticias"
    r"|entradas recientes|le[ae] tambi[ée]n|leggi anche|articoli correlati|notizie correlate|i pi[ùu] letti"
    r"|leia tamb[ée]m|veja tamb[ée]m|mais lidas|not[íi]cias relacionadas"
    # more of the same headings, seen across the real pages' German, Spanish and English sites
    r"|(?:das )?(?:thema )?k[öo]nnte (?:dich|sie|euch) (?:auch )?interessieren|empfohlene (?:beitr[äa]ge|artikel)"
    r"|schon gelesen\??|(?:weitere|mehr|top)[- ](?:aktuelle )?(?:themen|news|meldungen|tipps)(?: [\w .'’&-]{1,40})?"
    r"|mehr zum thema(?: [\w .'’&-]{1,40})?|vorschau auf den n[äa]chsten (?:artikel|beitrag)|zum weiterlesen"
    r"|lesen sie auch(?: die(?:se)? (?:folgenden )?(?:beitr[äa]ge|artikel))?|beitr[äa]ge aus dem forum"
    r"|auch auf [\w.-]{3,40}|notas relacionadas|contenido relacionado|m[áa]s sobre [\w .'’&-]{1,40}|temas"
    r"|more (?:articles|posts) (?:like this|from [\w .'’&-]{1,40})|you might also like|recent posts"
)
LIST_HEADING_RE = _full(rf"(?:{_LIST_HEADING})\s*[:»›>|\-–—]*")
INLINE_RELATED_RE = re.compile(
    r"^(?:read (?:more|also|next)|also read|see also|related|more on this|watch|listen|recommended"
    r"|(?:[àa] )?lire aussi|voir aussi|lesen sie (?:auch|mehr)|auch interessant|mehr zum thema|le[ae] tambi[ée]n"
    r"|ver tambi[ée]n|leggi anche|leia tamb[ée]m|veja tamb[ée]m)\s*[:»›|]\s*\S",
    re.I,
)
TAG_LIST_RE = re.compile(
    r"^(?:more about|tags?|topics?|filed under|categor(?:y|ies)|kategorien?|categor[íi]as?|related topics|keywords|more on|mots-cl[ée]s|th[èe]mes"
    r"|schlagw[öo]rter|schlagworte|themen|etiquetas|temas|argomenti)\s*:?\s+\S",
    re.I,
)
CREDITS_LINE_RE = re.compile(
    r"^\(?(?:(?:additional )?reporting|writing|written|editing|edited|compiled|produced|translated)"
    r" by\b.{2,200}$",
    re.I,
)
_CREDIT_PART = re.compile(r"(?P<role>(?:additional )?reporting|writing|written) by (?P<names>[^;)]+)", re.I)

# --- rules -------------------------------------------------------------------------------------------


def _learned(doc: _Doc, name: str) -> None:
    if not doc.learned:
        return
    for i in doc.kept():
        if _fold(doc.lines[i]) in doc.learned:
            doc.drop(i, name)


def _rule_lines(doc: _Doc, name: str) -> None:
    for i in doc.kept():
        if RULE_LINE_RE.match(doc.lines[i]):
            doc.drop(i, name)


def _image_alt_prefix(doc: _Doc, name: str) -> None:
    for i in doc.kept():
        m = IMAGE_ALT_PREFIX_RE.match(doc.lines[i])
        if m:
            doc.removed.append(Removal(name, m.group(0)))
            doc.lines[i] = doc.lines[i][m.end() :].strip()
            doc.keep[i] = bool(doc.lines[i])


def _photo_credits(doc: _Doc, name: str) -> None:
    """A credit line goes; in blank-line-paragraphed text the caption lines of its block go too."""
    paragraphed = doc.paragraphed()
    for i in doc.kept():
        line = doc.lines[i]
        if _words(line) > 80:
            continue
        if not (PHOTO_CREDIT_RE.search(line) or _PHOTO_CREDIT_START.match(line) and _words(line) <= 12):
            continue
        doc.drop(i, name)
        if paragraphed:
            j = i - 1
            while j >= 0 and doc.lines[j] and i - j <= 3:
                doc.drop(j, name)
                j -= 1


def _caption_pairs(doc: _Doc, name: str) -> None:
    """A line repeated at once, or a truncated "..." line followed by its full form, is a caption."""
    kept = doc.kept()
    for a, b in zip(kept, kept[1:], strict=False):
        if not doc.keep[a] or not doc.adjacent(a, b):
            continue
        first, second = doc.lines[a], doc.lines[b]
        if first[:8].casefold() != second[:8].casefold():
            continue
        k1, k2 = _key(first.rstrip(".…")), _key(second)
        if len(k1) < 10:
            continue
        truncated = first.endswith(("...", "…")) and len(k1) >= 20 and k2.startswith(k1)
        if k1 == k2 or truncated:
            doc.drop(a, name)
            doc.drop(b, name)


def _related_links(doc: _Doc, name: str) -> None:
    """ "Read more:" / "Related" / "Latest News" headings and the teaser titles under them."""
    kept = doc.kept()
    for n, i in enumerate(kept):
        if not doc.keep[i]:
            continue
        line = doc.lines[i]
        if INLINE_RELATED_RE.match(line) and _words(line) <= 30:
            doc.drop(i, name)
            continue
        if not LIST_HEADING_RE.match(line):
            continue
        doc.drop(i, name)
        prev = i
        for m, j in enumerate(kept[n + 1 : n + 9]):
            follow = doc.lines[j]
            first = m == 0
            if first and _title_like(follow, 25):
                doc.drop(j, name)
            elif not first and doc.adjacent(prev, j) and _title_like(follow):
                doc.drop(j, name)
            else:
                break
            prev = j


def _tag_lists(doc: _Doc, name: str) -> None:
    for i in doc.kept():
        line = doc.lines[i]
        if TAG_LIST_RE.match(line) and _words(line) <= 25 and not line.endswith("."):
            doc.drop(i, name)


def _teaser_lists(doc: _Doc, name: str) -> None:
    """Title / date / lede blocks of other stories, recognised by their run of date-only lines.

    Two or more date-only lines close together, with only short lines around
    them, are a list of other articles; when the list runs to the end of the
    text everything from its first title on goes.
    """
    kept = doc.kept()
    pos = {i: n for n, i in enumerate(kept)}
    dates = [i for i in kept[3:] if parse_date_line(doc.lines[i])]  # the first lines date the story itself
    runs: list[list[int]] = []
    for i in dates:
        if runs and pos[i] - pos[runs[-1][-1]] <= 7:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        if len(run) < 2:
            continue
        start_n = pos[run[0]]
        if (
            start_n > 0
            and doc.adjacent(kept[start_n - 1], run[0])
            and _title_like(doc.lines[kept[start_n - 1]])
        ):
            start_n -= 1
        after = kept[pos[run[-1]] + 1 :]
        to_end = len(after) <= 4 and all(_words(doc.lines[j]) <= 60 for j in after)
        end_n = len(kept) - 1 if to_end else pos[run[-1]]
        region = kept[start_n : end_n + 1]
        if any(_words(doc.lines[j]) > 60 for j in region):
            region = run
        for j in region:
            doc.drop(j, name)


def _head_bylines(doc: _Doc, name: str) -> None:
    for i in doc.kept()[:HEAD_LINES]:
        credits = parse_byline(doc.lines[i])
        if credits:
            doc.merge(credits)
            doc.drop(i, name)


def _date_lines(doc: _Doc, name: str) -> None:
    """Date-only lines: near the top they date the story; elsewhere they are furniture."""
    head = set(doc.kept()[:HEAD_LINES])
    for i in doc.kept():
        parsed = parse_date_line(doc.lines[i])
        if not parsed:
            continue
        if i in head:
            kind, iso = parsed
            doc.merge(Credits(published_at=iso) if kind == "published" else Credits(updated_at=iso))
        doc.drop(i, name)


def _credit_lines(doc: _Doc, name: str) -> None:
    """ "Reporting by X; Editing by Y": reporters and writers become authors."""
    for i in doc.kept():
        line = doc.lines[i]
        if not CREDITS_LINE_RE.match(line):
            continue
        for m in _CREDIT_PART.finditer(line):
            names = split_names(m.group("names").strip(" .()"))
            if names:
                doc.merge(names)
        doc.drop(i, name)


def _published_footer(doc: _Doc, name: str) -> None:
    """ "Published in Dawn, November 5th, 2017" anywhere: publisher and date."""
    for i in doc.kept():
        line = doc.lines[i]
        if _words(line) <= 20 and line.casefold().startswith(("published", "this ", "printed", "appeared")):
            credits = parse_footer(line)
            if credits and credits.publisher:
                doc.merge(credits)
                doc.drop(i, name)


def _source_footer(doc: _Doc, name: str) -> None:
    """ "Source: AFP", "Souece: AFP", "- Reuters" at the end: agency or publisher."""
    for i in doc.kept()[-TAIL_LINES:]:
        line = doc.lines[i]
        if _words(line) > 12:
            continue
        credits = parse_footer(line)
        if credits:
            doc.merge(credits)
            doc.drop(i, name)


@dataclass(frozen=True)
class Rule:
    name: str
    why: str
    apply: Callable[[_Doc, str], None]


# Order matters: widgets and inserts first, then structure (teasers), then metadata lines,
# whose "near the top" / "near the end" tests should see the text without the furniture.
RULES: tuple[Rule, ...] = (
    Rule("learned", "recurs across this source's recent articles", _learned),
    Rule("login_widget", "login/registration widget text", _line_rule(LOGIN_RE, 20)),
    Rule("share_widget", "share/follow/comment buttons", _line_rule(SHARE_RE, 20)),
    Rule(
        "site_furniture",
        "ads, newsletter prompts, copyright, cookie and paywall lines",
        _line_rule(FURNITURE_RE),
    ),
    Rule("rule_line", "separator lines (____, ----)", _rule_lines),
    Rule("machine_translation", "automated translation notice", _line_rule(MACHINE_TRANSLATION_RE)),
    Rule("image_alt_prefix", "'article image' alt text glued to the headline", _image_alt_prefix),
    Rule("photo_caption", "photo caption with a credit line", _photo_credits),
    Rule("caption_pair", "caption repeated, or truncated then full", _caption_pairs),
    Rule(
        "related_links", "'Read more'/'Related'/'Latest News' inserts and their teaser titles", _related_links
    ),
    Rule("tag_list", "'More about ...' / 'Tags:' lines", _tag_lists),
    Rule("teaser_list", "title/date/lede blocks of other articles", _teaser_lists),
    Rule("byline", "byline at the top (kept as authors/agency/date)", _head_bylines),
    Rule("date_line", "date-only line (kept as date near the top)", _date_lines),
    Rule("credits", "'Reporting by'/'Editing by' credits (kept as authors)", _credit_lines),
    Rule("published_footer", "'Published in X, date' footer (kept as publisher/date)", _published_footer),
    Rule("source_footer", "'Source: X' / agency sign-off footer (kept as agency/publisher)", _source_footer),
)


def strip_boilerplate(text: str | Iterable[str], learned: frozenset[str] = frozenset()) -> StripResult:
    """Apply every rule in `RULES` to normalised text (or its lines) and say what went and why."""
    lines = text.split("\n") if isinstance(text, str) else list(text)
    doc = _Doc([line.strip() for line in lines], learned)
    for rule in RULES:
        rule.apply(doc, rule.name)
    out = [line if keep else "" for line, keep in zip(doc.lines, doc.keep, strict=True)]
    # Collapse the blank runs left by removals.
    compact: list[str] = []
    for line in out:
        if line or (compact and compact[-1]):
            compact.append(line)
    while compact and not compact[-1]:
        compact.pop()
    return StripResult(lines=compact, removed=doc.removed, credits=doc.credits)


# --- learning ----------------------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")


def line_key(line: str) -> str:
    """The form in which lines are learned and matched: normalised, casefolded, digits as 0.

    Digits are folded so "© 2024 Example" and "Comments (12)" match next year's and the next page's.
    """
    return _fold(normalize_line(line))


def _fold(line: str) -> str:
    """`line_key` for a line that is already normalised (the rules see only such lines)."""
    return _DIGITS.sub("0", " ".join(line.casefold().split()))


def normalized_line_key(line: str) -> str:
    """`line_key` of a line of text already normalised (`normalize_text`): an article's text, a
    learning text. `learn_boilerplate(normalized=True)` keys its lines so; matching them the same
    way skips the normalisation's per-line checks."""
    return _fold(line)


def _signature(keys: set[str]) -> set[str]:
    """Story lines (long ones) identify an article; furniture lines are mostly short."""
    return {k for k in keys if count_words(k) >= 12}


def learn_boilerplate(
    texts: list[str],
    min_share: float = 0.5,
    min_docs: int = 3,
    max_lines: int = 500,
    *,
    normalized: bool = False,
) -> frozenset[str]:
    """Lines that recur in at least `min_share` of a source's recent articles (and in `min_docs`).

    Versions of the same story (updates, re-fetches) are counted once, judged
    by their long lines, so a story's own paragraphs are not learned as
    furniture because it was fetched five times. The result (keys as made by
    `line_key`) is what `clean_item(..., learned=...)` expects. `normalized=True`: the texts
    are learning texts (`learning_text`, already normalised), not normalised again (ftfy's
    check on a non-ASCII text is the costly part of learning).
    """
    docs: list[set[str]] = []
    signatures: list[set[str]] = []
    for text in texts:
        keys = {_fold(line) for line in (text if normalized else normalize_text(text)).split("\n")}
        keys = {k for k in keys if any(ch.isalnum() for ch in k)}
        if not keys:
            continue
        sig = _signature(keys)
        if sig and any(other and len(sig & other) * 2 >= len(sig | other) for other in signatures):
            continue
        docs.append(keys)
        signatures.append(sig)
    if len(docs) < max(min_docs, 1):
        return frozenset()
    need = max(min_docs, math.ceil(min_share * len(docs)))
    counts = Counter(k for keys in docs for k in keys)
    ranked = [k for k, c in counts.most_common() if c >= need]
    return frozenset(ranked[:max_lines])
