"""Article -> Elasticsearch document.

The document is the article's own fields (flat, JSON-friendly) with:
- `text`/`title` copied into the field of the article's language (`text_fr`, `title_fr`,
  ...) or into `text_std`/`title_std` for languages without a dedicated field; `text` and
  `title` themselves stay (standard-analyzed, for every article);
- `minhash` wrapped as `{"values": [...]}` (an `object` with `enabled: false`: kept in
  `_source`, never indexed, any integer size);
- empty dates as null, `cluster_id` defaulting to the article id (collapse needs a value),
  `indexed_at` set, and the transient fields (local path and line, page language,
  rejection reason) dropped.
"""

from __future__ import annotations

import re
from typing import Any

from newsflow.models import Article

# Languages with their own text_<code>/title_<code> field, and the analyzer used on
# Elasticsearch. Keep in sync with include/elasticsearch/template.json (a unit test checks).
LANGUAGE_ANALYZERS: dict[str, str] = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "ru": "russian",
    "ar": "arabic",
}
FALLBACK = "std"
"""Suffix of the standard-analyzed fields that hold every other language."""

TEXT_FIELDS = ("text", "title")
"""Fields routed per language."""

# Fields of Article that are not stored: where the batch file was, what the page said its
# language was (the detected `language` is stored), what clean proposed for enrich to decide
# (`claims`), why a rejected item was rejected.
TRANSIENT_FIELDS = frozenset({"path", "line", "page_language", "claims", "reason"})

DATE_FIELDS = ("published_at", "updated_at", "fetched_at")

# C0/C1 control characters except tab and newline: never useful in plain text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def language_code(language: str) -> str:
    """`fr`, `pt-BR` -> `pt`, `zh_cn` -> `zh`; empty for `und` / unknown."""
    code = re.split(r"[-_]", (language or "").strip().lower(), maxsplit=1)[0]
    return "" if code in {"", "und", "unknown"} else code


def language_field(field: str, language: str) -> str:
    """The per-language field for `field` (`text` or `title`): `text_fr`, or `text_std`."""
    code = language_code(language)
    return f"{field}_{code if code in LANGUAGE_ANALYZERS else FALLBACK}"


def language_fields(field: str) -> list[str]:
    """Every per-language field of `field`, the fallback last: text_en, ..., text_std."""
    return [f"{field}_{code}" for code in LANGUAGE_ANALYZERS] + [f"{field}_{FALLBACK}"]


def plain(text: str | None) -> str:
    """Plain text: a string, without control characters (keeps newlines and tabs)."""
    if not text:
        return ""
    return _CONTROL.sub("", str(text))


def to_document(article: Article, indexed_at: str) -> dict[str, Any]:
    """The document to index for `article` (its `_id` is `article.id`)."""
    doc = {k: v for k, v in article.to_dict().items() if k not in TRANSIENT_FIELDS}
    for name in ("text", "title", "description", "dateline", "site_name"):
        doc[name] = plain(doc.get(name))
    for name in TEXT_FIELDS:
        if doc[name]:
            doc[language_field(name, article.language)] = doc[name]
    for name in DATE_FIELDS:
        doc[name] = doc.get(name) or None
    doc["language"] = article.language or "und"
    doc["cluster_id"] = article.cluster_id or article.id
    doc["minhash"] = {"values": list(article.minhash or [])}
    doc["indexed_at"] = indexed_at
    return doc


def minhash_values(value: Any) -> list[int]:
    """The minhash list from a stored `_source` value (wrapped or, defensively, a bare list)."""
    if isinstance(value, dict):
        value = value.get("values")
    return list(value or [])
