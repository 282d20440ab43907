"""Sources: what to ingest, declared in a YAML file.

```yaml
sources:
  - name: harbour_herald            # safe identifier: used in file paths and task names
    type: rss                       # rss (RSS or Atom feed) | files (a local folder) | sitemap (a news sitemap)
                                    # | newsapi (a date-range news API, e.g. GDELT DOC 2.0)
    url: ${NEWSFLOW_DEMO_BASE_URL:-http://127.0.0.1:8765}/harbour-herald/feed.xml
    publisher: Harbour Herald
    country: GB                     # ISO 3166-1 alpha-2 of the outlet
    language: en                    # a hint; detection decides
    politeness: default             # default | gentle | local: the Airflow pool of its fetch (newsflow.pools)
    enabled: true
    max_items: 100                  # default: Settings.max_items_per_source
  - name: local_archive
    type: files
    path: archive                   # relative to this file's folder
  - name: gdelt_harbours
    type: newsapi
    url: https://api.gdeltproject.org/api/v2/doc/doc   # the API endpoint
    query: '"harbour" sourcelang:english'              # the API's own query syntax
    dialect: gdelt                  # the only dialect (default)
    politeness: gentle              # one fetch at a time: the API allows one request every 5 s
    max_records: 250                # articles per request (the API's maximum, default)
    min_interval: 5                 # seconds between requests to the API host (default 5)
```

String values may use `${VAR}` and `${VAR:-default}` (taken from the environment).
Errors name the file and the line: `sources.yaml line 12: unknown type 'rsss' (expected one of: rss, files)`.
The YAML is composed into nodes (which keep their line numbers) before it is turned into values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from newsflow.pools import NAMES as POLITENESS_CLASSES

TYPES = ("rss", "files", "sitemap", "newsapi")
URL_TYPES = ("rss", "sitemap", "newsapi")  # types fetched from a URL
NEWSAPI_DIALECTS = ("gdelt",)  # the first is the default
NEWSAPI_MAX_RECORDS = 250  # GDELT DOC 2.0 returns at most 250 articles per request
_NEWSAPI_KEYS = ("query", "dialect", "max_records", "min_interval")
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_KEYS = (
    "name",
    "type",
    "url",
    "path",
    "publisher",
    "country",
    "language",
    "politeness",
    "enabled",
    "max_items",
    *_NEWSAPI_KEYS,
)


class SourcesError(ValueError):
    """The sources file is invalid. `errors` lists every problem, each naming its line."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class Source:
    name: str
    type: str  # "rss" | "files" | "sitemap" | "newsapi"
    url: str = ""  # feed URL (rss), sitemap URL (sitemap), API endpoint (newsapi)
    path: Path | None = None  # folder (files), absolute
    publisher: str = ""
    country: str = ""  # ISO 3166-1 alpha-2, upper case
    language: str = ""  # hint, lower case
    politeness: str = "default"  # pool class
    enabled: bool = True
    max_items: int | None = None
    query: str = ""  # newsapi: the API's query
    dialect: str = ""  # newsapi: which API ("gdelt")
    max_records: int | None = None  # newsapi: articles per request (default NEWSAPI_MAX_RECORDS)
    min_interval: float | None = None  # newsapi: seconds between API requests (default: the fetcher's)
    line: int | None = field(default=None, compare=False)  # where it is declared

    @property
    def source_meta(self) -> dict[str, str]:
        """What later stages learn about the outlet (RawItem.source_meta)."""
        return {"publisher": self.publisher, "country": self.country, "language": self.language}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "url": self.url,
            "path": str(self.path) if self.path else "",
            "publisher": self.publisher,
            "country": self.country,
            "language": self.language,
            "politeness": self.politeness,
            "enabled": self.enabled,
            "max_items": self.max_items,
            "query": self.query,
            "dialect": self.dialect,
            "max_records": self.max_records,
            "min_interval": self.min_interval,
            "line": self.line,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Source:
        values = dict(data)
        values["path"] = Path(values["path"]) if values.get("path") else None
        return cls(**{k: v for k, v in values.items() if k in (*_KEYS, "line")})


