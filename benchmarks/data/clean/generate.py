"""Write the cleaning benchmark's labelled pages: `pages/<name>.html` + `pages/<name>.txt` (the gold text).

Each page is one fictional story (see `lexicon.py`) wrapped in one of fourteen
site templates (CMS article, WordPress blog with comments, div soup without
<article>, cookie banner and newsletter inserts, teaser cards, live blog,
list-heavy, table, many short paragraphs, magazine with captions and author
bio, portal with inline "related" boxes, bare page, 1990s table layout, reader
reactions under neutral class names) in four languages. The
gold text is made from the same blocks the template renders as story, so it is
correct by construction: headline, byline, dates, captions, credits, teasers,
comments, widgets and footers are never gold; subheadings, list items and
table rows inside the story are.

Also writes `reject/<name>.html` + `.reason` (the reason prefix newsflow must give)
for pages that are not articles.

Run: `.venv/bin/python benchmarks/data/clean/generate.py` (deterministic: same files every time).
"""

from __future__ import annotations

import html
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lexicon import FURNITURE, HEADLINES, LIST_ITEMS, NAMES, ORGS, PLACES, SENTENCES, SUBHEADS, TABLE_HEAD

HERE = Path(__file__).resolve().parent
LANGS = ("en", "fr", "de", "es")
Block = tuple[str, object]  # ("p", str) | ("h2", str) | ("ul"/"ol", list[str]) | ("table", list[list[str]])


@dataclass
class Story:
    lang: str
    title: str
    author: str
    blocks: list[Block]
    spare: list[str] = field(default_factory=list)  # sentences not in the story (for teasers)
    date: str = "2024-05-14"

    def gold(self) -> str:
        lines: list[str] = []
        for kind, value in self.blocks:
            if kind in {"p", "h2"}:
                lines.append(str(value))
            elif kind in {"ul", "ol"}:
                lines.extend(value)  # type: ignore[arg-type]
            elif kind == "table":
                lines.extend(" ".join(row) for row in value)  # type: ignore[union-attr]
        return "\n".join(lines) + "\n"


def e(text: str) -> str:
    return html.escape(text, quote=True)


def _fill(rng: random.Random, lang: str, sentence: str) -> str:
    return sentence.format(
        name=rng.choice(NAMES[lang]),
        place=rng.choice(PLACES[lang]),
        num=rng.choice(
            ["120", "340", "1,200", "18", "45", "2,500"] if lang == "en" else ["120", "340", "18", "45"]
        ),
        org=rng.choice(ORGS[lang]),
    )


