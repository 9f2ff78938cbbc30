"""The sandbox's playlists, per service, optionally persisted to a JSON data file.

A playlist record is a plain dict: `id`, `name`, `description`, `public`, `collaborative`, `tracks` (a list of
`{"id": <service track id>, "added_at": <ISO time>}`), `version` (bumped on every change), `created_at`,
`modified_at`, and for Apple `global_id` (`pl.u-…`, only when public). Every change is written at once
with an atomic replace, so a later sandbox run on the same data file (a `sync`, then a `check`) sees the same
playlists.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from worker.errors import ConfigError
from worker.model import SERVICES
from worker.sandbox.catalog import BASE62

Playlist = dict[str, Any]
FORMAT_VERSION = 1


class PlaylistStore:
    """Thread-safe playlists of every service; `data_path` None keeps them in memory only."""

    def __init__(self, data_path: Path | None, clock: Callable[[], float]) -> None:
        self._path = data_path
        self._clock = clock
        self._lock = threading.RLock()
        self._data = _read(data_path) if data_path is not None and data_path.exists() else _empty()

    def now_iso(self) -> str:
        return datetime.fromtimestamp(self._clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def create(self, service: str, fields: dict[str, Any]) -> Playlist:
        with self._lock:
            self._data["serial"] += 1
            playlist_id = _new_id(service, self._data["serial"])
            now = self.now_iso()
            record = {
                "id": playlist_id,
                "name": "",
                "description": "",
                "public": True,
                "collaborative": False,
                "tracks": [],
                "version": 1,
                "created_at": now,
                "modified_at": now,
                **fields,
            }
            self._data["playlists"][service][playlist_id] = record
            self._save()
            return copy.deepcopy(record)

    def get(self, service: str, playlist_id: str) -> Playlist | None:
        with self._lock:
            record: Playlist | None = self._data["playlists"][service].get(playlist_id)
            return None if record is None else dict(copy.deepcopy(record))

    def all(self, service: str) -> list[Playlist]:
        with self._lock:
            return copy.deepcopy(list(self._data["playlists"][service].values()))

    def update(self, service: str, playlist_id: str, change: Callable[[Playlist], None]) -> Playlist | None:
        """Apply `change` to the stored record, bump its version and persist; None if there is no such id."""
        with self._lock:
            record: Playlist | None = self._data["playlists"][service].get(playlist_id)
            if record is None:
                return None
            change(record)
            record["version"] += 1
            record["modified_at"] = self.now_iso()
            self._save()
            return dict(copy.deepcopy(record))

    def delete(self, service: str, playlist_id: str) -> bool:
        with self._lock:
            removed = self._data["playlists"][service].pop(playlist_id, None)
            self._save()
            return removed is not None

    def _save(self) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{self._path.name}.", dir=self._path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(self._data, file, indent=1, ensure_ascii=False)
        os.replace(temp, self._path)


def _empty() -> dict[str, Any]:
    return {"format": FORMAT_VERSION, "serial": 0, "playlists": {service: {} for service in SERVICES}}


def _read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Cannot read the sandbox data file {path}.",
            [str(exc)],
            "Delete the file to start with no playlists, or pass another --data FILE.",
        ) from exc
    if data.get("format") != FORMAT_VERSION:
        raise ConfigError(
            f"The sandbox data file {path} is not a sandbox data file (format {FORMAT_VERSION}).",
            hint="Delete it to start with no playlists, or pass another --data FILE.",
        )
    return data


def _new_id(service: str, serial: int) -> str:
    """A fresh playlist id in the service's form: Spotify base-62 (22), Deezer digits, Apple `p.` + 14."""
    number = int.from_bytes(hashlib.sha256(f"playlist:{service}:{serial}".encode()).digest(), "big")
    if service == "deezer":
        return str(10_000_000_000 + serial * 7919 + number % 7919)
    if service == "apple":
        return "p." + _base62(number, 14)
    return _base62(number, 22)


def _base62(number: int, length: int) -> str:
    return "".join(BASE62[(number // 62**i) % 62] for i in range(length))


def global_id(library_id: str) -> str:
    """The public catalog id (`pl.u-…`) Apple gives a library playlist once it is public."""
    number = int.from_bytes(hashlib.sha256(f"global:{library_id}".encode()).digest(), "big")
    return "pl.u-" + _base62(number, 15)
