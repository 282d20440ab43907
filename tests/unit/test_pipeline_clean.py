"""Per-source boilerplate learning as the DAG's clean stage runs it, across runs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from newsflow.boilerplate_state import KEEP, BoilerplateMemory
from newsflow.config import Settings
from newsflow.models import RawItem, read_articles, write_jsonl
from newsflow.pipeline import clean_stage

# Furniture no fixed rule knows: this fictional site's own widgets.
FURNITURE = [
    "Gazette Plus members get the crossword first",
    "Tap the gull icon to follow this desk",
]

TOPICS = ["tram", "library", "harbour", "bakery", "orchestra", "ferry", "school", "market"]


def _story(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    paragraphs = [
        f"The {topic} committee met on day {i} to discuss the plan for the coming season in detail.",
        f"Residents said the {topic} changes number {i} had been expected for months and welcomed the vote.",
        f"Officials added that the {topic} budget would be reviewed again after the {i}th public hearing.",
        f"A spokesperson for the {topic} group said funding for item {i} was secured until next spring.",
    ]
    return "\n\n".join([f"{topic.title()} plan {i} approved", FURNITURE[0], *paragraphs, FURNITURE[1]])


def _raw_batch(tmp: Path, name: str, start: int, count: int) -> Path:
    items = [
        RawItem(source="gazette", url=f"https://gazette.example/{i}", kind="text", body=_story(i))
        for i in range(start, start + count)
    ]
    path = tmp / f"{name}.jsonl"
    write_jsonl(path, items)
    return path


def test_furniture_no_rule_knows_is_learned_and_removed(tmp_path: Path):
    settings = replace(Settings.from_env({}), home=tmp_path, min_words=20)
    raw = _raw_batch(tmp_path, "run1", 0, 5)
    res = clean_stage({"source": "gazette", "raw": str(raw)}, settings, "run-1")
    articles = list(read_articles(Path(res["path"])))
    assert len(articles) == 5 and not any(a.rejected for a in articles)
    for art in articles:
        for junk in FURNITURE:
            assert junk not in art.text
        assert "committee met on day" in art.text


def test_memory_carries_learning_to_a_small_later_batch_and_stays_bounded(tmp_path: Path):
    settings = replace(Settings.from_env({}), home=tmp_path, min_words=20)
    clean_stage({"source": "gazette", "raw": str(_raw_batch(tmp_path, "a", 0, 6))}, settings, "run-a")
    # One article alone could not teach anything; the memory of earlier runs does.
    res = clean_stage({"source": "gazette", "raw": str(_raw_batch(tmp_path, "b", 100, 1))}, settings, "run-b")
    (art,) = read_articles(Path(res["path"]))
    assert FURNITURE[0] not in art.text and FURNITURE[1] not in art.text
    # Bounded: many runs later the memory holds at most KEEP texts.
    for run in range(12):
        clean_stage(
            {"source": "gazette", "raw": str(_raw_batch(tmp_path, f"c{run}", 200 + run * 8, 8))},
            settings,
            f"run-c{run}",
        )
    memory = BoilerplateMemory(settings, "gazette")
    assert len(memory.recent) == KEEP
    state = json.loads(memory.path.read_text())
    assert len(state["recent"]) == KEEP


def test_without_learning_the_furniture_would_stay(tmp_path: Path):
    """The control: a single article cleaned with no memory keeps the site's lines."""
    settings = replace(Settings.from_env({}), home=tmp_path, min_words=20)
    res = clean_stage({"source": "gazette", "raw": str(_raw_batch(tmp_path, "solo", 0, 1))}, settings, "r")
    (art,) = read_articles(Path(res["path"]))
    assert FURNITURE[0] in art.text
