"""Apple Music API JSON resources, key for key as in the recorded responses. `href`s are host-relative."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from worker.sandbox.catalog import Album, Track
from worker.sandbox.store import Playlist
from worker.sandbox.world import SANDBOX_USER_NAME

MUSIC = "https://music.apple.com"
Json = dict[str, Any]


def artwork(key: str) -> Json:
    digest = hashlib.md5(key.encode()).hexdigest()
    return {
        "width": 3000,
        "height": 3000,
        "url": f"https://is1-ssl.mzstatic.com/image/thumb/Music/v4/{digest[:2]}/{digest}/source/{{w}}x{{h}}bb.jpg",
        "bgColor": "101010",
        "textColor1": "f0f0f0",
        "textColor2": "d0d0d0",
        "textColor3": "c0c0c0",
        "textColor4": "a0a0a0",
    }


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "playlist"


def _song_attributes(value: Track, storefront: str) -> Json:
    return {
        "albumName": value.album.title,
        "artistName": " & ".join(a.name for a in value.artists),
        "artwork": artwork(value.album.key),
        "composerName": value.artists[0].name,
        "discNumber": value.disc,
        "durationInMillis": value.duration_ms,
        "genreNames": ["Soundtrack", "Music"],
        "hasLyrics": False,
        "isAppleDigitalMaster": False,
        "isrc": value.isrc,
        "name": value.title,
        "previews": [{"url": f"https://audio-ssl.itunes.apple.com/itunes-assets/{value.id}.m4a"}],
        "releaseDate": _full_date(value.album.release_date),
        "trackNumber": value.number,
        "url": f"{MUSIC}/{storefront}/album/{slug(value.album.title)}/{value.album.id}?i={value.id}",
        **({"contentRating": "explicit"} if value.explicit else {}),
    }


def _full_date(release_date: str) -> str:
    return (release_date + "-01-01")[:10] if len(release_date) == 4 else (release_date + "-01")[:10]


def song(value: Track, storefront: str) -> Json:
    attributes = {**_song_attributes(value, storefront), "playParams": {"id": value.id, "kind": "song"}}
    return {
        "id": value.id,
        "type": "songs",
        "href": f"/v1/catalog/{storefront}/songs/{value.id}",
        "attributes": attributes,
    }


def library_song_id(catalog_id: str) -> str:
    return "i." + hashlib.sha256(f"library:{catalog_id}".encode()).hexdigest()[:14]


def library_song(value: Track, storefront: str) -> Json:
    library_id = library_song_id(value.id)
    attributes = {k: v for k, v in _song_attributes(value, storefront).items() if k not in ("isrc", "url")}
    play_params = {
        "catalogId": value.id,
        "id": library_id,
        "isLibrary": True,
        "kind": "song",
        "reporting": True,
        "reportingId": value.id,
    }
    return {
        "id": library_id,
        "type": "library-songs",
        "href": f"/v1/me/library/songs/{library_id}",
        "attributes": {**attributes, "playParams": play_params},
    }


def album(value: Album, tracks: list[Track], storefront: str, with_tracks: bool) -> Json:
    shape: Json = {
        "id": value.id,
        "type": "albums",
        "href": f"/v1/catalog/{storefront}/albums/{value.id}",
        "attributes": {
            "artistName": " & ".join(a.name for a in value.artists),
            "artwork": artwork(value.key),
            "copyright": f"℗ {value.year} {value.label or value.artists[0].name}",
            "genreNames": ["Soundtrack", "Music"],
            "isCompilation": value.type == "compilation",
            "isComplete": True,
            "isSingle": value.type == "single",
            "name": value.title,
            "playParams": {"id": value.id, "kind": "album"},
            "recordLabel": value.label or "",
            "releaseDate": _full_date(value.release_date),
            "trackCount": len(tracks),
            "upc": value.upc or "",
            "url": f"{MUSIC}/{storefront}/album/{slug(value.title)}/{value.id}",
        },
    }
    if with_tracks:
        shape["relationships"] = {
            "tracks": {"href": f"{shape['href']}/tracks", "data": [song(t, storefront) for t in tracks]}
        }
    return shape


def _play_params(value: Playlist) -> Json:
    params: Json = {"id": value["id"], "kind": "playlist", "isLibrary": True}
    if value.get("global_id"):
        params["globalId"] = value["global_id"]
    return params


def library_playlist(value: Playlist) -> Json:
    return {
        "id": value["id"],
        "type": "library-playlists",
        "href": f"/v1/me/library/playlists/{value['id']}",
        "attributes": {
            "artwork": {
                "height": None,
                "url": "https://is1-ssl.mzstatic.com/image/thumb/gen/600x600AM.jpg",
                "width": None,
            },
            "canEdit": True,
            "dateAdded": value["created_at"],
            "description": {"standard": value["description"]},
            "hasCatalog": bool(value.get("global_id")),
            "isPublic": value["public"],
            "lastModifiedDate": value["modified_at"],
            "name": value["name"],
            "playParams": _play_params(value),
        },
    }


def catalog_playlist(value: Playlist, songs: list[Json], storefront: str) -> Json:
    """The public catalog copy (`pl.u-…`) of a published library playlist."""
    global_id = value["global_id"]
    href = f"/v1/catalog/{storefront}/playlists/{global_id}"
    return {
        "id": global_id,
        "type": "playlists",
        "href": href,
        "attributes": {
            "url": f"{MUSIC}/{storefront}/playlist/{slug(value['name'])}/{global_id}",
            "name": value["name"],
            "playlistType": "user-shared",
            "lastModifiedDate": value["modified_at"],
            "curatorName": SANDBOX_USER_NAME,
            "description": {"short": value["description"][:80], "standard": value["description"]},
            "artwork": {**artwork(value["id"]), "isMosaic": True},
            "playParams": {"id": global_id, "kind": "playlist"},
        },
        "relationships": {
            "tracks": {"data": songs, "href": f"{href}/tracks"},
            "curator": {"data": [], "href": f"{href}/curator"},
        },
    }
