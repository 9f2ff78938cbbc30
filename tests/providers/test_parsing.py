"""Pure build/parse functions of every adapter, against the recorded responses in shared/api-samples."""

from __future__ import annotations

import pytest

from tests.providers.fakes import sample
from worker.errors import AuthError, NotFound, PolicyError, ProviderError, ProviderUnavailable, RateLimited
from worker.model import WorkQuery
from worker.providers import apple, deezer, spotify

BLADE_RUNNER = WorkQuery(title='Blade Runner "Main Titles"', artist="Vangelis", year=1982)


# --- Spotify ---------------------------------------------------------------------------------------------


def test_spotify_track_query_uses_field_filters() -> None:
    assert (
        spotify.build_track_query(BLADE_RUNNER)
        == 'track:"Blade Runner Main Titles" artist:"Vangelis" year:1982'
    )
    assert spotify.build_track_query(WorkQuery(title="Tubular Bells")) == 'track:"Tubular Bells"'
    assert spotify.build_album_query(WorkQuery(title="Blade Runner", artist="Vangelis")) == (
        'album:"Blade Runner" artist:"Vangelis"'
    )
    assert spotify.build_isrc_query(" useE19400101 ") == "isrc:USEE19400101"


def test_spotify_album_tracks_query_is_free_words_with_an_artist_filter() -> None:
    assert spotify.build_album_tracks_query(WorkQuery(title='Blade "Runner"', artist="Vangelis")) == (
        'Blade Runner artist:"Vangelis"'
    )
    assert spotify.build_album_tracks_query(WorkQuery(title="Akira")) == "Akira"


def test_spotify_search_pages_never_exceed_ten() -> None:
    assert spotify.search_pages(10) == [(0, 10)]
    assert spotify.search_pages(25) == [(0, 10), (10, 10), (20, 5)]
    assert spotify.search_pages(3) == [(0, 3)]


def test_spotify_writes_go_in_chunks_of_100() -> None:
    ids = [f"id{n}" for n in range(250)]
    assert [len(c) for c in spotify.chunked(ids)] == [100, 100, 50]
    assert spotify.track_uri("abc") == "spotify:track:abc"
    assert spotify.track_uri("spotify:track:abc") == "spotify:track:abc"


def test_spotify_search_track_sample() -> None:
    found = spotify.parse_search_tracks(sample("spotify/search_track.json"))
    first = found[0]
    assert first.id == "4PTG3Z6ehGkBFwjybzWkR8"
    assert first.title == "Never Gonna Give You Up"
    assert first.artists == ("Rick Astley",)
    assert first.isrc == "GBARL9300135"
    assert first.release_year == 1987
    assert first.album == "Whenever You Need Somebody"
    assert first.url == "https://open.spotify.com/track/4PTG3Z6ehGkBFwjybzWkR8"
    assert first.playable and first.kind == "track"
    assert len(found) == len(sample("spotify/search_track.json")["tracks"]["items"])


def test_spotify_search_album_sample() -> None:
    first = spotify.parse_search_albums(sample("spotify/search_album.json"))[0]
    assert (first.kind, first.title, first.artists, first.album_type) == (
        "album",
        "AM",
        ("Arctic Monkeys",),
        "album",
    )


def test_spotify_track_by_id_sample_reads_relinked_playability() -> None:
    track = spotify.parse_track(sample("spotify/track_by_id_market.json"))
    assert track.isrc == "GBCEL1300362"
    assert track.duration_ms == 272394
    assert track.playable


def test_spotify_playlist_get_sample_reads_items_or_legacy_tracks() -> None:
    body = sample("spotify/playlist_get.json")
    paging = spotify.playlist_paging(body)
    assert paging is not None
    playlist = spotify.parse_playlist(body, spotify.entry_tracks(paging), total=paging["total"])
    assert playlist.id == "1Cp6VQCKf2VL4sP09jN9oX"
    assert playlist.url == "https://open.spotify.com/playlist/1Cp6VQCKf2VL4sP09jN9oX"
    assert playlist.track_ids[0] == "3ZL9gPzeCnKG9l5SB1SlcZ"
    assert playlist.playable_count == len(playlist.track_ids)
    legacy_only = {k: v for k, v in body.items() if k != "items"}
    assert spotify.playlist_paging(legacy_only) == body["tracks"]


