"""A deterministic, fictional news corpus for the benchmarks.

Why generated and not committed: the 10k and 100k corpora weigh hundreds of
megabytes, and a seed makes every run compare like with like. Everything here
is made up by us (outlets, towns, people, words strung into sentences); nothing
is copied from real articles.

What it looks like (so the stages have real work to do):
- 24 outlets in six languages (en, de, fr, es, it, nl), three page layouts, each
  page with site furniture trafilatura has to skip (navigation, cookie banner,
  "most read" teaser lists, newsletter box, footer, inline scripts) and furniture
  our text pass has to strip ("Read more:" inserts, photo credits);
- about 22% of the articles are syndicated wire copies (another outlet's page of
  the same wire story, paragraphs cut and words edited), 3% exact copies under
  another URL, the rest original stories;
- 250 to 900 words an article, so pages weigh 12 to 40 KB.

`article(i, seed)` builds article i alone (random.Random seeded per article), so
any slice of the corpus can be made without the rest, in any order, in any process.
`write_corpus(root, size, seed)` writes it as the fetch stage's input (a site per
outlet with an RSS feed, served on loopback) and as raw batches (JSON lines of
`RawItem`s, HTML and plain text), which is what the clean stage reads.

Run `python benchmarks/corpus.py --size 1000 /tmp/corpus` to look at one.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
DEFAULT_SEED = 20261122
SYNDICATED_SHARE = 0.22
EXACT_SHARE = 0.03
BASE_TIME = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)

# Words strung together per language: function words weighted in, so n-gram language
# identification sees text that looks like the language (the sentences mean nothing).
WORDS: dict[str, tuple[str, str]] = {
    "en": (
        "the the the of of and and to to in in a a is was that for on with as by at from it "
        "has have been will were which their this would said after over about more",
        "council harbour ferry workers plan government minister city port river bridge market "
        "report company union election budget police station project school hospital weather "
        "storm coast fishing boats festival museum strike prices fuel water energy housing "
        "residents mayor court decision agreement talks quarter figures growth trade route "
        "season visitors contract vote review inquiry damage repairs council funding families",
    ),
    "de": (
        "der die das und in den von zu mit sich des auf für ist im dem nicht ein eine als auch "
        "es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über",
        "Hafen Stadtrat Fähre Arbeiter Regierung Minister Stadt Fluss Brücke Markt Bericht "
        "Unternehmen Gewerkschaft Wahl Haushalt Polizei Bahnhof Projekt Schule Krankenhaus "
        "Wetter Sturm Küste Fischerei Boote Fest Museum Streik Preise Treibstoff Wasser Energie "
        "Wohnungen Bewohner Bürgermeister Gericht Entscheidung Vereinbarung Gespräche Zahlen",
    ),
    "fr": (
        "le la les de des du et à en un une est que qui dans pour sur pas par au avec ce il "
        "sont a été plus ses leur cette mais aux ont selon depuis entre après lors",
        "port conseil ferry ouvriers gouvernement ministre ville fleuve pont marché rapport "
        "entreprise syndicat élection budget police gare projet école hôpital météo tempête "
        "côte pêche bateaux fête musée grève prix carburant eau énergie logement habitants "
        "maire tribunal décision accord négociations chiffres croissance commerce saison",
    ),
    "es": (
        "el la los las de del y en a que es un una por con para se su al lo como más pero sus "
        "ha fue este esta entre cuando sobre también desde según tras durante",
        "puerto consejo ferry trabajadores gobierno ministro ciudad río puente mercado informe "
        "empresa sindicato elecciones presupuesto policía estación proyecto escuela hospital "
        "tiempo tormenta costa pesca barcos fiesta museo huelga precios combustible agua "
        "energía vivienda vecinos alcalde tribunal decisión acuerdo negociaciones cifras",
    ),
    "it": (
        "il la lo i gli le di del della e in a da che per con su un una è sono non si al alla "
        "come più anche ha stato dei delle nel nella dopo secondo mentre tra",
        "porto consiglio traghetto lavoratori governo ministro città fiume ponte mercato "
        "rapporto azienda sindacato elezioni bilancio polizia stazione progetto scuola ospedale "
        "tempo tempesta costa pesca barche festa museo sciopero prezzi carburante acqua "
        "energia case residenti sindaco tribunale decisione accordo trattative cifre",
    ),
    "nl": (
        "de het een en van in op te dat is voor met zijn niet aan er om ook als bij door maar "
        "over nog naar wordt werd heeft hebben deze volgens tussen tijdens",
        "haven gemeenteraad veerboot werknemers regering minister stad rivier brug markt "
        "rapport bedrijf vakbond verkiezingen begroting politie station project school "
        "ziekenhuis weer storm kust visserij boten feest museum staking prijzen brandstof "
        "water energie woningen bewoners burgemeester rechtbank besluit akkoord gesprekken",
    ),
}
LANG_WEIGHTS = {"en": 0.45, "de": 0.15, "fr": 0.15, "es": 0.10, "it": 0.08, "nl": 0.07}

FURNITURE: dict[str, dict[str, str]] = {
    "en": {"read": "Read more", "most": "Most read", "news": "Sign up for our morning newsletter",
           "cookie": "We use cookies to improve your experience. Accept all cookies",
           "rights": "All rights reserved", "photo": "Photo", "by": "By",
           "nav": "Home|News|Business|Sport|Culture|Weather|Opinion"},
    "de": {"read": "Lesen Sie auch", "most": "Meistgelesen", "news": "Jetzt den Newsletter abonnieren",
           "cookie": "Wir verwenden Cookies. Alle akzeptieren", "rights": "Alle Rechte vorbehalten",
           "photo": "Foto", "by": "Von", "nav": "Start|Nachrichten|Wirtschaft|Sport|Kultur|Wetter"},
    "fr": {"read": "Lire aussi", "most": "Les plus lus", "news": "Inscrivez-vous à notre lettre",
           "cookie": "Nous utilisons des cookies. Tout accepter", "rights": "Tous droits réservés",
           "photo": "Photo", "by": "Par", "nav": "Accueil|Actualités|Économie|Sport|Culture|Météo"},
    "es": {"read": "Lea también", "most": "Lo más leído", "news": "Suscríbase a nuestro boletín",
           "cookie": "Usamos cookies. Aceptar todas", "rights": "Todos los derechos reservados",
           "photo": "Foto", "by": "Por", "nav": "Inicio|Noticias|Economía|Deportes|Cultura|Tiempo"},
    "it": {"read": "Leggi anche", "most": "I più letti", "news": "Iscriviti alla nostra newsletter",
           "cookie": "Usiamo i cookie. Accetta tutti", "rights": "Tutti i diritti riservati",
           "photo": "Foto", "by": "Di", "nav": "Home|Notizie|Economia|Sport|Cultura|Meteo"},
    "nl": {"read": "Lees ook", "most": "Meest gelezen", "news": "Meld je aan voor de nieuwsbrief",
           "cookie": "Wij gebruiken cookies. Alles accepteren", "rights": "Alle rechten voorbehouden",
           "photo": "Foto", "by": "Door", "nav": "Home|Nieuws|Economie|Sport|Cultuur|Weer"},
}  # fmt: skip
AGENCIES = ("AFP", "Reuters", "AP", "dpa", "ANP", "EFE", "ANSA")
_SYLLABLES = "ka ve lo mar ten bri sel dun ost har wic fal mo ren tas lin gor ber nau pel".split()


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    lang: str
    country: str
    layout: int  # 0, 1, 2: three page templates

    @property
    def host(self) -> str:
        return f"{self.slug}.example"


_COUNTRIES = {"en": "GB", "de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL"}
OUTLETS: tuple[Outlet, ...] = tuple(
    Outlet(f"{lang}-{name}", f"The {name.title()} {kind}", lang, _COUNTRIES[lang], n % 3)
    for n, (lang, name, kind) in enumerate(
        (lang, name, kind)
        for lang in LANG_WEIGHTS
        for name, kind in (("harbourside", "Post"), ("eastmarsh", "Courier"), ("kelport", "Gazette"),
                           ("dunmore", "Herald"))
    )
)  # fmt: skip


@dataclass
class Article:
    """One generated article: what the page says, and what it is a copy of (for checking)."""

    index: int
    outlet: Outlet
    url: str
    title: str
    paragraphs: list[str]
    author: str
    agency: str
    published: datetime
    section: str
    copy_of: int | None = None  # index of the article this one was syndicated/copied from
    exact: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def _name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).title()


def _sentence(rng: random.Random, lang: str, places: list[str]) -> str:
    function, content = (w.split() for w in WORDS[lang])
    words = []
    for _ in range(rng.randint(9, 22)):
        roll = rng.random()
        if roll < 0.45:
            words.append(rng.choice(function))
        elif roll < 0.92:
            words.append(rng.choice(content))
        elif roll < 0.97:
            words.append(rng.choice(places))
        else:
            words.append(str(rng.randint(2, 2000)))
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words) + rng.choice(".....?")


def _story(index: int, seed: int) -> tuple[str, str, list[str], random.Random]:
    """(language, title, paragraphs, rng) of story `index`: the text every copy starts from."""
    rng = random.Random(f"{seed}:story:{index}")
    lang = rng.choices(list(LANG_WEIGHTS), weights=list(LANG_WEIGHTS.values()))[0]
    places = [_name(rng) for _ in range(4)]
    paragraphs = [
        " ".join(_sentence(rng, lang, places) for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(6, 14))
    ]
    title = _sentence(rng, lang, places).rstrip(".?")[:90]
    return lang, title, paragraphs, rng


def _edit(paragraphs: list[str], rng: random.Random, lang: str) -> list[str]:
    """A syndicated copy: some paragraphs cut, a few words changed, maybe one paragraph added."""
    kept = [p for p in paragraphs if rng.random() > 0.15] or paragraphs[:1]
    content = WORDS[lang][1].split()
    edited = []
    for para in kept:
        words = para.split()
        for _ in range(max(1, len(words) // 30)):
            words[rng.randrange(len(words))] = rng.choice(content)
        edited.append(" ".join(words))
    if rng.random() < 0.5:
        edited.append(" ".join(_sentence(rng, lang, [_name(rng)]) for _ in range(2)))
    return edited


def _is_copy(index: int, seed: int) -> bool:
    """Whether article `index` is a copy: the first draw of its own generator decides."""
    return index >= 20 and random.Random(f"{seed}:article:{index}").random() < EXACT_SHARE + SYNDICATED_SHARE


def article(index: int, seed: int = DEFAULT_SEED) -> Article:
    """Article `index` of the corpus with `seed` (pure: same arguments, same article)."""
    rng = random.Random(f"{seed}:article:{index}")
    roll = rng.random()
    copy_of: int | None = None
    exact = False
    if _is_copy(index, seed):
        copy_of = rng.randrange(max(0, index - 5000), index)
        exact = roll < EXACT_SHARE
        while _is_copy(copy_of, seed):  # copy the original story, not another copy
            copy_of -= 1
    lang, title, paragraphs, story_rng = _story(copy_of if copy_of is not None else index, seed)
    if copy_of is not None and not exact:
        paragraphs = _edit(paragraphs, rng, lang)
    outlets = [o for o in OUTLETS if o.lang == lang]
    outlet = outlets[(index * 7 + rng.randrange(len(outlets))) % len(outlets)]
    section = rng.choice(("news", "business", "region", "culture", "environment"))
    agency = rng.choice(AGENCIES) if copy_of is not None else ""
    return Article(
        index=index,
        outlet=outlet,
        url=f"http://{outlet.host}/{section}/2026/{index:06d}.html",
        title=title,
        paragraphs=paragraphs,
        author=f"{_name(rng)} {_name(rng, 3)}",
        agency=agency,
        published=BASE_TIME + timedelta(minutes=7 * index),
        section=section,
        copy_of=copy_of,
        exact=exact,
    )


def _teasers(rng: random.Random, lang: str, n: int) -> list[str]:
    return [_sentence(rng, lang, [_name(rng)]).rstrip(".?")[:70] for _ in range(n)]


def render_html(art: Article, base_url: str = "") -> str:
    """The article as its outlet's web page (furniture included); `base_url` replaces the host."""
    out, f = art.outlet, FURNITURE[art.outlet.lang]
    rng = random.Random(f"page:{art.index}")
    url = art.url if not base_url else f"{base_url}/{out.slug}/{art.url.split('/', 3)[3]}"
    nav = "".join(
        f'<li><a href="/{out.slug}/{item.lower()}/">{escape(item)}</a></li>' for item in f["nav"].split("|")
    )
    teasers = "".join(
        f'<li><a href="/{out.slug}/news/2026/{rng.randrange(10**6):06d}.html">{escape(t)}</a></li>'
        for t in _teasers(rng, out.lang, 8)
    )
    byline = f"{f['by']} {art.author}" + (f", {art.agency}" if art.agency else "")
    paras = [f"<p>{escape(p)}</p>" for p in art.paragraphs]
    insert = f'<p class="inline-link"><a href="/{out.slug}/news/more.html">{f["read"]}: {escape(_teasers(rng, out.lang, 1)[0])}</a></p>'
    paras.insert(min(3, len(paras)), insert)
    figure = (f'<figure><img src="/img/{art.index}.jpg" alt=""><figcaption>{f["photo"]}: '
              f"{escape(_name(rng))} {escape(_name(rng))}</figcaption></figure>")  # fmt: skip
    paras.insert(1, figure)
    tracking = json.dumps(
        {"page": art.index, "section": art.section, "ab": [rng.random() for _ in range(40)]}
    )
    published = art.published.isoformat()
    body_main = f"""<article class="story">
<h1>{escape(art.title)}</h1>
<p class="byline">{escape(byline)}</p>
<time datetime="{published}">{art.published:%d.%m.%Y %H:%M}</time>
{"".join(paras)}
</article>"""
    aside = f'<aside class="most-read"><h2>{f["most"]}</h2><ol>{teasers}</ol></aside>'
    layouts = (
        f'<div class="wrap"><main>{body_main}</main>{aside}</div>',
        f'<div id="content"><div class="col-8">{body_main}</div><div class="col-4">{aside}</div></div>',
        f'<section class="page">{aside}<div class="article-body">{body_main}</div></section>',
    )
    return f"""<!DOCTYPE html>
<html lang="{out.lang}">
<head>
<meta charset="utf-8">
<title>{escape(art.title)} | {escape(out.name)}</title>
<link rel="canonical" href="{escape(url)}">
<meta property="og:title" content="{escape(art.title)}">
<meta property="og:site_name" content="{escape(out.name)}">
<meta property="article:published_time" content="{published}">
<meta name="author" content="{escape(art.author)}">
<script>window.dataLayer=window.dataLayer||[];dataLayer.push({tracking});</script>
<style>body{{font-family:serif}} .wrap{{display:flex}} .most-read li{{margin:0}}</style>
</head>
<body>
<div class="cookie-banner">{f["cookie"]}</div>
<header><a class="logo" href="/{out.slug}/">{escape(out.name)}</a><nav><ul>{nav}</ul></nav></header>
{layouts[out.layout]}
<div class="newsletter"><p>{f["news"]}</p><form><input type="email"><button>OK</button></form></div>
<footer><p>© 2026 {escape(out.name)}. {f["rights"]}.</p><ul>{nav}</ul></footer>
<script>(function(){{var s=document.createElement('script');s.src='/ads.js';document.body.appendChild(s);}})();</script>
</body>
</html>
"""


