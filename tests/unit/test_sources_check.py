"""The sources file as a new user writes it: Norway stays `NO`, every error of the file is
listed in one pass with its line (`newsflow sources check`), and `newsflow health` names the
sources no run fetches (disabled, invalid)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from newsflow.sources import load_sources, load_sources_lenient

NORDIC = """\
sources:
  - name: nrk
    type: rss
    url: https://www.nrk.no/toppsaker.rss
    publisher: NRK
    country: NO
    language: no
  - name: yle
    type: rss
    url: https://yle.fi/rss
    country: FI
    language: on
    enabled: yes
  - name: paused
    type: rss
    url: https://paused.example/feed
    enabled: false
"""

BROKEN = """\
sources:
  - name: one
    type: rsss
    url: https://a.example/feed
    country: Norway
    max_items: 0
  - name: two
    type: rss
    country: NO
  - name: Three
    type: files
    path: x
    politeness: slow
  - name: fine
    type: rss
    url: https://fine.example/feed
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_yaml_11_booleans_stay_codes(tmp_path):
    nrk, yle, paused = load_sources(_write(tmp_path, NORDIC), env={})
    assert (nrk.country, nrk.language) == ("NO", "no")
    assert (yle.country, yle.language, yle.enabled) == ("FI", "on", True)  # `enabled: yes` still means true
    assert paused.enabled is False


def test_every_error_of_every_entry_in_one_pass(tmp_path):
    sources, errors = load_sources_lenient(_write(tmp_path, BROKEN), env={})
    assert [s.name for s in sources] == ["fine"]
    assert errors == [
        "sources.yaml line 3: unknown type 'rsss' (expected one of: rss, files, sitemap, newsapi)",
        "sources.yaml line 5: source 'one': country 'NORWAY' is not an ISO 3166-1 alpha-2 code",
        "sources.yaml line 6: source 'one': 'max_items' must be a positive whole number",
        "sources.yaml line 7: source 'two': type 'rss' needs a 'url'",
        "sources.yaml line 10: bad name 'Three': use lower-case letters, digits, '_' or '-', starting with a "
        "letter (at most 64 characters; it is used in file paths and task names)",
        "sources.yaml line 13: unknown politeness class 'slow' (expected one of: default, gentle, local)",
    ]


def _newsflow(*args: str, env_home: Path, sources: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": str(Path(sys.executable).parent),
        "NEWSFLOW_HOME": str(env_home),
        "NEWSFLOW_SOURCES_FILE": str(sources),
        "PYTHONPATH": str(Path(__file__).parents[2] / "include"),
    }
    return subprocess.run(
        [sys.executable, "-m", "newsflow.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_cli_sources_check_lists_every_error(tmp_path):
    path = _write(tmp_path, BROKEN)
    out = _newsflow("sources", "check", env_home=tmp_path, sources=path)
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    assert len([ln for ln in lines if ln.startswith("sources.yaml line ")]) == 6
    assert lines[-1].endswith("1 valid source(s) (1 enabled, 0 disabled), 6 error(s)")
    good = _newsflow(
        "sources", "check", "--file", str(_write(tmp_path, NORDIC)), env_home=tmp_path, sources=path
    )
    assert good.returncode == 0 and good.stdout.strip().endswith(
        "3 valid source(s) (2 enabled, 1 disabled), 0 error(s): OK"
    )


def test_health_lists_skipped_and_invalid_sources(tmp_path):
    path = _write(tmp_path, NORDIC + BROKEN.removeprefix("sources:\n"))
    out = _newsflow("health", env_home=tmp_path, sources=path)
    assert "skipped (enabled: false): paused" in out.stdout
    assert (
        "INVALID (not fetched; `newsflow sources check`): sources.yaml line 23: source 'two': type 'rss' needs a 'url'"
        in out.stdout
    )
    data = json.loads(_newsflow("health", "--json", env_home=tmp_path, sources=path).stdout)
    assert data["skipped"] == ["paused"] and len(data["invalid"]) == 6
