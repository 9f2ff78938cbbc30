"""Frontmatter planning: which key holds each link, what changes, and what is left alone (and why)."""

from __future__ import annotations

from typing import Any

from worker.config import LinkKey, LinkSettings
from worker.plan import FrontmatterPlan, link_key, plan_frontmatter

LINKS = LinkSettings()
SPOTIFY = "https://open.spotify.com/playlist/1lIwMwXDqqxQp6C6uo3F31"
OTHER_SPOTIFY = "https://open.spotify.com/playlist/6dWrzgn8cZBbx2B4TLC1ot"
DEEZER = "https://www.deezer.com/playlist/908622995"
SHORT = "https://link.deezer.com/s/30xpboyJgl5xCXxctcfLz"


def seed(**category: Any) -> dict[str, Any]:
    links = {"spotifyPlaylist": "", "deezerPlaylist": "", "appleMusicPlaylist": ""}
    return {"title": "Soundtrack", "category": {**links, **category}, "isPlayable": False}


def plan(data: dict[str, Any], new: dict[str, str], playable: bool = True, **kwargs: Any) -> FrontmatterPlan:
    kwargs.setdefault("owned_links", {})
    return plan_frontmatter(data, LINKS, new, playable, **kwargs)


def test_empty_links_are_filled_and_playable_set() -> None:
    result = plan(seed(), {"spotify": SPOTIFY, "deezer": DEEZER})
    assert result.changes == {
        "category.spotifyPlaylist": SPOTIFY,
        "category.deezerPlaylist": DEEZER,
        "isPlayable": True,
    }
    assert result.notes == ()


def test_equal_values_change_nothing() -> None:
    data = seed(spotifyPlaylist=SPOTIFY)
    data["isPlayable"] = True
    assert plan(data, {"spotify": SPOTIFY}, owned_links={"spotify": SPOTIFY}) == FrontmatterPlan({}, ())


def test_same_playlist_in_another_form_is_left_as_written() -> None:
    data = seed(
        spotifyPlaylist=f"{SPOTIFY}?si=abc", deezerPlaylist="https://www.deezer.com/de/playlist/908622995"
    )
    assert plan(data, {"spotify": SPOTIFY, "deezer": DEEZER}, playable=False).changes == {}


def test_second_key_is_used_when_category_is_not_a_mapping() -> None:
    data = {"category": "music-through-decades", "playlists": {"spotifyPlaylist": ""}}
    assert link_key(data, LINKS, "spotify") == "playlists.spotifyPlaylist"
    result = plan(data, {"spotify": SPOTIFY, "deezer": DEEZER})
    assert result.changes == {"playlists.spotifyPlaylist": SPOTIFY}
    assert result.notes == ("no link key for deezer: set links.deezer.create to add one",)


def test_create_key_is_used_when_no_key_is_present() -> None:
    links = LinkSettings(spotify=LinkKey(keys=["category.spotifyPlaylist"], create="playlists.spotify"))
    result = plan_frontmatter({"title": "x"}, links, {"spotify": SPOTIFY}, True, owned_links={})
    assert result.changes == {"playlists.spotify": SPOTIFY}


def test_create_key_under_a_scalar_parent_is_refused_with_a_note() -> None:
    links = LinkSettings(spotify=LinkKey(keys=["x.spotify"], create="category.spotifyPlaylist"))
    data = {"category": "music-through-decades"}
    assert link_key(data, links, "spotify") is None
    result = plan_frontmatter(data, links, {"spotify": SPOTIFY}, True, owned_links={})
    assert result.changes == {}
    assert "category.spotifyPlaylist" in result.notes[0]


def test_foreign_link_is_left_alone_with_a_note() -> None:
    result = plan(seed(spotifyPlaylist=OTHER_SPOTIFY), {"spotify": SPOTIFY}, playable=False)
    assert result.changes == {}
    assert result.notes[0].startswith("category.spotifyPlaylist: left alone")


def test_foreign_link_is_overwritten_when_forced() -> None:
    result = plan(seed(spotifyPlaylist=OTHER_SPOTIFY), {"spotify": SPOTIFY}, playable=False, force=True)
    assert result.changes == {"category.spotifyPlaylist": SPOTIFY}
    assert "replaced" in result.notes[0]


def test_adopted_short_link_stays_without_a_note() -> None:
    result = plan(seed(deezerPlaylist=SHORT), {"deezer": DEEZER}, playable=False, adopt=True)
    assert result == FrontmatterPlan({}, ())


def test_owned_link_is_replaced_by_the_new_playlist() -> None:
    old_apple = "https://music.apple.com/us/playlist/soundtrack/pl.u-old1"
    new_apple = "https://music.apple.com/us/playlist/soundtrack/pl.u-new2"
    data = seed(appleMusicPlaylist=old_apple)
    result = plan(data, {"apple": new_apple}, playable=False, owned_links={"apple": "pl.u-old1"})
    assert result.changes == {"category.appleMusicPlaylist": new_apple}


def test_playable_key_is_only_added_when_configured() -> None:
    data = {"category": {"spotifyPlaylist": SPOTIFY}}
    assert plan(data, {"spotify": SPOTIFY}).changes == {}
    links = LinkSettings(create_playable=True)
    result = plan_frontmatter(data, links, {"spotify": SPOTIFY}, True, owned_links={})
    assert result.changes == {"isPlayable": True}


def test_playable_string_is_replaced_by_a_boolean() -> None:
    data = {"isPlayable": "false"}
    assert plan(data, {}, playable=False).changes == {"isPlayable": False}
