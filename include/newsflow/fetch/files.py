"""Local files as raw items: `.html`/`.htm`, `.txt` and `.jsonl` (one record a line).

A `.jsonl` record is an object with `html` or `text` and optionally `url`, `title`,
`published`, `author`, `section`, `summary` and `source`. A line that is not valid JSON
(or has neither `html` nor `text`) becomes a RawItem with `error` naming the line, so it is
counted as rejected. Folders are walked in sorted order; hidden files are skipped.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import charset_normalizer

from newsflow.models import RawItem

log = logging.getLogger("newsflow.fetch")

HTML_EXTENSIONS = (".html", ".htm")
TEXT_EXTENSIONS = (".txt",)
JSONL_EXTENSIONS = (".jsonl",)
EXTENSIONS = HTML_EXTENSIONS + TEXT_EXTENSIONS + JSONL_EXTENSIONS


def _unread(source: str, url: str, kind: str, path: Path, error: str) -> RawItem:
    """A file that was not read (too large, unreadable): a rejected item that names why."""
    return RawItem(source=source, url=url, kind=kind, fetched_at=_now(), path=str(path), error=error)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def decode_bytes(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else what charset-normalizer finds, else cp1252 with replacements."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"


def _walk(path: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths (folders walked in sorted order)."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            yield from _walk(p)
        else:
            yield p


DEFAULT_MAX_BYTES = 5_000_000  # Settings.max_bytes: the same cap as a page fetched over HTTP


def read_paths(
    paths: Iterable[Path], source: str = "local", max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawItem]:
    """Raw items from local files and folders (see the module docstring).

    A file (or `.jsonl` line) larger than `max_bytes` is not read: it becomes a rejected item
    (`too_large: ...`), as an HTTP page over the cap does.
    """
    for path in iter_files(paths):
        path = path.absolute()
        url = path.as_uri()
        ext = path.suffix.lower()
        if not path.exists():
            log.warning("%s: not found", path)
            yield RawItem(
                source=source,
                url=url,
                kind="text",
                fetched_at=_now(),
                path=str(path),
                error=f"file not found: {path}",
            )
            continue
        if ext not in EXTENSIONS:
            log.info(
                "skipping %s: unknown file type %r (expected one of %s)",
                path,
                ext or "(none)",
                ", ".join(EXTENSIONS),
            )
            continue
        if ext in JSONL_EXTENSIONS:
            yield from _read_jsonl(path, source, max_bytes)
            continue
        kind = "html" if ext in HTML_EXTENSIONS else "text"
        try:
            data = _read_capped(path, max_bytes)
        except _NotRead as why:
            yield _unread(source, url, kind, path, str(why))
            continue
        except OSError as exc:
            yield _unread(source, url, kind, path, f"cannot read file: {exc.strerror or exc}")
            continue
        try:
            body, encoding = decode_bytes(data)
        except Exception as exc:  # one undecodable file is that file's problem only
            yield RawItem(
                source=source,
                url=url,
                kind=kind,
                fetched_at=_now(),
                path=str(path),
                error=f"decode_error: {type(exc).__name__}: {exc}",
            )
            continue
        yield RawItem(
            source=source,
            url=url,
            kind=kind,
            body=body,
            fetched_at=_now(),
            content_type="text/html" if kind == "html" else "text/plain",
            encoding=encoding,
            path=str(path),
        )


def _json_record(text: str) -> tuple[Any, str]:
    """(the parsed line, '') or (None, what is wrong with it): invalid JSON, nesting too deep
    for the parser, or a string holding a lone surrogate escape (no UTF-8 file can hold it)."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} (column {exc.colno})"
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return None, "invalid JSON: a string holds a lone surrogate escape (\\ud800-\\udfff)"
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    return record, ""