def test_spotify_playlist_items_sample_prefers_item_and_falls_back_to_track() -> None:
    page = sample("spotify/playlist_items.json")
    tracks = spotify.entry_tracks(page)
    assert [t["id"] for t in tracks] == [e["item"]["id"] for e in page["items"]]
    legacy = {"items": [{"track": e["track"]} for e in page["items"]] + [{"item": None, "track": None}]}
    assert [t["id"] for t in spotify.entry_tracks(legacy)] == [t["id"] for t in tracks]


def test_spotify_someone_elses_playlist_has_no_visible_items() -> None:
    body = {k: v for k, v in sample("spotify/current_user_playlists.json")["items"][0].items()}
    assert spotify.playlist_paging(body) is None
    playlist = spotify.parse_playlist(body, None, total=spotify.hidden_total(body))
    assert (playlist.track_count, playlist.playable_count, playlist.owned) == (1, None, False)


def test_spotify_created_playlist_sample() -> None:
    playlist = spotify.parse_playlist(sample("spotify/playlist_create_response.json"), [])
    assert playlist.id == "2dGgoMPWpapXYA6rX7ZbbB"
    assert playlist.extra["snapshot_id"] == sample("spotify/playlist_create_response.json")["snapshot_id"]
    assert (
        spotify.parse_playlist(sample("spotify/playlist_snapshot_response.json") | {"id": "x"}, []).id == "x"
    )


def test_spotify_album_tracks_come_in_disc_and_track_order() -> None:
    album = {"id": "al", "name": "Blade Runner", "release_date": "1994-06-20", "album_type": "album"}
    page = {
        "items": [
            {"id": "b", "name": "Love Theme", "disc_number": 1, "track_number": 3, "artists": []},
            {"id": "c", "name": "Tears", "disc_number": 2, "track_number": 1, "artists": []},
            {"id": "a", "name": "Main Titles", "disc_number": 1, "track_number": 1, "artists": []},
        ]
    }
    tracks = spotify.parse_album_tracks(album, [page])
    assert [t.id for t in tracks] == ["a", "b", "c"]
    assert {t.album for t in tracks} == {"Blade Runner"} and tracks[0].release_year == 1994


@pytest.mark.parametrize(
    ("name", "status", "kind"),
    [
        ("spotify/error_401_token_expired.json", 401, AuthError),
        ("spotify/error_403_forbidden_dev_mode.json", 403, PolicyError),
        ("spotify/error_404_not_found.json", 404, NotFound),
        ("spotify/error_429_rate_limit.json", 429, RateLimited),
    ],
)
def test_spotify_error_samples_map_into_the_tree(name: str, status: int, kind: type[ProviderError]) -> None:
    from spotipy.exceptions import SpotifyException

    message = sample(name)["error"]["message"]
    exc = SpotifyException(
        status, -1, f"https://api.spotify.com/v1/x?q=1:\n {message}", headers={"Retry-After": "4"}
    )
    error = spotify.translate(exc)
    assert isinstance(error, kind)
    assert message in error.message and "https://" not in error.message
    if kind is RateLimited:
        assert isinstance(error, RateLimited) and error.retry_after == 4


def test_spotify_forbidden_for_scope_or_allow_list_is_an_auth_error() -> None:
    assert isinstance(spotify.forbidden("Insufficient client scope"), AuthError)
    assert isinstance(spotify.forbidden("User not registered in the Developer Dashboard"), AuthError)


def test_spotify_invalid_grant_says_to_run_auth() -> None:
    from spotipy.oauth2 import SpotifyOauthError

    error = spotify.translate_oauth(
        SpotifyOauthError("x", error="invalid_grant", error_description="revoked")
    )
    assert isinstance(error, AuthError)
    assert error.message == "refresh token expired or revoked"
    assert error.hint == "run playlist-worker auth spotify"


