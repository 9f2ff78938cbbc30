from __future__ import annotations

import json
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from tests.conftest import FIXTURES
from tests.sandbox.helpers import FakeClock, apple_headers, apple_token, shape_problems
from worker.sandbox import Sandbox
from worker.sandbox.catalog import derived_id

TITLES_ID = "1440843210"
ANARCHY_ID = derived_id("apple", "track", "anarchy")


def call(
    sandbox: Sandbox, clock: FakeClock, method: str, path: str, user: bool = False, **kwargs: Any
) -> httpx.Response:
    headers = apple_headers(clock(), user)
    return httpx.request(method, f"{sandbox.urls['apple_api']}{path}", headers=headers, **kwargs)


def sample(name: str) -> Any:
    return json.loads((FIXTURES / "api-samples/applemusic" / name).read_text(encoding="utf-8"))


def create(sandbox: Sandbox, clock: FakeClock, public: bool = True, tracks: list[str] | None = None) -> Any:
    body = {
        "attributes": {"name": "Chariots", "description": "d", "isPublic": public},
        "relationships": {"tracks": {"data": [{"id": t, "type": "songs"} for t in tracks or []]}},
    }
    response = call(sandbox, clock, "POST", "me/library/playlists", user=True, json=body)
    assert response.status_code == 201
    return response.json()["data"][0]


def test_catalog_answers_have_every_key_of_the_recordings(sandbox: Sandbox, clock: FakeClock) -> None:
    search = call(sandbox, clock, "GET", "catalog/us/search", params={"term": "chariots", "types": "songs"})
    assert shape_problems(sample("search_songs.json"), search.json()) == []
    by_isrc = call(sandbox, clock, "GET", "catalog/us/songs", params={"filter[isrc]": "GBF088100001"})
    assert [s["id"] for s in by_isrc.json()["data"]] == [TITLES_ID]
    expected = sample("songs_by_isrc_doc_example.json")
    expected["data"][0].pop("relationships")
    assert shape_problems(expected, by_isrc.json()) == []


def test_search_paging_and_order(sandbox: Sandbox, clock: FakeClock) -> None:
    body = call(sandbox, clock, "GET", "catalog/us/search", params={"term": "vangelis", "limit": "1"}).json()
    songs = body["results"]["songs"]
    assert body["meta"]["results"]["order"] == ["songs", "albums"]
    assert songs["href"].startswith("/v1/catalog/us/search?") and songs["next"].startswith(
        "/v1/catalog/us/search?"
    )
    following = httpx.get(
        f"{sandbox.urls['apple_api'].split('/apple/')[0]}{songs['next']}", headers=apple_headers(clock())
    )
    assert following.json()["results"]["songs"]["data"][0]["id"] != songs["data"][0]["id"]
    limit = call(sandbox, clock, "GET", "catalog/us/search", params={"term": "x", "limit": "26"})
    assert (limit.status_code, limit.json()["errors"][0]["code"]) == (400, "40005")


def test_per_service_title_and_markets(sandbox: Sandbox, clock: FakeClock) -> None:
    album = call(sandbox, clock, "GET", f"catalog/us/songs/{TITLES_ID}").json()["data"][0]["attributes"][
        "albumName"
    ]
    assert album == "Chariots of Fire (Original Soundtrack)"
    gb = call(sandbox, clock, "GET", "catalog/gb/search", params={"term": "god save the queen"}).json()
    assert gb["results"] == {}
    assert call(sandbox, clock, "GET", "catalog/xx/search", params={"term": "a"}).status_code == 400


def test_library_playlists_have_every_key_of_the_recordings(sandbox: Sandbox, clock: FakeClock) -> None:
    created = create(sandbox, clock, tracks=[ANARCHY_ID])
    assert shape_problems(sample("library_playlist_create_response.json")["data"][0], created) == []
    library = call(
        sandbox,
        clock,
        "GET",
        f"me/library/playlists/{created['id']}",
        user=True,
        params={"include": "tracks"},
    )
    assert shape_problems(sample("library_playlist_get_include_tracks.json"), library.json()) == []
    global_id = created["attributes"]["playParams"]["globalId"]
    public = httpx.get(
        f"{sandbox.urls['apple_api']}catalog/us/playlists/{global_id}", headers=apple_headers(clock())
    )
    assert shape_problems(sample("catalog_playlist_get.json"), public.json()) == []


def test_private_playlists_have_no_global_id(sandbox: Sandbox, clock: FakeClock) -> None:
    created = create(sandbox, clock, public=False)
    assert "globalId" not in created["attributes"]["playParams"]


def test_playlists_are_append_only(sandbox: Sandbox, clock: FakeClock) -> None:
    playlist_id = create(sandbox, clock)["id"]
    path = f"me/library/playlists/{playlist_id}/tracks"
    assert call(sandbox, clock, "GET", path, user=True).status_code == 404
    added = call(sandbox, clock, "POST", path, user=True, json={"data": [{"id": TITLES_ID, "type": "songs"}]})
    assert (added.status_code, added.content) == (204, b"")
    for method, target in [("DELETE", path), ("PUT", path), ("DELETE", path.removesuffix("/tracks"))]:
        refused = call(sandbox, clock, method, target, user=True, json={"data": []})
        assert refused.status_code == 405 and refused.json()["errors"][0]["status"] == "405"
    tracks = call(sandbox, clock, "GET", path, user=True).json()["data"]
    assert [t["attributes"]["playParams"]["catalogId"] for t in tracks] == [TITLES_ID]


def test_developer_token_rules(sandbox: Sandbox, clock: FakeClock) -> None:
    url = f"{sandbox.urls['apple_api']}catalog/us/songs/{TITLES_ID}"
    other_key = ec.generate_private_key(ec.SECP256R1())
    refused = {
        "missing": {},
        "expired": {"Authorization": f"Bearer {apple_token(clock() - 7200)}"},
        "too long": {"Authorization": f"Bearer {apple_token(clock(), lifetime_s=15_777_001)}"},
        "wrong kid": {"Authorization": f"Bearer {apple_token(clock(), kid='OTHERKEY01')}"},
        "wrong key": {"Authorization": f"Bearer {apple_token(clock(), key=other_key)}"},
    }
    for case, headers in refused.items():
        assert httpx.get(url, headers=headers).status_code == 401, case
    assert httpx.get(url, headers=apple_headers(clock())).status_code == 200
    no_user_token = httpx.get(
        f"{sandbox.urls['apple_api']}me/library/playlists", headers=apple_headers(clock())
    )
    assert no_user_token.status_code == 403
