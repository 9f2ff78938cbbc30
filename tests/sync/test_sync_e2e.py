"""The main job end to end: real clients, the sandbox over loopback, a scratch copy of content/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sync.harness import Workspace, accuracy, chosen_decoys, searches
from worker.providers.deezer import DeezerPlaylists
from worker.report import RunReport, exit_code
from worker.sandbox import running_sandbox
from worker.state import State


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, RunReport, dict[str, bytes]]:
    workspace = Workspace.create(tmp_path_factory.mktemp("sync"))
    before = workspace.snapshot()
    return workspace, workspace.sync(), before


def test_first_sync_succeeds_and_builds_playlists(
    synced: tuple[Workspace, RunReport, dict[str, bytes]],
) -> None:
    _, report, _ = synced
    assert exit_code(report) == 0, [
        (a.path, a.error, {s: o.error for s, o in a.services.items()}) for a in report.articles
    ]
    created = [o for a in report.articles for o in a.services.values() if o.action == "create"]
    assert len(created) >= 9


@pytest.mark.parametrize("service", ["spotify", "deezer", "apple"])
def test_gold_works_get_the_right_recording(
    synced: tuple[Workspace, RunReport, dict[str, bytes]], service: str
) -> None:
    score = accuracy(synced[1])[service]
    print(f"{service}: {score.right}/{score.total} = {score.ratio:.1%}")
    assert score.ratio >= 0.95, "\n".join(score.wrong)


def test_no_cover_karaoke_or_tribute_is_ever_chosen(
    synced: tuple[Workspace, RunReport, dict[str, bytes]],
) -> None:
    assert chosen_decoys(synced[1]) == []


def test_frontmatter_writes_change_only_the_values(
    synced: tuple[Workspace, RunReport, dict[str, bytes]],
) -> None:
    workspace, _, before = synced
    after = workspace.snapshot()
    changed = [path for path in before if before[path] != after[path]]
    assert changed, "the sync wrote no link at all"
    allowed = ("  spotifyPlaylist: ", "  deezerPlaylist: ", "  appleMusicPlaylist: ", "isPlayable: ")
    for path in changed:
        old, new = before[path].splitlines(keepends=True), after[path].splitlines(keepends=True)
        assert len(old) == len(new), path
        differing = [(o, n) for o, n in zip(old, new, strict=True) if o != n]
        assert all(
            n.decode().startswith(allowed) and o.split(b":")[0] == n.split(b":")[0] for o, n in differing
        )


def test_second_sync_makes_no_search_and_writes_nothing(
    synced: tuple[Workspace, RunReport, dict[str, bytes]],
) -> None:
    workspace, _, _ = synced
    before = workspace.snapshot()
    second = workspace.sync()
    assert searches(second) == 0
    assert workspace.snapshot() == before
    assert exit_code(second) == 0


def test_changing_one_article_re_resolves_only_that_article(
    synced: tuple[Workspace, RunReport, dict[str, bytes]],
) -> None:
    workspace, _, _ = synced
    article = workspace.content / "knowledge-en" / "acid-jazz.md"
    article.write_bytes(
        article.read_bytes() + b"\nLater, **Jamiroquai** released _Travelling Without Moving_ (1996).\n"
    )
    report = workspace.sync()
    processed = [a.path for a in report.articles if a.skipped != "unchanged"]
    assert processed == ["knowledge-en/acid-jazz.md"]


def test_a_crash_right_after_create_leaves_exactly_one_playlist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies between creating a playlist and adding its tracks; the rerun adopts that playlist."""
    workspace = Workspace.create(tmp_path)
    seed = workspace.content / "knowledge-en" / "soundtrack.md"

    def killed(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt("killed right after the playlist was created")

    with monkeypatch.context() as patched:
        patched.setattr(DeezerPlaylists, "add_tracks", killed)
        with pytest.raises(KeyboardInterrupt):
            workspace.sync([seed])
    assert b"https://www.deezer.com/playlist/" in seed.read_bytes(), (
        "the link must be saved before tracks are added"
    )
    report = workspace.sync([seed])
    assert exit_code(report) == 0
    with running_sandbox(data_path=workspace.root / "state" / "sandbox-data.json") as sandbox:
        mine = [p for p in sandbox.playlists("deezer") if "MelodyMind" in str(p)]
    assert len(mine) == 1
    assert report.articles[0].services["deezer"].action == "update"


def test_a_crash_before_the_id_is_saved_is_healed_by_the_playlists_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the service created the playlist but before the worker stored its id anywhere."""
    workspace = Workspace.create(tmp_path)
    seed = workspace.content / "knowledge-en" / "soundtrack.md"
    original = seed.read_bytes()
    save = State.put_playlist

    def killed_before_saving(self: State, *args: object, **kwargs: object) -> None:
        if args[-1] == "creating":
            raise KeyboardInterrupt("killed before the new playlist's id was saved")
        save(self, *args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr(State, "put_playlist", killed_before_saving)
        with pytest.raises(KeyboardInterrupt):
            workspace.sync([seed])
    assert seed.read_bytes() == original
    report = workspace.sync([seed])
    assert exit_code(report) == 0
    with running_sandbox(data_path=workspace.root / "state" / "sandbox-data.json") as sandbox:
        for service in ("spotify", "deezer", "apple"):
            mine = [p for p in sandbox.playlists(service) if "MelodyMind" in str(p)]
            assert len(mine) == 1, service
    assert any("interrupted run" in note for o in report.articles[0].services.values() for note in o.notes)


def test_api_calls_list_every_kind_for_every_service(
    synced: tuple[Workspace, RunReport, dict[str, bytes]],
) -> None:
    calls = synced[1].api_calls
    assert set(calls) == {"spotify", "deezer", "apple"}
    assert all(
        set(kinds) == {"search", "lookup", "playlist_read", "playlist_write", "auth"}
        for kinds in calls.values()
    )
