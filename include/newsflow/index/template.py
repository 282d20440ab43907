"""The index template and the versioned index behind the aliases.

Layout (see DESIGN.md, "Index facts"): an index template for `<alias>-v*`, a versioned
index `<alias>-v1`, the read alias `<alias>` and the write alias `<alias>-write`
(`is_write_index`). A mapping change is a new version filled from the archive and an
atomic alias swap; documents are updated by `_id`, so there is no rollover.

The template source is `include/elasticsearch/template.json`; `render_template` fills in the
index pattern and maps the languages whose analyzer the engine lacks to `standard`:
osmem-server has no `arabic`; Elasticsearch's minimal distribution (the integ-test-zip the
real-engine lane runs) has no `analysis-common` module, so no language analyzer at all.
A full Elasticsearch has them all and gets the template as written. The languages so
mapped are logged once, kept in the mapping's `_meta.standard_languages` and returned by
`ensure_index` (docs/engines.md).
"""

from __future__ import annotations

import copy
import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, BadRequestError, Elasticsearch

from newsflow.config import INCLUDE_DIR, Settings
from newsflow.index.documents import FALLBACK, LANGUAGE_ANALYZERS, TEXT_FIELDS

log = logging.getLogger(__name__)

TEMPLATE_FILE = INCLUDE_DIR / "elasticsearch" / "template.json"

# Analyzers probed per engine, cached per server URL; the result is logged once. On
# Elasticsearch `indices.analyze` answers "failed to find global analyzer" for a missing one.
# On the embedded server it is no use (osmem's _analyze accepts `arabic` while its mappings
# reject it), so there the probe creates a throwaway index.
_ANALYZER_CACHE: dict[tuple[str, bool, tuple[str, ...]], frozenset[str]] = {}
_MISSING_ANALYZER = re.compile(r"analyzer \[([^\]]+)\]")


def load_template_source(path: Path | None = None) -> dict[str, Any]:
    """The template as written in include/elasticsearch/template.json."""
    template: dict[str, Any] = json.loads((path or TEMPLATE_FILE).read_text(encoding="utf-8"))
    return template


def template_name(settings: Settings) -> str:
    return f"{settings.index_alias}-template"


def index_name(settings: Settings, version: int) -> str:
    return f"{settings.index_alias}-v{version}"


def render_template(settings: Settings, available_analyzers: set[str] | None = None) -> dict[str, Any]:
    """The body for `put_index_template`.

    `available_analyzers=None` means real Elasticsearch: every analyzer is used as written.
    Otherwise a field whose analyzer is not in the set gets `standard`; the languages so
    mapped are listed in `_meta.standard_languages` of the mappings (and returned by
    `ensure_index`).
    """
    body = copy.deepcopy(load_template_source())
    body.pop("_comment", None)
    body["index_patterns"] = [f"{settings.index_alias}-v*"]
    mappings = body["template"]["mappings"]
    standard_languages: set[str] = set()
    if available_analyzers is not None:
        available = set(available_analyzers) | {"standard"}
        for name, spec in mappings["properties"].items():
            analyzer = spec.get("analyzer")
            if spec.get("type") == "text" and analyzer and analyzer not in available:
                spec["analyzer"] = "standard"
                standard_languages.add(name.rsplit("_", 1)[-1])
    mappings.setdefault("_meta", {})["standard_languages"] = sorted(standard_languages)
    return body


def standard_languages(body: dict[str, Any]) -> list[str]:
    """Languages mapped to `standard` in a rendered template."""
    return list(body["template"]["mappings"].get("_meta", {}).get("standard_languages", []))


def wanted_analyzers() -> set[str]:
    """Every analyzer the template source names."""
    props = load_template_source()["template"]["mappings"]["properties"]
    return {spec["analyzer"] for spec in props.values() if spec.get("analyzer")}


def probe_analyzers(
    client: Elasticsearch, wanted: set[str] | None = None, embedded: bool = True
) -> frozenset[str]:
    """Which of `wanted` analyzers the engine accepts in a mapping (cached per server).

    `embedded`: probe with a throwaway index (see above); else with `indices.analyze`.
    """
    from newsflow.index.client import client_url

    url = client_url(client)
    remaining = sorted(wanted if wanted is not None else wanted_analyzers())
    key = (url, embedded, tuple(remaining))
    if key in _ANALYZER_CACHE:
        return _ANALYZER_CACHE[key]
    if embedded:
        missing = _probe_by_index(client, remaining)
    else:
        missing = _probe_by_analyze(client, remaining)
    result = frozenset(a for a in remaining if a not in missing)
    _ANALYZER_CACHE[key] = result
    if missing:
        log.warning(
            "search engine at %s lacks the analyzer(s) %s: those languages use the standard analyzer",
            url,
            ", ".join(sorted(missing)),
        )
    return result


