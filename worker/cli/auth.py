"""`playlist-worker auth spotify`: the one-time consent that lets the worker write Spotify playlists.

The command serves `http://127.0.0.1:{spotify.redirect_port}/callback` for a moment, shows (and opens) the
authorize URL, exchanges the returned code for tokens and stores `{refresh_token, obtained_at, scope}` in a
0600 file in the state folder. Spotify refresh tokens expire 6 months after consent: run it again before then
(sync warns `spotify.refresh_warn_days` ahead).
"""

from __future__ import annotations

import logging
import os
import queue
import secrets as random_tokens
import threading
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click
from pydantic import SecretStr
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyOauthError

from worker.cli import AppContext
from worker.config import Secrets, Settings
from worker.errors import AuthError, ConfigError, UserError
from worker.providers import missing_credentials
from worker.providers.spotify import redirect_uri, translate_oauth, user_auth_manager
from worker.providers.tokens import (
    SPOTIFY_REFRESH_LIFETIME,
    StoredToken,
    read_token_file,
    refresh_token_warning,
    spotify_token_path,
    write_token_file,
)

log = logging.getLogger(__name__)
CALLBACK_PAGE = b"<html><body><p>playlist-worker: consent received. You can close this tab.</p></body></html>"


@click.group()
def auth() -> None:
    """Connect streaming accounts so the worker may write playlists.

    \b
    Example:
        playlist-worker auth spotify
    """


@auth.command("spotify")
@click.option("--no-browser", is_flag=True, help="Only print the authorize URL; do not open a browser.")
@click.option("--timeout", "timeout_s", default=300.0, show_default=True, help="Seconds to wait for consent.")
@click.pass_obj
def spotify_command(app: AppContext, no_browser: bool, timeout_s: float) -> None:
    """Give the worker lasting access to your Spotify playlists (run again every 6 months).

    Opens Spotify's consent page; after you agree, Spotify redirects to
    http://127.0.0.1:PORT/callback (PORT = spotify.redirect_port, register this exact
    redirect URI in the Spotify Developer Dashboard). The refresh token is stored,
    readable only by you, in the state folder as spotify.token_file. Needs
    SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET in the environment.

    \b
    Example:
        SPOTIFY_CLIENT_ID=… SPOTIFY_CLIENT_SECRET=… playlist-worker auth spotify --no-browser
    """
    settings = app.settings()
    secrets = Secrets.from_env(os.environ)
    missing = missing_credentials(settings, secrets, "spotify")
    if missing:
        raise ConfigError(
            "Spotify consent needs the app's credentials:",
            [f"{name} is not set" for name in missing],
            "Copy them from the Spotify Developer Dashboard into the environment and run again.",
        )
    path = spotify_token_path(settings)
    _warn_about_existing(path, settings)
    open_url: Callable[[str], object] = (lambda url: None) if no_browser else webbrowser.open
    stored = run_consent(
        settings,
        _secret(secrets.spotify_client_id),
        _secret(secrets.spotify_client_secret),
        open_url=open_url,
        show=lambda text: click.echo(text, err=True),
        timeout_s=timeout_s,
    )
    write_token_file(path, stored)
    expires = stored.obtained_at + SPOTIFY_REFRESH_LIFETIME
    click.echo(f"Saved the Spotify refresh token to {path} (owner-only).")
    click.echo(f"It expires around {expires:%Y-%m-%d}; run `playlist-worker auth spotify` again before then.")


def run_consent(
    settings: Settings,
    client_id: str,
    client_secret: str,
    *,
    open_url: Callable[[str], object],
    show: Callable[[str], None],
    timeout_s: float,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> StoredToken:
    """Serve the loopback callback, send the user to consent, exchange the code; the token to store."""
    cache = MemoryCacheHandler()
    manager = user_auth_manager(settings, client_id, client_secret, cache)
    state = random_tokens.token_urlsafe(16)
    with loopback_callback(settings.spotify.redirect_port) as callbacks:
        url = manager.get_authorize_url(state=state)
        show(f"Open this URL, sign in to Spotify and agree:\n  {url}\nWaiting for {redirect_uri(settings)} …")
        open_url(url)
        code = _await_code(callbacks, state, timeout_s)
    try:
        manager.get_access_token(code, as_dict=False, check_cache=False)
    except SpotifyOauthError as exc:
        error = translate_oauth(exc)
        raise UserError(
            f"Spotify refused the consent code ({error.message}).", hint="Run the command again."
        ) from exc
    token = cache.get_cached_token() or {}
    if not token.get("refresh_token"):
        raise AuthError("spotify", "the token answer held no refresh token", hint="Run the command again.")
    return StoredToken(
        refresh_token=token["refresh_token"], obtained_at=now(), scope=str(token.get("scope", ""))
    )


@contextmanager
def loopback_callback(port: int) -> Iterator[queue.Queue[dict[str, str]]]:
    """Serve `/callback` on 127.0.0.1:`port` in a thread; each hit's query arrives on the queue."""
    received: queue.Queue[dict[str, str]] = queue.Queue()
    try:
        server = HTTPServer(("127.0.0.1", port), _callback_handler(received))
    except OSError as exc:
        raise ConfigError(
            f"Cannot listen on 127.0.0.1:{port} for the Spotify callback ({exc.strerror}).",
            hint="Free the port, or change spotify.redirect_port (and the redirect URI in the Dashboard).",
        ) from exc
    thread = threading.Thread(target=server.serve_forever, name="spotify-callback", daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _callback_handler(received: queue.Queue[dict[str, str]]) -> type[BaseHTTPRequestHandler]:
    class CallbackHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/callback":
                self.send_error(404)
                return
            received.put({key: values[0] for key, values in parse_qs(url.query).items()})
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(CALLBACK_PAGE)))
            self.end_headers()
            self.wfile.write(CALLBACK_PAGE)

        def log_message(self, format: str, *args: object) -> None:  # the query holds the code: never log it
            return

    return CallbackHandler


def _await_code(callbacks: queue.Queue[dict[str, str]], state: str, timeout_s: float) -> str:
    try:
        answer = callbacks.get(timeout=timeout_s)
    except queue.Empty:
        raise UserError(
            f"No answer from Spotify within {timeout_s:.0f} s.",
            hint="Run the command again and finish the consent in the browser.",
        ) from None
    if answer.get("error"):
        raise UserError(
            f"Spotify consent was not given ({answer['error']}).", hint="Run again and choose Agree."
        )
    if answer.get("state") != state or not answer.get("code"):
        raise UserError("The callback did not match this consent request.", hint="Run the command again.")
    return answer["code"]


def _warn_about_existing(path: Path, settings: Settings) -> None:
    stored = read_token_file(path)
    if stored is None:
        return
    warning = refresh_token_warning(stored.obtained_at, datetime.now(UTC), settings.spotify.refresh_warn_days)
    if warning:
        log.warning("%s", warning)
        click.echo(f"Warning: {warning}", err=True)


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""
