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
Errors name the file and the line: `sources.yaml line 12: unknown type 'rsss' (expected one of: rss, files)`;
the whole file is checked in one pass (the `SourceEntry` schema) and every error is listed
(`newsflow sources check` prints them). The YAML is composed into nodes (which keep their line
numbers) before it is turned into values. Only `true`/`false` are booleans, as in YAML 1.2:
`country: NO` is Norway and `language: no` Norwegian, not `false`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

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


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader where only true/false are booleans.

    YAML 1.1 also reads unquoted yes/no/on/off (and y/n) as booleans, which turns Norway
    (`country: NO`) and Norwegian (`language: no`) into `false`. YAML 1.2's core schema keeps
    only true/false; so does this loader, so codes stay strings without quoting.
    """


_BOOL_TAG = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_TRUTHY = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def load_sources_lenient(path: Path, env: Mapping[str, str] | None = None) -> tuple[list[Source], list[str]]:
    """The valid sources and every error of the bad ones, so one bad entry doesn't stop the others.

    The whole file is checked in one pass: each entry against the schema (`SourceEntry`), every
    problem of every entry reported with its line. A file that can't be read or parsed at all
    still raises SourcesError.
    """
    path = Path(path)
    env = os.environ if env is None else env
    label = path.name
    loader = _Loader(_read_text(path))
    try:
        seq = _sources_node(loader, label)
        if seq is None:
            return [], []
        sources: list[Source] = []
        errors: list[str] = []
        seen: dict[str, int] = {}
        for item in seq.value:
            src, problems = _parse_entry(loader, item, path.parent, env)
            errors.extend(f"{label} line {line}: {message}" for line, message in problems)
            if src is None:
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


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read: {exc}") from None


def _sources_node(loader: _Loader, label: str) -> yaml.SequenceNode | None:
    """The `sources:` sequence node (None for `sources:` left empty); SourcesError otherwise."""
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
        return None
    if not isinstance(seq, yaml.SequenceNode):
        raise SourcesError(f"{label} line {_line(seq)}: 'sources' must be a list of sources")
    return seq


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _EnvError(ValueError):
    pass


def _expand(value: str, env: Mapping[str, str]) -> str:
    def repl(match: re.Match[str]) -> str:
        var, default = match.group(1), match.group(2)
        current = env.get(var)
        if default is not None:
            return current if current else default
        if current is None:
            raise _EnvError(
                f"environment variable {var} is not set (use ${{{var}:-default}} to give a default)"
            )
        return current

    return _ENV_RE.sub(repl, value)


# ----------------------------------------------------------------------------- the schema
def _as_text(value: Any, key: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValueError(f"{key!r} must be a string, not {type(value).__name__}")
    return str(value).strip()


def _text_field(key: str) -> Any:
    return BeforeValidator(lambda value: _as_text(value, key))


def _check_name(name: str) -> str:
    if not name:
        raise ValueError("source without a 'name'")
    if not NAME_RE.match(name):
        raise ValueError(
            f"bad name {name!r}: use lower-case letters, digits, '_' or '-', starting with a letter "
            "(at most 64 characters; it is used in file paths and task names)"
        )
    return name


def _check_type(stype: str) -> str:
    if not stype:
        raise ValueError(f"missing 'type' (expected one of: {', '.join(TYPES)})")
    if stype not in TYPES:
        raise ValueError(f"unknown type {stype!r} (expected one of: {', '.join(TYPES)})")
    return stype


def _check_country(country: str) -> str:
    country = country.upper()
    if country and not _COUNTRY_RE.match(country):
        raise ValueError(f"country {country!r} is not an ISO 3166-1 alpha-2 code")
    return country


def _check_language(language: str) -> str:
    language = language.lower()
    if language and not _LANGUAGE_RE.match(language):
        raise ValueError(f"language {language!r} is not a language code like 'en'")
    return language


def _check_politeness(politeness: str) -> str:
    politeness = politeness or "default"
    if politeness not in POLITENESS_CLASSES:  # each class is an Airflow pool: see newsflow.pools
        raise ValueError(
            f"unknown politeness class {politeness!r} (expected one of: {', '.join(POLITENESS_CLASSES)})"
        )
    return politeness


def _check_enabled(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str) and value.strip().lower() in _TRUTHY:
        return _TRUTHY[value.strip().lower()]
    if not isinstance(value, bool):
        raise ValueError("'enabled' must be true or false")
    return value


def _whole(value: Any, key: str, low: int, high: int | None, message: str) -> int | None:
    if value is None:
        return None
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
    ):
        raise ValueError(f"{key!r} must be {message}")
    return value


def _check_min_interval(value: Any) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise ValueError("'min_interval' must be a number of seconds (0 or more)")
    return float(value)


def _check_dialect(dialect: str) -> str:
    dialect = dialect.lower()
    if dialect and dialect not in NEWSAPI_DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r} (expected one of: {', '.join(NEWSAPI_DIALECTS)})")
    return dialect


class SourceEntry(BaseModel):
    """The schema of one entry of the sources file: each field's rule, checked all at once.

    Rules that join fields (a `rss` source needs a `url`, ...) are `_cross_checks`; the
    `Source` dataclass is what the rest of newsflow uses.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    name: Annotated[str, _text_field("name"), AfterValidator(_check_name)] = ""
    type: Annotated[str, _text_field("type"), AfterValidator(_check_type)] = ""
    url: Annotated[str, _text_field("url")] = ""
    path: Annotated[str, _text_field("path")] = ""
    publisher: Annotated[str, _text_field("publisher")] = ""
    country: Annotated[str, _text_field("country"), AfterValidator(_check_country)] = ""
    language: Annotated[str, _text_field("language"), AfterValidator(_check_language)] = ""
    politeness: Annotated[str, _text_field("politeness"), AfterValidator(_check_politeness)] = "default"
    enabled: Annotated[bool, BeforeValidator(_check_enabled)] = True
    max_items: Annotated[
        int | None, BeforeValidator(lambda v: _whole(v, "max_items", 1, None, "a positive whole number"))
    ] = None
    query: Annotated[str, _text_field("query")] = ""
    dialect: Annotated[str, _text_field("dialect"), AfterValidator(_check_dialect)] = ""
    max_records: Annotated[
        int | None,
        BeforeValidator(
            lambda v: _whole(
                v, "max_records", 1, NEWSAPI_MAX_RECORDS, f"a whole number from 1 to {NEWSAPI_MAX_RECORDS}"
            )
        ),
    ] = None
    min_interval: Annotated[float | None, BeforeValidator(_check_min_interval)] = None