def render_text(art: Article) -> str:
    """The article as plain text (title, byline, paragraphs): the "text inputs" of the targets."""
    f = FURNITURE[art.outlet.lang]
    byline = f"{f['by']} {art.author}" + (f", {art.agency}" if art.agency else "")
    return f"{art.title}\n\n{byline}\n\n{art.text}\n"


def raw_record(art: Article, kind: str, base_url: str = "") -> dict[str, object]:
    """A `RawItem` as the raw archive stores it (what `newsflow.models.read_raw` reads)."""
    out = art.outlet
    url = art.url if not base_url else f"{base_url}/{out.slug}/{art.url.split('/', 3)[3]}"
    return {
        "source": out.slug.replace("-", "_"),
        "url": url,
        "kind": kind,
        "body": render_html(art, base_url) if kind == "html" else render_text(art),
        "fetched_at": art.published.isoformat(),
        "status_code": 200,
        "content_type": "text/html" if kind == "html" else "text/plain",
        "encoding": "utf-8",
        "feed_title": art.title,
        "feed_published": art.published.isoformat(),
        "source_meta": {"publisher": out.name, "country": out.country, "language": out.lang},
    }


def _feed(outlet: Outlet, arts: list[Article]) -> str:
    items = "".join(
        f"<item><title>{escape(a.title)}</title>"
        f"<link>{{{{BASE_URL}}}}/{outlet.slug}/{a.url.split('/', 3)[3]}</link>"
        f"<guid>{escape(a.url)}</guid><pubDate>{format_datetime(a.published)}</pubDate>"
        f"<category>{a.section}</category></item>\n"
        for a in arts
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(outlet.name)}</title><link>{{{{BASE_URL}}}}/{outlet.slug}/</link>"
        f"<description>{escape(outlet.name)}</description>\n{items}</channel></rss>\n"
    )


