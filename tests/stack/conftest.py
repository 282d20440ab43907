"""The stack lane runs only when asked for by name (`pytest -m stack`, `make test-stack`).

It needs Debian's PostgreSQL and Redis servers and takes minutes, so `make test` and the
time-shifted lanes (whatever `-m` they pass) leave its tests out, as deselected, not skipped.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "stack" in (config.getoption("markexpr") or ""):
        return
    stack = [item for item in items if item.get_closest_marker("stack")]
    if stack:
        config.hook.pytest_deselected(items=stack)
        items[:] = [item for item in items if not item.get_closest_marker("stack")]