def load_sources(path: Path, env: Mapping[str, str] | None = None) -> list[Source]:
    """All sources of the file (enabled or not); raises SourcesError listing every bad line."""
    sources, errors = load_sources_lenient(path, env)
    if errors:
        raise SourcesError(errors)
    return sources


def load_sources_lenient(path: Path, env: Mapping[str, str] | None = None) -> tuple[list[Source], list[str]]:
    """The valid sources and an error string for each bad one, so one bad entry doesn't stop the others.

    A file that can't be read or parsed at all still raises SourcesError.
    """
    path = Path(path)
    env = os.environ if env is None else env
    label = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read: {exc}") from None

    loader = yaml.SafeLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f" line {mark.line + 1}" if mark else ""
            raise SourcesError(f"{label}{where}: invalid YAML: {exc.problem or exc}") from None
        except yaml.YAMLError as exc:
            raise SourcesError(f"{label}: invalid YAML: {exc}") from None

        if root is None:
            raise SourcesError(f"{label}: empty file (expected a top-level 'sources:' list)")
        if not isinstance(root, yaml.MappingNode):
            raise SourcesError(f"{label} line {_line(root)}: expected a mapping with a 'sources:' list")
        seq = None
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "sources":
                seq = value
        if seq is None:
            raise SourcesError(f"{label} line {_line(root)}: no top-level 'sources:' list")
        if isinstance(seq, yaml.ScalarNode) and seq.tag.endswith(":null"):
            return [], []
        if not isinstance(seq, yaml.SequenceNode):
            raise SourcesError(f"{label} line {_line(seq)}: 'sources' must be a list of sources")

        sources: list[Source] = []
        errors: list[str] = []
        seen: dict[str, int] = {}
        for item in seq.value:
            try:
                src = _parse_entry(loader, item, path.parent, env)
            except _EntryError as exc:
                errors.append(f"{label} line {exc.line}: {exc.message}")
                continue
            if src.name in seen:
                errors.append(
                    f"{label} line {src.line}: duplicate name '{src.name}' (first defined on line {seen[src.name]})"
                )
                continue
            seen[src.name] = src.line or 0
            sources.append(src)
        return sources, errors
    finally:
        loader.dispose()


