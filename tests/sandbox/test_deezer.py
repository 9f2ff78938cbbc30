from __future__ import annotations

import json
from typing import Any

import httpx

from tests.conftest import FIXTURES
from tests.sandbox.helpers import shape_problems
from worker.sandbox import Sandbox
from worker.sandbox.catalog import derived_id

TITLES_ID = 916424


def get(sandbox: Sandbox, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{sandbox.urls['deezer_api']}{path}", params=params)


def user_call(sandbox: Sandbox, method: str, path: str, **params: Any) -> Any:
    params["access_token"] = sandbox.credentials["DEEZER_ACCESS_TOKEN"]
    response = httpx.request(method, f"{sandbox.urls['deezer_api']}{path}", params=params)
    assert response.status_code == 200
    return response.json()


def sample(name: str) -> Any:
    """A recorded body; `next`/`prev` are left out of lists (they depend on how many results there are)."""
    body = json.loads((FIXTURES / "api-samples/deezer" / name).read_text(encoding="utf-8"))
    paged = isinstance(body, dict) and "data" in body
    return {k: v for k, v in body.items() if k not in ("next", "prev")} if paged else body


def make_playlist(sandbox: Sandbox, *songs: int) -> int:
    playlist_id: int = user_call(sandbox, "POST", "user/me/playlists", title="Chariots")["id"]
    if songs:
        assert user_call(sandbox, "POST", f"playlist/{playlist_id}/tracks", songs=",".join(map(str, songs)))
    return playlist_id


def test_catalog_answers_have_every_key_of_the_recordings(sandbox: Sandbox) -> None:
    album_id = derived_id("deezer", "album", "chariots")
    cases = {
        "search_track_simple.json": get(sandbox, "search", q="vangelis", limit=1),
        "search_track_advanced.json": get(sandbox, "search/track", q='artist:"Vangelis" track:"Titles"'),
        "search_album.json": get(sandbox, "search/album", q="chariots"),
        "track_by_id.json": get(sandbox, f"track/{TITLES_ID}"),
        "album_by_id.json": get(sandbox, f"album/{album_id}"),
        "error_800_no_data.json": get(sandbox, "track/-1"),
    }
    for name, response in cases.items():
        assert response.status_code == 200, name
        assert shape_problems(sample(name), response.json()) == [], name


def test_playlist_answers_have_every_key_of_the_recordings(sandbox: Sandbox) -> None:
    empty = make_playlist(sandbox)
    assert user_call(sandbox, "POST", "user/me/playlists", title="x").keys() == {"id"}
    assert (
        shape_problems(sample("playlist_get_new_empty.json"), get(sandbox, f"playlist/{empty}").json()) == []
    )
    full = make_playlist(sandbox, TITLES_ID)
    assert shape_problems(sample("playlist_get.json"), get(sandbox, f"playlist/{full}").json()) == []
    tracks = get(sandbox, f"playlist/{full}/tracks").json()
    assert (
        shape_problems({k: v for k, v in sample("playlist_tracks.json").items() if k != "next"}, tracks) == []
    )


def test_search_hits_have_no_isrc_and_full_tracks_do(sandbox: Sandbox) -> None:
    hit = get(sandbox, "search", q="titles vangelis").json()["data"][0]
    assert "isrc" not in hit and "release_date" not in hit
    full = get(sandbox, "track/isrc:GBF088100001").json()
    assert (full["id"], full["isrc"], full["release_date"]) == (TITLES_ID, "GBF088100001", "1981-03")


def test_paging_uses_absolute_next_links(sandbox: Sandbox) -> None:
    first = get(sandbox, "search", q="vangelis", limit=1).json()
    assert first["total"] == 2 and first["next"].startswith(sandbox.urls["deezer_api"] + "search?")
    second = httpx.get(first["next"]).json()
    assert second["data"][0]["id"] != first["data"][0]["id"] and "next" not in second


def test_markets_decide_readable(sandbox: Sandbox) -> None:
    anarchy = get(sandbox, "search/track", q='track:"Anarchy"').json()["data"][0]
    assert anarchy["readable"] is False


def test_errors_come_in_http_200_and_unknown_paths_in_a_real_404(sandbox: Sandbox) -> None:
    assert get(sandbox, "album/-1").json() == sample("error_800_no_data.json")
    unknown = get(sandbox, "does-not-exists")
    assert (unknown.status_code, unknown.json()) == (404, sample("error_http_404_unknown_path.json"))
    bad_token = get(sandbox, "user/me/playlists", access_token="wrong")
    assert (bad_token.status_code, bad_token.json()["error"]["code"]) == (200, 300)
    assert get(sandbox, "user/me/playlists").json()["error"]["code"] == 200


def test_playlist_writes(sandbox: Sandbox) -> None:
    five = int(derived_id("deezer", "track", "chariots-five-circles"))
    playlist_id = make_playlist(sandbox, TITLES_ID, five)
    before = get(sandbox, f"playlist/{playlist_id}").json()
    assert before["nb_tracks"] == 2 and before["creator"]["name"]
    assert user_call(sandbox, "DELETE", f"playlist/{playlist_id}/tracks", songs=str(TITLES_ID)) is True
    after = get(sandbox, f"playlist/{playlist_id}").json()
    assert [t["id"] for t in after["tracks"]["data"]] == [five] and after["checksum"] != before["checksum"]
    assert user_call(sandbox, "DELETE", f"playlist/{playlist_id}") is True
    assert get(sandbox, f"playlist/{playlist_id}").json()["error"]["code"] == 800


def test_short_link_redirects_to_the_playlist(sandbox: Sandbox) -> None:
    playlist_id = make_playlist(sandbox)
    response = httpx.get(sandbox.short_link(str(playlist_id)))
    assert response.status_code == 302
    assert response.headers["location"].startswith(f"https://www.deezer.com/en/playlist/{playlist_id}?")
