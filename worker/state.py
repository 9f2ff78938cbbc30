"""The worker's memory between runs: one SQLite file at `settings.state.path` (":memory:" in tests).

What it keeps
-------------
matches        per (service, work key): the tracks chosen for the work, score, score parts, how found
negatives      per (service, work key): not_found / ambiguous, attempts, and when to search again (the wait
               starts at matching.negative_retry_days and doubles up to matching.negative_retry_max_days)
fingerprints   per article: a hash of what decides its playlists, when it was last synced and last fully
               re-resolved
playlists      per (article, service): the playlist the worker made, its link, the track ids the worker put
               there, and its status ("creating" between create and the first add, then "ok")
retired        playlists replaced by a rebuild (Apple cannot delete them): to delete by hand, with the reason
runs           run history: kind, start, end, counts and error lines
checks         `check`'s link results with the time they were checked. Only conclusive results belong
               here: callers never `put_check` an error or an inconclusive outcome, so a failure is always
               checked again.

Rules
-----
- Times are epoch seconds passed in by the caller (`now`); nothing here reads the clock.
- The schema is versioned with `PRAGMA user_version`; `MIGRATIONS` are applied in order when a file is opened,
  inside one write transaction, so two processes opening an old file cannot both migrate it.
- One connection in WAL mode with a busy timeout; a lock serialises threads (the link checker runs several).
  `transaction()` groups writes; it nests, and only the outermost block commits.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Literal

from worker.config import MatchingSettings
from worker.errors import ConfigError
from worker.matching import ScoreParts
from worker.model import Candidate

DAY = 86400.0
BUSY_TIMEOUT_S = 30.0
MEMORY = ":memory:"

FoundBy = Literal["search", "isrc", "pin", "cache"]
NegativeStatus = Literal["not_found", "ambiguous"]
PlaylistStatus = Literal["creating", "ok"]

MIGRATIONS: tuple[str, ...] = (
    # v1: match cache, negative results, article fingerprints, playlist registry, run history
    """
    CREATE TABLE matches (
        service TEXT NOT NULL, work_key TEXT NOT NULL, tracks TEXT NOT NULL, score REAL NOT NULL,
        parts TEXT, found_by TEXT NOT NULL, resolved_at REAL NOT NULL, PRIMARY KEY (service, work_key));
    CREATE TABLE negatives (
        service TEXT NOT NULL, work_key TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
        next_retry_at REAL NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (service, work_key));
    CREATE TABLE fingerprints (
        rel_path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, last_synced_at REAL NOT NULL,
        last_full_at REAL NOT NULL);
    CREATE TABLE playlists (
        rel_path TEXT NOT NULL, service TEXT NOT NULL, playlist_id TEXT NOT NULL, url TEXT NOT NULL,
        track_ids TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL, status TEXT NOT NULL,
        PRIMARY KEY (rel_path, service));
    CREATE TABLE runs (
        run_id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, started_at REAL NOT NULL,
        finished_at REAL, counts TEXT, errors TEXT);
    """,
    # v2: playlists retired by a rebuild, and the link-check cache
    """
    CREATE TABLE retired_playlists (
        rel_path TEXT NOT NULL, service TEXT NOT NULL, playlist_id TEXT NOT NULL, reason TEXT NOT NULL,
        retired_at REAL NOT NULL, PRIMARY KEY (service, playlist_id));
    CREATE TABLE checks (link TEXT PRIMARY KEY, outcome TEXT NOT NULL, checked_at REAL NOT NULL);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class MatchRecord:
    service: str
    work_key: str
    tracks: tuple[Candidate, ...]
    """The recordings chosen for the work: one for a song, the representative tracks for an album."""
    score: float
    parts: ScoreParts | None
    found_by: FoundBy
    resolved_at: float


@dataclass(frozen=True)
class NegativeRecord:
    service: str
    work_key: str
    status: NegativeStatus
    attempts: int
    next_retry_at: float
    updated_at: float