# --- Deezer ----------------------------------------------------------------------------------------------


def test_deezer_advanced_search_parameters() -> None:
    params = deezer.build_track_search(BLADE_RUNNER, limit=10)
    assert params == {
        "q": 'artist:"Vangelis" track:"Blade Runner Main Titles"',
        "strict": "on",
        "limit": 10,
        "index": 0,
    }
    assert deezer.build_album_search(WorkQuery(title="Blade Runner"), 5, 5)["q"] == 'album:"Blade Runner"'
    album_tracks = deezer.build_album_tracks_search(WorkQuery(title="Blade Runner", artist="Vangelis"), 10)
    assert album_tracks["q"] == 'artist:"Vangelis" album:"Blade Runner"'
    assert deezer.isrc_path("useE19400101") == "track/isrc:USEE19400101"
    assert deezer.songs_param(["1", "2"]) == "1,2"


@pytest.mark.parametrize(
    "name",
    ["deezer/search_track_simple.json", "deezer/search_track_advanced.json", "deezer/search_paginated.json"],
)
def test_deezer_search_samples_have_no_isrc_or_year(name: str) -> None:
    body = sample(name)
    found = deezer.parse_search(body, deezer.parse_track)
    assert len(found) == len(body["data"])
    first = found[0]
    assert first.id == str(body["data"][0]["id"]) and first.uri == f"deezer:track:{first.id}"
    assert first.duration_ms == body["data"][0]["duration"] * 1000
    assert (first.isrc, first.release_year) == (None, None)
    assert deezer.deezer_error(body, quota_window_s=5) is None


def test_deezer_empty_search_and_album_search_samples() -> None:
    assert deezer.parse_search(sample("deezer/search_empty.json"), deezer.parse_track) == []
    album = deezer.parse_search(sample("deezer/search_album.json"), deezer.parse_album)[0]
    assert (album.kind, album.title, album.artists, album.album_type) == (
        "album",
        "Discovery",
        ("Daft Punk",),
        "album",
    )


def test_deezer_full_track_sample_has_isrc_and_year() -> None:
    track = deezer.parse_track(sample("deezer/track_by_id.json"))
    assert (track.isrc, track.release_year, track.track_number) == ("GBDUW0000059", 2001, 4)
    assert track.artists == ("Daft Punk",) and track.album == "Discovery"


def test_deezer_album_sample_lists_tracks_in_order() -> None:
    album = sample("deezer/album_by_id.json")
    tracks = deezer.parse_album_tracks(album, album["tracks"]["data"])
    assert tracks[0].title == "One More Time"
    assert {t.album_id for t in tracks} == {"302127"}
    assert deezer.parse_album(album).release_year == 2001


def test_deezer_playlist_samples() -> None:
    body = sample("deezer/playlist_get.json")
    playlist = deezer.parse_playlist(body, body["tracks"]["data"])
    assert playlist.id == "908622995" and playlist.url == "https://www.deezer.com/playlist/908622995"
    assert playlist.track_count == 60 and playlist.track_ids[0] == "510591562"
    assert playlist.playable_count == sum(1 for t in body["tracks"]["data"] if t["readable"])
    empty = deezer.parse_playlist(sample("deezer/playlist_get_new_empty.json"), [])
    assert (empty.track_count, empty.track_ids, empty.name) == (0, (), "My Awesome Playlist")
    page = sample("deezer/playlist_tracks.json")
    assert deezer.parse_playlist({"id": 9200461, "nb_tracks": page["total"]}, page["data"]).track_count == 102
    assert sample("deezer/playlist_create_response.json") == {"id": 11336219744}


