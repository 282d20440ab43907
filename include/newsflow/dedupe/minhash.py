"""Text fingerprints: exact-copy hash, MinHash signature and LSH band keys.

Dedupe levels 2 and 3. Everything here is deterministic (fixed seeds, no
Python `hash()`), so a signature computed by one worker today matches one
computed by another worker next month.

How a signature is made (vectorised with numpy)
-----------------------------------------------
1. Tokens: NFKC, casefold, runs of letters/digits (`[^\\W_]+`); each CJK
   ideograph/kana is its own token because those scripts do not separate words.
2. Every distinct word is hashed once to 64 bits (BLAKE2b, cached); the word
   hashes of each run of `SHINGLE_SIZE` words are combined with numpy into one
   64-bit shingle hash (polynomial + splitmix64 finaliser), duplicates removed.
   A text shorter than one shingle gives one shingle of all its words.
3. `NUM_PERM` permutations are affine maps `(a*x + b) mod 2**32` of the high 32
   bits x of each shingle hash (a odd, so each map is a bijection; a, b drawn from
   `numpy.random.default_rng(SEED)`), applied to all shingles at once in uint32;
   the minimum per permutation, shifted right by one, is the signature: 31-bit
   non-negative ints that fit any numeric field. Measured on 300 synthetic pairs
   of 600-shingle sets per level (J = 0.05, 0.15, 0.30) the estimate is unbiased
   (|bias| <= 0.003) with the binomial spread sqrt(J(1-J)/256) (0.013, 0.022,
   0.030 measured vs 0.014, 0.022, 0.029). uint64 arithmetic gave the same
   accuracy at half the speed.
4. LSH: the signature is cut into `BANDS` bands of `ROWS` values; each band is
   hashed to 48 bits and written `b017_3fa29c0d11e2` (band number, hex). The
   keys are stored as a keyword field in Elasticsearch; two articles are
   candidates when they share any key. Keys include a parameter tag, so keys of
   a different parameter set never match by accident.

Parameters, chosen from measurements on the real seeds
------------------------------------------------------
Seeds 000/001/002 are one AFP story printed by three outlets (000 rewrote "IS"
as "ISIL" and cut paragraphs, 002 kept extra paragraphs); 003 and 004 are other
AFP stories on the same events, and 002/004 share one verbatim quoted paragraph.
Exact set Jaccard J and containment C = |A∩B| / min(|A|,|B|) of word shingles
after a crude boilerplate cleanup (lines of 8+ words, Dawn's teaser list cut):

    k   same story (00-01, 00-02, 01-02)     different stories (max over 6 pairs)
    2   J .484 .390 .529   C .702 .691 .930   J .139 (02-04)   C .264 (02-04)
    3   J .408 .328 .479   C .631 .605 .877   J .081 (02-04)   C .164 (02-04)
    4   J .351 .285 .447   C .568 .544 .840   J .054 (02-04)   C .114 (02-04)
    5   J .305 .252 .421   C .511 .492 .806   J .045 (02-04)   C .097 (02-04)

Measured again on the output of the real clean stage (`newsflow.clean.clean_item`),
k=4: same story J .364 .290 .441 (C .548 .597 .837); different stories J <= .055
(02-04), C <= .110. On the raw seed files (no cleanup at all), k=4: same story
J .264 .278 .346; different stories J <= .053 (02-04), C <= .113.

- `SHINGLE_SIZE = 4`: k=4 and k=5 separate equally well (ratio ~5.3 vs ~5.6)
  but k=4 keeps more absolute room above the threshold for edited copies; k<=3
  lets same-topic stories creep up (02-04 at .081 for k=3).
- `NUM_PERM = 256`: the estimate's standard deviation is 0.028 at J=0.285 and
  0.014 at J=0.054, so the threshold sits > 4.5 sd from both sides (128
  permutations: ~3 sd). Over 60 random permutation seeds the mean estimate of
  every seed pair is within 0.005 of its exact J.
- `BANDS x ROWS = 128 x 2`: candidate probability 1-(1-J^2)^128 is 0.99998 at
  J=0.285, 0.95 at J=0.15 (the threshold), 0.31 at J=0.054 (then rejected by
  verification) and 0.013 at J=0.01 (unrelated text). Longer bands lose
  syndicated copies: 64x4 finds a J=0.285 pair with probability 0.35 only.
- `JACCARD_THRESHOLD = 0.15`: a little above the geometric middle (.124) of
  .054 and .285: 4.6 sd below the lowest same-story J (.278, raw 000-002) and
  7 sd above the highest different-story J (.055).
- `CONTAINMENT_THRESHOLD = 0.45` (with estimated J >= `CONTAINMENT_MIN_JACCARD`
  = 0.05 and at least `CONTAINMENT_MIN_SHINGLES` = 50 shingles in the shorter
  text): catches a short rewrite or a brief cut from a long wire story, whose
  Jaccard is low because the long text has much the short one lacks. Same-story
  seeds have C >= .544, different stories C <= .114 (the shared quote).

With these parameters and `SEED`, estimated J (sig/sig) and shared band keys:

    pair        clean_item    raw file
    000-001     .371 / 18     .277 / 10
    000-002     .254 /  6     .238 /  5
    001-002     .395 / 16     .332 / 12
    others      <= .047 / 0   <= .043 / 0     (002-004: .039 / 0)

Speed (one core of the shared 2-core dev box, 600-word texts): tokenise + text
hash + signature + LSH keys about 1,200 docs/s (signature alone ~400 us, of
which the 256 permutations ~180 us); `Deduplicator.process` with a
`MemoryStore`, 1,000 distinct articles: about 650 docs/s.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import numpy as np

SHINGLE_SIZE = 4
NUM_PERM = 256
BANDS = 128
ROWS = 2
SEED = 20171105
JACCARD_THRESHOLD = 0.15
CONTAINMENT_THRESHOLD = 0.45
CONTAINMENT_MIN_JACCARD = 0.05
CONTAINMENT_MIN_SHINGLES = 50

assert BANDS * ROWS == NUM_PERM

# A tag of the parameters mixed into band keys: other parameters, other keys.
PARAMS_TAG = f"k{SHINGLE_SIZE}p{NUM_PERM}b{BANDS}r{ROWS}s{SEED}"

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")  # the same tokens for ASCII text, twice as fast
_U64 = np.uint64
_GOLDEN = _U64(0x9E3779B97F4A7C15)


def tokens(text: str) -> list[str]:
    """Casefolded word tokens (letters and digits), the unit of hashing and shingling."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return (_ASCII_TOKEN if folded.isascii() else _TOKEN).findall(folded)