@dataclass(frozen=True)
class FingerprintRecord:
    rel_path: str
    fingerprint: str
    last_synced_at: float
    last_full_at: float


@dataclass(frozen=True)
class PlaylistRecord:
    rel_path: str
    service: str
    playlist_id: str
    url: str
    track_ids: tuple[str, ...]
    """Only the entries the worker added; anything else in the playlist belongs to the editors."""
    created_at: float
    updated_at: float
    status: PlaylistStatus


@dataclass(frozen=True)
class RetiredPlaylist:
    rel_path: str
    service: str
    playlist_id: str
    reason: str
    retired_at: float


@dataclass(frozen=True)
class RunRecord:
    run_id: int
    kind: str
    started_at: float
    finished_at: float | None
    counts: dict[str, int]
    errors: tuple[str, ...]


@dataclass(frozen=True)
class CheckRecord:
    link: str
    outcome: dict[str, Any]
    checked_at: float


def retry_wait_days(attempts: int, settings: MatchingSettings) -> float:
    """Days to wait after the `attempts`-th negative result: the base, doubling, capped."""
    wait: float = settings.negative_retry_days * 2.0 ** (attempts - 1)
    return min(settings.negative_retry_max_days, wait)


class State:
    """The state database. Open with `State.open(path)`; close with `close()`."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self._depth = 0

    @classmethod
    def open(cls, path: Path | str) -> State:
        """Open (creating if needed) and migrate the state file. A bad file raises `ConfigError`."""
        connection = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        state = cls(connection)
        try:
            state._prepare()
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise ConfigError(
                f"Cannot use the state file {path}: {exc}",
                hint="Move the file away (the worker rebuilds its state) or set state.path to another file.",
            ) from exc
        except ConfigError:
            connection.close()
            raise
        return state

    def close(self) -> None:
        self._db.close()

    def _prepare(self) -> None:
        if str(self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower() not in ("wal", "memory"):
            raise sqlite3.DatabaseError("the file system does not support SQLite's WAL journal")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self.transaction():
            migrate(self._db)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes atomically. Nested blocks join the outermost one; an exception rolls it all back."""
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._db.execute("COMMIT")

    def _write(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        with self.transaction():
            return self._db.execute(sql, params)

    def _one(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._db.execute(sql, params).fetchone()
            return row

    def _all(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, params).fetchall())

    # --- match cache -----------------------------------------------------------------------------------

    def get_match(self, service: str, work_key: str) -> MatchRecord | None:
        row = self._one(
            "SELECT tracks, score, parts, found_by, resolved_at FROM matches WHERE service=? AND work_key=?",
            (service, work_key),
        )
        if row is None:
            return None
        tracks, score, parts, found_by, resolved_at = row
        return MatchRecord(
            service,
            work_key,
            _tracks_from_json(tracks),
            score,
            _parts_from_json(parts),
            found_by,
            resolved_at,
        )

    def put_match(
        self,
        service: str,
        work_key: str,
        tracks: Sequence[Candidate],
        score: float,
        found_by: FoundBy,
        now: float,
        parts: ScoreParts | None = None,
    ) -> None:
        """Remember the work's recordings on `service`; any negative result for it is dropped."""
        with self.transaction():
            self._write(
                "INSERT OR REPLACE INTO matches VALUES (?, ?, ?, ?, ?, ?, ?)",
                (service, work_key, _tracks_to_json(tracks), score, _parts_to_json(parts), found_by, now),
            )
            self._write("DELETE FROM negatives WHERE service=? AND work_key=?", (service, work_key))

    def forget_match(self, service: str, work_key: str) -> None:
        self._write("DELETE FROM matches WHERE service=? AND work_key=?", (service, work_key))

    # --- negative results ------------------------------------------------------------------------------

    def get_negative(self, service: str, work_key: str) -> NegativeRecord | None:
        row = self._one(
            "SELECT status, attempts, next_retry_at, updated_at FROM negatives "
            "WHERE service=? AND work_key=?",
            (service, work_key),
        )
        return NegativeRecord(service, work_key, *row) if row else None

    def negatives(self) -> list[NegativeRecord]:
        """Every remembered "not found / ambiguous" result, soonest retry first."""
        rows = self._all(
            "SELECT service, work_key, status, attempts, next_retry_at, updated_at FROM negatives "
            "ORDER BY next_retry_at, service, work_key",
            (),
        )
        return [NegativeRecord(*row) for row in rows]

    def put_negative(
        self, service: str, work_key: str, status: NegativeStatus, now: float, settings: MatchingSettings
    ) -> NegativeRecord:
        """Record one more failed search; the next one is due after a doubling wait. Drops a cached match."""
        with self.transaction():
            previous = self.get_negative(service, work_key)
            attempts = previous.attempts + 1 if previous else 1
            record = NegativeRecord(
                service, work_key, status, attempts, now + retry_wait_days(attempts, settings) * DAY, now
            )
            self._write(
                "INSERT OR REPLACE INTO negatives VALUES (?, ?, ?, ?, ?, ?)",
                (service, work_key, status, attempts, record.next_retry_at, now),
            )
            self.forget_match(service, work_key)
        return record

    def due_for_retry(self, service: str, work_key: str, now: float) -> bool:
        """True when the work may be searched now: no negative result, or its wait is over."""
        record = self.get_negative(service, work_key)
        return record is None or now >= record.next_retry_at

    # --- article fingerprints --------------------------------------------------------------------------

    def get_fingerprint(self, rel_path: str) -> FingerprintRecord | None:
        row = self._one(
            "SELECT fingerprint, last_synced_at, last_full_at FROM fingerprints WHERE rel_path=?", (rel_path,)
        )
        return FingerprintRecord(rel_path, *row) if row else None

    def set_fingerprint(self, rel_path: str, fingerprint: str, now: float, *, full: bool = False) -> None:
        """Record a sync of the article. `full` marks a full re-resolve; an article's first sync is one."""
        with self.transaction():
            previous = self.get_fingerprint(rel_path)
            last_full = now if full or previous is None else previous.last_full_at
            self._write(
                "INSERT OR REPLACE INTO fingerprints VALUES (?, ?, ?, ?)",
                (rel_path, fingerprint, now, last_full),
            )

    # --- playlist registry -----------------------------------------------------------------------------

    def get_playlist(self, rel_path: str, service: str) -> PlaylistRecord | None:
        row = self._one(
            f"SELECT {_PLAYLIST_COLUMNS} FROM playlists WHERE rel_path=? AND service=?", (rel_path, service)
        )
        return _playlist(row) if row else None

    def put_playlist(
        self,
        rel_path: str,
        service: str,
        playlist_id: str,
        url: str,
        track_ids: Sequence[str],
        now: float,
        status: PlaylistStatus,
    ) -> None:
        """Register the article's playlist; `created_at` is kept while the playlist id stays the same."""
        with self.transaction():
            previous = self.get_playlist(rel_path, service)
            created = previous.created_at if previous and previous.playlist_id == playlist_id else now
            self._write(
                f"INSERT OR REPLACE INTO playlists ({_PLAYLIST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (rel_path, service, playlist_id, url, json.dumps(list(track_ids)), created, now, status),
            )

    def all_playlists(self) -> list[PlaylistRecord]:
        return [
            _playlist(row)
            for row in self._all(f"SELECT {_PLAYLIST_COLUMNS} FROM playlists ORDER BY rel_path, service", ())
        ]

    def retire_playlist(self, rel_path: str, service: str, playlist_id: str, reason: str, now: float) -> None:
        """List an old playlist for deletion by hand (the worker never deletes playlists)."""
        self._write(
            "INSERT OR REPLACE INTO retired_playlists VALUES (?, ?, ?, ?, ?)",
            (rel_path, service, playlist_id, reason, now),
        )

    def retired_playlists(self) -> list[RetiredPlaylist]:
        rows = self._all(
            "SELECT rel_path, service, playlist_id, reason, retired_at FROM retired_playlists "
            "ORDER BY retired_at, rel_path, service",
            (),
        )
        return [RetiredPlaylist(*row) for row in rows]

    # --- run history -----------------------------------------------------------------------------------

    def start_run(self, now: float, kind: str) -> int:
        cursor = self._write("INSERT INTO runs (kind, started_at) VALUES (?, ?)", (kind, now))
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, now: float, counts: Mapping[str, int], errors: Sequence[str]) -> None:
        self._write(
            "UPDATE runs SET finished_at=?, counts=?, errors=? WHERE run_id=?",
            (now, json.dumps(dict(counts), sort_keys=True), json.dumps(list(errors)), run_id),
        )

    def recent_runs(self, limit: int = 10) -> list[RunRecord]:
        """The latest runs, newest first. A run without `finished_at` is still going or crashed."""
        rows = self._all(
            "SELECT run_id, kind, started_at, finished_at, counts, errors FROM runs "
            "ORDER BY started_at DESC, run_id DESC LIMIT ?",
            (limit,),
        )
        return [
            RunRecord(
                run_id, kind, started, finished, json.loads(counts or "{}"), tuple(json.loads(errors or "[]"))
            )
            for run_id, kind, started, finished, counts, errors in rows
        ]

    # --- check cache -----------------------------------------------------------------------------------

    def get_check(self, link: str, now: float, ttl: float) -> CheckRecord | None:
        """The cached result for `link` when it is younger than `ttl` seconds, else None."""
        row = self._one("SELECT outcome, checked_at FROM checks WHERE link=?", (link,))
        if row is None or now - row[1] >= ttl:
            return None
        return CheckRecord(link, json.loads(row[0]), row[1])

    def put_check(self, link: str, outcome: Mapping[str, Any], now: float) -> None:
        """Cache a conclusive result. Never call this for errors or inconclusive outcomes."""
        self._write("INSERT OR REPLACE INTO checks VALUES (?, ?, ?)", (link, json.dumps(dict(outcome)), now))


