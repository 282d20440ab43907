"""Text hash, MinHash signature, LSH keys and the parameters measured on the seeds."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys

import pytest

from newsflow.dedupe import minhash
from newsflow.dedupe.minhash import (
    JACCARD_THRESHOLD,
    NUM_PERM,
    estimate_containment,
    estimate_jaccard,
    is_near_duplicate,
    lsh_keys,
    normalize_for_hash,
    signature,
    text_hash,
)
from newsflow.models import Article

SAME_STORY = {("000", "001"), ("000", "002"), ("001", "002")}
TEXT = "Syrian and allied forces converged on Saturday on the border town of Albu Kamal, the last bastion."


def test_normalize_and_text_hash_ignore_case_punctuation_and_spacing() -> None:
    a = "Syrian forces  converged on Saturday — on “Albu Kamal”.\n\nThe end!"
    b = "syrian FORCES converged on saturday on 'Albu Kamal' the end"
    assert normalize_for_hash(a) == "syrian forces converged on saturday on albu kamal the end"
    assert text_hash(a) == text_hash(b)
    assert re.fullmatch(r"[0-9a-f]{40}", text_hash(a))
    assert text_hash(a) != text_hash(b.replace("saturday", "sunday"))
    assert text_hash("") == text_hash(" -- ") == ""


def test_signature_shape_and_determinism() -> None:
    mh, count = signature(TEXT)
    assert len(mh) == NUM_PERM and count == len(TEXT.split()) - minhash.SHINGLE_SIZE + 1
    assert all(isinstance(v, int) and 0 <= v < 2**31 for v in mh)
    assert signature(TEXT) == (mh, count)
    assert signature(minhash.tokens(TEXT)) == (mh, count)  # tokens or text, same answer
    keys = lsh_keys(mh)
    assert len(keys) == minhash.BANDS and len(set(keys)) == minhash.BANDS
    assert all(re.fullmatch(r"b\d{3}_[0-9a-f]{12}", k) for k in keys)
    assert lsh_keys(mh) == keys


def test_signature_is_the_same_in_another_process() -> None:
    """No Python hash(): another interpreter with another hash seed gives the same numbers."""
    code = (
        "from newsflow.dedupe.minhash import signature, lsh_keys;"
        f"m, c = signature({TEXT!r}); print(m[:8], c, lsh_keys(m)[:3])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "123"},
    ).stdout.strip()
    mh, count = signature(TEXT)
    assert out == f"{mh[:8]} {count} {lsh_keys(mh)[:3]}"


def test_short_and_empty_texts() -> None:
    assert signature("") == ([], 0) and lsh_keys([]) == []
    mh, count = signature("Breaking news")  # shorter than one shingle: one shingle of all words
    assert count == 1 and len(mh) == NUM_PERM
    assert estimate_jaccard([], []) == 0.0
    assert estimate_jaccard([1, 2], [1, 2, 3]) == 0.0  # other parameters: not comparable


def test_estimates() -> None:
    mh, count = signature(TEXT)
    assert estimate_jaccard(mh, mh) == 1.0
    assert estimate_containment(1.0, count, count) == 1.0
    # |A|=100 inside |B|=400: J = 100/400 = 0.25 -> containment 1.0
    assert estimate_containment(0.25, 100, 400) == pytest.approx(1.0)
    assert estimate_containment(0.0, 100, 400) == 0.0
    assert estimate_containment(0.5, 0, 400) == 0.0
    assert is_near_duplicate(JACCARD_THRESHOLD, 500, 500)
    assert not is_near_duplicate(0.06, 700, 900)  # two stories sharing a quoted paragraph
    # a 150-shingle brief cut from a 900-shingle story, 60% of it shared: J is low, containment high
    j = 90 / (150 + 900 - 90)
    assert j < JACCARD_THRESHOLD and is_near_duplicate(j, 150, 900)
    assert not is_near_duplicate(j, 30, 900)  # too short to trust a containment estimate


def test_edited_copy_is_similar_and_unrelated_text_is_not() -> None:
    words = [f"w{i}" for i in range(600)]
    edited = list(words)
    for i in range(0, 600, 40):  # one word changed every 40: most 4-shingles survive
        edited[i] = "changed"
    a, _ = signature(" ".join(words))
    b, _ = signature(" ".join(edited))
    c, _ = signature(" ".join(f"x{i}" for i in range(600)))
    assert estimate_jaccard(a, b) > 0.5
    assert estimate_jaccard(a, c) < 0.05


def _seed_pairs(seed_articles: dict[str, Article]) -> dict[tuple[str, str], tuple[float, float, int]]:
    sigs = {k: signature(a.text) for k, a in seed_articles.items()}
    out = {}
    for x, y in itertools.combinations(sorted(sigs), 2):
        j = estimate_jaccard(sigs[x][0], sigs[y][0])
        c = estimate_containment(j, sigs[x][1], sigs[y][1])
        shared = len(set(lsh_keys(sigs[x][0])) & set(lsh_keys(sigs[y][0])))
        out[(x, y)] = (j, c, shared)
    return out


def test_seed_similarities_have_margin(seed_articles: dict[str, Article]) -> None:
    """The numbers behind the parameters (see minhash's docstring), on cleaned and raw seeds."""
    for pair, (j, c, shared) in _seed_pairs(seed_articles).items():
        if pair in SAME_STORY:
            # one AFP story, three outlets: well above the threshold, found by several bands
            assert j >= 1.5 * JACCARD_THRESHOLD, (pair, j)
            assert shared >= 3, (pair, shared)
            assert is_near_duplicate(j, 400, 700)
        else:
            # other stories on the same events (002/004 share a verbatim quote): far below
            assert j <= JACCARD_THRESHOLD / 2, (pair, j)
            assert c < minhash.CONTAINMENT_THRESHOLD / 2, (pair, c)