def normalize_for_hash(text: str) -> str:
    """Text reduced to its words: case, punctuation, quotes, dashes and spacing do not count."""
    return " ".join(tokens(text))


def text_hash(text: str | list[str]) -> str:
    """SHA-1 hex of the normalised text (dedupe level 2, exact copies); "" for a text without words.

    `text` is a string or its `tokens()`.
    """
    norm = normalize_for_hash(text) if isinstance(text, str) else " ".join(text)
    return hashlib.sha1(norm.encode("utf-8")).hexdigest() if norm else ""


@lru_cache(maxsize=1 << 17)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def _mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser over a uint64 array (wrapping arithmetic)."""
    h = h ^ (h >> _U64(30))
    h = h * _U64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> _U64(27))
    h = h * _U64(0x94D049BB133111EB)
    out: np.ndarray = h ^ (h >> _U64(31))
    return out


def shingle_hashes(text: str | list[str], size: int = SHINGLE_SIZE) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the word `size`-shingles of `text` (a string or its tokens)."""
    toks = tokens(text) if isinstance(text, str) else text
    if not toks:
        return np.empty(0, dtype=np.uint64)
    words = np.array(list(map(_word_hash, toks)), dtype=np.uint64)
    size = min(size, len(words))
    n = len(words) - size + 1
    h = words[:n].copy()
    for j in range(1, size):
        h *= _GOLDEN
        h += words[j : j + n]
    return np.unique(_mix64(h))


def _permutations(num: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**32, size=num, dtype=np.uint32) | np.uint32(1)  # odd: a bijection mod 2**32
    b = rng.integers(0, 2**32, size=num, dtype=np.uint32)
    return a[:, None], b[:, None]


_A, _B = _permutations(NUM_PERM, SEED)
_BAND_SALT = _mix64(
    np.arange(BANDS, dtype=np.uint64) + _U64(_word_hash(PARAMS_TAG))
)  # one salt per band number


_BAND_PREFIXES = [f"b{i:03d}_" for i in range(BANDS)]


def signature(text: str | list[str]) -> tuple[list[int], int]:
    """MinHash signature (NUM_PERM 31-bit ints) and the number of distinct shingles.

    `text` is a string or its `tokens()` (to tokenise once for hash and signature).
    A text without words gives `([], 0)`: it has no near-duplicates.
    """
    sh = shingle_hashes(text)
    if sh.size == 0:
        return [], 0
    x = (sh >> _U64(32)).astype(np.uint32)  # the high half of each shingle hash
    # uint32 arithmetic (twice the numpy throughput of uint64), in place (temporaries cost page
    # faults), in chunks of shingles so the work array stays small (256 x 4096 x 4 B = 4 MB).
    mins = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, x.size, 4096):
        work = _A * x[None, start : start + 4096]
        work += _B
        np.minimum(mins, work.min(axis=1), out=mins)
    return (mins >> np.uint32(1)).tolist(), int(sh.size)


def lsh_keys(minhash: list[int]) -> list[str]:
    """LSH band keys of a signature, e.g. `b017_3fa29c0d11e2`; [] for an empty/foreign signature."""
    if len(minhash) != NUM_PERM:
        return []
    bands = np.asarray(minhash, dtype=np.uint64).reshape(BANDS, ROWS)
    h = _BAND_SALT.copy()
    for r in range(ROWS):
        h = _mix64(h * _GOLDEN + bands[:, r])
    hexed = h.astype(">u8").tobytes().hex()  # 16 hex digits a band; keep the top 48 bits
    return [
        prefix + hexed[j : j + 12] for prefix, j in zip(_BAND_PREFIXES, range(0, 16 * BANDS, 16), strict=True)
    ]


def estimate_jaccard(a: list[int] | np.ndarray, b: list[int] | np.ndarray) -> float:
    """Estimated Jaccard similarity of the shingle sets: the share of equal signature slots.

    Signatures of different lengths (another parameter set) or empty ones give 0.0.
    """
    if len(a) != len(b) or len(a) == 0:
        return 0.0
    return float(np.count_nonzero(np.asarray(a) == np.asarray(b))) / len(a)


def estimate_containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Estimated share of the smaller shingle set found in the larger one.

    From |A∩B| = J (|A|+|B|) / (1+J); capped at 1.0; 0.0 when a size is unknown.
    """
    small = min(size_a, size_b)
    if small <= 0 or jaccard <= 0:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, inter / small)


def is_near_duplicate(jaccard: float, size_a: int, size_b: int) -> bool:
    """The verification rule for an LSH candidate (see the module docstring for the numbers)."""
    if jaccard >= JACCARD_THRESHOLD:
        return True
    if jaccard < CONTAINMENT_MIN_JACCARD or min(size_a, size_b) < CONTAINMENT_MIN_SHINGLES:
        return False
    return estimate_containment(jaccard, size_a, size_b) >= CONTAINMENT_THRESHOLD
