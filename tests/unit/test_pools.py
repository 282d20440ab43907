"""Politeness classes and their Airflow pools: names, slots from the environment, the import file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsflow.pools import CLASSES, NAMES, pool_name, pool_slots, pools, slots_env_var


def test_the_classes_and_their_pools():
    assert NAMES == ("default", "gentle", "local")
    assert [pool_name(c) for c in NAMES] == [
        "newsflow_fetch_default",
        "newsflow_fetch_gentle",
        "newsflow_fetch_local",
    ]
    assert slots_env_var("gentle") == "NEWSFLOW_POOL_GENTLE_SLOTS"
    assert {c: pool_slots(c, {}) for c in NAMES} == {"default": 8, "gentle": 1, "local": 4}


def test_slots_come_from_the_environment_and_empty_means_the_default():
    assert pool_slots("default", {"NEWSFLOW_POOL_DEFAULT_SLOTS": "3"}) == 3
    assert pool_slots("default", {"NEWSFLOW_POOL_DEFAULT_SLOTS": " 12 "}) == 12
    assert pool_slots("gentle", {"NEWSFLOW_POOL_GENTLE_SLOTS": ""}) == 1  # compose passes an empty value
    assert pool_slots("local", {"NEWSFLOW_POOL_DEFAULT_SLOTS": "9"}) == 4  # another class's variable


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("two", "NEWSFLOW_POOL_GENTLE_SLOTS='two': expected a whole number of pool slots (default 1)"),
        ("0", "NEWSFLOW_POOL_GENTLE_SLOTS='0': a pool needs at least 1 slot"),
        ("-1", "at least 1 slot"),
    ],
)
def test_bad_slot_values_are_named(value, message):
    with pytest.raises(ValueError) as err:
        pool_slots("gentle", {"NEWSFLOW_POOL_GENTLE_SLOTS": value})
    assert message in str(err.value)


def test_unknown_class_lists_the_known_ones():
    with pytest.raises(ValueError) as err:
        pool_name("slow")
    assert str(err.value) == "unknown politeness class 'slow' (expected one of: default, gentle, local)"


def test_import_file_is_what_airflow_pools_import_reads(tmp_path):
    out = tmp_path / "pools.json"
    env = {"PATH": "", "NEWSFLOW_POOL_LOCAL_SLOTS": "2"}
    subprocess.run([sys.executable, "-m", "newsflow.pools", "--output", str(out)], env=env, check=True)
    data = json.loads(out.read_text())
    assert data == pools({"NEWSFLOW_POOL_LOCAL_SLOTS": "2"})
    assert {name: p["slots"] for name, p in data.items()} == {
        "newsflow_fetch_default": 8,
        "newsflow_fetch_gentle": 1,
        "newsflow_fetch_local": 2,
    }
    # What airflow.cli.commands.pool_command.pool_import_helper requires of every entry.
    assert all({"slots", "description"} <= set(p) for p in data.values())
    assert all("politeness class" in p["description"] for p in data.values())


def test_a_bad_value_stops_the_pools_step_with_a_readable_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "newsflow.pools"],
        env={"NEWSFLOW_POOL_DEFAULT_SLOTS": "lots"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "NEWSFLOW_POOL_DEFAULT_SLOTS='lots'" in proc.stderr


def test_importing_the_module_loads_nothing_heavy():
    """The DAG file imports it at parse time."""
    code = (
        "import sys, newsflow.pools; "
        "print(sorted(m for m in ('airflow', 'yaml', 'newsflow.config', 'newsflow.sources') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_classes_default_slots_are_the_settings_defaults():
    """The slots live in Settings (`docs/settings.md`); the classes repeat their defaults to stay stdlib only."""
    from newsflow.config import Settings

    assert {c.name: c.default_slots for c in CLASSES} == {
        c: getattr(Settings(), f"pool_{c}_slots") for c in NAMES
    }