def make_story(
    rng: random.Random, lang: str, paras: int, per: tuple[int, int] = (2, 3), subheads: int = 0,
    lists: int = 0, table: bool = False,
) -> Story:  # fmt: skip
    pool = [_fill(rng, lang, s) for s in SENTENCES[lang]]
    rng.shuffle(pool)
    blocks: list[Block] = []
    heads = list(SUBHEADS[lang])
    rng.shuffle(heads)
    every = max(1, paras // (subheads + 1)) if subheads else 0
    for n in range(paras):
        if subheads and n and n % every == 0 and heads and sum(k == "h2" for k, _ in blocks) < subheads:
            blocks.append(("h2", heads.pop()))
        take = rng.randint(*per)
        blocks.append(("p", " ".join(pool[:take])))
        pool = pool[take:] or [_fill(rng, lang, s) for s in SENTENCES[lang]]
    for n in range(lists):
        items = rng.sample(LIST_ITEMS[lang], 4)
        if n % 2:  # sentence-long items: a numbered list of steps
            items = [pool.pop() for _ in range(3)]
        blocks.insert(2 + n * 2, ("ol" if n % 2 else "ul", items))
    if table:
        rows = [TABLE_HEAD[lang]] + [
            [p, str(rng.randint(10, 400)), str(rng.randint(2, 90))] for p in PLACES[lang][:4]
        ]
        blocks.insert(len(blocks) // 2, ("table", rows))
    return Story(lang, rng.choice(HEADLINES[lang]), rng.choice(NAMES[lang]), blocks, spare=pool)


def render(blocks: list[Block], ptag: str = "p", inserts: dict[int, str] | None = None) -> str:
    out: list[str] = []
    for n, (kind, value) in enumerate(blocks):
        if inserts and n in inserts:
            out.append(inserts[n])
        if kind == "p":
            out.append(f"<{ptag}>{e(str(value))}</{ptag}>")
        elif kind == "h2":
            out.append(f"<h2>{e(str(value))}</h2>")
        elif kind in {"ul", "ol"}:
            out.append(f"<{kind}>" + "".join(f"<li>{e(i)}</li>" for i in value) + f"</{kind}>")  # type: ignore[union-attr]
        elif kind == "table":
            rows = value  # type: ignore[assignment]
            head = "".join(f"<th>{e(c)}</th>" for c in rows[0])  # type: ignore[index]
            body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows[1:])  # type: ignore[index]
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "\n".join(out)


def head(st: Story, site: str, extra: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="{st.lang}"><head><meta charset="utf-8">'
            f"<title>{e(st.title)} | {e(site)}</title>"
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{extra}'
            '<link rel="stylesheet" href="/static/site.css"><script src="/static/app.js"></script></head>')  # fmt: skip


def nav(f: dict[str, object], cls: str = "nav") -> str:
    items = "".join(f'<li><a href="/{i}">{e(i)}</a></li>' for i, _ in zip(f["nav"], range(99), strict=False))  # type: ignore[call-overload]
    return f'<nav class="{cls}"><ul>{items}</ul></nav>'


def footer(f: dict[str, object]) -> str:
    links = " ".join(f'<a href="/{n}">{e(str(t))}</a>' for n, t in enumerate(f["footer_links"]))  # type: ignore[arg-type]
    return f'<footer class="site-footer"><div class="links">{links}</div><p>{e(str(f["copyright"]))}</p></footer>'


def teasers(rng: random.Random, st: Story, n: int, ledes: bool = True) -> str:
    heads = [h for h in HEADLINES[st.lang] if h != st.title]
    rng.shuffle(heads)
    cards = []
    for i in range(n):
        lede = f"<p>{e(st.spare[i % len(st.spare)])}</p>" if ledes and st.spare else ""
        cards.append(f'<div class="card"><a href="/story/{i}"><h3>{e(heads[i % len(heads)])}</h3></a>'
                     f'<time datetime="2024-05-{10 + i}">{10 + i}.05.2024</time>{lede}</div>')  # fmt: skip
    return "".join(cards)


def links_list(rng: random.Random, st: Story, n: int) -> str:
    heads = [h for h in HEADLINES[st.lang] if h != st.title]
    rng.shuffle(heads)
    return (
        "<ul>" + "".join(f'<li><a href="/s/{i}">{e(h)}</a></li>' for i, h in enumerate(heads[:n])) + "</ul>"
    )


def share(f: dict[str, object]) -> str:
    return (
        '<div class="share">'
        + "".join(f'<a href="#s{i}">{e(s)}</a>' for i, s in enumerate(f["share"]))
        + "</div>"
    )  # type: ignore[arg-type]


# --- templates ------------------------------------------------------------------------------------


def t_cms(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """Semantic CMS page: nav, <article> with byline, figure, share bar, related aside, footer."""
    meta = (f'<meta property="og:title" content="{e(st.title)}"><meta property="og:site_name" content="Valley Courier">'
            f'<meta property="article:published_time" content="{st.date}T07:30:00+02:00">'
            f'<meta name="author" content="{e(st.author)}">')  # fmt: skip
    return (head(st, "Valley Courier", meta) + "<body>" + '<header><a class="logo" href="/">Valley Courier</a>'
            + nav(f) + f'<div class="account"><a href="/login">{e(f["login"][0])}</a> <a href="/reg">{e(f["login"][1])}</a></div></header>'  # type: ignore[index]
            + f'<main><article><h1>{e(st.title)}</h1><p class="byline">{e(str(f["by"]))} {e(st.author)}</p>'
            + f'<time datetime="{st.date}">{st.date}</time>'
            + f'<figure><img src="/img/a.jpg" alt="{e(str(f["caption"]))}"><figcaption>{e(str(f["caption"]))} {e(str(f["photo"]))}: Valley Courier</figcaption></figure>'
            + render(st.blocks) + share(f) + "</article>"
            + f'<aside class="related"><h3>{e(str(f["related"]))}</h3>{links_list(rng, st, 4)}</aside></main>'
            + footer(f) + "</body></html>")  # fmt: skip


def t_wordpress(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """Blog: entry-meta, entry-content, tags, a comment thread of real sentences, sidebar widgets."""
    comments = "".join(
        f'<li class="comment"><div class="comment-author">{e(n)}</div><div class="comment-meta">14/05/2024 09:{10 + i}</div>'
        f"<p>{e(c)}</p></li>"
        for i, (n, c) in enumerate(zip(rng.sample(NAMES[st.lang], 2), f["comment_texts"], strict=False))  # type: ignore[call-overload]
    )
    return (head(st, "Valley Blog") + '<body class="post-template"><div id="page"><div id="masthead"><h1 class="site-title">'
            '<a href="/">Valley Blog</a></h1>' + nav(f, "main-navigation") + '</div><div id="content"><div class="post">'
            + f'<h1 class="entry-title">{e(st.title)}</h1><div class="entry-meta">{e(str(f["posted"]))} {st.date} {e(str(f["by"]))} {e(st.author)}</div>'
            + f'<div class="entry-content">{render(st.blocks)}</div>'
            + f'<div class="tags">{e(str(f["tags"]))}: <a href="/t/1">{e(PLACES[st.lang][0])}</a>, <a href="/t/2">{e(ORGS[st.lang][0])}</a></div>'
            + f'<div id="comments"><h3>2 {e(str(f["comments"]))}</h3><ol class="commentlist">{comments}</ol></div></div></div>'
            + f'<div id="sidebar"><div class="widget"><h3>{e(str(f["search"]))}</h3><form><input type="text"></form></div>'
            + f'<div class="widget"><h3>{e(str(f["recent"]))}</h3>{links_list(rng, st, 5)}</div>'
            + f'<div class="widget"><h3>{e(str(f["archive"]))}</h3><ul><li><a href="/2024/05">05/2024</a></li><li><a href="/2024/04">04/2024</a></li></ul></div></div>'
            + footer(f) + "</div></body></html>")  # fmt: skip


def t_divsoup(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """No <article>, no <p>, no telling class names: story paragraphs are bare <div>s among others."""
    links = "".join(f'<div class="x7"><a href="/{i}">{e(t)}</a></div>' for i, t in enumerate(f["nav"]))  # type: ignore[arg-type]
    paras = render(st.blocks, ptag="div")
    return (head(st, "VC") + f'<body><div class="c1"><div class="c2">{links}</div><div class="c3">'
            + f'<div class="c4"><div class="t1">{e(st.title)}</div><div class="m2">{e(st.author)} | {st.date}</div>'
            + f'<div class="c5">{paras}</div></div>'
            + f'<div class="c6"><div class="h">{e(str(f["most_read"]))}</div>{links_list(rng, st, 5)}</div></div>'
            + f'<div class="c9">{e(str(f["copyright"]))}</div></div></body></html>')  # fmt: skip


def t_cookie(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """Cookie banner first, a "Read more" insert and a newsletter box inside the story, ad labels."""
    inserts = {
        2: f'<p class="read-more"><strong>{e(str(f["read_more"]))}:</strong> <a href="/x">{e(HEADLINES[st.lang][-1])}</a></p>',
        4: f'<div class="newsletter"><p>{e(str(f["newsletter"]))}</p><form><input type="email"><button>{e(str(f["subscribe"]))}</button></form></div>',
        3: f'<div class="ad-slot"><span>{e(str(f["ad"]))}</span><div id="ad-1"></div></div>',
    }
    return (head(st, "Courier") + f'<body><div id="cookie-banner" class="consent"><p>{e(str(f["cookie"]))}</p>'
            + f'<button>{e(str(f["accept"]))}</button></div>' + nav(f)
            + f'<div class="main"><article class="story"><h1>{e(st.title)}</h1><div class="meta"><span class="author">{e(st.author)}</span> '
            + f'<span class="date">{st.date}</span></div><div class="story-body">{render(st.blocks, inserts=inserts)}</div></article></div>'
            + footer(f) + "</body></html>")  # fmt: skip


def t_teasers(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """Teaser cards (title, date, lede) of other stories inside the same main column."""
    return (head(st, "Courier") + "<body>" + nav(f) + f'<div id="main" class="column"><h1>{e(st.title)}</h1>'
            + f'<div class="text">{render(st.blocks)}</div>'
            + f'<section class="more"><h2>{e(str(f["more_from"]))}</h2>{teasers(rng, st, 3)}</section></div>'
            + footer(f) + "</body></html>")  # fmt: skip


def t_liveblog(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """Live blog: timestamped entries, each with its own share bar."""
    entries = []
    times = ["16:05", "15:40", "14:55", "13:20", "12:10", "11:30", "10:45"]
    parts: list[list[Block]] = [[]]
    for block in st.blocks:
        if block[0] == "h2" and parts[-1]:
            parts.append([])
        parts[-1].append(block)
    for n, part in enumerate(parts):
        entries.append(
            f'<div class="entry"><time>{times[n % len(times)]}</time>{render(part)}{share(f)}</div>'
        )
    return (head(st, "Courier Live") + "<body>" + nav(f) + f'<main><span class="badge">{e(str(f["live"]))}</span>'
            + f'<h1>{e(st.title)}</h1><div class="live-feed">{"".join(entries)}</div></main>' + footer(f)
            + "</body></html>")  # fmt: skip


def t_plain(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """The simplest page: headline, paragraphs, one footer line."""
    return (head(st, "Courier") + f"<body><h1>{e(st.title)}</h1>{render(st.blocks)}"
            + f"<p class='footer'>{e(str(f['copyright']))}</p></body></html>")  # fmt: skip


def t_magazine(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """Two figures whose captions repeat, credits, a breadcrumb and an author bio box."""
    cap = f"{f['caption']}"
    fig = (f'<figure class="wide"><img src="/i/1.jpg" alt="{e(cap)}"><figcaption><span>{e(cap)}</span>'
           f'<span class="credit">{e(str(f["photo"]))}: {e(rng.choice(NAMES[st.lang]))}/Valley Courier</span></figcaption></figure>')  # fmt: skip
    crumbs = " &rsaquo; ".join(f'<a href="/{c}">{e(c)}</a>' for c in f["breadcrumb"])  # type: ignore[attr-defined]
    return (head(st, "Courier Magazine") + "<body>" + nav(f) + f'<div class="breadcrumb">{crumbs}</div>'
            + f'<article><header><h1>{e(st.title)}</h1><p class="author">{e(str(f["by"]))} {e(st.author)}</p></header>'
            + fig + render(st.blocks, inserts={3: fig})
            + f'<div class="author-bio"><p>{e(str(f["bio"]).format(name=st.author))}</p></div></article>'
            + footer(f) + "</body></html>")  # fmt: skip


def t_portal(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """Portal: tool bar, inline related box with list inside the body, most-read sidebar."""
    box = f'<div class="inline-related"><h4>{e(str(f["related"]))}</h4>{links_list(rng, st, 3)}</div>'
    tools = (
        f'<div class="tools">{share(f)}<span class="comments-count">12 {e(str(f["comments"]))}</span></div>'
    )
    return (head(st, "Portal") + "<body>" + nav(f) + '<div class="wrapper"><div class="content"><div class="article-header">'
            + f'<h1>{e(st.title)}</h1><div class="dates">{e(str(f["posted"]))} {st.date} &middot; {e(str(f["updated"]))} {st.date}</div></div>'
            + tools + f'<div class="article-body">{render(st.blocks, inserts={3: box})}</div>' + tools + "</div>"
            + f'<div class="sidebar"><h3>{e(str(f["most_read"]))}</h3><ol>'
            + "".join(f'<li><a href="/m/{i}">{e(h)}</a></li>' for i, h in enumerate(HEADLINES[st.lang]))
            + "</ol></div></div>" + footer(f) + "</body></html>")  # fmt: skip


def t_oldtable(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """1990s layout: a table of columns, paragraphs separated by <br><br> in one cell, no <p>."""
    links = "<br>".join(f'<a href="/{i}">{e(t)}</a>' for i, t in enumerate(f["nav"]))  # type: ignore[arg-type]
    paras = "<br><br>\n".join(e(str(v)) if k == "p" else f"<b>{e(str(v))}</b>" for k, v in st.blocks)
    return (head(st, "Courier") + '<body><table width="100%"><tr><td colspan="3"><img src="/logo.gif" alt="Valley Courier"></td></tr>'
            + f'<tr><td width="150" valign="top">{links}</td><td valign="top"><font size="5">{e(st.title)}</font><br>'
            + f'<font size="1">{e(st.author)} | {st.date}</font><br><br>{paras}</td>'
            + f'<td width="160" valign="top"><b>{e(str(f["ad"]))}</b><br><img src="/ad.gif"><br><b>{e(str(f["most_read"]))}</b><br>'
            + "<br>".join(f'<a href="/m/{i}">{e(h)}</a>' for i, h in enumerate(HEADLINES[st.lang][:4]))
            + f'</td></tr><tr><td colspan="3"><font size="1">{e(str(f["copyright"]))}</font></td></tr></table></body></html>')  # fmt: skip


def t_reactions(rng: random.Random, st: Story, f: dict[str, object]) -> str:
    """Reader reactions and teaser cards under neutral class names, a photo credit in its own paragraph."""
    reactions = "".join(
        f'<div class="r-item"><div class="r-name">{e(n)}</div><div class="r-body">{e(c)}</div></div>'
        for n, c in zip(rng.sample(NAMES[st.lang], 2), f["comment_texts"], strict=False)  # type: ignore[call-overload]
    )
    credit = f'<p class="credit">({e(str(f["photo"]))}: {e(rng.choice(NAMES[st.lang]))})</p>'
    return (head(st, "Courier") + "<body>" + nav(f) + f'<div class="page"><div class="col-main"><h1>{e(st.title)}</h1>'
            + f'<img src="/i/2.jpg">{credit}<div class="body">{render(st.blocks)}</div>'
            + f'<div class="block-x"><div class="block-title">Valley Courier</div>{teasers(rng, st, 2)}</div>'
            + f'<div class="reactions"><div class="r-title">{e(str(f["comments"]))} (2)</div>{reactions}</div></div></div>'
            + footer(f) + "</body></html>")  # fmt: skip


TEMPLATES: dict[str, tuple[Callable[[random.Random, Story, dict[str, object]], str], dict[str, object]]] = {
    "cms": (t_cms, {"paras": 6}),
    "wordpress": (t_wordpress, {"paras": 5, "subheads": 1}),
    "divsoup": (t_divsoup, {"paras": 6}),
    "cookie": (t_cookie, {"paras": 7}),
    "teasers": (t_teasers, {"paras": 5}),
    "liveblog": (t_liveblog, {"paras": 8, "per": (1, 2), "subheads": 3}),
    "lists": (t_cms, {"paras": 4, "lists": 2, "subheads": 1}),
    "table": (t_portal, {"paras": 5, "table": True}),
    "short": (t_cookie, {"paras": 14, "per": (1, 1)}),
    "magazine": (t_magazine, {"paras": 7, "subheads": 2}),
    "portal": (t_portal, {"paras": 6}),
    "plain": (t_plain, {"paras": 4}),
    "oldtable": (t_oldtable, {"paras": 6, "subheads": 1}),
    "reactions": (t_reactions, {"paras": 5}),
}


# --- pages that are not articles ------------------------------------------------------------------

REJECT: dict[str, tuple[str, str]] = {
    "cookie_wall": ("interstitial: cookie consent",
                    '<html lang="en"><head><title>Before you continue</title></head><body><div class="consent"><h1>We value your privacy</h1>'
                    "<p>We and our partners use cookies to store and access information on your device.</p>"
                    "<button>Accept all</button><button>Reject all</button><a href='/p'>Manage your privacy settings</a></div></body></html>"),
    "captcha": ("interstitial: captcha",
                "<html><head><title>Just a moment...</title></head><body><h1>Checking your browser</h1>"
                "<p>Please verify you are a human by completing the security check below.</p><div id='challenge'></div></body></html>"),
    "paywall": ("interstitial: paywall",
                "<html><head><title>Bridge vote</title></head><body><article><h1>Council backs new bridge</h1>"
                f"<p>{SENTENCES['en'][0].format(place='Eastbridge')}</p><div class='paywall'><p>This article is only available to subscribers."
                " Subscribe now to continue reading.</p><a href='/login'>Already a subscriber? Log in</a></div></article></body></html>"),
    "error_404": ("interstitial: error page",
                  "<html><head><title>Page not found</title></head><body><nav><a href='/'>Home</a></nav><h1>404</h1>"
                  "<p>Sorry, the page you are looking for does not exist or has been moved.</p></body></html>"),
    "js_shell": ("interstitial: javascript required",
                 "<html><head><title>Courier</title><script src='/app.js'></script></head><body><div id='app'></div>"
                 "<noscript>Please enable JavaScript to view this site.</noscript></body></html>"),
    "video_only": ("no_text: video",
                   "<html lang='en'><head><title>Watch: flood waters reach the harbour</title>"
                   "<meta property='og:type' content='video.other'><meta property='og:video' content='https://cdn.example/v.mp4'></head>"
                   "<body><h1>Watch: flood waters reach the harbour</h1><div class='player'><video controls src='https://cdn.example/v.mp4'></video></div>"
                   "<p>Duration 1:42</p><div class='share'><a href='#'>Share</a></div></body></html>"),
    "index_page": ("index_page",
                   "<html><head><title>Local news</title></head><body><h1>Local news</h1><ul>"
                   + "".join(f"<li><a href='/s/{i}'>{h} ({i})</a></li>" for i, h in enumerate(HEADLINES["en"] * 3))
                   + "</ul></body></html>"),
    "cookie_wall_de": ("interstitial: cookie consent",
                       "<html lang='de'><body><div class='cmp'><h2>Datenschutzeinstellungen</h2><p>Wir und unsere Partner verwenden Cookies"
                       " und \u00e4hnliche Technologien.</p><button>Alle akzeptieren</button><button>Einstellungen verwalten</button></div></body></html>"),
}  # fmt: skip


def main() -> None:
    pages, reject = HERE / "pages", HERE / "reject"
    for d in (pages, reject):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    rng = random.Random(20240514)
    count = 0
    for name, (template, shape) in TEMPLATES.items():
        for lang in LANGS:
            story = make_story(rng, lang, **shape)  # type: ignore[arg-type]
            page = template(rng, story, FURNITURE[lang])
            (pages / f"{name}_{lang}.html").write_text(page, encoding="utf-8")
            (pages / f"{name}_{lang}.txt").write_text(story.gold(), encoding="utf-8")
            count += 1
    for name, (reason, page) in REJECT.items():
        (reject / f"{name}.html").write_text(page, encoding="utf-8")
        (reject / f"{name}.reason").write_text(reason + "\n", encoding="utf-8")
    print(f"wrote {count} labelled pages to {pages} and {len(REJECT)} non-articles to {reject}")


if __name__ == "__main__":
    main()
