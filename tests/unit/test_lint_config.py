"""`make lint`, the pre-commit hooks and pyproject.toml ask for the same checks.

A contributor who runs `pre-commit` must be judged as CI judges them; these tests fail
when one of the three drifts from the others.
"""

from __future__ import annotations

import re
import tomllib

import yaml
from tests.conftest import REPO_ROOT


def _lint_recipe() -> list[str]:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert block, "Makefile has no lint target"
    return [line.strip().replace("$(BIN)/", "") for line in block.group(1).splitlines()]


def _hook_entries() -> list[str]:
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    return [hook["entry"].replace(".venv/bin/", "") for hook in hooks]


def test_make_lint_runs_ruff_format_check_and_mypy() -> None:
    assert _lint_recipe() == ["ruff check .", "ruff format --check .", "mypy"]


def test_pre_commit_runs_the_same_tools_as_make_lint() -> None:
    tools = [" ".join(entry.split()[:3]).replace(" --force-exclude", "") for entry in _hook_entries()]
    assert tools == ["ruff check", "ruff format --check", "mypy"]


def test_make_test_runs_lint_first() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    prerequisites = re.search(r"^test:(.*)$", makefile, re.M)
    assert prerequisites and "lint" in prerequisites.group(1).split()


def test_pyproject_asks_for_strict_mypy_and_complexity_ten() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mypy"]["strict"] is True
    assert set(config["tool"]["mypy"]["files"]) == {"include/newsflow", "dags", "plugins"}
    assert config["tool"]["ruff"]["lint"]["mccabe"]["max-complexity"] == 10
    assert "C90" in config["tool"]["ruff"]["lint"]["select"]
