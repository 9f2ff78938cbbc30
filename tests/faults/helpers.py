"""Fault-campaign helpers: scratch content, the real `sync` CLI in a child process, the sandbox's playlists.

The sandbox runs in the test process and outlives the worker, as real services outlive a crashed job; the
worker is `python -m worker sync`, pointed at the sandbox through its environment (`bench.harness`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.harness import SyncRun, run_sync_child, sync_command, worker_environ
from tests.conftest import CONTENT, REPO
from worker.articles.frontmatter import read_article
from worker.config import load_settings
from worker.model import SERVICES
from worker.sandbox import Sandbox, SandboxOptions
from worker.sync import playlist_texts

LINKABLE = ("knowledge-es/bossa-nova.md", "knowledge-de/film-music.md")
"""Articles with link keys: the worker creates their playlists and writes their links."""
UNTOUCHED = ("artists/bjork.md", "knowledge-jp/placeholder.md")
"""Articles without link keys: a sync must leave them byte-identical."""
TAG = re.compile(r"\[playlist-worker:([^\]]+)\]")


def no_limits(**faults: object) -> SandboxOptions:
    """Sandbox options without rate limits (so runs are quick), plus the given fault knobs."""
    options = SandboxOptions(spotify_window_limit=None, deezer_quota=None, apple_limit=None)
    for name, value in faults.items():
        setattr(options, name, value)
    return options


def scratch_content(dest: Path, names: Iterable[str] = LINKABLE + UNTOUCHED) -> Path:
    for name in names:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CONTENT / name, dest / name)
    return dest


def snapshot(root: Path) -> dict[str, bytes]:
    """Bytes of every article file (a temporary file a killed write leaves behind is not an article)."""
    files = sorted(p for p in root.rglob("*.md*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


def bodies(root: Path) -> dict[str, str]:
    return {name: read_article(root / name, root).body for name in snapshot(root)}


def assert_old_or_new(root: Path, before: Mapping[str, bytes], old_bodies: Mapping[str, str]) -> None:
    """Every article is either its old bytes or a whole new version: it parses and its body is unchanged."""
    after = snapshot(root)
    assert sorted(after) == sorted(before), "an article appeared or vanished"
    for name, raw in after.items():
        if raw != before[name]:
            assert read_article(root / name, root).body == old_bodies[name], f"{name}: the body changed"


def sync(
    sandbox: Sandbox,
    root: Path,
    state: Path,
    extra: Sequence[str] = (),
    settings: Mapping[str, str] | None = None,
) -> SyncRun:
    """One whole `sync --format json` run of `root` against `sandbox`; `settings` are extra environment
    settings (`PLAYLIST_WORKER__…`)."""
    environ = {**worker_environ(sandbox, root, {}), **(settings or {})}
    return run_sync_child(sync_command(state, extra), environ, cwd=REPO)


def start_sync(sandbox: Sandbox, root: Path, state: Path) -> subprocess.Popen[bytes]:
    """A `sync` run in the background (output discarded), for tests that kill it."""
    return subprocess.Popen(
        sync_command(state),
        env=worker_environ(sandbox, root, {}),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def article_playlists(sandbox: Sandbox, root: Path) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The stored playlists of each article, per (service, article path).

    A playlist belongs to the article its description tag `[playlist-worker:<path>]` names; Deezer playlists
    have no description (its create takes a title only), so there the article's playlist name decides.
    """
    settings = load_settings(overrides={"content.root": str(root)})
    names = {playlist_texts(read_article(root / name, root), settings)[0]: name for name in snapshot(root)}
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for service in SERVICES:
        for playlist in sandbox.playlists(service):
            tag = TAG.search(playlist.get("description") or "")
            owner = tag.group(1) if tag else names.get(playlist["name"])
            if owner:
                found.setdefault((service, owner), []).append(playlist)
    return found


def assert_files_intact(
    root: Path, before: Mapping[str, bytes], untouched: Iterable[str] = UNTOUCHED
) -> None:
    """Every article still parses, none appeared or vanished, and articles without link keys are unchanged."""
    after = snapshot(root)
    assert sorted(after) == sorted(before), "an article appeared or vanished"
    for name in after:
        read_article(root / name, root)
    for name in untouched:
        assert after[name] == before[name], f"{name} changed"


def assert_one_playlist_each(sandbox: Sandbox, root: Path, run: SyncRun) -> None:
    """Each article the run reports a playlist for has exactly that one playlist per service in the sandbox.

    A kill after the service created a playlist but before the worker recorded its id leaves a playlist the
    rerun must find again by its tag (or name) and reuse: any extra playlist fails the test.
    """
    reported = {
        (service, article["path"]): outcome["playlist"]["id"]
        for article in run.report["articles"]
        for service, outcome in article["services"].items()
        if outcome["playlist"]["id"]
    }
    assert reported, "the run made no playlist at all: nothing was tested"
    stored = article_playlists(sandbox, root)
    assert set(stored) == set(reported), f"report {sorted(reported)} != sandbox {sorted(stored)}"
    extra = [p for key, playlists in stored.items() for p in playlists if str(p["id"]) != reported[key]]
    assert not extra, f"duplicate playlists: {extra}"


def converge(sandbox: Sandbox, root: Path, state: Path) -> SyncRun:
    """Rerun without faults: must exit 0 with exactly one playlist per article and service."""
    sandbox.options = no_limits()
    run = sync(sandbox, root, state, ["--full"])
    assert run.exit_code == 0, run.stderr
    assert_one_playlist_each(sandbox, root, run)
    return run