class _EntryError(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(message)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _expand(value: str, line: int, env: Mapping[str, str]) -> str:
    def repl(match: re.Match[str]) -> str:
        var, default = match.group(1), match.group(2)
        current = env.get(var)
        if default is not None:
            return current if current else default
        if current is None:
            raise _EntryError(
                line, f"environment variable {var} is not set (use ${{{var}:-default}} to give a default)"
            )
        return current

    return _ENV_RE.sub(repl, value)


def _parse_entry(loader: yaml.SafeLoader, node: yaml.Node, base: Path, env: Mapping[str, str]) -> Source:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        raise _EntryError(line, "each source must be a mapping (name: ..., type: ...)")
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        kline = _line(key_node)
        if key not in _KEYS:
            raise _EntryError(kline, f"unknown key {key!r} (expected one of: {', '.join(_KEYS)})")
        if key in values:
            raise _EntryError(kline, f"key {key!r} given twice")
        try:
            value = loader.construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:
            raise _EntryError(kline, f"bad value for {key!r}: {exc}") from None
        if isinstance(value, str):
            value = _expand(value, _line(value_node), env)
        values[key] = value
        lines[key] = _line(value_node)

    def text(key: str, default: str = "") -> str:
        value = values.get(key)
        if value is None:
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise _EntryError(lines[key], f"{key!r} must be a string, not {type(value).__name__}")
        return str(value).strip()

    name = text("name")
    if not name:
        raise _EntryError(line, "source without a 'name'")
    if not NAME_RE.match(name):
        raise _EntryError(
            lines["name"],
            f"bad name {name!r}: use lower-case letters, digits, '_' or '-', starting with a letter "
            "(at most 64 characters; it is used in file paths and task names)",
        )
    where = f"source '{name}'"
    stype = text("type")
    if not stype:
        raise _EntryError(line, f"{where}: missing 'type' (expected one of: {', '.join(TYPES)})")
    if stype not in TYPES:
        raise _EntryError(lines["type"], f"unknown type {stype!r} (expected one of: {', '.join(TYPES)})")

    url = text("url")
    folder: Path | None = None
    if stype in URL_TYPES:
        if not url:
            raise _EntryError(line, f"{where}: type '{stype}' needs a 'url'")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise _EntryError(
                lines["url"], f"{where}: bad URL scheme in {url!r} (expected http:// or https://)"
            )
        if not parts.hostname:
            raise _EntryError(lines["url"], f"{where}: URL {url!r} has no host")
    if stype == "files":
        raw_path = text("path")
        if not raw_path:
            raise _EntryError(line, f"{where}: type 'files' needs a 'path' (a folder)")
        folder = Path(raw_path).expanduser()
        if not folder.is_absolute():
            folder = base / folder
        folder = folder.resolve()

    country = text("country").upper()
    if country and not _COUNTRY_RE.match(country):
        raise _EntryError(lines["country"], f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code")
    language = text("language").lower()
    if language and not _LANGUAGE_RE.match(language):
        raise _EntryError(
            lines["language"], f"{where}: language {language!r} is not a language code like 'en'"
        )
    politeness = text("politeness", "default") or "default"
    if politeness not in POLITENESS_CLASSES:  # each class is an Airflow pool: see newsflow.pools
        raise _EntryError(
            lines["politeness"],
            f"{where}: unknown politeness class {politeness!r} "
            f"(expected one of: {', '.join(POLITENESS_CLASSES)})",
        )

    enabled = values.get("enabled", True)
    if enabled is None:
        enabled = True
    if not isinstance(enabled, bool):
        raise _EntryError(lines["enabled"], f"{where}: 'enabled' must be true or false")
    max_items = values.get("max_items")
    if max_items is not None and (
        not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1
    ):
        raise _EntryError(lines["max_items"], f"{where}: 'max_items' must be a positive whole number")
    api = _newsapi_fields(stype, values, lines, line, where, text)

    return Source(
        name=name,
        type=stype,
        url=url if stype in URL_TYPES else "",
        path=folder,
        publisher=text("publisher"),
        country=country,
        language=language,
        politeness=politeness,
        enabled=enabled,
        max_items=max_items,
        line=line,
        **api,
    )


def _newsapi_fields(
    stype: str,
    values: dict[str, Any],
    lines: dict[str, int],
    line: int,
    where: str,
    text: Callable[..., str],
) -> dict[str, Any]:
    """query (required), dialect, max_records and min_interval of a `newsapi` source; other
    types may not carry them (a `query:` on an rss source is a mistake worth naming)."""
    if stype != "newsapi":
        for key in _NEWSAPI_KEYS:
            if key in values:
                raise _EntryError(lines[key], f"{where}: {key!r} is only for type 'newsapi'")
        return {}
    query = text("query")
    if not query:
        raise _EntryError(line, f"{where}: type 'newsapi' needs a 'query' (in the API's own syntax)")
    dialect = text("dialect", NEWSAPI_DIALECTS[0]).lower() or NEWSAPI_DIALECTS[0]
    if dialect not in NEWSAPI_DIALECTS:
        raise _EntryError(
            lines["dialect"], f"{where}: unknown dialect {dialect!r} (expected one of: {', '.join(NEWSAPI_DIALECTS)})"
        )
    max_records = values.get("max_records")
    if max_records is not None and (
        not isinstance(max_records, int)
        or isinstance(max_records, bool)
        or not 1 <= max_records <= NEWSAPI_MAX_RECORDS
    ):
        raise _EntryError(
            lines["max_records"],
            f"{where}: 'max_records' must be a whole number from 1 to {NEWSAPI_MAX_RECORDS}",
        )
    min_interval = values.get("min_interval")
    if min_interval is not None:
        if not isinstance(min_interval, int | float) or isinstance(min_interval, bool) or min_interval < 0:
            raise _EntryError(
                lines["min_interval"], f"{where}: 'min_interval' must be a number of seconds (0 or more)"
            )
        min_interval = float(min_interval)
    return {"query": query, "dialect": dialect, "max_records": max_records, "min_interval": min_interval}
