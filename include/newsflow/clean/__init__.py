"""The clean stage: one fetched payload -> one Article with clean text, or a readable rejection.

`clean_item` is a pure function of the raw item, the settings and the lines
learned as boilerplate for the item's source (see `learn_boilerplate`), so a
batch can be re-cleaned from the raw archive at any time with the same result.

Steps: reject failed fetches and binary payloads; HTML -> main text and
metadata (`html`); normalise (`normalize`); remove furniture with named rules,
keeping what bylines and footers say as metadata (`boilerplate`, `footer`);
pick the title and dateline; run the quality gate (`quality`).

Clean writes the text and the page's own fields. What the page, a JSON record or the feed
says about dates, publisher, section, agencies, country and canonical URL it only proposes,
in `Article.claims`: enrich (and, for the canonical URL, dedupe) decides those fields, so each
has one writer (`newsflow.fields`).
"""

from newsflow.clean.boilerplate import RULES, StripResult, learn_boilerplate, line_key, strip_boilerplate
from newsflow.clean.item import apply_learned, clean_and_learn, clean_item, clean_text, learning_text

__all__ = [
    "RULES",
    "StripResult",
    "apply_learned",
    "clean_and_learn",
    "clean_item",
    "clean_text",
    "learn_boilerplate",
    "learning_text",
    "line_key",
    "strip_boilerplate",
]
