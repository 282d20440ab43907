"""Per-source boilerplate memory, kept with the source across runs (see pipeline.clean_batch).

Lines that recur across many of a source's recent articles are that site's
furniture, whatever it says. The memory keeps the last `KEEP` articles' texts
(as seen before learned lines are removed, see `clean.learning_text`) in a
small JSON file per source, so learning is bounded and survives restarts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

from newsflow.config import Settings
from newsflow.jsonstate import report_once, write_json
from newsflow.models import scrub

log = logging.getLogger("newsflow.boilerplate")

KEEP = 60  # recent articles remembered per source
MAX_CHARS = 20_000  # of each article's text


class BoilerplateMemory:
    def __init__(self, settings: Settings, source: str, keep: int = KEEP) -> None:
        self.path = Path(settings.state) / "sources" / source / "boilerplate.json"
        self.keep = keep
        self.recent: list[str] = []
        if self.path.exists():
            try:
                recent = json.loads(self.path.read_text(encoding="utf-8")).get("recent", [])
                self.recent = [scrub(t) for t in recent if isinstance(t, str)]
            except (OSError, ValueError, AttributeError, TypeError, RecursionError) as exc:
                # A damaged memory only costs learning; say so and start afresh.
                report_once(self.path, "is unreadable and will be rebuilt", f"{type(exc).__name__}: {exc}")

    def observe(self, texts: Iterable[str]) -> None:
        for text in texts:
            if text:
                self.recent.append(text[:MAX_CHARS])
        self.recent = self.recent[-self.keep :]

    def save(self) -> None:
        """Keep the memory for the next run; a state folder that cannot be written costs only that."""
        try:
            write_json(self.path, {"recent": [scrub(t) for t in self.recent]})
        except OSError as exc:
            report_once(self.path, "cannot be written", f"{exc.strerror or exc}, errno {exc.errno}")
