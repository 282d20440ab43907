"""The Kibana saved objects: they parse, every reference resolves, every field a panel uses
is mapped in the template of the data view it reads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsflow.config import Settings
from newsflow.index.telemetry import render_telemetry_template
from newsflow.index.template import render_template
from newsflow.kibana import SAVED_OBJECTS, load_objects, render_objects

RECORDS = "___records___"


def mapped_fields(properties: dict[str, Any], prefix: str = "") -> set[str]:
    """Every field path of a mapping, sub-fields (`title.raw`) included."""
    out: set[str] = set()
    for name, spec in properties.items():
        path = prefix + name
        out.add(path)
        out |= {f"{path}.{sub}" for sub in spec.get("fields", {})}
        out |= mapped_fields(spec.get("properties", {}), path + ".")
    return out


def template_fields() -> dict[str, set[str]]:
    """Fields per data view id, from the templates as rendered for Elasticsearch."""
    news = render_template(Settings(), None)["template"]["mappings"]["properties"]
    telemetry = render_telemetry_template(Settings())["template"]["mappings"]["properties"]
    return {"newsflow-news": mapped_fields(news), "newsflow-telemetry": mapped_fields(telemetry)}


def by_key() -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["type"], o["id"]): o for o in load_objects()}


def data_view_of(obj: dict[str, Any]) -> str:
    views = [r["id"] for r in obj["references"] if r["type"] == "index-pattern"]
    assert len(views) == 1, obj["id"]
    return views[0]


def fields_used(obj: dict[str, Any]) -> set[str]:
    """Fields a lens panel or saved search reads (columns, sort, sort fields of operations)."""
    used: set[str] = set()
    if obj["type"] == "search":
        used |= set(obj["attributes"]["columns"])
        used |= {field for field, _ in obj["attributes"]["sort"]}
    if obj["type"] == "lens":
        layers = obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
        for layer in layers.values():
            for column in layer["columns"].values():
                used.add(column["sourceField"])
                if column.get("params", {}).get("sortField"):
                    used.add(column["params"]["sortField"])
    return used - {RECORDS}


def test_ndjson_parses_and_ids_are_unique() -> None:
    lines = [line for line in SAVED_OBJECTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    objects = [json.loads(line) for line in lines]
    assert len({(o["type"], o["id"]) for o in objects}) == len(objects)
    assert {o["type"] for o in objects} == {"index-pattern", "search", "lens", "dashboard"}
    for obj in objects:
        assert obj["attributes"]["title"], obj["id"]


def test_data_views_over_the_read_alias_and_the_telemetry_index() -> None:
    objects = by_key()
    news = objects[("index-pattern", "newsflow-news")]["attributes"]
    assert (news["title"], news["timeFieldName"]) == ("news", "published_at")
    telemetry = objects[("index-pattern", "newsflow-telemetry")]["attributes"]
    assert (telemetry["title"], telemetry["timeFieldName"]) == ("news-telemetry", "timestamp")
    renamed = {o["id"]: o for o in render_objects("press") if o["type"] == "index-pattern"}
    assert renamed["newsflow-news"]["attributes"]["title"] == "press"
    assert renamed["newsflow-telemetry"]["attributes"]["title"] == "press-telemetry"


def test_every_reference_resolves() -> None:
    objects = by_key()
    for obj in objects.values():
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in objects, f"{obj['id']} -> {ref}"


def test_dashboard_panels_resolve_and_cover_the_brief() -> None:
    objects = by_key()
    dashboard = objects[("dashboard", "newsflow-overview")]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    refs = {r["name"]: r for r in dashboard["references"]}
    titles = set()
    for panel in panels:
        ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert ref["type"] == panel["type"]
        titles.add(objects[(ref["type"], ref["id"])]["attributes"]["title"])
    assert titles == {
        "Articles over time by language",
        "Top outlets",
        "Top wire agencies",
        "Top countries",
        "Stories carried by most outlets",
        "Ingest ledger over runs",
        "Latest articles",
    }
    cells = [(p["gridData"]["x"], p["gridData"]["y"]) for p in panels]
    assert len(cells) == len(set(cells)), "two panels at the same place"


@pytest.mark.parametrize(
    "obj", [o for o in load_objects() if o["type"] in {"lens", "search"}], ids=lambda o: o["id"]
)
def test_every_field_a_panel_uses_is_mapped(obj: dict[str, Any]) -> None:
    known = template_fields()[data_view_of(obj)]
    used = fields_used(obj)
    assert used, f"{obj['id']} uses no field"
    assert used <= known, f"{obj['id']} uses unmapped fields {sorted(used - known)}"


def test_field_check_catches_a_typo() -> None:
    """The check above is only worth something if a wrong field fails it."""
    obj = next(o for o in load_objects() if o["id"] == "newsflow-top-outlets")
    layer = obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]["layer1"]
    layer["columns"]["k"]["sourceField"] = "publisherr"
    assert not fields_used(obj) <= template_fields()["newsflow-news"]


def test_lens_layers_reference_their_data_view_and_columns_exist() -> None:
    for obj in load_objects():
        if obj["type"] != "lens":
            continue
        state = obj["attributes"]["state"]
        layers = state["datasourceStates"]["formBased"]["layers"]
        names = {r["name"] for r in obj["references"]}
        for layer_id, layer in layers.items():
            assert f"indexpattern-datasource-layer-{layer_id}" in names
            assert set(layer["columnOrder"]) == set(layer["columns"])
            for column in layer["columns"].values():
                order_by = column.get("params", {}).get("orderBy", {})
                if order_by.get("type") == "column":
                    assert order_by["columnId"] in layer["columns"], obj["id"]
        vis = state["visualization"]
        accessors = {c["columnId"] for c in vis.get("columns", [])}
        for vlayer in vis.get("layers", []):
            accessors |= set(vlayer["accessors"]) | {vlayer.get("xAccessor"), vlayer.get("splitAccessor")} - {
                None
            }
        assert accessors <= set(next(iter(layers.values()))["columns"]), obj["id"]
