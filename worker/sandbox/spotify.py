"""Spotify: the Web API (`spotify/v1/`) and the accounts service (`spotify-accounts/`). Handlers only.

Rules as for a Development-Mode app in 2026: search `limit` 0-10; playlist reads and writes under `/items`
(the old `/tracks` paths and `POST users/{id}/playlists` answer 403); writes need a user token with a
playlist-modify scope (client-credentials tokens get 403); errors are `{"error":{"status","message"}}`.
"""

from __future__ import annotations

import re
from typing import Any

from worker.sandbox import spotify_shapes as shapes
from worker.sandbox.core import Abort, Limit, Mount, Request, Response, route
from worker.sandbox.query import album_matches, parse_spotify, track_matches
from worker.sandbox.store import Playlist
from worker.sandbox.tokens import Grant, unsign
from worker.sandbox.world import World

SERVICE = "spotify"
USER_COUNTRY = "US"
ID = r"(?P<id>[^/]+)"
BASE62_ID = re.compile(r"[0-9A-Za-z]{22}")
TRACK_URI = re.compile(r"spotify:track:([0-9A-Za-z]{22})")
SEARCH_TYPES = {"track", "album", "artist", "playlist", "show", "episode", "audiobook"}
WRITE_SCOPES = {"playlist-modify-public", "playlist-modify-private"}


