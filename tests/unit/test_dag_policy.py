"""One policy over every DAG in dags/: tags, owner, retries, docs, thin tasks, no import-time work.

A new DAG file is held to it without anyone adding a test: the DAGs are found, not listed.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAG_FILES = sorted(p for p in (ROOT / "dags").glob("*.py") if not p.name.startswith("_"))
HEAVY = ("newsflow.pipeline", "newsflow.tasks", "trafilatura", "elasticsearch", "langdetect", "lingua")


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_there_are_dags_and_they_all_parse(dagbag):
    assert len(DAG_FILES) >= 2
    assert dagbag.import_errors == {}
    assert {Path(d.fileloc).name for d in dagbag.dags.values()} == {p.name for p in DAG_FILES}


def test_every_dag_has_tags_owner_retries_and_docs(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert "newsflow" in dag.tags and len(dag.tags) >= 2, f"{dag_id}: tags {dag.tags}"
        args = dag.default_args
        assert args.get("owner") not in (None, "", "airflow"), f"{dag_id}: default_args needs an owner"
        assert int(args.get("retries", 0)) >= 1, f"{dag_id}: default_args needs retries"
        assert "retry_delay" in args, f"{dag_id}: default_args needs a retry_delay"
        assert dag.doc_md and len(dag.doc_md.strip()) > 80, f"{dag_id}: doc_md says what the DAG does"
        assert dag.max_active_runs == 1 and dag.catchup is False, dag_id
        for task in dag.tasks:
            assert task.doc_md, f"{dag_id}.{task.task_id} has no doc_md"
            assert task.owner == args["owner"], f"{dag_id}.{task.task_id}"


def _task_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    """The functions decorated with @task (bare, called, or `task.<kind>`) anywhere in the file."""

    def is_task(dec: ast.expr) -> bool:
        target = dec.func if isinstance(dec, ast.Call) else dec
        while isinstance(target, ast.Attribute):
            target = target.value
        return isinstance(target, ast.Name) and target.id == "task"

    return [
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and any(map(is_task, n.decorator_list))
    ]


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_each_task_is_one_library_call(path):
    """A task body is imports and one statement (`return tasks.<step>(...)`): the work is in the library."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = _task_functions(tree)
    assert functions, f"{path.name}: no @task function found"
    for fn in functions:
        body = [s for s in fn.body if not isinstance(s, ast.Import | ast.ImportFrom)]
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # docstring
        assert len(body) == 1 and isinstance(body[0], ast.Return | ast.Expr), (
            f"{path.name}: task {fn.name} does more than one call ({len(body)} statements)"
        )
        calls = [n for n in ast.walk(body[0]) if isinstance(n, ast.Call)]
        outer = {ast.unparse(c.func) for c in calls} - {"get_current_context"}
        assert len(outer) == 1, f"{path.name}: task {fn.name} calls {sorted(outer)}"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_no_print_in_dags(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prints = [
        n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"
    ]
    assert prints == [], f"{path.name}: print on lines {prints}; use logging (in the library)"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_top_level_is_declarations_only(path):
    """At module level: imports, assignments, definitions and the DAG call; no if, loop, with or try."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.FunctionDef, ast.Expr)
    for stmt in tree.body:
        assert isinstance(stmt, allowed), (
            f"{path.name} line {stmt.lineno}: {type(stmt).__name__} at import time"
        )
        if isinstance(stmt, ast.Expr) and not isinstance(stmt.value, ast.Constant):
            assert isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name), stmt.lineno


PROBE = """
import json, os, runpy, sys
runpy.run_path(sys.argv[1])
heavy = [m for m in json.loads(sys.argv[2]) if m in sys.modules]
print(json.dumps({"heavy": heavy}))
"""


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_parsing_does_no_work(path, tmp_path):
    """Parsing imports nothing heavy and writes nothing (in the working directory or NEWSFLOW_HOME)."""
    home = tmp_path / "home"
    env = {**os.environ, "NEWSFLOW_HOME": str(home)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=env,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"heavy": []}
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "parsing created files"
