"""The five real seed articles, cleaned as plain text: furniture gone, every story paragraph kept.

The seeds live outside the repository (../shared/seeds) and are read, never copied. If they are
missing these tests fail: a silent skip would hide that the heart of the clean stage is untested.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.clean import clean_item
from newsflow.clean.normalize import normalize_line
from newsflow.models import Article, RawItem
from newsflow.wordcount import count_words

REPO_ROOT = Path(__file__).resolve().parents[3]
SEEDS = REPO_ROOT.parent / "shared" / "seeds"

# Furniture that must not survive in any seed's text.
FURNITURE = [
    "Remember me", "Forgot", "Log in with", "Read more", "AFP PHOTO", "STRINGER", "article image",
    "Powered by automated translation", "More about", "More news from", "Latest News", "Top News",
    "Published in", "Souece", "Source:", "By AFP", "Updated 18 Jan 2021", "17 Jan 2021", "___",
    "Chained to the rivers", "Brave new world", "Makli", "Smoke billows", "Syrian army retakes Deir Ezzor",
    "advance towards the ci...", "DEIR EZZOR:",
]  # fmt: skip
# Lines of the seeds that are captions or teasers (identified by how they start), not story.
NOT_STORY = (
    "article image",
    "A member of the Syrian",
    "The previous day",
    "Smoke billows",
    "Iraqi forces and members of the Hashed",
)
# Where each seed's story ends (the furniture after it is teasers and footers).
STORY_END = ("Published in", "Souece:", "More about")


def seed(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"seed articles not found at {SEEDS}: the seeds tests need ../shared/seeds")
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.fail(f"seed {prefix} missing in {SEEDS}")
    return found[0]


def clean(prefix: str) -> Article:
    path = seed(prefix)
    raw = RawItem(source="seeds", url=f"file://{path}", kind="text", body=path.read_text(encoding="utf-8"),
                  path=str(path))  # fmt: skip
    return clean_item(raw)


def story_lines(prefix: str) -> list[str]:
    """The seed's own paragraphs of story: long lines before the footer, captions excluded."""
    lines = []
    for line in seed(prefix).read_text(encoding="utf-8").splitlines():
        line = normalize_line(line)
        if line.startswith(STORY_END):
            break
        if len(line.split()) >= 10 and not line.startswith(NOT_STORY):
            lines.append(line.removeprefix("DEIR EZZOR: "))
    return lines


PREFIXES = ["000", "001", "002", "003", "004"]


def test_all_five_seeds_present() -> None:
    assert [seed(p).name[:3] for p in PREFIXES] == PREFIXES


@pytest.mark.parametrize("prefix", PREFIXES)
def test_seed_is_accepted(prefix: str) -> None:
    article = clean(prefix)
    assert not article.rejected, article.reason
    assert count_words(article.text) >= 300
    assert article.path.endswith(".txt")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_no_furniture_left(prefix: str) -> None:
    text = clean(prefix).text
    for furniture in FURNITURE:
        assert furniture not in text, f"{furniture!r} left in seed {prefix}"
    assert "\u00a0" not in text


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_story_paragraph_kept(prefix: str) -> None:
    article = clean(prefix)
    lines = story_lines(prefix)
    assert len(lines) >= 15
    paragraphs = article.text.split("\n\n")
    for line in lines:
        assert line in paragraphs or line == article.title, f"seed {prefix} lost: {line[:60]}"
    assert "Albu Kamal" in article.text


def test_seed_000_caption_and_insert() -> None:
    article = clean("000")
    assert article.title == "Anti-ISIL forces converge on Syria border town"
    assert "US strikes ISIL in Somalia" not in article.text


def test_seed_001_footer_dateline_teasers() -> None:
    article = clean("001")
    assert article.claims["publisher"] == "Dawn"
    assert article.claims["published"][0] == "2017-11-05"
    assert article.dateline == "DEIR EZZOR"
    assert article.text.startswith("Syrian and allied forces converged")
    assert article.text.endswith("spokesman Ryan Dillon said.")


def test_seed_002_source_footer_and_subheadings() -> None:
    article = clean("002")
    assert article.claims["agency"] == ["AFP"]
    assert "- Fleeing civilians -" in article.text.split("\n\n")
    assert article.text.endswith("Dillon said.")


@pytest.mark.parametrize(("prefix", "date"), [("003", "2017-11-08"), ("004", "2017-11-03")])
def test_seeds_003_004_byline(prefix: str, date: str) -> None:
    article = clean(prefix)
    assert article.claims["agency"] == ["AFP"]
    assert article.authors == []
    assert article.claims["published"][0] == f"{date}"
    assert article.claims["section"] == "World"
    assert not article.title.startswith("article image")
    assert article.text.startswith("Syrian troops" if prefix == "003" else "The Islamic State jihadist group")
