from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import spotipy
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from tests.conftest import FIXTURES
from tests.sandbox.helpers import FakeClock, spotify_token
from worker.sandbox import Sandbox
from worker.sandbox.catalog import derived_id

TITLES_ID = "3fZLHmBDBw0oNwsBHgvI3h"
FIVE_CIRCLES_ID = derived_id("spotify", "track", "chariots-five-circles")
CHARIOTS_ID = derived_id("spotify", "album", "chariots")


@pytest.fixture(scope="module")
def spotify_spec() -> OpenAPI:
    path = FIXTURES / "api-specs/spotify-web-api.fixed.yml"
    return OpenAPI.from_dict(_dev_mode(yaml.safe_load(path.read_text(encoding="utf-8"))))


def _dev_mode(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as it applies to a 2026 Development-Mode app, plus a mapping its discriminators lack.

    Deprecated fields (`available_markets`, `popularity`, …) are no longer sent, so they are not required;
    `discriminator: {propertyName: type}` without a mapping would look for a schema named `track`.
    """
    deprecated: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for name, child in node.get("properties", {}).items():
                if isinstance(child, dict) and child.get("deprecated"):
                    deprecated.add(name)
            for child in node.values():
                collect(child)
        elif isinstance(node, list):
            for child in node:
                collect(child)

    def patch(node: Any) -> Any:
        if isinstance(node, list):
            return [patch(child) for child in node]
        if not isinstance(node, dict):
            return node
        node = {key: patch(child) for key, child in node.items()}
        if isinstance(node.get("required"), list):
            required = [name for name in node.pop("required") if name not in deprecated]
            node.update({"required": required} if required else {})
        if "discriminator" in node and "mapping" not in node["discriminator"]:
            schemas = {"track": "TrackObject", "episode": "EpisodeObject"}
            node["discriminator"]["mapping"] = {k: f"#/components/schemas/{v}" for k, v in schemas.items()}
        return node

    collect(spec["components"]["schemas"])
    patched: dict[str, Any] = patch(spec)
    return patched


def call(sandbox: Sandbox, method: str, path: str, token: str | None, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(method, f"{sandbox.urls['spotify_api']}{path}", headers=headers, **kwargs)


def assert_valid(spec: OpenAPI, response: httpx.Response, **args: str) -> None:
    """Validate a sandbox answer against the Spotify OpenAPI description of the same request."""
    path = urlsplit(str(response.request.url)).path.removeprefix("/spotify")
    request = MockRequest("https://api.spotify.com", response.request.method.lower(), path, args=args)
    spec.validate_response(request, MockResponse(response.content, status_code=response.status_code))


def test_search_answers_match_the_spec_and_use_absolute_query_links(
    sandbox: Sandbox, spotify_spec: OpenAPI
) -> None:
    token = spotify_token(sandbox, user=False)
    params = {"q": "artist:Vangelis", "type": "track,album", "limit": "1", "market": "US"}
    response = call(sandbox, "GET", "search", token, params=params)
    assert response.status_code == 200
    assert_valid(spotify_spec, response, q=params["q"], type=params["type"])
    tracks = response.json()["tracks"]
    assert tracks["total"] == 2 and tracks["items"][0]["id"] == TITLES_ID
    assert tracks["next"].startswith(sandbox.urls["spotify_api"] + "search?offset=1&limit=1&query=artist")
    item = tracks["items"][0]
    assert item["external_ids"] == {"isrc": "GBF088100001"} and item["is_playable"] is True
    assert not {"popularity", "available_markets", "linked_from"} & item.keys()
    assert httpx.get(tracks["next"], headers={"Authorization": f"Bearer {token}"}).json()["tracks"]["items"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('track:"Five Circles" artist:Vangelis', [FIVE_CIRCLES_ID]),
        ("isrc:GBF088100001", [TITLES_ID]),
        ("year:1980-1982 chariots", [TITLES_ID, FIVE_CIRCLES_ID]),
        ("year:1977 vangelis", []),
        ("human behavior", [derived_id("spotify", "track", "human-behaviour")]),
    ],
)
def test_search_filters(sandbox: Sandbox, q: str, expected: list[str]) -> None:
    token = spotify_token(sandbox, user=False)
    found = call(sandbox, "GET", "search", token, params={"q": q, "type": "track"}).json()["tracks"]["items"]
    assert [t["id"] for t in found] == expected


def test_search_limit_above_ten_is_invalid(sandbox: Sandbox) -> None:
    token = spotify_token(sandbox, user=False)
    response = call(sandbox, "GET", "search", token, params={"q": "a", "type": "track", "limit": "11"})
    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "message": "Invalid limit"}}


def test_market_decides_is_playable(sandbox: Sandbox) -> None:
    token = spotify_token(sandbox, user=False)
    anarchy = derived_id("spotify", "track", "anarchy")
    assert (
        call(sandbox, "GET", f"tracks/{anarchy}", token, params={"market": "DE"}).json()["is_playable"]
        is False
    )
    assert "is_playable" not in call(sandbox, "GET", f"tracks/{anarchy}", token).json()


def test_track_album_and_album_tracks_match_the_spec(sandbox: Sandbox, spotify_spec: OpenAPI) -> None:
    token = spotify_token(sandbox, user=False)
    for path in (f"tracks/{TITLES_ID}", f"albums/{CHARIOTS_ID}", f"albums/{CHARIOTS_ID}/tracks"):
        response = call(sandbox, "GET", path, token)
        assert response.status_code == 200, path
        assert_valid(spotify_spec, response)
    assert call(sandbox, "GET", "tracks/0000000000000000000000", token).status_code == 404
    assert call(sandbox, "GET", "tracks/not-an-id", token).json()["error"]["message"] == "Invalid base62 id"


def test_playlist_lifecycle_matches_the_spec(sandbox: Sandbox, spotify_spec: OpenAPI) -> None:
    token = spotify_token(sandbox)
    created = call(sandbox, "POST", "me/playlists", token, json={"name": "Punk", "description": "d"})
    assert created.status_code == 201
    assert_valid(spotify_spec, created)
    playlist_id = created.json()["id"]
    uris = [f"spotify:track:{TITLES_ID}", f"spotify:track:{FIVE_CIRCLES_ID}"]
    added = call(sandbox, "POST", f"playlists/{playlist_id}/items", token, json=uris)
    assert added.status_code == 201 and added.json()["snapshot_id"] != created.json()["snapshot_id"]
    assert_valid(spotify_spec, added)
    items = call(sandbox, "GET", f"playlists/{playlist_id}/items", token)
    assert_valid(spotify_spec, items)
    assert [i["item"]["id"] for i in items.json()["items"]] == [TITLES_ID, FIVE_CIRCLES_ID]
    full = call(sandbox, "GET", f"playlists/{playlist_id}", token)
    assert_valid(spotify_spec, full)
    assert full.json()["external_urls"]["spotify"] == f"https://open.spotify.com/playlist/{playlist_id}"
    removed = call(
        sandbox, "DELETE", f"playlists/{playlist_id}/items", token, json={"items": [{"uri": uris[0]}]}
    )
    assert removed.status_code == 200
    replaced = call(sandbox, "PUT", f"playlists/{playlist_id}/items", token, json={"uris": uris[:1]})
    assert replaced.status_code == 200
    assert [t["id"] for t in sandbox.playlists("spotify")[0]["tracks"]] == [TITLES_ID]


def test_add_items_rejects_more_than_100_and_unknown_tracks(sandbox: Sandbox) -> None:
    token = spotify_token(sandbox)
    playlist_id = call(sandbox, "POST", "me/playlists", token, json={"name": "x"}).json()["id"]
    too_many = call(sandbox, "POST", f"playlists/{playlist_id}/items", token, json={"uris": ["x"] * 101})
    assert too_many.status_code == 400
    unknown = call(
        sandbox, "POST", f"playlists/{playlist_id}/items", token, json=["spotify:track:" + "0" * 22]
    )
    assert unknown.status_code == 400


def test_client_credentials_token_cannot_write_or_read_items(sandbox: Sandbox) -> None:
    app_token = spotify_token(sandbox, user=False)
    refused = call(sandbox, "POST", "me/playlists", app_token, json={"name": "x"})
    assert refused.status_code == 403
    playlist_id = call(sandbox, "POST", "me/playlists", spotify_token(sandbox), json={"name": "x"}).json()[
        "id"
    ]
    assert call(sandbox, "GET", f"playlists/{playlist_id}/items", app_token).status_code == 403
    metadata = call(sandbox, "GET", f"playlists/{playlist_id}", app_token).json()
    assert "items" not in metadata and "tracks" not in metadata


def test_retired_paths_answer_403_as_recorded(sandbox: Sandbox) -> None:
    token = spotify_token(sandbox)
    playlist_id = call(sandbox, "POST", "me/playlists", token, json={"name": "x"}).json()["id"]
    sample = json.loads((FIXTURES / "api-samples/spotify/error_403_forbidden_dev_mode.json").read_text())
    for method, path in [("GET", f"playlists/{playlist_id}/tracks"), ("POST", "users/someone/playlists")]:
        response = call(sandbox, method, path, token, json={"name": "x"})
        assert (response.status_code, response.json()) == (403, sample)


def test_missing_and_expired_tokens_answer_401(sandbox: Sandbox, clock: FakeClock) -> None:
    assert call(sandbox, "GET", "me", None).status_code == 401
    token = spotify_token(sandbox)
    assert call(sandbox, "GET", "me", token).json()["account_id"]
    clock.advance(3600)
    expired = call(sandbox, "GET", "me", token)
    sample = json.loads((FIXTURES / "api-samples/spotify/error_401_token_expired.json").read_text())
    assert (expired.status_code, expired.json()) == (401, sample)
    assert call(sandbox, "GET", "me", spotify_token(sandbox)).status_code == 200


def test_token_endpoint_errors(sandbox: Sandbox) -> None:
    url = f"{sandbox.urls['spotify_accounts']}api/token"
    bad_client = httpx.post(url, data={"grant_type": "client_credentials"}, auth=("nobody", "wrong"))
    assert (bad_client.status_code, bad_client.json()["error"]) == (400, "invalid_client")
    auth = (sandbox.credentials["SPOTIFY_CLIENT_ID"], sandbox.credentials["SPOTIFY_CLIENT_SECRET"])
    bad_refresh = httpx.post(url, data={"grant_type": "refresh_token", "refresh_token": "nope"}, auth=auth)
    assert (bad_refresh.status_code, bad_refresh.json()["error"]) == (400, "invalid_grant")
    refreshed = httpx.post(
        url,
        data={"grant_type": "refresh_token", "refresh_token": sandbox.credentials["SPOTIFY_REFRESH_TOKEN"]},
        auth=auth,
    ).json()
    assert refreshed["token_type"] == "Bearer" and "refresh_token" not in refreshed


def test_authorize_redirects_with_a_code_that_works_once(sandbox: Sandbox) -> None:
    accounts = sandbox.urls["spotify_accounts"]
    redirect_uri = "http://127.0.0.1:8888/callback"
    params = {
        "client_id": sandbox.credentials["SPOTIFY_CLIENT_ID"],
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": "playlist-modify-public",
        "state": "s1",
    }
    location = httpx.get(f"{accounts}authorize", params=params).headers["location"]
    query = dict(httpx.URL(location).params)
    assert location.startswith(redirect_uri) and query["state"] == "s1"
    auth = (sandbox.credentials["SPOTIFY_CLIENT_ID"], sandbox.credentials["SPOTIFY_CLIENT_SECRET"])
    form = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": redirect_uri}
    first = httpx.post(f"{accounts}api/token", data=form, auth=auth)
    assert first.status_code == 200 and first.json()["refresh_token"]
    assert httpx.post(f"{accounts}api/token", data=form, auth=auth).json()["error"] == "invalid_grant"


def test_spotipy_end_to_end_with_a_token_refresh(sandbox: Sandbox) -> None:
    oauth = spotipy.SpotifyOAuth(
        client_id=sandbox.credentials["SPOTIFY_CLIENT_ID"],
        client_secret=sandbox.credentials["SPOTIFY_CLIENT_SECRET"],
        redirect_uri="http://127.0.0.1:8888/callback",
        scope="playlist-modify-public",
        cache_handler=spotipy.MemoryCacheHandler(),
        open_browser=False,
        requests_timeout=5,
    )
    oauth.OAUTH_TOKEN_URL = f"{sandbox.urls['spotify_accounts']}api/token"
    oauth.refresh_access_token(sandbox.credentials["SPOTIFY_REFRESH_TOKEN"])
    client = spotipy.Spotify(auth_manager=oauth, retries=0)
    client.prefix = sandbox.urls["spotify_api"]
    hits = client.search("artist:Vangelis", type="track")["tracks"]["items"]
    playlist = client.current_user_playlist_create("Chariots", public=True, description="test")
    client.playlist_add_items(playlist["id"], [hit["uri"] for hit in hits])
    sandbox.expire_tokens()
    with pytest.raises(spotipy.SpotifyException) as expired:
        client.playlist_items(playlist["id"])
    assert expired.value.http_status == 401
    oauth.refresh_access_token(sandbox.credentials["SPOTIFY_REFRESH_TOKEN"])
    items = client.playlist_items(playlist["id"])["items"]
    assert [i["item"]["uri"] for i in items] == [hit["uri"] for hit in hits]
