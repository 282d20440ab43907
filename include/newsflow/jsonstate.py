"""Small JSON state files shared by concurrent tasks (mapped fetches run in parallel processes).

Every update holds an exclusive `flock` on a sidecar lock file while it reads, changes and
atomically replaces the JSON file, so two sources finishing at once never lose each other's entry.

State files fail safe: they are conveniences (poll back-off, health, boilerplate memory), never
the data. A file that cannot be read (invalid UTF-8 or JSON, not an object, no permission) is
reported once with its path and treated as empty, so the next write rebuilds it; a file that
cannot be written (disk full, read-only folder) is reported once and the update is skipped.
Neither fails a run.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger("newsflow.state")
_REPORTED: set[tuple[str, str]] = set()


def report_once(path: Path, what: str, detail: str) -> None:
    """Warn about a state file once per process and path (a run touches them many times)."""
    key = (str(path), what)
    if key not in _REPORTED:
        _REPORTED.add(key)
        log.warning("state file %s %s (%s); the run goes on without it", path, what, detail)


def read_json(path: Path) -> dict[str, Any]:
    """The file's object, or {} when it is missing or unusable (reported once)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (
        ValueError,
        OSError,
        RecursionError,
    ) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        report_once(path, "is unreadable and will be rebuilt", f"{type(exc).__name__}: {exc}")
        return {}
    if not isinstance(data, dict):
        report_once(
            path, "has the wrong shape and will be rebuilt", f"a JSON {type(data).__name__}, not an object"
        )
        return {}
    return data


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def update_json(path: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Apply `change` to the file's dict under the lock and write it back atomically.

    A `change` that trips over a wrong-shape entry is applied again to an empty state (the
    file is rebuilt); a write that fails is reported and skipped. Returns the new state.
    """
    path = Path(path)
    try:
        with _locked(path):
            data = _changed(path, read_json(path), change)
            _write(path, data)
    except OSError as exc:
        report_once(path, "cannot be written", f"{exc.strerror or exc}, errno {exc.errno}")
        data = _changed(path, read_json(path), change)
    return data


def _changed(path: Path, data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    try:
        change(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        report_once(path, "has the wrong shape and will be rebuilt", f"{type(exc).__name__}: {exc}")
        data = {}
        change(data)
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace the file atomically (a unique temp file, removed when the write fails)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, data)


def _write(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
