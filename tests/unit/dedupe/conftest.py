"""Seed articles for the dedupe tests: the real texts in ../shared/seeds, never copied here."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.models import Article, RawItem


def crude_clean(text: str) -> str:
    """Lines of 8+ words: drops menus, captions' short lines, teaser titles (for measuring only)."""
    return "\n".join(line for line in text.splitlines() if len(line.split()) >= 8)


def seed_article(path: Path, cleaned: bool = True) -> Article:
    body = path.read_text(encoding="utf-8")
    url = path.resolve().as_uri()
    if cleaned:
        try:  # the real clean stage when it exists (written by another engineer)
            from newsflow.clean import clean_item  # type: ignore[attr-defined]
            from newsflow.config import Settings
        except ImportError:
            clean_item = None
        if clean_item is not None:
            art = clean_item(
                RawItem(source="seeds", url=url, kind="text", body=body, path=str(path)), Settings()
            )
            assert not art.rejected, f"clean rejected seed {path.name}: {art.reason}"
            return art
        body = crude_clean(body)
    return Article(url=url, source="seeds", path=str(path), text=body)


@pytest.fixture(params=["cleaned", "raw"])
def seed_articles(request: pytest.FixtureRequest, seed_files: list[Path]) -> dict[str, Article]:
    """The five seeds as articles keyed by their number ("000".."004"), cleaned and raw."""
    return {p.name[:3]: seed_article(p, cleaned=request.param == "cleaned") for p in seed_files}