class SpotifyApi:
    def __init__(self, world: World) -> None:
        self.world = world
        self.catalog = world.catalog.view(SERVICE)

    def mount(self) -> Mount:
        retired = [
            route(m, rf"playlists/{ID}/tracks", self.retired) for m in ("GET", "POST", "PUT", "DELETE")
        ]
        return Mount(
            prefix="spotify/v1/",
            name=SERVICE,
            service=SERVICE,
            error=self.error,
            not_found=lambda _request: self.error(404, "Service not found"),
            limit=lambda o: Limit(o.spotify_window_limit, 30.0, float(o.spotify_retry_after_s)),
            throttled=lambda _options: self.error(429, "API rate limit exceeded"),
            routes=[
                route("GET", "search", self.search),
                route("GET", rf"tracks/{ID}", self.get_track),
                route("GET", rf"albums/{ID}", self.get_album),
                route("GET", rf"albums/{ID}/tracks", self.get_album_tracks),
                route("GET", "me/?", self.get_me),  # spotipy's `me()` asks for `me/`
                route("GET", "me/playlists", self.list_playlists),
                route("POST", "me/playlists", self.create_playlist),
                route("POST", r"users/[^/]+/playlists", self.retired),
                route("GET", rf"playlists/{ID}", self.get_playlist),
                route("PUT", rf"playlists/{ID}", self.change_details),
                route("GET", rf"playlists/{ID}/items", self.get_items),
                route("POST", rf"playlists/{ID}/items", self.add_items),
                route("PUT", rf"playlists/{ID}/items", self.replace_items),
                route("DELETE", rf"playlists/{ID}/items", self.remove_items),
                *retired,
            ],
        )

    def error(self, status: int, message: str) -> Response:
        retry = str(self.world.options.spotify_retry_after_s)
        headers = (("Retry-After", retry),) if status == 429 else ()
        return Response.json(status, {"error": {"status": status, "message": message}}, headers)

    def fail(self, status: int, message: str) -> Abort:
        return Abort(self.error(status, message))

    # --- auth -------------------------------------------------------------------------------------------

    def grant(self, request: Request) -> Grant:
        header = request.header("authorization")
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise self.fail(401, "No token provided")
        token = header[7:].strip()
        grant = self.world.tokens.check(token, self.world.clock())
        if grant is not None:
            return grant
        raise self.fail(401, "Invalid access token" if unsign(token) is None else "The access token expired")

    def user_grant(self, request: Request, write: bool = False) -> Grant:
        grant = self.grant(request)
        if not grant.user:
            raise self.fail(403, "Valid user authentication required")
        if write and not WRITE_SCOPES & set(grant.scope.split()):
            raise self.fail(403, "Insufficient client scope")
        return grant

    def market(self, request: Request, grant: Grant) -> str | None:
        market = request.query.get("market")
        if grant.user and (market is None or market == "from_token"):
            return USER_COUNTRY
        return market or None

    # --- params -----------------------------------------------------------------------------------------

    def int_param(self, request: Request, name: str, default: int, low: int, high: int) -> int:
        raw = request.query.get(name)
        if raw is None:
            return default
        if not re.fullmatch(r"-?\d+", raw) or not low <= int(raw) <= high:
            raise self.fail(400, f"Invalid {name}")
        return int(raw)

    def valid_id(self, value: str) -> str:
        if not BASE62_ID.fullmatch(value):
            raise self.fail(400, "Invalid base62 id")
        return value

    # --- catalog ----------------------------------------------------------------------------------------

    def search(self, request: Request, _: dict[str, str]) -> Response:
        grant = self.grant(request)
        q = request.query.get("q") or request.query.get("query", "")  # `next` links use query=
        if not q.strip():
            raise self.fail(400, "No search query")
        types = [t for t in request.query.get("type", "").split(",") if t]
        if not types:
            raise self.fail(400, "Missing parameter type")
        if not set(types) <= SEARCH_TYPES:
            raise self.fail(400, "Bad search type field")
        limit = self.int_param(request, "limit", 5, 0, 10)
        offset = self.int_param(request, "offset", 0, 0, 1000)
        market = self.market(request, grant)
        params: dict[str, Any] = {"query": q, "type": ",".join(types)}
        if request.query.get("market"):
            params["market"] = request.query["market"]
        criteria = parse_spotify(q)
        base = request.base
        results: dict[str, Any] = {}
        if "track" in types:
            hits = [t for t in self.catalog.tracks if track_matches(t, criteria)]
            shown = [shapes.track(base, self.catalog, t, market) for t in hits[offset : offset + limit]]
            results["tracks"] = shapes.page(f"{base}search", params, shown, len(hits), limit, offset)
        if "album" in types:
            albums = [a for a in self.catalog.albums if album_matches(a, criteria)]
            shown = [
                shapes.album(base, a, len(self.catalog.album_tracks(a)))
                for a in albums[offset : offset + limit]
            ]
            results["albums"] = shapes.page(f"{base}search", params, shown, len(albums), limit, offset)
        return Response.json(200, results)

    def get_track(self, request: Request, match: dict[str, str]) -> Response:
        grant = self.grant(request)
        found = self.catalog.track(self.valid_id(match["id"]))
        if found is None:
            raise self.fail(404, "Resource not found")
        return Response.json(
            200, shapes.track(request.base, self.catalog, found, self.market(request, grant))
        )

    def get_album(self, request: Request, match: dict[str, str]) -> Response:
        grant = self.grant(request)
        found = self.catalog.album(self.valid_id(match["id"]))
        if found is None:
            raise self.fail(404, "Resource not found")
        shape = shapes.full_album(request.base, self.catalog, found, self.market(request, grant))
        return Response.json(200, shape)

    def get_album_tracks(self, request: Request, match: dict[str, str]) -> Response:
        grant = self.grant(request)
        found = self.catalog.album(self.valid_id(match["id"]))
        if found is None:
            raise self.fail(404, "Resource not found")
        limit = self.int_param(request, "limit", 20, 1, 50)
        offset = self.int_param(request, "offset", 0, 0, 10_000)
        tracks = self.catalog.album_tracks(found)
        market = self.market(request, grant)
        items = [shapes.simple_track(request.base, t, market) for t in tracks[offset : offset + limit]]
        url = f"{request.base}albums/{found.id}/tracks"
        return Response.json(200, shapes.page(url, {}, items, len(tracks), limit, offset))

    # --- user and playlists -----------------------------------------------------------------------------

    def get_me(self, request: Request, _: dict[str, str]) -> Response:
        self.user_grant(request)
        return Response.json(200, shapes.user(request.base))

    def list_playlists(self, request: Request, _: dict[str, str]) -> Response:
        self.user_grant(request)
        limit = self.int_param(request, "limit", 20, 1, 50)
        offset = self.int_param(request, "offset", 0, 0, 100_000)
        owned = self.world.store.all(SERVICE)
        items = [shapes.simple_playlist(request.base, p) for p in owned[offset : offset + limit]]
        url = f"{request.base}me/playlists"
        return Response.json(200, shapes.page(url, {}, items, len(owned), limit, offset))

    def create_playlist(self, request: Request, _: dict[str, str]) -> Response:
        grant = self.user_grant(request, write=True)
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
            raise self.fail(400, "Missing required field: name")
        fields = {
            "name": body["name"],
            "description": str(body.get("description") or ""),
            "public": bool(body.get("public", True)),
            "collaborative": bool(body.get("collaborative", False)),
        }
        created = self.world.store.create(SERVICE, fields)
        shape = shapes.playlist(request.base, self.catalog, created, True, self.market(request, grant))
        return Response.json(201, shape)

    def playlist(self, match: dict[str, str]) -> Playlist:
        found = self.world.store.get(SERVICE, self.valid_id(match["id"]))
        if found is None:
            raise self.fail(404, "Resource not found")
        return found

    def get_playlist(self, request: Request, match: dict[str, str]) -> Response:
        grant = self.grant(request)
        found = self.playlist(match)
        shape = shapes.playlist(request.base, self.catalog, found, grant.user, self.market(request, grant))
        return Response.json(200, shape)

    def change_details(self, request: Request, match: dict[str, str]) -> Response:
        self.user_grant(request, write=True)
        found = self.playlist(match)
        body = request.json()
        if not isinstance(body, dict):
            raise self.fail(400, "Error parsing JSON.")
        details = {k: body[k] for k in ("name", "description", "public", "collaborative") if k in body}
        self.world.store.update(SERVICE, found["id"], lambda record: record.update(details))
        return Response(200)

    def get_items(self, request: Request, match: dict[str, str]) -> Response:
        grant = self.grant(request)
        if not grant.user:
            raise self.fail(403, "Forbidden")
        found = self.playlist(match)
        limit = self.int_param(request, "limit", 20, 1, 50)
        offset = self.int_param(request, "offset", 0, 0, 100_000)
        page = shapes.items_page(
            request.base, self.catalog, found, limit, offset, self.market(request, grant)
        )
        return Response.json(200, page)

    def add_items(self, request: Request, match: dict[str, str]) -> Response:
        self.user_grant(request, write=True)
        found = self.playlist(match)
        body = request.json()
        uris: Any = body.get("uris") if isinstance(body, dict) else body
        if "uris" in request.query:
            uris = request.query["uris"].split(",")
        ids = self.track_ids(uris)
        position = self.position(request, body, len(found["tracks"]))
        entries = [{"id": track_id, "added_at": self.world.store.now_iso()} for track_id in ids]
        updated = self.world.store.update(
            SERVICE,
            found["id"],
            lambda record: record["tracks"].__setitem__(slice(position, position), entries),
        )
        return self.snapshot(201, updated)

    def position(self, request: Request, body: Any, length: int) -> int:
        raw = request.query.get("position", body.get("position") if isinstance(body, dict) else None)
        if raw is None:
            return length
        if not re.fullmatch(r"\d+", str(raw)) or int(raw) > length:
            raise self.fail(400, "Index out of bounds")
        return int(raw)

    def replace_items(self, request: Request, match: dict[str, str]) -> Response:
        self.user_grant(request, write=True)
        found = self.playlist(match)
        body = request.json()
        if isinstance(body, dict) and "range_start" in body:
            return self.reorder(found, body)
        uris = request.query["uris"].split(",") if "uris" in request.query else None
        if uris is None and isinstance(body, dict):
            uris = body.get("uris")
        ids = self.track_ids(uris, allow_empty=True)
        entries = [{"id": track_id, "added_at": self.world.store.now_iso()} for track_id in ids]
        updated = self.world.store.update(SERVICE, found["id"], lambda record: record.update(tracks=entries))
        return self.snapshot(200, updated)

    def reorder(self, found: Playlist, body: dict[str, Any]) -> Response:
        start, before, length = (
            body.get("range_start"),
            body.get("insert_before"),
            body.get("range_length", 1),
        )
        size = len(found["tracks"])
        if not isinstance(start, int) or not isinstance(before, int) or not isinstance(length, int):
            raise self.fail(400, "range_start, insert_before and range_length must be integers")
        if not (0 <= start < size and 0 <= before <= size and length >= 1):
            raise self.fail(400, "Index out of bounds")

        def move(record: Playlist) -> None:
            moving = record["tracks"][start : start + length]
            rest = record["tracks"][:start] + record["tracks"][start + length :]
            at = before if before <= start else before - len(moving)
            record["tracks"] = rest[:at] + moving + rest[at:]

        return self.snapshot(200, self.world.store.update(SERVICE, found["id"], move))

    def remove_items(self, request: Request, match: dict[str, str]) -> Response:
        self.user_grant(request, write=True)
        found = self.playlist(match)
        body = request.json()
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise self.fail(400, "Missing or invalid 'items' in request body")
        ids = set(self.track_ids([i.get("uri") for i in items]))
        updated = self.world.store.update(
            SERVICE,
            found["id"],
            lambda record: record.update(tracks=[e for e in record["tracks"] if e["id"] not in ids]),
        )
        return self.snapshot(200, updated)

    def track_ids(self, uris: Any, allow_empty: bool = False) -> list[str]:
        """Catalog track ids from a list of `spotify:track:…` URIs (at most 100, all existing)."""
        if not isinstance(uris, list) or (not uris and not allow_empty):
            raise self.fail(400, "No uris provided")
        if len(uris) > 100:
            raise self.fail(400, "You can add a maximum of 100 tracks per request.")
        ids = []
        for uri in uris:
            parsed = TRACK_URI.fullmatch(uri) if isinstance(uri, str) else None
            if parsed is None:
                raise self.fail(400, f"Invalid track uri: {uri}")
            if self.catalog.track(parsed[1]) is None:
                raise self.fail(400, "Payload contains a non-existing ID")
            ids.append(parsed[1])
        return ids

    def snapshot(self, status: int, updated: Playlist | None) -> Response:
        if updated is None:
            raise self.fail(404, "Resource not found")
        return Response.json(status, {"snapshot_id": shapes.snapshot_id(updated)})

    def retired(self, request: Request, _: dict[str, str]) -> Response:
        self.grant(request)
        raise self.fail(403, "Forbidden")
