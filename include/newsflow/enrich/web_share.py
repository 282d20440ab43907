"""How common each language is on the web: a prior for short text that reads like several.

A title such as "AlphaTauri: Das können Gasly & Tsunoda" has letter n-grams that fit Shona
about as well as German; German is some 9,000 times more common on the web, and a short text
carries too little evidence to overturn odds like that. `language.py` multiplies the
detectors' short-text probabilities by `share ** PRIOR_ALPHA` (a tempered prior: the exponent
was chosen on a development half of the benchmark's real titles and sentences, see
`docs/language.md`), so a rare language needs clearer evidence, and a common one never wins
against a clear answer.

Source: Common Crawl's published language statistics, crawl CC-MAIN-2024-42, share of HTML
pages by primary language as identified by CLD2 (`plots/languages-top-200.html` of the
`commoncrawl/cc-crawl-statistics` repository), in percent, ISO 639-3 codes mapped to the ISO
639-1 codes newsflow answers (`nor` and `nno` summed as `no`). Only the languages written in a
script shared by several languages are listed: a script that names its language needs no prior.
"""

from __future__ import annotations

WEB_SHARE = {
    # Latin script
    "af": 0.0103, "az": 0.0687, "bs": 0.0523, "ca": 0.2085, "cs": 1.0630, "cy": 0.0117,
    "da": 0.4640, "de": 5.3038, "en": 43.4241, "eo": 0.0084, "es": 4.5387, "et": 0.1326,
    "eu": 0.0401, "fi": 0.3444, "fr": 4.3960, "ga": 0.0071, "hr": 0.2149, "hu": 0.5649,
    "id": 1.1235, "is": 0.0398, "it": 2.5282, "la": 0.1007, "lg": 0.0002, "lt": 0.1668,
    "lv": 0.0942, "mi": 0.0012, "ms": 0.0787, "nl": 1.8145, "no": 0.3190, "pl": 1.8065,
    "pt": 2.3146, "ro": 0.5978, "sk": 0.3705, "sl": 0.1558, "sn": 0.0006, "so": 0.0050,
    "sq": 0.0497, "st": 0.0006, "sv": 0.6649, "sw": 0.0096, "tl": 0.0088, "tn": 0.0001,
    "tr": 1.2422, "ts": 0.0001, "vi": 1.0454, "xh": 0.0023, "yo": 0.0010, "zu": 0.0025,
    # Cyrillic script
    "be": 0.0162, "bg": 0.2992, "kk": 0.0282, "mk": 0.0383, "mn": 0.0161, "ru": 6.0444,
    "sr": 0.2161, "uk": 0.6037,
    # Arabic script
    "ar": 0.6709, "fa": 0.7051, "ur": 0.0306,
    # Devanagari
    "hi": 0.2089, "mr": 0.0258, "ne": 0.0493,
}  # fmt: skip
SHARE_FLOOR = 0.001  # a language missing from the table, or below it, counts as this share
