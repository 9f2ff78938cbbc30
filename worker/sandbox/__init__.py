"""The sandbox: one local HTTP server that speaks Spotify's, Deezer's and Apple Music's wire formats.

The real clients (spotipy, httpx) talk to it over loopback; only base URLs differ from production:

    with running_sandbox() as sandbox:
        settings = load_settings(overrides=sandbox.settings_overrides())
        environ = sandbox.credentials   # what the worker reads from its environment

Faults, latency and rate limits are set on `sandbox.options` (a `SandboxOptions`) while it runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from worker.errors import ConfigError
from worker.model import SERVICES
from worker.sandbox.apple import AppleApi
from worker.sandbox.catalog import BUNDLED_CATALOG, load_catalog
from worker.sandbox.core import App, RequestRecord, SandboxOptions, make_server
from worker.sandbox.deezer import DeezerApi, links_mount, short_code
from worker.sandbox.spotify import SpotifyApi
from worker.sandbox.spotify_accounts import SpotifyAccounts
from worker.sandbox.store import PlaylistStore
from worker.sandbox.tokens import SpotifyTokens, credentials
from worker.sandbox.world import World

__all__ = ["RequestRecord", "Sandbox", "SandboxOptions", "running_sandbox"]


class Sandbox:
    """A running sandbox: its URLs, the credentials it accepts, its options, and what it has seen."""

    def __init__(self, app: App, world: World) -> None:
        self._app = app
        self._world = world
        origin = app.origin
        self.urls: dict[str, str] = {
            "spotify_api": f"{origin}/spotify/v1/",
            "spotify_accounts": f"{origin}/spotify-accounts/",
            "deezer_api": f"{origin}/deezer/",
            "deezer_links": f"{origin}/deezer-links/",
            "apple_api": f"{origin}/apple/v1/",
        }
        self.credentials: dict[str, str] = credentials()

    @property
    def options(self) -> SandboxOptions:
        return self._app.options

    @options.setter
    def options(self, value: SandboxOptions) -> None:
        self._app.options = value
        self._world.options = value

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request so far: (service, method, path, status); status 0 = connection dropped."""
        return self._app.records

    def settings_overrides(self) -> dict[str, str]:
        """Dotted settings that point the worker at this sandbox (for `load_settings(overrides=…)`)."""
        return {
            "spotify.api_base": self.urls["spotify_api"],
            "spotify.accounts_base": self.urls["spotify_accounts"],
            "deezer.api_base": self.urls["deezer_api"],
            "deezer.links_base": self.urls["deezer_links"],
            "apple.api_base": self.urls["apple_api"],
        }

    def expire_tokens(self) -> None:
        """Every Spotify access token issued so far now answers 401; refresh tokens keep working."""
        self._world.tokens.expire_all()

    def delete_playlist(self, service: str, playlist_id: str) -> None:
        """Delete a playlist behind the worker's back (as a user could in the app)."""
        _check_service(service)
        if not self._world.store.delete(service, playlist_id):
            raise KeyError(f"no {service} playlist {playlist_id!r} in the sandbox")

    def playlists(self, service: str) -> list[dict[str, Any]]:
        """What the store holds for `service` (see `worker.sandbox.store` for the record's keys)."""
        _check_service(service)
        return self._world.store.all(service)

    def short_link(self, deezer_playlist_id: str) -> str:
        """A link.deezer.com-style short URL for the playlist, served by the `deezer_links` endpoint."""
        return f"{self.urls['deezer_links']}s/{short_code(deezer_playlist_id)}"


def _check_service(service: str) -> None:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")


@contextmanager
def running_sandbox(
    catalog_path: Path | None = None,
    data_path: Path | None = None,
    options: SandboxOptions | None = None,
    port: int = 0,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    host: str = "127.0.0.1",
    public_host: str | None = None,
) -> Iterator[Sandbox]:
    """Serve the sandbox on 127.0.0.1:`port` (0 = any free port) in a background thread until the block ends.

    `catalog_path` None serves the bundled catalog; `data_path` None keeps playlists in memory only.
    `clock` (wall-clock seconds) and `sleep` drive token expiry, rate-limit windows, latency and slow answers.
    `host` is the bind address (e.g. 0.0.0.0 in a container); `public_host` the name clients reach it by,
    used in every URL the sandbox hands out.
    """
    catalog = load_catalog(catalog_path or BUNDLED_CATALOG)
    options = options or SandboxOptions()
    world = World(catalog, PlaylistStore(data_path, clock), SpotifyTokens(), options, clock)
    mounts = [
        SpotifyApi(world).mount(),
        SpotifyAccounts(world).mount(),
        DeezerApi(world).mount(),
        links_mount(),
        *AppleApi(world).mounts(),
    ]
    app = App(mounts, options, clock, sleep)
    try:
        server = make_server(app, port, host, public_host)
    except OSError as exc:
        raise ConfigError(
            f"Cannot serve the sandbox on {host}:{port}: {exc.strerror}.",
            hint="Pick another --port, or 0 for any free port.",
        ) from exc
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="sandbox", daemon=True)
    thread.start()
    try:
        yield Sandbox(app, world)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