# Errors about these keys read without the "source 'x': " prefix (they say it themselves).
_UNPREFIXED = {"name", "type"}


def _parse_entry(
    loader: _Loader, node: yaml.Node, base: Path, env: Mapping[str, str]
) -> tuple[Source | None, list[tuple[int, str]]]:
    """One entry: its Source (None if invalid) and every problem as (line, message)."""
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        return None, [(line, "each source must be a mapping (name: ..., type: ...)")]
    values, lines, problems = _entry_values(loader, node, env)
    if "name" not in values and "name" not in lines:
        lines["name"] = line
    lines.setdefault("type", line)
    try:
        entry = SourceEntry.model_validate(values)
    except ValidationError as exc:
        name = values.get("name") if isinstance(values.get("name"), str) else None
        bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
        where = f"source '{name}': " if name and "name" not in bad else ""
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            message = str(err.get("ctx", {}).get("error") or err["msg"])
            prefix = "" if key in _UNPREFIXED else where
            problems.append((lines.get(key, line), prefix + message))
        return None, sorted(problems, key=lambda p: p[0])
    if not problems:  # a key that failed already (unset variable, ...) must not be called missing too
        problems.extend(_cross_checks(entry, values, lines, line))
    if problems:
        return None, sorted(problems, key=lambda p: p[0])
    return _to_source(entry, base, line), []


def _entry_values(
    loader: _Loader, node: yaml.MappingNode, env: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, int], list[tuple[int, str]]]:
    """The entry's known keys and values (env expanded), each value's line, and key problems."""
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[tuple[int, str]] = []
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        kline = _line(key_node)
        if key not in _KEYS:
            problems.append((kline, f"unknown key {key!r} (expected one of: {', '.join(_KEYS)})"))
            continue
        if key in values:
            problems.append((kline, f"key {key!r} given twice"))
            continue
        lines[key] = _line(value_node)
        try:
            value = loader.construct_object(value_node, deep=True)
            values[key] = _expand(value, env) if isinstance(value, str) else value
        except yaml.YAMLError as exc:
            problems.append((kline, f"bad value for {key!r}: {exc}"))
        except _EnvError as exc:
            problems.append((lines[key], str(exc)))
    return values, lines, problems


def _cross_checks(
    entry: SourceEntry, values: dict[str, Any], lines: dict[str, int], line: int
) -> list[tuple[int, str]]:
    """Rules that depend on the type: what each type needs, and what only `newsapi` may carry."""
    where = f"source '{entry.name}'"
    problems: list[tuple[int, str]] = []
    if entry.type in URL_TYPES:
        parts = urlsplit(entry.url)
        if not entry.url:
            problems.append((line, f"{where}: type '{entry.type}' needs a 'url'"))
        elif parts.scheme not in ("http", "https"):
            problems.append(
                (lines["url"], f"{where}: bad URL scheme in {entry.url!r} (expected http:// or https://)")
            )
        elif not parts.hostname:
            problems.append((lines["url"], f"{where}: URL {entry.url!r} has no host"))
    if entry.type == "files" and not entry.path:
        problems.append((line, f"{where}: type 'files' needs a 'path' (a folder)"))
    if entry.type == "newsapi" and not entry.query:
        problems.append((line, f"{where}: type 'newsapi' needs a 'query' (in the API's own syntax)"))
    if entry.type != "newsapi":
        problems.extend(
            (lines[key], f"{where}: {key!r} is only for type 'newsapi'")
            for key in _NEWSAPI_KEYS
            if key in values
        )
    return problems


def _to_source(entry: SourceEntry, base: Path, line: int) -> Source:
    folder: Path | None = None
    if entry.type == "files":
        folder = Path(entry.path).expanduser()
        folder = (folder if folder.is_absolute() else base / folder).resolve()
    api: dict[str, Any] = {}
    if entry.type == "newsapi":
        api = {
            "query": entry.query,
            "dialect": entry.dialect or NEWSAPI_DIALECTS[0],
            "max_records": entry.max_records,
            "min_interval": entry.min_interval,
        }
    return Source(
        name=entry.name,
        type=entry.type,
        url=entry.url if entry.type in URL_TYPES else "",
        path=folder,
        publisher=entry.publisher,
        country=entry.country,
        language=entry.language,
        politeness=entry.politeness,
        enabled=entry.enabled,
        max_items=entry.max_items,
        line=line,
        **api,
    )
