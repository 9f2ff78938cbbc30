"""Runs `playlist-worker sync` in a child process against a sandbox served by this process.

The sandbox lives in the parent, so the child's wall time, exit code and peak memory (from `os.wait4`, the
per-child form of `getrusage(RUSAGE_CHILDREN)`) belong to the worker alone. The child is the real CLI,
pointed at the sandbox through `PLAYLIST_WORKER__…` environment settings and the sandbox's credentials.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bounds import RateLimit
from worker.config import ENV_PREFIX, SECRET_ENV_VARS
from worker.sandbox import Sandbox, SandboxOptions

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class SyncRun:
    """One finished child run: exit code, wall seconds, peak RSS in MB, its JSON report and stderr."""

    exit_code: int
    wall_s: float
    peak_rss_mb: float
    report: dict[str, Any]
    stderr: str


def worker_environ(sandbox: Sandbox, content_root: Path, base: Mapping[str, str]) -> dict[str, str]:
    """`base` minus worker settings and secrets, plus the sandbox's URLs, credentials and content root."""
    environ = {k: v for k, v in base.items() if not k.startswith(ENV_PREFIX) and k not in SECRET_ENV_VARS}
    for dotted, value in sandbox.settings_overrides().items():
        environ[ENV_PREFIX + dotted.replace(".", "__").upper()] = value
    environ[ENV_PREFIX + "CONTENT__ROOT"] = str(content_root)
    environ.update(sandbox.credentials)
    return environ


def sync_command(state_path: Path, extra: Sequence[str] = ()) -> list[str]:
    return [sys.executable, "-m", "worker", "sync", "--format", "json", "--state", str(state_path), *extra]


def run_sync_child(command: Sequence[str], environ: Mapping[str, str], cwd: Path = REPO) -> SyncRun:
    """Run the sync to its end; the JSON report is parsed (empty when the child printed none)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(list(command), stdout=out, stderr=err, env=dict(environ), cwd=cwd)
        _pid, status, usage = os.wait4(child.pid, 0)
        wall_s = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8"), err.read().decode("utf-8", "replace")
    report = json.loads(stdout) if stdout.strip() else {}
    return SyncRun(child.returncode, wall_s, usage.ru_maxrss / 1024, report, stderr)


def production_limits(latency_ms: float) -> SandboxOptions:
    """The sandbox's production-like limits (Spotify 180 per rolling 30 s, Deezer 50 per 5 s, Apple 300 per
    60 s answered with 429s) plus a fixed latency on every request."""
    return SandboxOptions(latency_ms=latency_ms)


def rate_limits(options: SandboxOptions) -> dict[str, RateLimit]:
    """The limits `options` enforce, per service, for the lower bound."""
    assert options.spotify_window_limit and options.deezer_quota and options.apple_limit
    return {
        "spotify": RateLimit(options.spotify_window_limit, 30.0),
        "deezer": RateLimit(options.deezer_quota, options.deezer_window_s),
        "apple": RateLimit(options.apple_limit, options.apple_window_s),
    }
