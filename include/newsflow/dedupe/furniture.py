"""Site furniture for near-duplicate verification: lines one source repeats across its stories.

Two unrelated articles of one site share its furniture: teaser paragraphs of other stories, a
cookie banner, a widget's script, a newsletter box. Cleaning strips what recurs in at least half
of the site's recent articles (`learn_boilerplate`); what recurs less often stays in the text,
and it was enough to join unrelated articles of one site into one story (issue 19: similarity
0.17 to 0.36). So the MinHash signature (not the text, not the exact-copy hash) leaves out every
line the source's boilerplate memory has seen in two or more *different* stories (versions of
one story count once, as in `learn_boilerplate`). Copies across sites keep their shared story
lines: each site's furniture is its own.

`benchmarks/near_duplicate_pairs.py` measures the effect on real pages.
"""

from __future__ import annotations

from collections.abc import Iterable

from newsflow.clean.boilerplate import learn_boilerplate, normalized_line_key

MIN_STORIES = 2  # a line in this many different stories of one source is its furniture
MAX_LINES = 5_000  # bound on the set (the memory holds at most KEEP articles of MAX_CHARS)


def source_furniture(texts: Iterable[str]) -> frozenset[str]:
    """Line keys (`line_key`) that recur in MIN_STORIES or more different stories of `texts`
    (learning texts: `learning_text`'s output, normalised already)."""
    return learn_boilerplate(
        list(texts), min_share=0.0, min_docs=MIN_STORIES, max_lines=MAX_LINES, normalized=True
    )


def story_text(text: str, furniture: frozenset[str]) -> str:
    """`text` (an article's, normalised by clean) without its furniture lines: what the
    near-duplicate signature is made of. Its lines are keyed as the learning texts the furniture
    was learned from (`normalized_line_key`), not normalised again."""
    if not furniture:
        return text
    return "\n".join(line for line in text.split("\n") if normalized_line_key(line) not in furniture)
