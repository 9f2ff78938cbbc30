"""`playlist-worker auth spotify` end to end: the sandbox's authorize endpoint redirects straight back."""

from __future__ import annotations

import json
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from worker.cli import cli
from worker.config import load_settings
from worker.errors import ConfigError, UserError
from worker.sandbox import Sandbox, running_sandbox


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def follow_in_browser(url: str) -> None:
    """What a browser does after the user agrees: follow the redirects back to the loopback callback."""
    httpx.get(url, follow_redirects=True, timeout=10).raise_for_status()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield running


def test_auth_spotify_stores_a_working_refresh_token_owner_only(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("worker.cli.auth.webbrowser.open", follow_in_browser)
    env = {
        "SPOTIFY_CLIENT_ID": sandbox.credentials["SPOTIFY_CLIENT_ID"],
        "SPOTIFY_CLIENT_SECRET": sandbox.credentials["SPOTIFY_CLIENT_SECRET"],
        "PLAYLIST_WORKER__SPOTIFY__ACCOUNTS_BASE": sandbox.urls["spotify_accounts"],
        "PLAYLIST_WORKER__SPOTIFY__REDIRECT_PORT": str(free_port()),
        "PLAYLIST_WORKER__STATE__PATH": str(tmp_path / "state" / "state.db"),
    }
    result = CliRunner().invoke(cli, ["auth", "spotify", "--timeout", "10"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    token_file = tmp_path / "state" / "spotify-token.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    stored = json.loads(token_file.read_text(encoding="utf-8"))
    assert set(stored) == {"refresh_token", "obtained_at", "scope"}
    assert "playlist-modify-public" in stored["scope"]
    assert stored["refresh_token"] not in result.output
    assert "run `playlist-worker auth spotify` again before then" in result.output
    refreshed = httpx.post(
        sandbox.urls["spotify_accounts"] + "api/token",
        data={"grant_type": "refresh_token", "refresh_token": stored["refresh_token"]},
        auth=(env["SPOTIFY_CLIENT_ID"], env["SPOTIFY_CLIENT_SECRET"]),
    )
    assert refreshed.status_code == 200


def test_auth_spotify_without_client_credentials_is_a_config_error(tmp_path: Path) -> None:
    env = {"PLAYLIST_WORKER__STATE__PATH": str(tmp_path / "state.db")}
    result = CliRunner().invoke(cli, ["auth", "spotify"], env=env)
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError)
    assert "SPOTIFY_CLIENT_ID is not set" in result.exception.render()


def test_consent_times_out_with_advice(sandbox: Sandbox) -> None:
    from worker.cli.auth import run_consent

    overrides = {**sandbox.settings_overrides(), "spotify.redirect_port": free_port()}
    settings = load_settings(environ={}, overrides=overrides)
    with pytest.raises(UserError, match="No answer from Spotify") as raised:
        run_consent(
            settings, "id", "secret", open_url=lambda _url: None, show=lambda _text: None, timeout_s=0.01
        )
    assert "Run the command again" in raised.value.hint


def test_auth_help_has_an_example() -> None:
    for args in (["auth", "--help"], ["auth", "spotify", "--help"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0 and "Example:" in result.output
