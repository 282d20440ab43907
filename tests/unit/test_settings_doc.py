"""docs/settings.md is generated from Settings, and every field is documented there."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields

from newsflow.config import Settings, env_var
from newsflow.settings_doc import PAGE, field_docs, render


def test_the_committed_page_is_the_generated_one():
    assert PAGE.read_text(encoding="utf-8") == render(), (
        "docs/settings.md is out of date: run `python -m newsflow.settings_doc` and commit it"
    )


def test_every_setting_has_a_row_with_its_meaning():
    docs = field_docs()
    page = render()
    for f in fields(Settings):
        assert docs.get(f.name), f"Settings.{f.name} has no docstring"
        assert f"| `{env_var(f.name)}` |" in page


def test_enum_settings_list_their_values():
    page = render()
    assert "| `NEWSFLOW_DUPLICATE_POLICY` | one of `cluster`, `drop` | `cluster` |" in page
    assert "| `NEWSFLOW_LINGUA` | one of `high`, `low` | `high` |" in page


def test_check_mode_reports_a_stale_page(tmp_path):
    stale = tmp_path / "settings.md"
    stale.write_text("# Settings\n")
    cmd = [sys.executable, "-m", "newsflow.settings_doc", "--check", "--output", str(stale)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 1 and "out of date" in proc.stderr
    subprocess.run([sys.executable, "-m", "newsflow.settings_doc", "--output", str(stale)], check=True)
    assert subprocess.run(cmd).returncode == 0
    assert stale.read_text(encoding="utf-8") == render()
