"""One writer per Article field (`newsflow.fields.FIELDS`), and docs/fields.md generated from it.

Two checks hold the table to the code: each stage, run on real pages and seeds, changes only
the fields it owns (and the outcome, `status`/`reason`); and no module assigns a field another
stage owns (an AST scan of the stage packages and the pipeline).
"""

from __future__ import annotations

import ast
import dataclasses
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import REPO_ROOT

from newsflow.config import Settings
from newsflow.dedupe import Deduplicator
from newsflow.dedupe.store import MemoryStore
from newsflow.enrich import ENRICHERS
from newsflow.fields import FIELDS, OUTCOME, Stage, check_complete, owned_by, render_markdown
from newsflow.models import Article, RawItem
from newsflow.pipeline import clean_batch, enrich_articles

REALPAGES = REPO_ROOT.parent / "shared" / "datasets" / "realpages"
PAGES = 12
INCLUDE = REPO_ROOT / "include" / "newsflow"


def test_every_field_has_one_owner() -> None:
    assert check_complete() == []
    for enricher in ENRICHERS:  # the registry assigns what its enrichers declare: enrich's fields only
        assert set(enricher.fields) <= owned_by(Stage.ENRICH), enricher.name


def test_the_fields_page_is_generated_from_the_table() -> None:
    page = (REPO_ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    assert page == render_markdown(), "docs/fields.md is stale: python -m newsflow.fields > docs/fields.md"


def _raws(seed_files: list[Path]) -> list[RawItem]:
    """Real pages and seeds, a JSON record, a feed item whose page says little, a failed fetch."""
    raws = []
    with (REALPAGES / "index.jsonl").open(encoding="utf-8") as fh:
        for line, _ in zip(fh, range(PAGES), strict=False):
            row = json.loads(line)
            body = gzip.decompress((REALPAGES / row["page"]).read_bytes()).decode("utf-8", "replace")
            raws.append(
                RawItem(source="pages", url=row["url"], body=body, fetched_at="2026-11-30T12:00:00+00:00")
            )
    raws += [
        RawItem(source="seeds", url=p.as_uri(), kind="text", body=p.read_text(encoding="utf-8"))
        for p in seed_files
    ]
    record = {
        "title": "A record",
        "text": seed_files[0].read_text(encoding="utf-8"),
        "published": "2017-11-07",
    }
    raws.append(RawItem(source="api", url="https://api.example/1", kind="json", body=json.dumps(record)))
    raws.append(
        RawItem(
            source="feed",
            url="https://feed.example/x",
            error="HTTP 500",
            feed_title="Feed title",
            feed_published="2017-11-06T10:00:00Z",
            feed_section="World",
            feed_author="Reuters",
        )
    )
    return raws


def _changed(before: dict[str, Any], after: Article) -> set[str]:
    return {name for name, value in after.to_dict().items() if before[name] != value}


def _defaults() -> dict[str, Any]:
    return Article().to_dict()


def test_each_stage_changes_only_the_fields_it_owns(seed_files: list[Path]) -> None:
    cleaned, _ = clean_batch(_raws(seed_files), Settings())
    assert any(not a.rejected for a in cleaned) and any(a.rejected for a in cleaned)
    _check(Stage.CLEAN, [_defaults()] * len(cleaned), cleaned)
    before = [a.to_dict() for a in cleaned]
    decided = Deduplicator(MemoryStore()).process(cleaned)
    _check(Stage.DEDUPE, before, decided)
    before = [a.to_dict() for a in decided]
    enriched = list(enrich_articles(decided, {"publisher": "P", "country": "fr"}, frozenset()))
    _check(Stage.ENRICH, before, enriched)
    assert any(a.published_at for a in enriched) and any(a.word_count for a in enriched)


def _check(stage: Stage, olds: list[dict[str, Any]], news: list[Article]) -> None:
    """The articles `stage` returned differ from what it was given in its own fields only."""
    allowed = owned_by(stage) | OUTCOME
    written: set[str] = set()
    for old, new in zip(olds, news, strict=True):
        changed = _changed(old, new)
        extra = changed - allowed
        assert not extra, f"{stage} wrote {sorted(extra)}, owned by {[str(FIELDS[n].writer) for n in extra]}"
        written |= changed
    assert written, f"{stage} wrote nothing: the check would hold vacuously"


def test_clean_proposes_every_date_and_enrich_decides(seed_files: list[Path]) -> None:
    """Clean proposes the dates it finds, in order (record, then feed); enrich checks each in
    turn, so a first candidate it does not trust no longer hides the next one."""
    record = {
        "title": "A record",
        "text": seed_files[0].read_text(encoding="utf-8"),
        "published": "2017-11-07",
    }
    raw = RawItem(
        source="s",
        url="https://s.example/a",
        kind="json",
        body=json.dumps(record),
        feed_published="2017-11-06T10:00:00Z",
    )
    (art,), _ = clean_batch([raw], Settings())
    assert art.published_at is None and art.claims["published"] == ["2017-11-07", "2017-11-06T10:00:00+00:00"]
    (out,) = enrich_articles([art], {}, frozenset())
    assert out.published_at == "2017-11-07" and out.date_flags == []
    art = Article(text=record["text"], claims={"published": ["2999-01-01", "2017-11-06T10:00:00+00:00"]})
    (out,) = enrich_articles([art], {}, frozenset())
    assert out.published_at == "2017-11-06T10:00:00+00:00" and out.date_flags == ["suspicious_future"]


# -- AST scan: no module assigns a field another stage owns ---------------------------------

ARTICLE_NAMES = {"art", "article", "original"}  # what the code calls an Article it changes
PACKAGE_STAGE = {"clean": Stage.CLEAN, "dedupe": Stage.DEDUPE, "enrich": Stage.ENRICH, "index": Stage.INDEX}
PIPELINE_STAGE = {  # functions of newsflow/pipeline.py that change articles, by the stage they run
    "_isolated_clean": Stage.CLEAN,
    "clean_stage": Stage.CLEAN,
    "run_sequence": Stage.CLEAN,
    "index_decided": Stage.INDEX,
}
ARTICLE_FIELDS = {f.name for f in dataclasses.fields(Article)}


def _targets(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.Tuple | ast.List):
        return [t for e in node.elts for t in _targets(e)]
    return [node]


def _writes(tree: ast.AST) -> list[tuple[str, str, int]]:
    """(function, field, line) of every assignment to `<article name>.<field>`, or in-place change."""
    out = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        for node in ast.walk(fn):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = [t for x in node.targets for t in _targets(x)]
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = _targets(node.target)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in {"append", "extend", "insert", "update", "clear", "pop", "remove"}:
                    targets = [node.func.value]
            for t in targets:
                if (
                    isinstance(t, ast.Attribute)
                    and t.attr in ARTICLE_FIELDS
                    and isinstance(t.value, ast.Name)
                    and t.value.id in ARTICLE_NAMES
                ):
                    out.append((fn.name, t.attr, node.lineno))
    return out


def _scanned() -> list[tuple[Path, Stage | None, str, str, int]]:
    rows = []
    for package, stage in PACKAGE_STAGE.items():
        for path in sorted((INCLUDE / package).glob("*.py")):
            rows += [(path, stage, fn, name, line) for fn, name, line in _writes(ast.parse(path.read_text()))]
    pipeline = INCLUDE / "pipeline.py"
    rows += [
        (pipeline, PIPELINE_STAGE.get(fn), fn, name, line)
        for fn, name, line in _writes(ast.parse(pipeline.read_text()))
    ]
    return rows


def test_no_module_assigns_a_field_another_stage_owns() -> None:
    rows = _scanned()
    assert len(rows) > 20, "the scan finds the stages' assignments"
    wrong = [
        f"{path.relative_to(REPO_ROOT)}:{line} {fn}() ({stage}) writes {name}, owned by {FIELDS[name].writer}"
        for path, stage, fn, name, line in rows
        if name not in OUTCOME and FIELDS[name].writer != stage
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "name", ["published_at", "updated_at", "word_count", "publisher", "section", "agency"]
)
def test_the_fields_the_issue_named_have_one_writer(name: str) -> None:
    writers = {stage for _, stage, _, field, _ in _scanned() if field == name}
    assert writers <= {FIELDS[name].writer}


def test_one_word_counter_serves_every_use() -> None:
    """The quality gate, the boilerplate learner and `word_count` count with one function."""
    from newsflow.clean import normalize
    from newsflow.enrich import word_count
    from newsflow.wordcount import count_words

    assert normalize.count_words is count_words and word_count is count_words
    counters = [
        f"{path.relative_to(REPO_ROOT)}: {node.name}"
        for path in sorted(INCLUDE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name in {"count_words", "word_count", "words"}
    ]
    assert counters == ["include/newsflow/wordcount.py: count_words"]
