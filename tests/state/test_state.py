"""The state database: each store, migrations, transactions and re-opening one file from two handles."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.matching.factories import cand
from worker.config import MatchingSettings
from worker.errors import ConfigError
from worker.matching import ScoreParts
from worker.state import DAY, MEMORY, MIGRATIONS, SCHEMA_VERSION, State, migrate

NOW = 1_750_000_000.0
KEY = "vangelis|blade runner|1982"


@pytest.fixture
def state() -> Iterator[State]:
    db = State.open(MEMORY)
    yield db
    db.close()


# --- match cache ----------------------------------------------------------------------------------------


def test_a_match_round_trips_with_its_tracks_and_parts(state: State):
    tracks = (
        cand(
            "Main Titles", "Vangelis", album="Blade Runner", isrc="GBX1", duration_ms=222_000, track_number=1
        ),
        cand("Love Theme", "Vangelis", album="Blade Runner", release_year=1994),
    )
    parts = ScoreParts(1.0, 1.0, 0.45, 1.0, 0.0, 0.93, ("year 1994 vs 1982",))

    state.put_match("spotify", KEY, tracks, 0.93, "search", NOW, parts)
    record = state.get_match("spotify", KEY)

    assert record is not None
    assert record.tracks == tracks
    assert (record.score, record.parts, record.found_by, record.resolved_at) == (0.93, parts, "search", NOW)
    assert state.get_match("deezer", KEY) is None


def test_a_match_replaces_the_previous_one_and_clears_the_negative(state: State):
    settings = MatchingSettings()
    state.put_negative("spotify", KEY, "not_found", NOW, settings)
    state.put_match("spotify", KEY, [cand("Old", "Vangelis")], 0.8, "search", NOW)
    state.put_match("spotify", KEY, [cand("New", "Vangelis")], 1.0, "pin", NOW + 1)

    record = state.get_match("spotify", KEY)

    assert record is not None
    assert [t.title for t in record.tracks] == ["New"]
    assert record.parts is None
    assert state.get_negative("spotify", KEY) is None
    assert state.due_for_retry("spotify", KEY, NOW)


# --- negative results -----------------------------------------------------------------------------------


def test_negative_results_wait_longer_each_time_up_to_the_cap(state: State):
    settings = MatchingSettings(negative_retry_days=1.0, negative_retry_max_days=5.0)
    waits = []
    now = NOW
    for _ in range(5):
        record = state.put_negative("deezer", KEY, "not_found", now, settings)
        waits.append((record.next_retry_at - now) / DAY)
        now = record.next_retry_at

    assert waits == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert state.get_negative("deezer", KEY).attempts == 5  # type: ignore[union-attr]


def test_due_for_retry_only_after_the_wait(state: State):
    record = state.put_negative("apple", KEY, "ambiguous", NOW, MatchingSettings(negative_retry_days=2.0))

    assert record.status == "ambiguous"
    assert not state.due_for_retry("apple", KEY, NOW + 2 * DAY - 1)
    assert state.due_for_retry("apple", KEY, NOW + 2 * DAY)
    assert state.due_for_retry("apple", "never|seen|", NOW)


def test_a_negative_result_drops_a_cached_match(state: State):
    state.put_match("spotify", KEY, [cand("Gone", "Vangelis")], 0.9, "search", NOW)
    state.put_negative("spotify", KEY, "not_found", NOW + 1, MatchingSettings())

    assert state.get_match("spotify", KEY) is None


# --- fingerprints ---------------------------------------------------------------------------------------


def test_fingerprints_track_last_sync_and_last_full_refresh(state: State):
    assert state.get_fingerprint("a.md") is None

    state.set_fingerprint("a.md", "f1", NOW)
    state.set_fingerprint("a.md", "f2", NOW + 10)
    record = state.get_fingerprint("a.md")
    assert record is not None
    assert (record.fingerprint, record.last_synced_at, record.last_full_at) == ("f2", NOW + 10, NOW)

    state.set_fingerprint("a.md", "f2", NOW + 20, full=True)
    assert state.get_fingerprint("a.md").last_full_at == NOW + 20  # type: ignore[union-attr]


# --- playlist registry ----------------------------------------------------------------------------------


def test_playlist_registry_goes_from_creating_to_ok_keeping_created_at(state: State):
    url = "https://open.spotify.com/playlist/P1"
    state.put_playlist("a.md", "spotify", "P1", url, [], NOW, "creating")
    state.put_playlist("a.md", "spotify", "P1", url, ["t1", "t2"], NOW + 5, "ok")

    record = state.get_playlist("a.md", "spotify")

    assert record is not None
    assert (record.playlist_id, record.url, record.track_ids, record.status) == (
        "P1",
        url,
        ("t1", "t2"),
        "ok",
    )
    assert (record.created_at, record.updated_at) == (NOW, NOW + 5)
    assert state.get_playlist("a.md", "apple") is None


def test_a_new_playlist_id_gets_a_new_created_at(state: State):
    state.put_playlist("a.md", "apple", "old", "u1", ["t"], NOW, "ok")
    state.put_playlist("a.md", "apple", "new", "u2", ["t"], NOW + 9, "ok")

    assert state.get_playlist("a.md", "apple").created_at == NOW + 9  # type: ignore[union-attr]
    assert [(r.rel_path, r.service) for r in state.all_playlists()] == [("a.md", "apple")]


def test_retired_playlists_are_listed_with_their_reason(state: State):
    state.retire_playlist("a.md", "apple", "p.old", "append-only: rebuilt", NOW)
    state.retire_playlist("b.md", "apple", "p.other", "append-only: rebuilt", NOW + 1)

    retired = state.retired_playlists()

    assert [(r.rel_path, r.playlist_id, r.reason) for r in retired] == [
        ("a.md", "p.old", "append-only: rebuilt"),
        ("b.md", "p.other", "append-only: rebuilt"),
    ]


# --- run history ----------------------------------------------------------------------------------------


def test_runs_are_recorded_newest_first(state: State):
    first = state.start_run(NOW, "sync")
    state.finish_run(first, NOW + 3, {"matched": 4, "not_found": 1}, ["deezer: rate limited"])
    second = state.start_run(NOW + 60, "check")

    runs = state.recent_runs(limit=5)

    assert [run.run_id for run in runs] == [second, first]
    assert runs[0].finished_at is None
    assert runs[1].counts == {"matched": 4, "not_found": 1}
    assert runs[1].errors == ("deezer: rate limited",)
    assert len(state.recent_runs(limit=1)) == 1


# --- check cache ----------------------------------------------------------------------------------------


def test_check_results_expire_after_the_ttl(state: State):
    link = "https://open.spotify.com/playlist/P1"
    state.put_check(link, {"status": "ok", "tracks": 12}, NOW)

    hit = state.get_check(link, NOW + 99, ttl=100)
    assert hit is not None
    assert (hit.outcome, hit.checked_at) == ({"status": "ok", "tracks": 12}, NOW)
    assert state.get_check(link, NOW + 100, ttl=100) is None
    assert state.get_check("https://elsewhere", NOW, ttl=100) is None


# --- transactions, migrations, files --------------------------------------------------------------------


def test_a_failed_transaction_leaves_nothing_behind(state: State):
    with pytest.raises(RuntimeError), state.transaction():
        state.put_playlist("a.md", "spotify", "P1", "u", [], NOW, "creating")
        with state.transaction():
            state.set_fingerprint("a.md", "f", NOW)
        raise RuntimeError("crash between create and add")

    assert state.get_playlist("a.md", "spotify") is None
    assert state.get_fingerprint("a.md") is None


def test_a_v1_file_migrates_and_keeps_its_data(tmp_path: Path):
    path = tmp_path / "state.db"
    old = sqlite3.connect(path)
    migrate(old, MIGRATIONS[:1])
    old.execute("INSERT INTO fingerprints VALUES ('a.md', 'f1', 1.0, 1.0)")
    old.commit()
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()

    state = State.open(path)
    state.put_check("link", {"status": "ok"}, NOW)

    assert state.get_fingerprint("a.md").fingerprint == "f1"  # type: ignore[union-attr]
    assert state.get_check("link", NOW, ttl=1) is not None
    state.close()
    with closing(sqlite3.connect(path)) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_two_handles_on_one_file_see_each_others_writes(tmp_path: Path):
    path = tmp_path / "state.db"
    first, second = State.open(path), State.open(path)

    first.put_playlist("a.md", "spotify", "P1", "u", ["t"], NOW, "ok")
    assert second.get_playlist("a.md", "spotify") is not None
    second.set_fingerprint("a.md", "f", NOW)
    assert first.get_fingerprint("a.md") is not None
    first.close()
    second.close()

    reopened = State.open(path)
    assert reopened.get_playlist("a.md", "spotify") is not None
    reopened.close()


def test_threads_can_share_one_handle(tmp_path: Path):
    state = State.open(tmp_path / "state.db")

    def record(n: int) -> None:
        for i in range(20):
            state.put_check(f"link-{n}-{i}", {"status": "ok"}, NOW)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(state.get_check(f"link-{n}-19", NOW, ttl=1) for n in range(4))
    state.close()


def test_a_file_from_a_newer_worker_is_refused_with_advice(tmp_path: Path):
    path = tmp_path / "state.db"
    with closing(sqlite3.connect(path)) as newer:
        newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    with pytest.raises(ConfigError, match="schema version") as raised:
        State.open(path)
    assert "state.path" in raised.value.hint


def test_a_file_that_is_not_a_database_is_refused_with_advice(tmp_path: Path):
    path = tmp_path / "state.db"
    path.write_text("not sqlite at all " * 100)

    with pytest.raises(ConfigError, match="Cannot use the state file") as raised:
        State.open(path)
    assert "state.path" in raised.value.hint


def test_several_processes_opening_a_new_file_at_once_migrate_it_once(tmp_path: Path):
    path = tmp_path / "state.db"
    opened: list[State] = []
    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(State.open(path))
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    opened[0].start_run(NOW, "sync")
    assert all(len(state.recent_runs()) == 1 for state in opened)
    for state in opened:
        state.close()
