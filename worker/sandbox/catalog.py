"""The sandbox catalog: load and validate the JSON file, then give each service its own view of it.

A service's view holds only the records listed for it, under that service's ids (given in the file or derived
from the key), with that service's title spelling, ISRC and markets from `per_service`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from worker.errors import ConfigError
from worker.model import SERVICES

DATA = Path(__file__).parent / "data"
SCHEMA_PATH = DATA / "catalog.schema.json"
BUNDLED_CATALOG = DATA / "catalog.json"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Artist:
    key: str
    id: str
    name: str


@dataclass(frozen=True)
class Album:
    key: str
    id: str
    title: str
    artists: tuple[Artist, ...]
    release_date: str
    type: str
    upc: str | None
    label: str | None

    @property
    def year(self) -> int:
        return int(self.release_date[:4])


@dataclass(frozen=True)
class Track:
    key: str
    id: str
    title: str
    artists: tuple[Artist, ...]
    album: Album
    disc: int
    number: int
    duration_ms: int
    isrc: str
    explicit: bool
    rank: int
    markets: frozenset[str] | None

    def playable_in(self, market: str) -> bool:
        return self.markets is None or market.upper() in self.markets


def derived_id(service: str, kind: str, key: str) -> str:
    """A stable id for `key` in the service's own form: Spotify base-62 (22), Deezer and Apple digits."""
    number = int.from_bytes(hashlib.sha256(f"{service}:{kind}:{key}".encode()).digest(), "big")
    if service == "spotify":
        return "".join(BASE62[(number // 62**i) % 62] for i in range(22))
    if service == "deezer":
        return str(number % 9_000_000_000 + 1_000_000)
    return str(number % 9_000_000_000 + 1_000_000_000)


class ServiceCatalog:
    """What one service carries, indexed by its ids."""

    def __init__(self, service: str, tracks: list[Track]) -> None:
        self.service = service
        self.tracks = sorted(tracks, key=lambda t: (-t.rank, t.title, t.key))
        self.albums = list({t.album.key: t.album for t in self.tracks}.values())
        self._tracks = {t.id: t for t in self.tracks}
        self._albums = {a.id: a for a in self.albums}

    def track(self, track_id: str) -> Track | None:
        return self._tracks.get(track_id)

    def album(self, album_id: str) -> Album | None:
        return self._albums.get(album_id)

    def album_tracks(self, album: Album) -> list[Track]:
        return sorted((t for t in self.tracks if t.album.key == album.key), key=lambda t: (t.disc, t.number))

    def by_isrc(self, isrc: str) -> list[Track]:
        return [t for t in self.tracks if t.isrc == isrc.upper()]

    def by_upc(self, upc: str) -> Album | None:
        return next((a for a in self.albums if a.upc == upc), None)


class Catalog:
    """The validated catalog document and one `ServiceCatalog` per service."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.views = {service: _service_view(document, service) for service in SERVICES}

    def view(self, service: str) -> ServiceCatalog:
        return self.views[service]


def load_catalog(path: Path) -> Catalog:
    """Read and validate a catalog file; a `ConfigError` lists every problem (path in the file + message)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"Sandbox catalog not found: {path}", hint="Pass --catalog FILE with a catalog file."
        ) from exc
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Cannot read the sandbox catalog {path}.", [str(exc)], "Fix the file: it must be JSON."
        ) from exc
    problems = catalog_problems(document)
    if problems:
        raise ConfigError(
            f"The sandbox catalog {path} does not follow the catalog schema.",
            problems,
            f"Fix the entries listed; the format is {SCHEMA_PATH}.",
        )
    return Catalog(document)


def catalog_problems(document: Any) -> list[str]:
    """Every schema problem, then every broken reference or duplicate key, as 'path: message'."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=lambda e: list(map(str, e.path)))
    problems = [f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors]
    return problems or _reference_problems(document)


def _reference_problems(document: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    keys: dict[str, set[str]] = {}
    for kind in ("artists", "albums", "tracks"):
        keys[kind] = set()
        for index, record in enumerate(document[kind]):
            if record["key"] in keys[kind]:
                problems.append(f"{kind}/{index}/key: duplicate key {record['key']!r}")
            keys[kind].add(record["key"])
    for kind in ("albums", "tracks"):
        for index, record in enumerate(document[kind]):
            problems += [
                f"{kind}/{index}/artists: unknown artist {key!r}"
                for key in record["artists"]
                if key not in keys["artists"]
            ]
    problems += [
        f"tracks/{index}/album: unknown album {track['album']!r}"
        for index, track in enumerate(document["tracks"])
        if track["album"] not in keys["albums"]
    ]
    return problems + _duplicate_id_problems(document)


def _duplicate_id_problems(document: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for kind in ("artists", "albums", "tracks"):
        for service in SERVICES:
            seen: set[Any] = set()
            for index, record in enumerate(document[kind]):
                given = record.get("ids", {}).get(service)
                if given is not None and given in seen:
                    problems.append(f"{kind}/{index}/ids/{service}: duplicate id {given!r}")
                seen.add(given)
    return problems


def _carried(record: dict[str, Any], service: str) -> bool:
    return service in record.get("services", SERVICES)


def _id(record: dict[str, Any], service: str, kind: str) -> str:
    given = record.get("ids", {}).get(service)
    return str(given) if given is not None else derived_id(service, kind, record["key"])


def _override(record: dict[str, Any], service: str) -> dict[str, Any]:
    overrides: dict[str, Any] = record.get("per_service", {}).get(service, {})
    return overrides


def _service_view(document: dict[str, Any], service: str) -> ServiceCatalog:
    artists = {a["key"]: Artist(a["key"], _id(a, service, "artist"), a["name"]) for a in document["artists"]}
    albums = {a["key"]: _album(a, service, artists) for a in document["albums"] if _carried(a, service)}
    raw_albums = {a["key"]: a for a in document["albums"]}
    tracks = [
        _track(t, service, artists, albums[t["album"]], raw_albums[t["album"]])
        for t in document["tracks"]
        if _carried(t, service) and t["album"] in albums
    ]
    return ServiceCatalog(service, tracks)


def _album(record: dict[str, Any], service: str, artists: dict[str, Artist]) -> Album:
    return Album(
        key=record["key"],
        id=_id(record, service, "album"),
        title=_override(record, service).get("title", record["title"]),
        artists=_pick(artists, record["artists"]),
        release_date=record["release_date"],
        type=record["type"],
        upc=record.get("upc"),
        label=record.get("label"),
    )


def _track(
    record: dict[str, Any], service: str, artists: dict[str, Artist], album: Album, raw_album: dict[str, Any]
) -> Track:
    override = _override(record, service)
    markets = override.get("markets", record.get("markets", _override(raw_album, service).get("markets")))
    return Track(
        key=record["key"],
        id=_id(record, service, "track"),
        title=override.get("title", record["title"]),
        artists=_pick(artists, record["artists"]),
        album=album,
        disc=record.get("disc", 1),
        number=record["number"],
        duration_ms=record["duration_ms"],
        isrc=override.get("isrc", record["isrc"]),
        explicit=record.get("explicit", False),
        rank=record.get("rank", 0),
        markets=None if markets is None else frozenset(markets),
    )


def _pick(artists: dict[str, Artist], keys: Iterable[str]) -> tuple[Artist, ...]:
    return tuple(artists[key] for key in keys)
