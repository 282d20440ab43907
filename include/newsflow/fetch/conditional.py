"""Conditional GET and adaptive polling for feeds, with validators kept between runs.

Each feed URL has an entry in `<state>/feeds.json`: its `ETag` and `Last-Modified`, a hash
of the last body, how many polls in a row found it unchanged, and `next_poll_after`.

* The request sends `If-None-Match` (the ETag) when there is one, else `If-Modified-Since`.
  A `304 Not Modified` (or a 200 whose body hash did not change, for servers without
  validators) counts as unchanged.
* A feed unchanged `BACKOFF_AFTER` polls in a row is polled less often: the wait doubles from
  `BACKOFF_BASE` up to `BACKOFF_MAX`; any change resets it. A 429/503 with `Retry-After` sets
  the next poll after that many seconds.
* A run that skips the poll says so (status `not_polled`); nothing is lost, since feeds list
  their recent items again next time and ids come from canonical URLs.
* Airflow's retries of one run are one poll: a try that polls at the same run time
  (`newsflow.clock`) as the last poll neither lengthens the unchanged streak nor waits for
  the backoff, so a source that fails after its poll is retried for real, never "not polled".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests

from newsflow.config import Settings
from newsflow.jsonstate import read_json, report_once, update_json
from newsflow.redact import redact_url

BACKOFF_AFTER = 3
BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=6)
MAX_RETRY_AFTER = timedelta(hours=24)


@dataclass
class PollState:
    etag: str = ""
    last_modified: str = ""
    body_hash: str = ""
    unchanged_streak: int = 0
    last_checked: str = ""
    last_changed: str = ""
    next_poll_after: str = ""


def feeds_path(settings: Settings) -> Path:
    return Path(settings.state) / "feeds.json"


def load_poll_state(settings: Settings, url: str) -> PollState:
    url = redact_url(url)  # the state file is keyed by the URL without its credentials
    raw = read_json(feeds_path(settings)).get(url) or {}
    try:
        state = PollState(**{k: v for k, v in raw.items() if k in PollState.__dataclass_fields__})
        due(state, datetime.now(UTC))  # a wrong-shape entry fails here, not in the fetch
    except (AttributeError, TypeError, ValueError) as exc:
        report_once(
            feeds_path(settings), f"has a wrong-shape entry for {url}", f"{type(exc).__name__}: {exc}"
        )
        return PollState()
    return state


def save_poll_state(settings: Settings, url: str, state: PollState) -> None:
    update_json(feeds_path(settings), lambda data: data.__setitem__(redact_url(url), asdict(state)))


def due(state: PollState, now: datetime) -> tuple[bool, str]:
    """May the feed be polled now? (yes/no, why not).

    A retry of the run that polled last (the same run time, `newsflow.clock`) may always poll:
    its first try's poll set the wait, and a failed try must not leave the run unpolled.
    """
    if not state.next_poll_after or state.last_checked == now.isoformat():
        return True, ""
    after = datetime.fromisoformat(state.next_poll_after)
    if now >= after:
        return True, ""
    return (
        False,
        f"next poll after {state.next_poll_after} (unchanged {state.unchanged_streak} polls in a row)",
    )


def request_headers(state: PollState) -> dict[str, str]:
    """ETag first; If-Modified-Since only when the server gave no ETag."""
    if state.etag:
        return {"If-None-Match": state.etag}
    if state.last_modified:
        return {"If-Modified-Since": state.last_modified}
    return {}


def _retry_after(value: str, now: datetime) -> timedelta | None:
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(timedelta(seconds=int(value)), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(when - now, timedelta(0)), MAX_RETRY_AFTER)


def backoff_wait(streak: int) -> timedelta:
    """How long to wait before the next poll of a feed unchanged `streak` polls in a row."""
    if streak < BACKOFF_AFTER:
        return timedelta(0)
    wait: timedelta = min(BACKOFF_BASE * (2 ** (streak - BACKOFF_AFTER)), BACKOFF_MAX)
    return wait


def after_poll(
    state: PollState, status: int | None, headers: dict[str, str], body: bytes, now: datetime
) -> tuple[PollState, bool]:
    """The new state after a poll, and whether the feed changed (False: nothing to read)."""
    state = PollState(**asdict(state))
    retry = state.last_checked == now.isoformat()  # the same run polling again: not a new poll
    waited = state.next_poll_after
    state.last_checked = now.isoformat()
    state.next_poll_after = ""
    lower = {k.lower(): v for k, v in headers.items()}
    if status in (429, 503):
        wait = _retry_after(lower.get("retry-after", ""), now)
        if wait:
            state.next_poll_after = (now + wait).isoformat()
        return state, True  # not a change and not "unchanged": the fetch reports the error
    changed = True
    if status == 304:
        changed = False
    elif status is not None and 200 <= status < 300:
        digest = hashlib.sha256(body).hexdigest()
        changed = digest != state.body_hash
        state.body_hash = digest
        state.etag = lower.get("etag", "")
        state.last_modified = lower.get("last-modified", "")
    if changed:
        state.unchanged_streak = 0
        state.last_changed = now.isoformat()
    elif retry:
        state.next_poll_after = waited  # the first try's poll already counted and set the wait
    else:
        state.unchanged_streak += 1
        wait = backoff_wait(state.unchanged_streak)
        if wait:
            state.next_poll_after = (now + wait).isoformat()
    return state, changed


@contextmanager
def conditional(session: requests.Session, headers: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Send `headers` on the session's requests inside the block; yields the last response's
    status and headers (captured with a response hook, so `fetch_url` needs no change)."""
    seen: dict[str, Any] = {"status": None, "headers": {}}

    def hook(resp: requests.Response, *args: object, **kwargs: object) -> None:
        seen["status"], seen["headers"] = resp.status_code, dict(resp.headers)

    saved = {k: session.headers.get(k) for k in headers}
    session.headers.update(headers)
    session.hooks.setdefault("response", []).append(hook)
    try:
        yield seen
    finally:
        session.hooks["response"].remove(hook)
        for key, old in saved.items():
            if old is None:
                session.headers.pop(key, None)
            else:
                session.headers[key] = old