def _probe_by_analyze(client: Elasticsearch, names: list[str]) -> list[str]:
    """The analyzers Elasticsearch's `_analyze` does not know. A refusal (403: the API key may
    not analyze) proves nothing, so the analyzer is then used as written."""
    missing: list[str] = []
    for name in names:
        try:
            client.indices.analyze(analyzer=name, text="probe")
        except BadRequestError as exc:
            if "failed to find" not in str(exc):
                raise
            missing.append(name)
        except ApiError as exc:
            if exc.status_code not in (401, 403):
                raise
    return missing


def _probe_by_index(client: Elasticsearch, names: list[str]) -> list[str]:
    """Creates a throwaway index with one text field per analyzer; each rejected analyzer is
    named in the error, dropped, and the creation retried. Returns the rejected ones."""
    remaining = list(names)
    probe = f"newsflow-analyzer-probe-{uuid.uuid4().hex[:12]}"
    missing: list[str] = []
    try:
        while remaining:
            props = {f"f{i}": {"type": "text", "analyzer": a} for i, a in enumerate(remaining)}
            try:
                client.indices.create(index=probe, mappings={"properties": props})
                break
            except BadRequestError as exc:
                found = _MISSING_ANALYZER.search(str(exc))
                if not found or found.group(1) not in remaining:
                    raise
                remaining.remove(found.group(1))
                missing.append(found.group(1))
    finally:
        client.indices.delete(index=probe, ignore_unavailable=True)
    return missing


def _alias_indices(client: Elasticsearch, alias: str) -> dict[str, dict[str, Any]]:
    """{index: {alias: props}} for the indices behind `alias` (empty if none)."""
    if not client.indices.exists_alias(name=alias):
        return {}
    resp = client.indices.get_alias(name=alias)
    return {index: info.get("aliases", {}) for index, info in resp.body.items()}


def _version(index: str) -> int:
    found = re.search(r"-v(\d+)$", index)
    return int(found.group(1)) if found else 0


def put_template(client: Elasticsearch, settings: Settings) -> dict[str, Any]:
    """Render the template for this engine (with the analyzers it has) and put it.

    Returns the rendered body. Idempotent; every new `<alias>-v<N>` gets this mapping.
    """
    available = probe_analyzers(client, embedded=settings.es_embedded)
    body = render_template(settings, set(available))
    client.indices.put_index_template(name=template_name(settings), **body)
    return body


def ensure_index(client: Elasticsearch, settings: Settings) -> dict[str, Any]:
    """Put the template and make sure an index sits behind both aliases. Idempotent.

    Returns `{"template", "alias", "write_alias", "index", "created", "standard_languages",
    "analyzers"}`; `index` is the concrete index the write alias points at.
    """
    body = put_template(client, settings)
    name = template_name(settings)
    std = standard_languages(body)

    alias, write_alias = settings.index_alias, settings.write_alias
    created = False
    behind = _alias_indices(client, alias)
    if not behind:
        first = index_name(settings, 1)
        try:
            client.indices.create(index=first, aliases={alias: {}, write_alias: {"is_write_index": True}})
            created = True
            log.info("created index %s behind aliases %s and %s", first, alias, write_alias)
        except BadRequestError as exc:
            # Another worker won the race, or the index exists without its aliases.
            if "already_exists" not in str(exc) and "already exists" not in str(exc):
                raise
        behind = _alias_indices(client, alias)
        if not behind:
            client.indices.update_aliases(actions=[{"add": {"index": first, "alias": alias}}])
            behind = {first: {}}

    writes = _alias_indices(client, write_alias)
    write_index = next((i for i, a in writes.items() if a.get(write_alias, {}).get("is_write_index")), None)
    if write_index is None and len(writes) == 1:
        write_index = next(iter(writes))
    if write_index is None:
        # The write alias is missing (manual change?): point it at the newest index.
        write_index = max(behind, key=_version)
        client.indices.update_aliases(
            actions=[{"add": {"index": write_index, "alias": write_alias, "is_write_index": True}}]
        )
        log.info("write alias %s now points at %s", write_alias, write_index)

    props = body["template"]["mappings"]["properties"]
    analyzers = {code: props[f"{TEXT_FIELDS[0]}_{code}"]["analyzer"] for code in LANGUAGE_ANALYZERS}
    analyzers[FALLBACK] = props[f"{TEXT_FIELDS[0]}_{FALLBACK}"]["analyzer"]
    return {
        "template": name,
        "alias": alias,
        "write_alias": write_alias,
        "index": write_index,
        "created": created,
        "standard_languages": std,
        "analyzers": analyzers,
    }
