"""`status`: recent runs, the worker's playlists per service, retired playlists, from the state file."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from tests.ops.sandboxed import Deployment, deployment, run_cli
from worker.runtime import RuntimeRequest, open_runtime
from worker.schedule import SyncJob

__all__ = ["deployment"]


def test_status_shows_the_runs_playlists_and_retired_ones(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_runtime(RuntimeRequest()) as runtime:
        SyncJob(runtime, time.time, threading.Event())()
        runtime.state.retire_playlist(
            "knowledge-es/bossa-nova.md", "apple", "pl.u-old", "append-only: rebuilt", 1.0
        )
        runtime.state.put_negative("apple", "x|nowhere|", "ambiguous", time.time(), runtime.settings.matching)
    assert run_cli(["status", "--format", "json"]) == 0
    snapshot = json.loads(capsys.readouterr().out)
    [run] = snapshot["runs"]
    assert run["kind"] == "schedule" and run["finished_at"] and run["counts"]["articles"] == 2
    assert {item["path"] for item in snapshot["playlists"]["spotify"]} == {
        "knowledge-de/film-music.md",
        "knowledge-es/bossa-nova.md",
    }
    assert snapshot["retired"][0]["playlist_id"] == "pl.u-old"
    assert snapshot["unmatched"]["apple"]["ambiguous"] == 1 and snapshot["unmatched"]["apple"]["due"] == 0
    assert run_cli(["status"]) == 0
    text = capsys.readouterr().out
    assert "Recent runs" in text and "spotify playlists (2)" in text and "pl.u-old" in text
    assert "apple: 0 not found, 1 ambiguous; 0 due for a new search now" in text


def test_status_without_a_state_file_says_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["status", "--state", str(tmp_path / "none.db")]) == 0
    assert "run `playlist-worker sync` first" in capsys.readouterr().out
    assert not (tmp_path / "none.db").exists()
