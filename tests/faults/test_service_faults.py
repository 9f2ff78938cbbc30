"""Service faults during a sync: rate-limit storms, 5xx bursts, dropped connections, slow answers, tokens
that expire mid-run. The run finishes (exit 0) or stops with a clear message (exit 2); nothing is lost; a
rerun without faults converges to exit 0 with one playlist per article and service."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.harness import SyncRun
from tests.faults.helpers import (
    LINKABLE,
    UNTOUCHED,
    assert_files_intact,
    bodies,
    converge,
    no_limits,
    scratch_content,
    snapshot,
    sync,
)
from worker.sandbox import Sandbox, SandboxOptions, running_sandbox

FAST_RETRIES = {
    "PLAYLIST_WORKER__RETRY__BACKOFF_BASE_S": "0.01",
    "PLAYLIST_WORKER__RETRY__BACKOFF_MAX_S": "0.05",
}


@dataclass(frozen=True)
class Fault:
    name: str
    options: SandboxOptions
    settings: dict[str, str] = field(default_factory=dict)
    expect_exit: int | None = None
    visible: bool = True
    """The sandbox's records show the fault (a dropped connection or an error status)."""
    during: Callable[[Sandbox, threading.Event], None] | None = None
    """Run in a helper thread while the sync runs (for faults that start mid-run); the event is set when the
    sync has ended."""


def expire_tokens_midway(sandbox: Sandbox, finished: threading.Event) -> None:
    """Expire every Spotify token after the first search (app token) and after the first playlist creation
    (user token), so both kinds meet a 401 mid-run."""
    for path in ("/spotify/v1/search", "/spotify/v1/me/playlists"):
        while not any(r.path == path for r in sandbox.requests):
            if finished.wait(0.002):
                return
        sandbox.expire_tokens()


SHORT = [
    Fault(
        "rate-limit storm (every call 429)",
        no_limits(forced_status={"spotify": 429, "deezer": 429, "apple": 429}, spotify_retry_after_s=1),
        expect_exit=2,
    ),
    Fault("5xx burst", no_limits(error_rate=0.3, seed=1)),
    Fault("dropped connections", no_limits(drop_rate=0.2, seed=2)),
    Fault(
        "slow answers past the timeout",
        no_limits(slow_rate=0.2, slow_ms=400, seed=3),
        {"PLAYLIST_WORKER__RETRY__TIMEOUT_S": "0.2"},
        visible=False,
    ),
    Fault("tokens expire mid-run", no_limits(latency_ms=20), expect_exit=0, during=expire_tokens_midway),
]
LONG = [
    Fault(
        "tight rolling windows",
        SandboxOptions(
            spotify_window_limit=3,
            spotify_retry_after_s=1,
            deezer_quota=2,
            deezer_window_s=1.0,
            apple_limit=2,
            apple_window_s=1.0,
        ),
    ),
    Fault("heavy 5xx", no_limits(error_rate=0.6, seed=4)),
    Fault("every connection dropped", no_limits(drop_rate=1.0), expect_exit=2),
    Fault(
        "short-lived tokens (refreshed before use)", no_limits(token_ttl_s=1), expect_exit=0, visible=False
    ),
    Fault("Spotify down (503)", no_limits(forced_status={"spotify": 503}), expect_exit=2),
    Fault("Apple refuses the developer token", no_limits(forced_status={"apple": 401}), expect_exit=2),
]


def faulted_run(fault: Fault, workdir: Path) -> SyncRun:
    root = scratch_content(workdir / "content", LINKABLE[:1] + UNTOUCHED)
    state = workdir / "state" / "state.db"
    before, old_bodies = snapshot(root), bodies(root)
    with running_sandbox(options=fault.options) as sandbox:
        finished = threading.Event()
        helper = threading.Thread(target=fault.during, args=(sandbox, finished)) if fault.during else None
        if helper:
            helper.start()
        run = sync(sandbox, root, state, settings={**FAST_RETRIES, **fault.settings})
        finished.set()
        if fault.visible:
            assert any(r.status == 0 or r.status >= 400 for r in sandbox.requests), "no fault was injected"
        if helper:
            helper.join()
        assert_outcome_is_clear(run)
        assert_files_intact(root, before)
        converge(sandbox, root, state)
    assert {name: bodies(root)[name] for name in old_bodies} == old_bodies
    return run


def assert_outcome_is_clear(run: SyncRun) -> None:
    """Exit 0, or exit 2 with every failed service saying what went wrong; never a crash."""
    assert run.exit_code in (0, 2), run.stderr
    assert "Traceback" not in run.stderr and "Unexpected error" not in run.stderr, run.stderr
    failed = [
        outcome
        for article in run.report["articles"]
        for outcome in article["services"].values()
        if outcome["playlist"]["action"] == "failed"
    ]
    assert bool(failed) == (run.exit_code == 2)
    assert all(outcome["error"] and ":" in outcome["error"] for outcome in failed), failed


@pytest.mark.parametrize("fault", SHORT, ids=lambda f: f.name)
def test_faults_short(fault: Fault, tmp_path: Path) -> None:
    run = faulted_run(fault, tmp_path)
    assert fault.expect_exit in (None, run.exit_code)


@pytest.mark.long
@pytest.mark.parametrize("fault", LONG, ids=lambda f: f.name)
def test_faults_long(fault: Fault, tmp_path: Path) -> None:
    run = faulted_run(fault, tmp_path)
    assert fault.expect_exit in (None, run.exit_code)
