"""Spotify Web API JSON objects as sent after the February 2026 changes.

Tracks and albums carry no `popularity`, `available_markets` or `linked_from`; tracks keep
`external_ids.isrc`. `is_playable` is present only when a market applies. Playlists carry both `items` and the
deprecated `tracks` (entries both `item` and `track`), as in the transition recordings. `href`s point back at
the sandbox; `external_urls` are the public open.spotify.com links.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any
from urllib.parse import quote, urlencode

from worker.sandbox.catalog import Album, Artist, ServiceCatalog, Track
from worker.sandbox.store import Playlist
from worker.sandbox.world import SANDBOX_USER_ID, SANDBOX_USER_NAME

OPEN = "https://open.spotify.com"
Json = dict[str, Any]


def page(url: str, params: dict[str, Any], items: list[Any], total: int, limit: int, offset: int) -> Json:
    """A paging object; `href`, `next` and `previous` are absolute and carry `params` after offset/limit."""

    def at(start: int) -> str:
        return f"{url}?{urlencode({'offset': start, 'limit': limit, **params}, quote_via=quote)}"

    return {
        "href": at(offset),
        "items": items,
        "limit": limit,
        "next": at(offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": at(max(0, offset - limit)) if offset > 0 else None,
        "total": total,
    }


def _links(base: str, kind: str, item_id: str) -> Json:
    return {
        "external_urls": {"spotify": f"{OPEN}/{kind}/{item_id}"},
        "href": f"{base}{kind}s/{item_id}",
        "id": item_id,
        "type": kind,
        "uri": f"spotify:{kind}:{item_id}",
    }


def artist(base: str, value: Artist) -> Json:
    return {**_links(base, "artist", value.id), "name": value.name}


def _precision(release_date: str) -> str:
    return {4: "year", 7: "month"}.get(len(release_date), "day")


def album(base: str, value: Album, total_tracks: int) -> Json:
    """The simplified album object (search hits, a track's `album`)."""
    image = hashlib.sha1(value.key.encode()).hexdigest()[:24]
    return {
        "album_type": "album" if value.type == "ep" else value.type,
        "artists": [artist(base, a) for a in value.artists],
        **_links(base, "album", value.id),
        "images": [{"height": 640, "url": f"https://i.scdn.co/image/ab67616d0000b273{image}", "width": 640}],
        "name": value.title,
        "release_date": value.release_date,
        "release_date_precision": _precision(value.release_date),
        "total_tracks": total_tracks,
    }


def full_album(base: str, catalog: ServiceCatalog, value: Album, market: str | None) -> Json:
    tracks = [simple_track(base, t, market) for t in catalog.album_tracks(value)]
    return {
        **album(base, value, len(tracks)),
        "tracks": page(f"{base}albums/{value.id}/tracks", {}, tracks[:50], len(tracks), 50, 0),
        "copyrights": [{"text": f"{value.year} {value.label or value.artists[0].name}", "type": "P"}],
        "external_ids": {"upc": value.upc} if value.upc else {},
        "genres": [],
        "label": value.label or "",
    }


def simple_track(base: str, value: Track, market: str | None) -> Json:
    shape = {
        "artists": [artist(base, a) for a in value.artists],
        "disc_number": value.disc,
        "duration_ms": value.duration_ms,
        "explicit": value.explicit,
        **_links(base, "track", value.id),
        "name": value.title,
        "preview_url": None,
        "track_number": value.number,
        "is_local": False,
    }
    if market is not None:
        shape["is_playable"] = value.playable_in(market)
    return shape


def track(base: str, catalog: ServiceCatalog, value: Track, market: str | None) -> Json:
    return {
        **simple_track(base, value, market),
        "album": album(base, value.album, len(catalog.album_tracks(value.album))),
        "external_ids": {"isrc": value.isrc},
    }


def user(base: str) -> Json:
    return {
        **_links(base, "user", SANDBOX_USER_ID),
        "display_name": SANDBOX_USER_NAME,
        "images": [],
        "account_id": "acc-0001-sandbox",
    }


def snapshot_id(playlist: Playlist) -> str:
    digest = hashlib.sha256(f"{playlist['id']}:{playlist['version']}".encode()).digest()[:20]
    return base64.b64encode(struct.pack(">I", playlist["version"]) + digest).decode()


def _playlist_base(base: str, value: Playlist) -> Json:
    owner = {key: val for key, val in user(base).items() if key not in ("images", "account_id")}
    return {
        "collaborative": value["collaborative"],
        "description": value["description"],
        **_links(base, "playlist", value["id"]),
        "images": [],
        "name": value["name"],
        "owner": owner,
        "primary_color": None,
        "public": value["public"],
        "snapshot_id": snapshot_id(value),
    }


def simple_playlist(base: str, value: Playlist) -> Json:
    summary = {"href": f"{base}playlists/{value['id']}/items", "total": len(value["tracks"])}
    return {**_playlist_base(base, value), "tracks": summary, "items": summary}


def playlist(base: str, catalog: ServiceCatalog, value: Playlist, owner: bool, market: str | None) -> Json:
    """The full playlist; `items` (and `tracks`) only for the owner, as for Dev-Mode apps."""
    shape = {**_playlist_base(base, value), "followers": {"href": None, "total": 0}}
    if owner:
        shape["items"] = items_page(base, catalog, value, 100, 0, market)
        shape["tracks"] = shape["items"]
    return shape


def items_page(
    base: str, catalog: ServiceCatalog, value: Playlist, limit: int, offset: int, market: str | None
) -> Json:
    entries = value["tracks"][offset : offset + limit]
    items = [_playlist_item(base, catalog, entry, market) for entry in entries]
    return page(f"{base}playlists/{value['id']}/items", {}, items, len(value["tracks"]), limit, offset)


def _playlist_item(base: str, catalog: ServiceCatalog, entry: Json, market: str | None) -> Json:
    found = catalog.track(entry["id"])
    item = track(base, catalog, found, market) if found is not None else None
    return {
        "added_at": entry["added_at"],
        "added_by": {
            key: val
            for key, val in user(base).items()
            if key in ("external_urls", "href", "id", "type", "uri")
        },
        "is_local": False,
        "primary_color": None,
        "item": item,
        "track": item,
        "video_thumbnail": {"url": None},
    }
