"""kill -9 the sync at random points: no article is ever torn, and a rerun ends with one playlist each.

Each trial starts a sync in a child process and kills it (SIGKILL, no cleanup) once the sandbox has answered
a random number of requests, so kills land in searches, between a playlist's creation and its link being
written, and during playlist writes. The sandbox and its playlists survive, as a real service would.
"""

from __future__ import annotations

import random
import signal
import subprocess
from pathlib import Path

import pytest

from tests.faults.helpers import (
    LINKABLE,
    UNTOUCHED,
    assert_files_intact,
    assert_old_or_new,
    bodies,
    converge,
    no_limits,
    scratch_content,
    snapshot,
    start_sync,
)
from worker.sandbox import Sandbox, running_sandbox

FULL_RUN_REQUESTS = 70
"""About how many requests one cold sync of the scratch content makes (kill points are drawn below it)."""


def kill_after(sandbox: Sandbox, child: subprocess.Popen[bytes], requests: int) -> bool:
    """SIGKILL `child` once the sandbox has seen `requests` more requests; False if it finished first."""
    target = len(sandbox.requests) + requests
    while len(sandbox.requests) < target:
        try:
            child.wait(timeout=0.002)
        except subprocess.TimeoutExpired:
            continue
        return False
    child.send_signal(signal.SIGKILL)
    child.wait()
    return True


def kill_trial(workdir: Path, seed: int) -> None:
    root = scratch_content(workdir / "content", LINKABLE[:1] + UNTOUCHED)
    state = workdir / "state" / "state.db"
    before, old_bodies = snapshot(root), bodies(root)
    rng = random.Random(seed)
    with running_sandbox(data_path=workdir / "sandbox.json", options=no_limits()) as sandbox:
        for _ in range(rng.randint(1, 2)):
            kill_after(sandbox, start_sync(sandbox, root, state), rng.randint(1, FULL_RUN_REQUESTS))
            assert_old_or_new(root, before, old_bodies)
            assert_files_intact(root, before)
    with running_sandbox(data_path=workdir / "sandbox.json", options=no_limits()) as sandbox:
        converge(sandbox, root, state)
    assert_old_or_new(root, before, old_bodies)


@pytest.mark.parametrize("seed", range(3))
def test_kill_at_random_points_short(tmp_path: Path, seed: int) -> None:
    kill_trial(tmp_path, seed)


@pytest.mark.long
@pytest.mark.parametrize("seed", range(100, 150))
def test_kill_at_random_points_long(tmp_path: Path, seed: int) -> None:
    kill_trial(tmp_path, seed)
