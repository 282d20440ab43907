"""No module under include/, dags/ or plugins/ reads a NEWSFLOW_* variable except newsflow.config.

Every setting is a field of `Settings` (docs/settings.md is generated from it); code receives it
from there. Setting variables (for a child process, or the sources file's `${VAR}` expansion) is
fine; reading one elsewhere would be a setting the settings page does not know.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "include" / "newsflow" / "config.py"
PREFIX = "NEWSFLOW_"
READERS = {"get", "getenv", "pop"}  # os.environ.get / os.getenv / environ.pop(...) and the like


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "..."` string constants (a variable's name is often kept in one)."""
    out: dict[str, str] = {}
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            out.update({t.id: stmt.value.value for t in stmt.targets if isinstance(t, ast.Name)})
    return out


def _names_newsflow_var(node: ast.AST, constants: dict[str, str]) -> bool:
    """`node` is (or starts) the name of a NEWSFLOW_* variable: a literal, an f-string, a concatenation,
    or a module constant holding one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.startswith(PREFIX)
    if isinstance(node, ast.JoinedStr):
        return bool(node.values) and _names_newsflow_var(node.values[0], constants)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _names_newsflow_var(node.left, constants)
    if isinstance(node, ast.Name):
        return constants.get(node.id, "").startswith(PREFIX)
    return False


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def reads(source: str) -> list[int]:
    """Lines of `source` that read a NEWSFLOW_* variable."""
    tree = ast.parse(source)
    constants = _constants(tree)
    found: list[int] = []
    for node in ast.walk(tree):
        key: ast.AST | None = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            key = node.args[0] if name in READERS else None
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice
        elif isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
            key = node.left if any(_is_environ(c) for c in node.comparators) else None
        if key is not None and _names_newsflow_var(key, constants):
            found.append(node.lineno)
    return sorted(found)


def _modules() -> list[Path]:
    files = [p for d in ("include", "dags", "plugins") for p in sorted((ROOT / d).rglob("*.py"))]
    return [p for p in files if p != CONFIG]


def test_only_the_config_module_reads_newsflow_variables():
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in _modules()
        if (lines := reads(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, (
        f"NEWSFLOW_* variables read outside newsflow.config (file: lines): {offenders}; "
        "add a field to Settings and pass the setting in"
    )


def test_the_scan_covers_the_modules_and_the_config_module_is_the_one_that_reads():
    names = {str(p.relative_to(ROOT)) for p in _modules()}
    assert {"dags/news_ingest.py", "plugins/newsflow_kibana.py", "include/newsflow/pools.py"} <= names
    assert "env.get(env_var(f.name))" in CONFIG.read_text(encoding="utf-8"), "Settings.from_env reads them"


@pytest.mark.parametrize(
    "source",
    [
        'import os\nos.environ.get("NEWSFLOW_X")',
        'import os\nos.getenv("NEWSFLOW_X", "1")',
        'import os\nos.environ["NEWSFLOW_X"]',
        'import os\nVAR = "NEWSFLOW_X"\nos.environ.get(VAR)',
        'import os\nos.environ.get(f"NEWSFLOW_POOL_{name}_SLOTS")',
        'import os\nenv = os.environ\nenv.get("NEWSFLOW_" + name.upper())',
        'import os\n"NEWSFLOW_X" in os.environ',
    ],
)
def test_the_scan_finds_every_way_of_reading(source):
    assert reads(source) == [source.count("\n") + 1]  # the last line reads


@pytest.mark.parametrize(
    "source",
    [
        'env = {"NEWSFLOW_X": "1"}',
        'import os\nos.environ["NEWSFLOW_X"] = "1"',
        'env = {}\nenv["NEWSFLOW_HOME"] = "/tmp"',
        'import os\nos.environ.get("AIRFLOW__CORE__MAX_MAP_LENGTH")',
        "import os\nos.environ.get(var)  # the sources file expands ${VAR} it names",
    ],
)
def test_setting_variables_and_other_variables_are_fine(source):
    assert reads(source) == []