def _text_field(record: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


class _NotRead(Exception):
    """Why a local file is not read (its message is the rejection reason)."""


_NOT_REGULAR = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _regular(path: Path) -> None:
    """Raise _NotRead unless `path` (its symlink followed) is a regular file: opening a FIFO
    blocks the source for ever, and a device such as /dev/zero never ends."""
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        what = next((name for test, name in _NOT_REGULAR if test(mode)), "not a file")
        raise _NotRead(f"not_text: {path.name} is not a regular file ({what})")


def _read_capped(path: Path, max_bytes: int) -> bytes:
    """A regular file's bytes, never more than `max_bytes` read (a file growing while it is
    read included); a larger file raises _NotRead (`too_large: ...`)."""
    _regular(path)
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            raise _NotRead(f"too_large: file of {size} bytes > {max_bytes} bytes")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _NotRead(f"too_large: file of more than {max_bytes} bytes")
    return data


def _capped_lines(fh: Any, max_bytes: int) -> Iterator[bytes]:
    """The file's lines, none held longer than `max_bytes + 1` bytes: the rest of a longer line
    is skipped in chunks, so one endless line costs no more memory than the cap."""
    while True:
        raw = fh.readline(max_bytes + 1)
        if not raw:
            return
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            rest = raw
            while rest and not rest.endswith(b"\n"):
                rest = fh.readline(1 << 20)
        yield raw


def _read_jsonl(path: Path, source: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawItem]:
    base = path.as_uri()
    try:
        _regular(path)
        fh = path.open("rb")
    except _NotRead as why:
        yield _unread(source, base, "json", path, str(why))
        return
    except OSError as exc:
        yield _unread(source, base, "json", path, f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        for lineno, raw in enumerate(_capped_lines(fh, max_bytes), start=1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            item = RawItem(
                source=source,
                url=f"{base}#L{lineno}",
                kind="json",
                fetched_at=_now(),
                path=str(path),
                line=lineno,
                content_type="application/json",
            )
            _read_line(item, raw, path, max_bytes)
            yield item


def _read_line(item: RawItem, raw: bytes, path: Path, max_bytes: int) -> None:
    """Fill `item` (already naming the line) from one `.jsonl` line, or set its `error`: a line
    too large, undecodable, not JSON or not an object is that line's problem only, so it
    becomes one rejected item and the rest of the file is still read."""
    where = f"{path.name} line {item.line}"
    if len(raw) > max_bytes:
        item.error = f"too_large: {where} has more than {max_bytes} bytes"
        return
    try:
        text, item.encoding = decode_bytes(raw)
    except Exception as exc:  # one undecodable line is that line's problem only
        item.error = f"decode_error: {type(exc).__name__}: {exc}"
        return
    record, problem = _json_record(text)
    if problem:
        item.error = f"{where}: {problem}"
    elif not isinstance(record, dict):
        item.error = f"{where}: expected a JSON object, got {type(record).__name__}"
    else:
        _apply_record(item, record, where)


def _apply_record(item: RawItem, record: dict[str, Any], where: str) -> None:
    """Copy a record's fields onto its item: `html` wins over `text` as the body (it keeps the
    structure the cleaner needs); a record with neither is rejected, naming `where`. Its own
    `url` and `source` replace the line's defaults when present."""
    url = _text_field(record, "url")
    if url:
        item.url = url
    html_body = record.get("html")
    text_body = record.get("text")
    if isinstance(html_body, str) and html_body.strip():
        item.kind, item.body, item.content_type = "html", html_body, "text/html"
    elif isinstance(text_body, str) and text_body.strip():
        item.kind, item.body, item.content_type = "text", text_body, "text/plain"
    else:
        item.error = f"{where}: record has neither 'html' nor 'text'"
    record_source = _text_field(record, "source")
    if record_source:
        item.source = record_source
    item.feed_title = _text_field(record, "title")
    item.feed_published = _text_field(record, "published", "published_at", "date")
    item.feed_author = _text_field(record, "author")
    item.feed_section = _text_field(record, "section")
    item.feed_summary = _text_field(record, "summary", "description")