def migrate(db: sqlite3.Connection, migrations: Sequence[str] = MIGRATIONS) -> int:
    """Apply the migrations the file lacks, in order, and return the new version. Call in a transaction."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(migrations):
        raise ConfigError(
            f"The state file has schema version {version}; this worker knows up to {len(migrations)}.",
            hint="Upgrade playlist-worker, or set state.path to a new file.",
        )
    for number, script in enumerate(migrations[version:], start=version + 1):
        for statement in _statements(script):
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {number}")
    return len(migrations)


_PLAYLIST_COLUMNS = "rel_path, service, playlist_id, url, track_ids, created_at, updated_at, status"


def _playlist(row: Sequence[Any]) -> PlaylistRecord:
    rel_path, service, playlist_id, url, track_ids, created_at, updated_at, status = row
    return PlaylistRecord(
        rel_path, service, playlist_id, url, tuple(json.loads(track_ids)), created_at, updated_at, status
    )


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]


def _tracks_to_json(tracks: Sequence[Candidate]) -> str:
    return json.dumps([asdict(track) for track in tracks])


_CANDIDATE_FIELDS = {field.name for field in fields(Candidate)}


def _tracks_from_json(text: str) -> tuple[Candidate, ...]:
    return tuple(_candidate(item) for item in json.loads(text))


def _candidate(item: dict[str, Any]) -> Candidate:
    known = {key: value for key, value in item.items() if key in _CANDIDATE_FIELDS}
    known["artists"] = tuple(known.get("artists", ()))
    return Candidate(**known)


def _parts_to_json(parts: ScoreParts | None) -> str | None:
    return json.dumps(asdict(parts)) if parts else None


def _parts_from_json(text: str | None) -> ScoreParts | None:
    if text is None:
        return None
    data = json.loads(text)
    data["reasons"] = tuple(data["reasons"])
    return ScoreParts(**data)