@dataclass
class Corpus:
    """Where a written corpus is, and what is in it."""

    root: Path
    size: int
    seed: int
    site: Path  # one folder per outlet with feed.xml (served on loopback for the fetch stage)
    site_pages: int
    html: dict[str, Path]  # source name -> raw batch of HTML items
    text: dict[str, Path]  # source name -> raw batch of plain-text items
    copies: int  # syndicated + exact copies in the corpus

    def to_dict(self) -> dict[str, object]:
        return {
            "root": str(self.root), "size": self.size, "seed": self.seed, "site": str(self.site),
            "site_pages": self.site_pages, "html": {k: str(v) for k, v in self.html.items()},
            "text": {k: str(v) for k, v in self.text.items()}, "copies": self.copies,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Corpus:
        return cls(
            root=Path(str(data["root"])), size=int(data["size"]), seed=int(data["seed"]),  # type: ignore[call-overload]
            site=Path(str(data["site"])), site_pages=int(data["site_pages"]),  # type: ignore[call-overload]
            html={k: Path(v) for k, v in data["html"].items()},  # type: ignore[union-attr]
            text={k: Path(v) for k, v in data["text"].items()},  # type: ignore[union-attr]
            copies=int(data["copies"]),  # type: ignore[call-overload]
        )  # fmt: skip


def write_corpus(root: Path, size: int, seed: int = DEFAULT_SEED, site_pages: int | None = None) -> Corpus:
    """Write `size` articles under `root`: raw HTML and text batches per outlet, and a site.

    Only the first `site_pages` articles (default: all) get a page on the site, so the
    fetch benchmark can sample a large corpus.
    """
    root.mkdir(parents=True, exist_ok=True)
    site_pages = size if site_pages is None else min(site_pages, size)
    html_files: dict[str, Path] = {}
    text_files: dict[str, Path] = {}
    handles = {}
    by_outlet: dict[str, list[Article]] = {}
    copies = 0
    try:
        for i in range(size):
            art = article(i, seed)
            copies += art.copy_of is not None
            source = art.outlet.slug.replace("-", "_")
            if source not in handles:
                html_files[source] = root / "raw" / "html" / f"{source}.jsonl"
                text_files[source] = root / "raw" / "text" / f"{source}.jsonl"
                for path in (html_files[source], text_files[source]):
                    path.parent.mkdir(parents=True, exist_ok=True)
                handles[source] = (html_files[source].open("w"), text_files[source].open("w"))
            for fh, kind in zip(handles[source], ("html", "text"), strict=True):
                fh.write(json.dumps(raw_record(art, kind), ensure_ascii=False) + "\n")
            if i < site_pages:
                by_outlet.setdefault(art.outlet.slug, []).append(art)
                page = root / "site" / art.outlet.slug / art.url.split("/", 3)[3]
                page.parent.mkdir(parents=True, exist_ok=True)
                page.write_text(render_html(art, "{{BASE_URL}}"), encoding="utf-8")
    finally:
        for pair in handles.values():
            for fh in pair:
                fh.close()
    for slug, arts in by_outlet.items():
        (root / "site" / slug / "feed.xml").write_text(_feed(arts[0].outlet, arts), encoding="utf-8")
    corpus = Corpus(root, size, seed, root / "site", site_pages, html_files, text_files, copies)
    (root / "corpus.json").write_text(json.dumps(corpus.to_dict(), indent=2))
    return corpus


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--size", default="1k", help="1k, 10k, 100k or a number")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    size = SIZES.get(args.size) or int(args.size)
    corpus = write_corpus(args.root, size, args.seed)
    json.dump(corpus.to_dict(), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