@pytest.mark.parametrize(
    "name",
    [
        "deezer/playlist_add_tracks_response.json",
        "deezer/playlist_remove_tracks_response.json",
        "deezer/playlist_delete_response.json",
    ],
)
def test_deezer_true_answers_are_not_errors(name: str) -> None:
    assert deezer.deezer_error(sample(name), quota_window_s=5) is None


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (sample("deezer/error_4_quota.json"), RateLimited),
        (sample("deezer/error_800_no_data.json"), NotFound),
        (sample("deezer/error_http_404_unknown_path.json"), NotFound),
        (sample("deezer/user_add_playlist_failed.json"), PolicyError),
        (
            {"error": {"type": "OAuthException", "message": "Invalid OAuth access token.", "code": 300}},
            AuthError,
        ),
        ({"error": {"type": "OAuthException", "message": "Permission denied", "code": 200}}, PolicyError),
        (
            {"error": {"type": "Exception", "message": "The service is busy", "code": 700}},
            ProviderUnavailable,
        ),
        ({"error": {"type": "Exception", "message": "An error has occured"}}, ProviderError),
    ],
)
def test_deezer_errors_in_200_bodies_map_into_the_tree(body: object, kind: type[ProviderError]) -> None:
    error = deezer.deezer_error(body, quota_window_s=5)
    assert type(error) is kind
    if isinstance(error, RateLimited):
        assert error.retry_after == 5
    if isinstance(error, AuthError):
        assert "DEEZER_ACCESS_TOKEN" in error.hint


def test_deezer_http_404_body_is_a_string() -> None:
    assert isinstance(deezer.http_error(404, sample("deezer/error_http_404_unknown_path.json")), NotFound)
    assert isinstance(deezer.http_error(502, None), ProviderUnavailable)


def test_deezer_short_link_location() -> None:
    location = "https://www.deezer.com/en/playlist/11336219744?host=0&utm_campaign=clipboard-generic"
    assert deezer.playlist_id_from_location(location) == "11336219744"
    with pytest.raises(NotFound):
        deezer.playlist_id_from_location("https://www.deezer.com/en/album/1")


# --- Apple Music -----------------------------------------------------------------------------------------


def test_apple_search_and_write_bodies() -> None:
    params = apple.build_search_params(BLADE_RUNNER, "songs", 40)
    assert params == {
        "term": 'Vangelis Blade Runner "Main Titles"',
        "types": "songs",
        "limit": 25,
        "offset": 0,
    }
    assert apple.build_create_body("N", "D", True) == {
        "attributes": {"name": "N", "description": "D", "isPublic": True}
    }
    assert apple.build_tracks_body(["1", "i.x"]) == {
        "data": [{"id": "1", "type": "songs"}, {"id": "i.x", "type": "library-songs"}]
    }
    assert apple.public_url("us", "Blade Runner — MelodyMind", "pl.u-abc") == (
        "https://music.apple.com/us/playlist/blade-runner-melodymind/pl.u-abc"
    )


def test_apple_search_songs_sample() -> None:
    results = apple.search_results(sample("applemusic/search_songs.json"), "songs")
    song = apple.parse_song(results["data"][0])
    assert (song.id, song.title, song.artists, song.isrc) == (
        "1674847288",
        "Hollow",
        ("UNLOGIX",),
        "FRX452040925",
    )
    assert (song.release_year, song.duration_ms, song.album, song.playable) == (
        2020,
        283618,
        "Hollow - Single",
        True,
    )


def test_apple_search_albums_sample() -> None:
    results = apple.search_results(sample("applemusic/search_albums_artists_example.json"), "albums")
    album = apple.parse_album(results["data"][0])
    assert (album.kind, album.title, album.release_year, album.album_type) == (
        "album",
        "20 All-Time Greatest Hits!",
        1991,
        "album",
    )
    assert results["next"].startswith("/v1/catalog/us/search")


def test_apple_isrc_sample_may_hold_several_songs() -> None:
    songs = [apple.parse_song(s) for s in sample("applemusic/songs_by_isrc_doc_example.json")["data"]]
    assert songs[0].isrc == "NLH851300057" and songs[0].album_id == "900032785"


def test_apple_catalog_playlist_sample_for_check() -> None:
    resource = apple.first_resource(sample("applemusic/catalog_playlist_get.json"))
    songs = apple.related_tracks(resource)["data"]
    playlist = apple.parse_playlist(resource, songs, "us")
    assert playlist.id == "pl.acc464c750b94302b8806e5fcbe56e17"
    assert playlist.url is not None and playlist.url.endswith("/pl.acc464c750b94302b8806e5fcbe56e17")
    assert playlist.track_count == len(songs) and playlist.playable_count == len(songs)


