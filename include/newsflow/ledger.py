"""The run ledger: what happened to every fetched item, in counts that add up.

A user reads it to trust a run: fetched = new + updated + unchanged +
duplicates + rejected, with rejections and duplicates broken down by reason
and by source. It is built from the final batch files, so it counts what was
actually decided, not what a task believed it did.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from newsflow.models import DUPLICATE, NEW, REJECTED, UNCHANGED, UPDATED, Article

OUTCOMES = (NEW, UPDATED, UNCHANGED, DUPLICATE, REJECTED)


def reason_category(reason: str) -> str:
    """`too_short: 12 words < 40` → `too_short`: the category is what a facet can count."""
    return (reason or "unknown").split(":", 1)[0].strip() or "unknown"


@dataclass
class Ledger:
    run_id: str = ""
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    duplicates_by_reason: dict[str, int] = field(default_factory=dict)
    rejected_by_language: dict[str, int] = field(default_factory=dict)
    clustered: int = 0  # near-duplicates indexed into an existing story
    per_source: dict[str, dict[str, int]] = field(default_factory=dict)
    sources_failed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.fetched == self.new + self.updated + self.unchanged + self.duplicates + self.rejected

    def add(self, article: Article) -> None:
        status = article.status if article.status in OUTCOMES else REJECTED
        if status != article.status:
            # An item that left the pipeline without a decision is a bug; count it, never lose it.
            article.reason = article.reason or f"no_decision: status {article.status!r}"
        self.fetched += 1
        src = self.per_source.setdefault(
            article.source or "unknown", dict.fromkeys(("fetched", *OUTCOMES), 0)
        )
        src["fetched"] += 1
        src[status] += 1
        if status == NEW:
            self.new += 1
            if not article.is_canonical:
                self.clustered += 1
        elif status == UPDATED:
            self.updated += 1
        elif status == UNCHANGED:
            self.unchanged += 1
        elif status == DUPLICATE:
            self.duplicates += 1
            _bump(self.duplicates_by_reason, reason_category(article.reason))
        else:
            self.rejected += 1
            _bump(self.rejected_by_reason, reason_category(article.reason))
            _bump(self.rejected_by_language, article.language or "und")

    def extend(self, articles: Iterable[Article]) -> Ledger:
        for article in articles:
            self.add(article)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "fetched": self.fetched,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "balanced": self.balanced,
            "clustered": self.clustered,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "duplicates_by_reason": dict(sorted(self.duplicates_by_reason.items())),
            "rejected_by_language": dict(sorted(self.rejected_by_language.items())),
            "per_source": self.per_source,
            "sources_failed": self.sources_failed,
            "notes": self.notes,
        }

    def format_table(self) -> str:
        """A fixed-width table for task logs and the terminal."""
        cols = ("fetched", *OUTCOMES)
        width = max([len("source"), *(len(s) for s in self.per_source)] + [5])
        lines = [f"Ledger for run {self.run_id}".rstrip()]
        header = "source".ljust(width) + "".join(c.rjust(11) for c in cols)
        lines += [header, "-" * len(header)]
        for name in sorted(self.per_source):
            row = self.per_source[name]
            lines.append(name.ljust(width) + "".join(str(row.get(c, 0)).rjust(11) for c in cols))
        totals = (self.fetched, self.new, self.updated, self.unchanged, self.duplicates, self.rejected)
        lines.append("-" * len(header))
        lines.append("TOTAL".ljust(width) + "".join(str(v).rjust(11) for v in totals))
        check = "adds up" if self.balanced else "DOES NOT ADD UP"
        lines.append(
            f"fetched {self.fetched} = new {self.new} + updated {self.updated} + unchanged {self.unchanged}"
            f" + duplicates {self.duplicates} + rejected {self.rejected}: {check}"
        )
        if self.clustered:
            lines.append(f"near-duplicates indexed into an existing story: {self.clustered}")
        if self.duplicates_by_reason:
            lines.append("duplicates by reason: " + _fmt(self.duplicates_by_reason))
        if self.rejected_by_reason:
            lines.append("rejected by reason: " + _fmt(self.rejected_by_reason))
        for name, error in sorted(self.sources_failed.items()):
            lines.append(f"SOURCE FAILED {name}: {error}")
        lines += self.notes
        return "\n".join(lines)


def _bump(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


def _fmt(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in Counter(counts).most_common())


def run_ledger_table(result: dict[str, Any]) -> str:
    """The ledger table of a finished DAG run (`airflow_runner`'s result), or why there is none.

    The CLI and the demo both print it, so it lives beside the ledger rather than in either.
    """
    data = result.get("ledger")
    if not data:
        return f"run {result.get('run_id', '?')} ended {result.get('state')} without a saved ledger"
    ledger = Ledger(**{k: v for k, v in data.items() if k in Ledger.__dataclass_fields__})
    return ledger.format_table()
