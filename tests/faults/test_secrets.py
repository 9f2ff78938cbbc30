"""Secrets never leak: not in logs (caplog, a child's stderr at -vv), reports (text, JSON), exception
messages; the Spotify token file from `auth spotify` is created 0600."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import IO

import httpx
import pytest
from rich.console import Console

from bench.harness import worker_environ
from tests.conftest import REPO
from tests.faults.helpers import LINKABLE, no_limits, scratch_content, sync
from worker.report import render_text, to_json
from worker.runtime import RuntimeRequest, open_runtime
from worker.sandbox import Sandbox, running_sandbox
from worker.sync import SyncEffects, SyncOptions, run_sync

SECRET_NAMES = (
    "SPOTIFY_CLIENT_SECRET",
    "SPOTIFY_REFRESH_TOKEN",
    "DEEZER_ACCESS_TOKEN",
    "APPLE_PRIVATE_KEY",
    "APPLE_MUSIC_USER_TOKEN",
)


def secret_values(sandbox: Sandbox) -> list[str]:
    """Each secret, and for the private key each line of its base64 body (a partial leak counts too)."""
    values = [sandbox.credentials[name] for name in SECRET_NAMES]
    key_lines = [
        line for line in sandbox.credentials["APPLE_PRIVATE_KEY"].splitlines() if "-----" not in line
    ]
    return values + key_lines


def assert_no_secret(text: str, secrets: list[str]) -> None:
    leaked = [name for name in secrets if name in text]
    assert not leaked, f"{len(leaked)} secret value(s) leaked"


def test_child_logs_and_reports_hold_no_secret(tmp_path: Path) -> None:
    root = scratch_content(tmp_path / "content", LINKABLE[:1])
    with running_sandbox(options=no_limits(forced_status={"apple": 401})) as sandbox:
        secrets = secret_values(sandbox)
        as_json = sync(sandbox, root, tmp_path / "state.db", ["--full"])
        environ = worker_environ(sandbox, root, {})
        command = [
            sys.executable,
            "-m",
            "worker",
            "-vv",
            "sync",
            "--full",
            "--state",
            str(tmp_path / "state.db"),
        ]
        as_text = subprocess.run(command, env=environ, cwd=REPO, capture_output=True, text=True, check=False)
    assert as_json.exit_code == 2, "the forced 401 should fail Apple"
    assert "DEBUG" in as_text.stderr, "debug logging was not on: nothing was tested"
    for text in (json.dumps(as_json.report), as_json.stderr, as_text.stdout, as_text.stderr):
        assert_no_secret(text, secrets)


def test_in_process_logs_reports_and_errors_hold_no_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = scratch_content(tmp_path / "content", LINKABLE[:1])
    caplog.set_level(logging.DEBUG)
    with running_sandbox(options=no_limits(forced_status={"deezer": 401, "apple": 403})) as sandbox:
        secrets = secret_values(sandbox)
        request = RuntimeRequest(
            state_path=tmp_path / "state.db", content_root=root, flag_overrides=sandbox.settings_overrides()
        )
        with open_runtime(request, environ=sandbox.credentials) as runtime:
            effects = SyncEffects(runtime.providers, runtime.state, lambda: 0.0)
            report = run_sync(runtime.settings, runtime.overrides, SyncOptions(), effects)
    text = io.StringIO()
    render_text(report, Console(file=text, width=200))
    errors = [o.error or "" for a in report.articles for o in a.services.values()]
    assert any(errors), "no service failed: the error messages were not tested"
    for output in (caplog.text, text.getvalue(), json.dumps(to_json(report)), *errors):
        assert_no_secret(output, secrets)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_auth_spotify_writes_a_0600_token_file_and_prints_no_secret(tmp_path: Path) -> None:
    state = tmp_path / "state" / "state.db"
    with running_sandbox() as sandbox:
        environ = {
            **worker_environ(sandbox, tmp_path, {"PATH": os.environ.get("PATH", "")}),
            "PLAYLIST_WORKER__STATE__PATH": str(state),
            "PLAYLIST_WORKER__SPOTIFY__REDIRECT_PORT": str(free_port()),
        }
        del environ["SPOTIFY_REFRESH_TOKEN"]
        command = [sys.executable, "-m", "worker", "auth", "spotify", "--no-browser", "--timeout", "20"]
        child = subprocess.Popen(
            command, env=environ, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert child.stderr is not None
        url = consent_url(child.stderr)
        httpx.get(url, follow_redirects=True, timeout=10)
        stdout, stderr = child.communicate(timeout=30)
        secrets = secret_values(sandbox)
    assert child.returncode == 0, stderr
    token_file = state.parent / "spotify-token.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    refresh_token = json.loads(token_file.read_text())["refresh_token"]
    assert_no_secret(stdout + stderr, [*secrets, refresh_token])


def consent_url(stderr: IO[str]) -> str:
    """The authorize URL `auth spotify` prints (read line by line while it waits for the callback)."""
    for line in stderr:
        found = re.search(r"https?://\S+authorize\S*", line)
        if found:
            return found.group(0)
    raise AssertionError("auth spotify printed no consent URL")
