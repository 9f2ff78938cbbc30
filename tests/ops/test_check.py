"""`check` without the sandbox: collecting links and lines, judging forms and answers, caching, formats."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from rich.console import Console

from tests.ops.factories import (
    APPLE_ID,
    DEEZER_ID,
    LINK_FORMS,
    SPOTIFY_ID,
    ScriptedProvider,
    playlist,
    settings_for,
    write_article,
)
from worker.check import (
    CheckEffects,
    CheckOptions,
    CheckReport,
    CheckResult,
    check_offline,
    run_check,
    short_link_url,
)
from worker.check_report import STRING_FORMATS, render_github, render_junit, render_text, to_json
from worker.errors import AuthError, NotFound, ProviderUnavailable, RateLimited
from worker.model import Playlist
from worker.state import MEMORY, State

SHORT = LINK_FORMS["deezer short link"][1]


def _options(tmp_path: Path, *services: str) -> CheckOptions:
    return CheckOptions(services=services or ("spotify", "deezer", "apple"), base=tmp_path)


def _providers() -> dict[str, ScriptedProvider]:
    return {
        "spotify": ScriptedProvider("spotify", {SPOTIFY_ID: playlist("spotify", SPOTIFY_ID, 5, 5)}),
        "deezer": ScriptedProvider(
            "deezer", {DEEZER_ID: playlist("deezer", DEEZER_ID, 3)}, short_links={SHORT: DEEZER_ID}
        ),
        "apple": ScriptedProvider("apple", {APPLE_ID: playlist("apple", APPLE_ID, 4, 4)}),
    }


def _check(
    tmp_path: Path, providers: dict[str, ScriptedProvider], state: State, now: float = 1000.0
) -> CheckReport:
    effects = CheckEffects(providers, state, lambda: now)  # type: ignore[arg-type]
    return run_check(settings_for(tmp_path / "content"), _options(tmp_path), effects)


@pytest.fixture
def state() -> State:
    return State.open(MEMORY)


@pytest.mark.parametrize("form", sorted(LINK_FORMS))
def test_every_hand_entered_form_is_understood_offline_and_online(
    tmp_path: Path, form: str, state: State
) -> None:
    service, text = LINK_FORMS[form]
    write_article(tmp_path / "content", "a.md", {service: text}, playable=True)
    offline = check_offline(settings_for(tmp_path / "content"), _options(tmp_path))
    online = _check(tmp_path, _providers(), state)
    for report in (offline, online):
        assert [(r.service, r.status) for r in report.results] == [(service, "ok"), (None, "ok")], (
            report.results
        )
        assert report.exit_code == 0


def test_links_carry_the_article_path_and_the_file_line_of_their_key(tmp_path: Path) -> None:
    write_article(
        tmp_path / "content", "knowledge/a.md", {"deezer": "https://www.deezer.com/playlist/1"}, True
    )
    report = check_offline(settings_for(tmp_path / "content"), _options(tmp_path))
    assert [(r.path, r.line, r.link) for r in report.results] == [
        ("content/knowledge/a.md", 5, "https://www.deezer.com/playlist/1"),
        ("content/knowledge/a.md", 7, "isPlayable: true"),
    ]
    lines = (tmp_path / "content/knowledge/a.md").read_text().splitlines()
    assert lines[4].strip().startswith("deezerPlaylist:") and lines[6].startswith("isPlayable:")


def test_a_link_under_another_services_key_is_broken_and_says_where_it_belongs(tmp_path: Path) -> None:
    write_article(tmp_path / "content", "a.md", {"spotify": f"https://www.deezer.com/playlist/{DEEZER_ID}"})
    [result] = check_offline(settings_for(tmp_path / "content"), _options(tmp_path)).results
    assert (result.status, result.line) == ("broken", 4)
    assert "a deezer link under category.spotifyPlaylist; move it to category.deezerPlaylist" in result.reason


def test_text_that_is_no_playlist_link_is_broken_with_an_example(tmp_path: Path) -> None:
    write_article(tmp_path / "content", "a.md", {"apple": "https://music.apple.com/us/album/x/123"})
    [result] = check_offline(settings_for(tmp_path / "content"), _options(tmp_path)).results
    assert result.status == "broken" and "expected https://music.apple.com/us/playlist/" in result.reason


def test_offline_is_playable_true_needs_a_link_but_false_is_always_possible(tmp_path: Path) -> None:
    write_article(tmp_path / "content", "a.md", {}, playable=True)
    write_article(tmp_path / "content", "b.md", {"deezer": DEEZER_ID}, playable=False)
    report = check_offline(settings_for(tmp_path / "content"), _options(tmp_path))
    assert [(r.path, r.service, r.status) for r in report.results] == [
        ("content/a.md", None, "broken"),
        ("content/b.md", "deezer", "ok"),
        ("content/b.md", None, "ok"),
    ]
    assert report.exit_code == 2


def test_empty_values_are_no_link_and_an_unreadable_article_is_reported(tmp_path: Path) -> None:
    write_article(tmp_path / "content", "a.md", {})
    (tmp_path / "content/b.md").write_text("no frontmatter here\n")
    [result] = check_offline(settings_for(tmp_path / "content"), _options(tmp_path)).results
    assert (result.path, result.status) == ("content/b.md", "broken")
    assert "has no frontmatter" in result.reason


def test_a_deleted_playlist_is_broken_and_is_playable_true_then_disagrees(
    tmp_path: Path, state: State
) -> None:
    write_article(tmp_path / "content", "a.md", {"spotify": SPOTIFY_ID}, playable=True)
    providers = _providers()
    providers["spotify"].answers[SPOTIFY_ID] = NotFound("spotify", "Resource not found")
    report = _check(tmp_path, providers, state)
    assert [(r.line, r.status) for r in report.results] == [(4, "broken"), (7, "broken")]
    assert "playlist not found" in report.results[0].reason
    assert "isPlayable is true but no linked playlist plays" in report.results[1].reason
    assert report.exit_code == 2


@pytest.mark.parametrize(
    ("tracks", "playable", "status"), [(0, 0, "broken"), (3, 0, "broken"), (3, 2, "ok"), (3, None, "ok")]
)
def test_a_playlist_needs_min_tracks_that_still_play(
    tmp_path: Path, state: State, tracks: int, playable: int | None, status: str
) -> None:
    write_article(tmp_path / "content", "a.md", {"spotify": SPOTIFY_ID})
    providers = _providers()
    providers["spotify"].answers[SPOTIFY_ID] = playlist("spotify", SPOTIFY_ID, tracks, playable)
    [result] = _check(tmp_path, providers, state).results
    assert result.status == status, result.reason


def test_a_playlist_whose_items_are_hidden_is_judged_by_existence(tmp_path: Path, state: State) -> None:
    write_article(tmp_path / "content", "a.md", {"spotify": SPOTIFY_ID})
    providers = _providers()
    hidden = Playlist("spotify", SPOTIFY_ID, "Someone's", "", None, track_count=0, owned=False)
    providers["spotify"].answers[SPOTIFY_ID] = hidden
    [result] = _check(tmp_path, providers, state).results
    assert result.status == "ok" and "not counted" in result.reason


@pytest.mark.parametrize(
    "error",
    [
        RateLimited("apple", "Too many requests", retry_after=None),
        ProviderUnavailable("apple", "HTTP 503"),
        AuthError("apple", "HTTP 401", hint="renew the developer token"),
    ],
)
def test_a_service_that_cannot_answer_is_inconclusive_never_broken(
    tmp_path: Path, state: State, error: Exception
) -> None:
    write_article(tmp_path / "content", "a.md", {"apple": APPLE_ID}, playable=True)
    providers = _providers()
    providers["apple"].answers[APPLE_ID] = error  # type: ignore[assignment]
    report = _check(tmp_path, providers, state)
    assert [r.status for r in report.results] == ["inconclusive", "inconclusive"]
    assert report.exit_code == 4


def test_a_service_without_credentials_is_skipped(tmp_path: Path, state: State) -> None:
    write_article(tmp_path / "content", "a.md", {"apple": APPLE_ID, "deezer": DEEZER_ID}, playable=True)
    providers = _providers()
    del providers["apple"]
    effects = CheckEffects(providers, state, lambda: 0.0, skipped={"apple": ["APPLE_TEAM_ID"]})  # type: ignore[arg-type]
    report = run_check(settings_for(tmp_path / "content"), _options(tmp_path), effects)
    assert [(r.service, r.status) for r in report.results] == [
        ("deezer", "ok"),
        ("apple", "skipped"),
        (None, "ok"),
    ]
    assert "missing APPLE_TEAM_ID" in report.results[1].reason
    assert report.exit_code == 0


def test_each_playlist_is_read_once_and_good_results_are_cached_for_the_ttl(
    tmp_path: Path, state: State
) -> None:
    for name in ("a.md", "b.md"):
        write_article(tmp_path / "content", name, {"spotify": SPOTIFY_ID, "deezer": SHORT})
    providers = _providers()
    first = _check(tmp_path, providers, state, now=1000.0)
    assert providers["spotify"].calls["playlist_read"] == 1 and not any(r.cached for r in first.results)
    second = _check(tmp_path, providers, state, now=1000.0 + 86399)
    assert providers["spotify"].calls["playlist_read"] == 1 and all(r.cached for r in second.results)
    _check(tmp_path, providers, state, now=1000.0 + 86400)
    assert providers["spotify"].calls["playlist_read"] == 2


def test_broken_and_inconclusive_results_are_never_cached(tmp_path: Path, state: State) -> None:
    write_article(tmp_path / "content", "a.md", {"spotify": SPOTIFY_ID, "apple": APPLE_ID})
    providers = _providers()
    providers["spotify"].answers[SPOTIFY_ID] = NotFound("spotify", "gone")
    providers["apple"].answers[APPLE_ID] = ProviderUnavailable("apple", "HTTP 503")
    _check(tmp_path, providers, state)
    _check(tmp_path, providers, state)
    assert providers["spotify"].calls["playlist_read"] == 2 and providers["apple"].calls["playlist_read"] == 2


# --- formats ---------------------------------------------------------------------------------------------

_REPORT = CheckReport(
    (
        CheckResult("content/a.md", 4, "spotify", SPOTIFY_ID, "ok", "5 tracks"),
        CheckResult("content/a.md", 5, "deezer", DEEZER_ID, "broken", "playlist not found: deleted, a, b"),
        CheckResult("content/b.md", 6, "apple", APPLE_ID, "inconclusive", "RateLimited: 100% busy"),
        CheckResult("content/c.md", None, None, "", "skipped", "no credentials"),
    ),
    {"spotify": {"playlist_read": 1}},
)


def test_json_has_the_documented_shape() -> None:
    document = json.loads(STRING_FORMATS["json"](_REPORT))
    assert set(document["links"][0]) >= {"path", "line", "service", "link", "status", "reason"}
    assert document["counts"] == {"ok": 1, "broken": 1, "inconclusive": 1, "skipped": 1, "total": 4}
    assert document == to_json(_REPORT)


def test_github_annotations_point_at_the_file_and_line() -> None:
    lines = render_github(_REPORT).splitlines()
    assert lines[0] == (
        "::error file=content/a.md,title=deezer playlist link broken,line=5::"
        f"{DEEZER_ID}: playlist not found: deleted, a, b"
    )
    assert lines[1].startswith("::warning file=content/b.md,") and lines[1].endswith(
        "RateLimited: 100%25 busy"
    )
    assert len(lines) == 3 and "1 broken" in lines[2]


def test_junit_has_one_testcase_per_row_with_the_outcome() -> None:
    suite = ElementTree.fromstring(render_junit(_REPORT)).find("testsuite")
    assert suite is not None and suite.get("tests") == "4" and suite.get("failures") == "1"
    cases = suite.findall("testcase")
    assert [[child.tag for child in case] for case in cases] == [[], ["failure"], ["error"], ["skipped"]]
    assert cases[1].get("classname") == "content/a.md" and cases[1].get("line") == "5"


def test_markdown_lists_what_needs_attention_with_escaped_cells() -> None:
    text = STRING_FORMATS["markdown"](_REPORT)
    assert text.startswith("## Playlist links")
    assert "| ❌ | content/a.md:5 | deezer |" in text and SPOTIFY_ID not in text


def test_text_shows_the_rows_that_need_attention_and_the_counts() -> None:
    console = Console(record=True, width=200)
    render_text(_REPORT, console)
    output = console.export_text()
    assert "content/a.md:5" in output and SPOTIFY_ID not in output
    assert "4 checked: 1 ok, 1 broken, 1 inconclusive, 1 skipped" in output


def test_short_links_are_followed_on_the_configured_links_host() -> None:
    assert short_link_url(SHORT, "http://127.0.0.1:9/deezer-links/") == (
        "http://127.0.0.1:9/deezer-links/s/30ZkbQnGR1cZ8gWwW8mJl"
    )
    assert short_link_url(SHORT, "https://link.deezer.com/") == SHORT
