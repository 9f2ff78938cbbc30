"""Apple Music: the API at `apple/v1/` (and at `/v1/`, so host-relative `href`s resolve). Handlers only.

Every call needs `Authorization: Bearer <ES256 developer token>` signed by the sandbox's Apple key;
`me/` calls also need the `Music-User-Token`. Library playlists are append-only: DELETE, PUT and PATCH
answer 405.
Errors are `{"errors":[{"id","title","detail","status","code"}]}` with string status and code; 429 has no
Retry-After. Tracks outside their markets are absent from catalog answers for that storefront.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from typing import Any
from urllib.parse import quote_plus

from worker.sandbox import apple_shapes as shapes
from worker.sandbox.catalog import Track
from worker.sandbox.core import Abort, Limit, Mount, Request, Response, route
from worker.sandbox.query import parse_words, track_matches
from worker.sandbox.store import Playlist, global_id
from worker.sandbox.tokens import APPLE_MUSIC_USER_TOKEN, apple_token_problem
from worker.sandbox.world import World

SERVICE = "apple"
USER_STOREFRONT = "us"
STOREFRONT_CODES = """
ae ag ai am ao ar at au az ba bb be bg bh bj bm bo br bs bw by bz ca cd ch ci cl cm co cr cv cy cz de dk dm
do dz ec ee eg es fi fj fr ga gb gd ge gh gm gr gt gw gy hk hn hr hu id ie il in iq is it jm jo jp ke kg kh
kn kr kw ky kz la lb lc lk lr lt lu lv ly ma md me mg mk ml mn mo mr ms mt mu mv mw mx my mz na ne ng ni nl
no np nz om pa pe pg ph pk pl pt py qa ro rs ru rw sa sb sc se sg si sk sl sn sr sv sz tc td th tj tm tn to
tr tt tw tz ua ug us uy uz vc ve vg vn vu xk ye za zm zw
"""
SF = r"catalog/(?P<sf>[^/]+)"
PLAYLIST = r"me/library/playlists/(?P<id>[^/]+)"
STOREFRONTS = frozenset(re.findall(r"[a-z]{2}", STOREFRONT_CODES))
TITLES = {
    400: "Invalid Parameter Value",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Resource Not Found",
    405: "Method Not Allowed",
    429: "API Capacity Exceeded",
}
_error_serial = itertools.count(1)


def apple_error(status: int, detail: str, code: str = "", parameter: str = "") -> Response:
    serial = next(_error_serial)
    error_id = hashlib.sha256(f"apple-error:{serial}".encode()).hexdigest()[:26].upper()
    entry: dict[str, Any] = {
        "id": error_id,
        "title": TITLES.get(status, "Service Unavailable" if status >= 500 else "Error"),
        "detail": detail,
        "status": str(status),
        "code": code or f"{status}00",
    }
    if parameter:
        entry["source"] = {"parameter": parameter}
    return Response.json(status, {"errors": [entry]})


def fail(status: int, detail: str, code: str = "", parameter: str = "") -> Abort:
    return Abort(apple_error(status, detail, code, parameter))


class AppleApi:
    def __init__(self, world: World) -> None:
        self.world = world
        self.catalog = world.catalog.view(SERVICE)

    def mounts(self) -> list[Mount]:
        return [self.mount("apple/v1/"), self.mount("v1/")]

    def mount(self, prefix: str) -> Mount:
        return Mount(
            prefix=prefix,
            name=SERVICE,
            service=SERVICE,
            error=apple_error,
            not_found=lambda _request: apple_error(404, "Resource Not Found"),
            limit=lambda o: Limit(o.apple_limit, o.apple_window_s),
            throttled=lambda _options: apple_error(429, "API Capacity Exceeded"),
            routes=[
                route("GET", rf"{SF}/search", self.search),
                route("GET", rf"{SF}/songs", self.songs),
                route("GET", rf"{SF}/songs/(?P<id>[^/]+)", self.get_song),
                route("GET", rf"{SF}/albums/(?P<id>[^/]+)", self.get_album),
                route("GET", rf"{SF}/albums/(?P<id>[^/]+)/tracks", self.get_album_tracks),
                route("GET", rf"{SF}/playlists/(?P<id>[^/]+)", self.get_catalog_playlist),
                route("GET", "me/library/playlists", self.list_playlists),
                route("POST", "me/library/playlists", self.create_playlist),
                route("GET", PLAYLIST, self.get_playlist),
                route("GET", rf"{PLAYLIST}/tracks", self.get_playlist_tracks),
                route("POST", rf"{PLAYLIST}/tracks", self.add_tracks),
            ],
        )

    # --- auth and parameters ----------------------------------------------------------------------------

    def developer(self, request: Request) -> None:
        header = request.header("authorization")
        problem = "missing developer token"
        if header.startswith("Bearer "):
            problem = apple_token_problem(header[7:].strip(), self.world.clock()) or ""
        if problem:
            raise fail(401, "Authentication failed")

    def music_user(self, request: Request) -> None:
        self.developer(request)
        if request.header("music-user-token") != APPLE_MUSIC_USER_TOKEN:
            raise fail(403, "Invalid or missing Music-User-Token", "40300")

    def storefront(self, request: Request, match: dict[str, str]) -> str:
        self.developer(request)
        if match["sf"] not in STOREFRONTS:
            raise fail(400, f"Storefront '{match['sf']}' is not supported", "40005", "storefront")
        return match["sf"]

    @staticmethod
    def number(request: Request, name: str, default: int, low: int, high: int) -> int:
        raw = request.query.get(name, str(default))
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise fail(400, f"{name} must be between {low} and {high}", "40005", name)
        return int(raw)

    def available(self, storefront: str) -> list[Track]:
        return [t for t in self.catalog.tracks if t.playable_in(storefront)]

    # --- catalog ----------------------------------------------------------------------------------------

    def search(self, request: Request, match: dict[str, str]) -> Response:
        storefront = self.storefront(request, match)
        term = request.query.get("term", "")
        if not term.strip():
            raise fail(400, "Missing required parameter 'term'", "40005", "term")
        types = [t for t in request.query.get("types", "songs,albums").split(",") if t]
        limit = self.number(request, "limit", 5, 1, 25)
        offset = self.number(request, "offset", 0, 0, 200)
        criteria = parse_words(term)
        tracks = [t for t in self.available(storefront) if track_matches(t, criteria)]
        found: dict[str, list[Any]] = {
            "songs": [shapes.song(t, storefront) for t in tracks],
            "albums": [self.album_shape(a.id, storefront, False) for a in _unique_albums(tracks)],
        }
        results = {
            kind: self.search_page(storefront, kind, term, found[kind], limit, offset)
            for kind in types
            if found.get(kind, [])[offset:]
        }
        meta = {"results": {"order": list(results), "rawOrder": list(results)}}
        return Response.json(200, {"results": results, "meta": meta})

    @staticmethod
    def search_page(
        storefront: str, kind: str, term: str, items: list[Any], limit: int, offset: int
    ) -> dict[str, Any]:
        path = f"/v1/catalog/{storefront}/search"
        page: dict[str, Any] = {
            "href": f"{path}?limit={limit}&offset={offset}&term={quote_plus(term)}&types={kind}",
            "data": items[offset : offset + limit],
        }
        if offset + limit < len(items):
            page["next"] = (
                f"{path}?limit={limit}&offset={offset + limit}&term={quote_plus(term)}&types={kind}"
            )
        return page

    def songs(self, request: Request, match: dict[str, str]) -> Response:
        storefront = self.storefront(request, match)
        isrcs = [i for i in request.query.get("filter[isrc]", "").upper().split(",") if i]
        ids = [i for i in request.query.get("ids", "").split(",") if i]
        if not isrcs and not ids:
            raise fail(400, "One of 'ids' or 'filter[isrc]' is required", "40005", "filter[isrc]")
        chosen = [t for t in self.available(storefront) if t.isrc in isrcs or t.id in ids]
        return Response.json(200, {"data": [shapes.song(t, storefront) for t in chosen]})

    def get_song(self, request: Request, match: dict[str, str]) -> Response:
        storefront = self.storefront(request, match)
        found = self.catalog.track(match["id"])
        if found is None or not found.playable_in(storefront):
            raise fail(404, "Resource with requested id was not found", "40400")
        return Response.json(200, {"data": [shapes.song(found, storefront)]})

    def album_shape(self, album_id: str, storefront: str, with_tracks: bool) -> dict[str, Any]:
        found = self.catalog.album(album_id)
        tracks = [t for t in self.catalog.album_tracks(found) if t.playable_in(storefront)] if found else []
        if found is None or not tracks:
            raise fail(404, "Resource with requested id was not found", "40400")
        return shapes.album(found, tracks, storefront, with_tracks)

    def get_album(self, request: Request, match: dict[str, str]) -> Response:
        storefront = self.storefront(request, match)
        return Response.json(200, {"data": [self.album_shape(match["id"], storefront, True)]})

    def get_album_tracks(self, request: Request, match: dict[str, str]) -> Response:
        storefront = self.storefront(request, match)
        album = self.album_shape(match["id"], storefront, True)
        return Response.json(200, {"data": album["relationships"]["tracks"]["data"]})

    def get_catalog_playlist(self, request: Request, match: dict[str, str]) -> Response:
        storefront = self.storefront(request, match)
        published = [p for p in self.world.store.all(SERVICE) if p.get("global_id") == match["id"]]
        if not published:
            raise fail(404, "Resource with requested id was not found", "40400")
        songs = [shapes.song(t, storefront) for t in self.playlist_tracks(published[0])]
        return Response.json(200, {"data": [shapes.catalog_playlist(published[0], songs, storefront)]})

    # --- library playlists ------------------------------------------------------------------------------

    def playlist_tracks(self, playlist: Playlist) -> list[Track]:
        found = (self.catalog.track(entry["id"]) for entry in playlist["tracks"])
        return [t for t in found if t is not None]

    def list_playlists(self, request: Request, _: dict[str, str]) -> Response:
        self.music_user(request)
        limit = self.number(request, "limit", 25, 1, 100)
        offset = self.number(request, "offset", 0, 0, 100_000)
        owned = self.world.store.all(SERVICE)
        body: dict[str, Any] = {
            "data": [shapes.library_playlist(p) for p in owned[offset : offset + limit]],
            "meta": {"total": len(owned)},
        }
        if offset + limit < len(owned):
            body["next"] = f"/v1/me/library/playlists?offset={offset + limit}"
        return Response.json(200, body)

    def create_playlist(self, request: Request, _: dict[str, str]) -> Response:
        self.music_user(request)
        body = request.json()
        attributes = body.get("attributes") if isinstance(body, dict) else None
        if not isinstance(attributes, dict) or not isinstance(attributes.get("name"), str):
            raise fail(400, "attributes.name is required", "40005", "attributes.name")
        refs = ((body.get("relationships") or {}).get("tracks") or {}).get("data", [])
        ids = self.track_ids(refs)
        now = self.world.store.now_iso()
        created = self.world.store.create(
            SERVICE,
            {
                "name": attributes["name"],
                "description": str(attributes.get("description") or ""),
                "public": attributes.get("isPublic") is True,
                "tracks": [{"id": track_id, "added_at": now} for track_id in ids],
            },
        )
        if created["public"]:
            created = (
                self.world.store.update(
                    SERVICE, created["id"], lambda r: r.update(global_id=global_id(r["id"]))
                )
                or created
            )
        return Response.json(201, {"data": [shapes.library_playlist(created)]})

    def track_ids(self, refs: Any) -> list[str]:
        """Catalog ids from `[{"id","type"}]` references to catalog `songs` or `library-songs`."""
        if not isinstance(refs, list):
            raise fail(400, "data must be a list of resources", "40005", "data")
        library = {shapes.library_song_id(t.id): t.id for t in self.catalog.tracks}
        ids = []
        for ref in refs:
            kind, ref_id = (ref.get("type"), ref.get("id")) if isinstance(ref, dict) else (None, None)
            catalog_id = (
                ref_id if kind == "songs" else library.get(str(ref_id)) if kind == "library-songs" else None
            )
            if catalog_id is None or self.catalog.track(str(catalog_id)) is None:
                raise fail(400, f"Unable to add resource {ref_id!r} of type {kind!r}", "40005", "data")
            ids.append(str(catalog_id))
        return ids

    def library_playlist(self, request: Request, match: dict[str, str]) -> Playlist:
        self.music_user(request)
        found = self.world.store.get(SERVICE, match["id"])
        if found is None:
            raise fail(404, "Resource with requested id was not found", "40400")
        return found

    def get_playlist(self, request: Request, match: dict[str, str]) -> Response:
        found = self.library_playlist(request, match)
        shape = shapes.library_playlist(found)
        if "tracks" in request.query.get("include", "").split(","):
            songs = [shapes.library_song(t, USER_STOREFRONT) for t in self.playlist_tracks(found)]
            shape["relationships"] = {
                "tracks": {"href": f"{shape['href']}/tracks", "data": songs, "meta": {"total": len(songs)}}
            }
        return Response.json(200, {"data": [shape]})

    def get_playlist_tracks(self, request: Request, match: dict[str, str]) -> Response:
        found = self.library_playlist(request, match)
        limit = self.number(request, "limit", 100, 1, 100)
        offset = self.number(request, "offset", 0, 0, 100_000)
        songs = [shapes.library_song(t, USER_STOREFRONT) for t in self.playlist_tracks(found)]
        if not songs:
            raise fail(404, "Resource with requested id was not found", "40400")
        body: dict[str, Any] = {"data": songs[offset : offset + limit], "meta": {"total": len(songs)}}
        if offset + limit < len(songs):
            body["next"] = f"/v1/me/library/playlists/{found['id']}/tracks?offset={offset + limit}"
        return Response.json(200, body)

    def add_tracks(self, request: Request, match: dict[str, str]) -> Response:
        found = self.library_playlist(request, match)
        body = request.json()
        ids = self.track_ids(body.get("data") if isinstance(body, dict) else None)
        now = self.world.store.now_iso()
        entries = [{"id": track_id, "added_at": now} for track_id in ids]
        self.world.store.update(SERVICE, found["id"], lambda r: r["tracks"].extend(entries))
        return Response(204)


def _unique_albums(tracks: list[Track]) -> list[Any]:
    return list({t.album.key: t.album for t in tracks}.values())
