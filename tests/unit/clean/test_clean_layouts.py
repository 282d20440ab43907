"""Pages the precision extractor alone gets wrong: layout tables, live blogs, "Headline | Site" titles,
bylines without "By", furniture in other languages, video-only pages; and the benchmark set as a whole."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from newsflow.clean import clean_item, clean_text
from newsflow.clean.footer import parse_byline
from newsflow.clean.html import extract_html, unwrap_layout_tables
from newsflow.models import RawItem

REPO = Path(__file__).resolve().parents[3]
S = [
    "The regional council voted on Tuesday to rebuild the old river bridge, ending a debate that had divided "
    "the town for more than ten years.",
    "Engineers said the work would take two summers and that a ferry would carry passengers while the bridge "
    "was closed to all traffic.",
    "Forecasters said more rain was expected on Thursday and issued an orange warning for three districts "
    "along the valley and the coast.",
    "Volunteers collected blankets, food and school supplies for the families who lost most of their "
    "belongings in the flood last week.",
    "Researchers at the university have studied the valley for two decades and say that heavy rain events "
    "have become more frequent lately.",
    "Their latest report recommends restoring wetlands upstream so that the land can hold water before it "
    "reaches the towns below.",
]


def item(page: str) -> RawItem:
    return RawItem(source="ex", url="https://example.com/story", kind="html", body=page)


def test_layout_table_becomes_blocks_and_story_is_told_from_its_columns() -> None:
    nav = "<br>".join(f'<a href="/{n}">Section {n}</a>' for n in range(8))
    story = "<br><br>".join(S)
    page = (f'<html><body><table width="100%"><tr><td width="150">{nav}</td><td valign="top">'
            f'<font size="5">Bridge vote</font><br><br>{story}</td><td><b>Most read</b><br>'
            '<a href="/m/1">Storm hits the coast</a><br><a href="/m/2">Dam fears grow</a></td></tr></table></body></html>')  # fmt: skip
    art = clean_item(item(page))
    assert not art.rejected, art.reason
    assert art.text.split("\n\n") == S
    assert "Section" not in art.text and "Storm hits" not in art.text


def test_data_tables_stay_tables() -> None:
    page = ("<html><body><table><tr><td>a<br><br>b</td><td>1</td></tr><tr><td>c</td><td>2</td></tr></table>"
            "</body></html>")  # fmt: skip
    tree = lxml.html.fromstring(page)
    assert unwrap_layout_tables(tree) == 0
    assert tree.find(".//table") is not None


def test_double_breaks_split_paragraphs_single_breaks_stay() -> None:
    long_cell = "word " * 90
    tree = lxml.html.fromstring(
        f"<html><body><table><tr><td>a<br>b<br> <br>c <b>bold</b> tail<br><br><i>x</i> y</td>"
        f"<td>{long_cell}</td></tr></table></body></html>"
    )
    assert unwrap_layout_tables(tree) == 1
    paragraphs = [" ".join(" ".join(p.itertext()).split()) for p in tree.iter("p")]
    assert paragraphs == ["a b", "c bold tail", "x y"]
    assert len(list(tree.iter("br"))) == 1  # the single break stays inside its paragraph
    assert tree.find(".//table") is None and tree.find(".//td") is None


def test_live_blog_entries_after_the_first_are_kept() -> None:
    """Every entry of a live blog is the story, not only the first."""
    entries = "".join(
        f'<div class="entry"><time>1{n}:05</time><p>{S[n]}</p><p>{S[n + 3]}</p>'
        '<div class="share"><a href="#">Share</a></div></div>'
        for n in range(3)
    )
    page = (f'<html><body><nav><a href="/">Home</a></nav><main><h1>Floods: live</h1><div class="live-feed">{entries}'
            "</div></main><footer>© 2024 Courier</footer></body></html>")  # fmt: skip
    ext = extract_html(page, "https://example.com/live")
    for sentence in S:
        assert sentence in ext.text
    assert "Home" not in ext.text and "Share" not in ext.text


def test_title_with_site_suffix_and_its_copy_in_the_body() -> None:
    result = clean_text("Bridge vote ends decade of debate\n\n" + "\n\n".join(S[:3]),
                        title="Bridge vote ends decade of debate | Valley Courier")  # fmt: skip
    assert result.title == "Bridge vote ends decade of debate"
    assert result.text.split("\n\n") == S[:3]


def test_byline_without_by() -> None:
    credits = parse_byline("Jane Doe | 14 May 2024")
    assert credits is not None and credits.authors == ["Jane Doe"]
    assert credits.published_at == "2024-05-14"
    reverse = parse_byline("2024-05-14 · Jane Doe and John Roe")
    assert reverse is not None and reverse.authors == ["Jane Doe", "John Roe"]
    assert parse_byline("Bridge vote | Valley Courier") is None
    assert parse_byline("The council met | then it voted on 14 May 2024") is None
    result = clean_text("Bridge vote\nJane Doe | 2024-05-14\n" + "\n".join(S[:3]))
    assert result.strip.credits.authors == ["Jane Doe"]
    assert result.text.split("\n\n") == S[:3]


@pytest.mark.parametrize(
    "furniture",
    ["Lire aussi : La mairie prolonge ses horaires", "Lesen Sie auch: Rathaus verlängert Öffnungszeiten",
     "Lea también: El ayuntamiento amplía su horario", "Publicité", "Anzeige", "Publicidad",
     "Partager sur Facebook", "Auf Facebook teilen", "Compartir en Facebook", "Se connecter", "Iniciar sesión",
     "© 2024 Le Courrier. Tous droits réservés.", "Alle Rechte vorbehalten.", "(Foto: Jonas Weber)",
     "Imagen: Elena Prieto", "Mots-clés : crues, pont", "Schlagworte: Hochwasser, Brücke",
     "Cet article a été traduit automatiquement.", "Dieser Artikel wurde maschinell übersetzt.",
     "Este artículo fue traducido automáticamente."],
)  # fmt: skip
def test_furniture_in_other_languages(furniture: str) -> None:
    result = clean_text("\n\n".join([S[0], S[1], furniture, S[2]]), title="Bridge vote")
    assert result.text.split("\n\n") == S[:3], result.strip.removed


@pytest.mark.parametrize(
    "heading", ["Sur le même sujet", "Mehr zum Thema", "Noticias relacionadas", "Les plus lus"]
)
def test_related_headings_in_other_languages_take_their_teasers(heading: str) -> None:
    text = "\n\n".join(S[:3]) + f"\n\n{heading}\nLa mairie prolonge ses horaires\nUn plan pour la vallée"
    assert clean_text(text, title="Bridge vote").text.split("\n\n") == S[:3]


def test_video_only_page_is_rejected_as_such() -> None:
    page = ("<html><head><title>Watch: the flood</title><meta property='og:type' content='video.other'></head>"
            "<body><h1>Watch: the flood</h1><video controls src='https://cdn.example/v.mp4'></video>"
            "<p>Duration 1:42</p></body></html>")  # fmt: skip
    art = clean_item(item(page))
    assert art.rejected and art.reason.startswith("no_text: video page")
    # The same page with a story under the player is an article.
    story = page.replace("<p>Duration 1:42</p>", "".join(f"<p>{s}</p>" for s in S))
    assert not clean_item(item(story)).rejected


def test_updated_date_and_page_metadata() -> None:
    page = ('<html lang="fr-FR"><head><title>Le pont | Courrier</title><meta property="og:site_name" content="Courrier">'
            '<meta property="article:published_time" content="2024-05-14T07:30:00+02:00">'
            '<meta property="article:modified_time" content="2024-05-15T09:00:00+02:00">'
            '<meta property="article:section" content="Région"><meta property="og:image" content="/i/pont.jpg">'
            '</head><body><article><h1>Le pont</h1>' + "".join(f"<p>{s}</p>" for s in S) + "</article></body></html>")  # fmt: skip
    art = clean_item(item(page))
    assert art.claims["published"][0] == "2024-05-14T07:30:00+02:00"
    assert art.claims["updated"][0] == "2024-05-15T09:00:00+02:00"
    assert (art.site_name, art.claims["section"], art.page_language) == ("Courrier", "Région", "fr-FR")
    assert art.image == "https://example.com/i/pont.jpg"


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("clean_bench", REPO / "benchmarks" / "clean_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("clean_bench", module)
    spec.loader.exec_module(module)
    return module


def test_benchmark_set_quality_not_below_trafilatura() -> None:
    """A regression guard on the labelled benchmark pages (quality only; timings live in the script)."""
    bench = _bench()
    pages = bench.load_pages()
    assert len(pages) >= 40
    totals: dict[str, Counter[str]] = {}
    for name in ("newsflow", "trafilatura"):
        system = bench.SYSTEMS[name]
        total: Counter[str] = Counter()
        for stem, page, gold in pages:
            got, want = bench.tokens(system(page, f"https://bench.example/{stem}")), bench.tokens(gold)
            total.update(tp=sum((got & want).values()), pred=sum(got.values()), gold=sum(want.values()))
        totals[name] = total
    f1 = {name: bench.score(t["tp"], t["pred"], t["gold"])[2] for name, t in totals.items()}
    assert f1["newsflow"] >= 0.98
    assert f1["newsflow"] >= f1["trafilatura"]
    assert bench.check_rejections() == 0