def test_apple_library_playlist_samples_use_catalog_ids_and_global_id() -> None:
    created = apple.parse_playlist(
        apple.first_resource(sample("applemusic/library_playlist_create_response.json")), [], "us"
    )
    assert created.id == "p.zp6KqKxsoQWAGN" and created.url is None  # no globalId: not public yet
    resource = apple.first_resource(sample("applemusic/library_playlist_get_include_tracks.json"))
    playlist = apple.parse_playlist(resource, apple.related_tracks(resource)["data"], "us")
    assert playlist.track_ids == ("1757803058",)
    published = dict(
        resource, attributes={**resource["attributes"], "playParams": {"id": "p.x", "globalId": "pl.u-9"}}
    )
    assert apple.parse_playlist(published, [], "us").url == "https://music.apple.com/us/playlist/test/pl.u-9"


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (400, sample("applemusic/error_400_invalid_parameter_value.json"), ProviderError),
        (400, sample("applemusic/error_400_invalid_parameter_amp_api.json"), ProviderError),
        (404, {"errors": [{"status": "404", "code": "40400", "title": "Resource Not Found"}]}, NotFound),
        (429, {"errors": [{"status": "429", "title": "Too Many Requests"}]}, RateLimited),
        (401, None, AuthError),
        (500, None, ProviderUnavailable),
    ],
)
def test_apple_errors_map_into_the_tree(status: int, body: object, kind: type[ProviderError]) -> None:
    error = apple.apple_error(status, body, retry_after=None, user_call=False)
    assert type(error) is kind
    if isinstance(error, RateLimited):
        assert error.retry_after is None
    if status == 400:
        assert "Invalid Parameter" in error.message


# --- the account's own playlists ---------------------------------------------------------------------------


def test_spotify_own_playlists_leave_out_followed_ones_and_unescape_descriptions() -> None:
    page = sample("spotify/current_user_playlists.json")
    page["items"][0]["description"] = (
        "Music from the film. [playlist-worker:content&#x2F;film&#x2F;it&#x27;s.md]"
    )
    own = spotify.parse_own_playlists([page, {"items": [], "next": None}], "1112264649")
    assert len(own) == 42  # six of the 48 on the recorded page belong to other users
    assert own[0].description == "Music from the film. [playlist-worker:content/film/it's.md]"
    assert (own[0].name, own[0].track_count, own[0].url) == (
        "To find",
        1,
        "https://open.spotify.com/playlist/1Cp6VQCKf2VL4sP09jN9oX",
    )
    assert all(p.owned and p.track_ids == () and p.playable_count is None for p in own)


def test_deezer_own_playlists_are_the_ones_the_user_created() -> None:
    mine = {**sample("deezer/playlist_get.json"), "creator": {"id": 5550001, "name": "me"}}
    followed = {**mine, "id": 42, "creator": {"id": 7, "name": "someone"}}
    own = deezer.parse_own_playlists([{"data": [mine, followed]}], "5550001")
    assert [(p.id, p.name, p.track_count) for p in own] == [
        (str(mine["id"]), mine["title"], mine["nb_tracks"])
    ]
    assert own[0].url == mine["link"] and own[0].playable_count is None


def test_apple_own_playlists_are_the_editable_library_playlists() -> None:
    mine = sample("applemusic/library_playlist_get_include_tracks.json")["data"][0]
    mine = {
        **mine,
        "attributes": {**mine["attributes"], "description": {"standard": "[playlist-worker:a.md]"}},
    }
    added = {**mine, "id": "p.added", "attributes": {**mine["attributes"], "canEdit": False}}
    own = apple.parse_own_playlists([{"data": [mine, added]}, {"data": []}], "us")
    assert [(p.id, p.name, p.description) for p in own] == [(mine["id"], "test", "[playlist-worker:a.md]")]
    assert own[0].track_ids == () and own[0].playable_count is None
