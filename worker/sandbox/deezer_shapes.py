"""Deezer API JSON objects, key for key as in the recorded responses. Ids are integers.

`link`s are the public www.deezer.com addresses; `tracklist` and paging links point back at the sandbox.
`readable` is false outside a track's markets (the sandbox answers as if from `DEEZER_COUNTRY`).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from worker.sandbox.catalog import Album, Artist, ServiceCatalog, Track
from worker.sandbox.store import Playlist
from worker.sandbox.world import DEEZER_COUNTRY, DEEZER_USER_ID, SANDBOX_USER_NAME

WWW = "https://www.deezer.com"
CDN = "https://e-cdns-images.dzcdn.net/images"
Json = dict[str, Any]


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _pictures(kind: str, folder: str, md5: str, api_url: str) -> Json:
    sizes = {"small": "56x56", "medium": "250x250", "big": "500x500", "xl": "1000x1000"}
    return {
        kind: api_url,
        **{
            f"{kind}_{name}": f"{CDN}/{folder}/{md5}/{size}-000000-80-0-0.jpg" for name, size in sizes.items()
        },
    }


def artist(base: str, value: Artist) -> Json:
    return {
        "id": int(value.id),
        "name": value.name,
        "link": f"{WWW}/artist/{value.id}",
        **_pictures("picture", "artist", _md5(value.key), f"{base}artist/{value.id}/image"),
        "tracklist": f"{base}artist/{value.id}/top?limit=50",
        "type": "artist",
    }


def _full_artist(base: str, value: Artist) -> Json:
    return {**artist(base, value), "share": f"{WWW}/artist/{value.id}?utm_source=deezer", "radio": True}


def _album_short(base: str, value: Album) -> Json:
    return {
        "id": int(value.id),
        "title": value.title,
        **_pictures("cover", "cover", _md5(value.key), f"{base}album/{value.id}/image"),
        "md5_image": _md5(value.key),
        "tracklist": f"{base}album/{value.id}/tracks",
        "type": "album",
    }


def _titles(title: str) -> Json:
    short, paren, version = title.partition(" (")
    return {"title": title, "title_short": short, "title_version": f"({version}" if paren else ""}


def _track_core(base: str, value: Track) -> Json:
    return {
        "id": int(value.id),
        "readable": value.playable_in(DEEZER_COUNTRY),
        **_titles(value.title),
        "link": f"{WWW}/track/{value.id}",
        "duration": round(value.duration_ms / 1000),
        "rank": value.rank,
        "explicit_lyrics": value.explicit,
        "explicit_content_lyrics": 1 if value.explicit else 0,
        "explicit_content_cover": 0,
        "preview": f"https://cdns-preview-0.dzcdn.net/stream/c-{_md5(value.key)}-3.mp3",
        "md5_image": _md5(value.album.key),
    }


def track_hit(base: str, value: Track) -> Json:
    """A search hit: no isrc, no release date."""
    return {
        **_track_core(base, value),
        "artist": artist(base, value.artists[0]),
        "album": _album_short(base, value.album),
        "type": "track",
    }


def full_track(base: str, value: Track) -> Json:
    core = _track_core(base, value)
    return {
        **{k: v for k, v in core.items() if k != "md5_image"},
        "isrc": value.isrc,
        "share": f"{WWW}/track/{value.id}?utm_source=deezer",
        "track_position": value.number,
        "disk_number": value.disc,
        "release_date": value.album.release_date,
        "bpm": 0,
        "gain": -10.0,
        "available_countries": sorted(value.markets) if value.markets is not None else [DEEZER_COUNTRY],
        "contributors": [{**_full_artist(base, a), "role": "Main"} for a in value.artists],
        "md5_image": core["md5_image"],
        "artist": _full_artist(base, value.artists[0]),
        "album": {
            **_album_short(base, value.album),
            "link": f"{WWW}/album/{value.album.id}",
            "release_date": value.album.release_date,
        },
        "type": "track",
    }


def album_hit(base: str, value: Album, nb_tracks: int) -> Json:
    short = _album_short(base, value)
    return {
        **{k: v for k, v in short.items() if k not in ("tracklist", "type")},
        "link": f"{WWW}/album/{value.id}",
        "genre_id": 173,
        "nb_tracks": nb_tracks,
        "record_type": value.type,
        "tracklist": short["tracklist"],
        "explicit_lyrics": False,
        "artist": artist(base, value.artists[0]),
        "type": "album",
    }


def album_track(base: str, value: Track) -> Json:
    core = _track_core(base, value)
    first = artist(base, value.artists[0])
    return {
        **core,
        "track_position": value.number,
        "disk_number": value.disc,
        "artist": {k: first[k] for k in ("id", "name", "tracklist", "type")},
        "type": "track",
    }


def full_album(base: str, value: Album, tracks: list[Track]) -> Json:
    hit = album_hit(base, value, len(tracks))
    genre = {"id": 173, "name": "Films/Games", "picture": f"{base}genre/173/image", "type": "genre"}
    return {
        **{k: v for k, v in hit.items() if k not in ("artist", "type")},
        "upc": value.upc or "",
        "share": f"{WWW}/album/{value.id}?utm_source=deezer",
        "genres": {"data": [genre]},
        "label": value.label or "",
        "duration": round(sum(t.duration_ms for t in tracks) / 1000),
        "fans": 0,
        "rating": 0,
        "release_date": value.release_date,
        "available": True,
        "explicit_content_lyrics": 0,
        "explicit_content_cover": 0,
        "contributors": [{**_full_artist(base, a), "role": "Main"} for a in value.artists],
        "artist": artist(base, value.artists[0]),
        "type": "album",
        "tracks": {"data": [album_track(base, t) for t in tracks]},
    }


def user(base: str) -> Json:
    return {
        "id": DEEZER_USER_ID,
        "name": SANDBOX_USER_NAME,
        "link": f"{WWW}/profile/{DEEZER_USER_ID}",
        "country": DEEZER_COUNTRY,
        "tracklist": f"{base}user/{DEEZER_USER_ID}/flow",
        "type": "user",
    }


def checksum(value: Playlist) -> str:
    return _md5(f"{value['id']}:{value['version']}")


def _epoch(iso: str) -> int:
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def playlist_tracks(base: str, catalog: ServiceCatalog, value: Playlist) -> list[Json]:
    found = [(catalog.track(e["id"]), e["added_at"]) for e in value["tracks"]]
    return [{**track_hit(base, t), "time_add": _epoch(added)} for t, added in found if t is not None]


def playlist_summary(base: str, value: Playlist) -> Json:
    playlist_id = value["id"]
    return {
        "id": int(playlist_id),
        "title": value["name"],
        "description": value["description"],
        "duration": 0,
        "public": value["public"],
        "is_loved_track": False,
        "collaborative": value["collaborative"],
        "nb_tracks": len(value["tracks"]),
        "fans": 0,
        "link": f"{WWW}/playlist/{playlist_id}",
        "share": f"{WWW}/playlist/{playlist_id}?utm_source=deezer",
        **_pictures("picture", "cover", "", f"{base}playlist/{playlist_id}/image"),
        "checksum": checksum(value),
        "tracklist": f"{base}playlist/{playlist_id}/tracks",
        "creation_date": value["created_at"].replace("T", " ").rstrip("Z"),
        "md5_image": "",
        "picture_type": "cover",
        "creator": {
            "id": DEEZER_USER_ID,
            "name": SANDBOX_USER_NAME,
            "tracklist": f"{base}user/{DEEZER_USER_ID}/flow",
            "type": "user",
        },
        "type": "playlist",
    }


def playlist(base: str, catalog: ServiceCatalog, value: Playlist) -> Json:
    tracks = playlist_tracks(base, catalog, value)
    return {
        **playlist_summary(base, value),
        "duration": sum(t["duration"] for t in tracks),
        "tracks": {"data": tracks, "checksum": checksum(value)},
    }
