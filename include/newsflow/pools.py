"""Politeness classes: the Airflow pool each source's fetch runs in, and how many slots it has.

A source's `politeness` (sources.yaml) names one class. `news_ingest` has one mapped fetch
task per class, `fetch_<class>`, in the pool `newsflow_fetch_<class>`: Airflow can set a pool
per task but not per mapped instance, and a pool's slots bound how many fetches of that class
run at once over every run and backfill together. The set is fixed so that a typo in the
sources file is an error, not a pool nobody created (Airflow would leave such a task
scheduled for ever).

Stdlib only: the DAG file imports this at parse time, and `python -m newsflow.pools` writes
the pools file `airflow pools import` reads (docker-compose's `airflow-init` does that).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PolitenessClass:
    name: str
    default_slots: int
    description: str


# The default slots equal the defaults of the settings `pool_<class>_slots` (a test checks it).
CLASSES: tuple[PolitenessClass, ...] = (
    PolitenessClass("default", 8, "ordinary sites, feeds and sitemaps: up to 8 sources fetched at once"),
    PolitenessClass("gentle", 1, "sites that ask for it, rate-limited APIs: one fetch at a time"),
    PolitenessClass("local", 4, "local folders and archive replays: no network, only disk and CPU"),
)
NAMES: tuple[str, ...] = tuple(c.name for c in CLASSES)
DEFAULT_CLASS = "default"
POOL_PREFIX = "newsflow_fetch_"


DEFAULT_MAX_MAP_LENGTH = 1024  # Airflow's [core] max_map_length


def max_map_length(env: Mapping[str, str] | None = None) -> int:
    """How many mapped task instances Airflow creates for one task ([core] max_map_length)."""
    env = os.environ if env is None else env
    raw = env.get("AIRFLOW__CORE__MAX_MAP_LENGTH", "")
    if not raw:
        try:
            from airflow.configuration import conf

            return conf.getint("core", "max_map_length", fallback=DEFAULT_MAX_MAP_LENGTH)
        except Exception:  # no Airflow here (the CLI): its default
            return DEFAULT_MAX_MAP_LENGTH
    try:
        return max(1, int(raw))
    except ValueError:
        return DEFAULT_MAX_MAP_LENGTH


def over_map_limit(counts: Mapping[str, int], limit: int) -> list[str]:
    """What to tell the user for each politeness class with more sources than Airflow maps.

    Why: past the limit Airflow fails the mapped task at once, and with it every source of the
    class, without a reason in the ledger. The DAG fetches the first `limit` sources of such a
    class and says plainly how to get the others fetched.
    """
    return [
        f"politeness class {cls!r} has {count} enabled sources, more than Airflow maps for one task "
        f"([core] max_map_length = {limit}): only the first {limit} (in file order) were fetched. Raise the "
        f"limit (AIRFLOW__CORE__MAX_MAP_LENGTH={count} on the scheduler and workers) or move sources to "
        "another politeness class."
        for cls, count in sorted(counts.items())
        if count > limit
    ]


def pool_name(politeness: str) -> str:
    """The Airflow pool of a politeness class (`newsflow_fetch_<class>`)."""
    return POOL_PREFIX + _get(politeness).name


def slots_env_var(politeness: str) -> str:
    """The environment variable that overrides a class's slot count."""
    return "NEWSFLOW_" + _slots_setting(politeness).upper()


def pool_slots(politeness: str, env: Mapping[str, str] | None = None) -> int:
    """Slots of a class's pool: the setting `pool_<class>_slots` (`NEWSFLOW_POOL_<CLASS>_SLOTS`)."""
    from newsflow.config import Settings  # here: importing this module stays stdlib only

    slots: int = getattr(Settings.from_env(env), _slots_setting(politeness))
    return slots


def _slots_setting(politeness: str) -> str:
    return f"pool_{_get(politeness).name}_slots"


def pools(env: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Every class's pool in the format of `airflow pools import` (name -> slots, description)."""
    return {
        pool_name(c.name): {
            "slots": pool_slots(c.name, env),
            "description": f"newsflow politeness class '{c.name}': {c.description}",
            "include_deferred": False,
        }
        for c in CLASSES
    }


def _get(politeness: str) -> PolitenessClass:
    for cls in CLASSES:
        if cls.name == politeness:
            return cls
    raise ValueError(f"unknown politeness class {politeness!r} (expected one of: {', '.join(NAMES)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsflow.pools",
        description="Write newsflow's fetch pools as a file for `airflow pools import`.",
    )
    parser.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    try:
        text = json.dumps(pools(), indent=2) + "\n"
    except ValueError as exc:
        print(f"newsflow.pools: {exc}", file=sys.stderr)
        return 2
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
