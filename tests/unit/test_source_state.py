"""Per-source fetch state: persisted as JSON, validators tied to their URL, backoff after errors."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from ingest.state import SourceState, SourceStateError, SourceStateStore

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
URL = "https://g.example/feed"


def test_unknown_source_starts_empty(tmp_path):
    state = SourceStateStore(tmp_path).get("gradient-notes")
    assert state == SourceState(source_id="gradient-notes")
    assert state.is_due(NOW)


def test_save_and_load_round_trip(tmp_path):
    store = SourceStateStore(tmp_path)
    state = store.get("gradient-notes")
    state.record_success(NOW, URL, '"abc"', "Sat, 01 Jun 2024 11:00:00 GMT", "malformed feed")
    store.save(state)
    assert store.path("gradient-notes") == tmp_path / "feed-state" / "gradient-notes.json"
    assert SourceStateStore(tmp_path).get("gradient-notes") == state
    assert json.loads(store.path("gradient-notes").read_text())["last_success"] == "2024-06-01T12:00:00Z"
    assert store.all() == [state]


def test_validators_belong_to_their_url():
    state = SourceState("s")
    state.record_success(NOW, URL, '"abc"', "Sat, 01 Jun 2024 11:00:00 GMT", None)
    assert state.validators_for(URL) == ('"abc"', "Sat, 01 Jun 2024 11:00:00 GMT")
    assert state.validators_for("https://g.example/new-feed") == (None, None)


def test_errors_back_off_exponentially_up_to_a_day():
    state = SourceState("s")
    delays = []
    for _ in range(10):
        state.record_error(NOW, "boom")
        delays.append(state.next_check - NOW)
    assert delays[:3] == [timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1)]
    assert delays[-1] == timedelta(hours=24)
    assert state.error_count == 10 and state.last_error == "boom"
    assert not state.is_due(NOW + timedelta(hours=23))
    assert state.is_due(NOW + timedelta(hours=24))


def test_retry_after_wins_when_longer_and_success_resets():
    state = SourceState("s")
    state.record_error(NOW, "HTTP 429", retry_after=7200)
    assert state.next_check == NOW + timedelta(hours=2)
    state.record_success(NOW, URL, None, None, None)
    assert state.error_count == 0 and state.last_error is None and state.next_check is None


@pytest.mark.parametrize("content", ["{not json", "[]", '{"source_id": "other"}'])
def test_unreadable_state_is_a_clear_error(tmp_path, content):
    store = SourceStateStore(tmp_path)
    store.path("s").parent.mkdir(parents=True)
    store.path("s").write_text(content)
    with pytest.raises(SourceStateError, match=r"feed-state/s\.json"):
        store.get("s")
