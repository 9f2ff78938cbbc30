"""Provider registry: builds the enabled streaming-service adapters from settings and secrets.

Adapters are imported lazily (spotipy loads only when Spotify is enabled). All of them share one
`RetryPolicy` (so one service's cooldown never blocks another's) and one `httpx.Client`. Playlists are
present only where write credentials exist: Spotify needs a refresh token (`SPOTIFY_REFRESH_TOKEN` or the
file from `playlist-worker auth spotify`), Deezer `DEEZER_ACCESS_TOKEN`, Apple `APPLE_MUSIC_USER_TOKEN`.
"""

from __future__ import annotations

import base64
import logging
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import httpx

from worker.config import Secrets, Settings
from worker.errors import ConfigError
from worker.providers.base import CatalogProvider
from worker.providers.http import Clock, RetryPolicy, Rng, Sleep, install_log_redaction, new_http_client

log = logging.getLogger(__name__)

READ_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "spotify": ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"),
    "deezer": (),
    "apple": ("APPLE_TEAM_ID", "APPLE_KEY_ID", "APPLE_PRIVATE_KEY"),
}
"""Environment variables each service needs for search and `check` (Deezer's catalogue is open)."""
ALTERNATIVES = {"APPLE_PRIVATE_KEY": " (or APPLE_PRIVATE_KEY_FILE, the path of the .p8 key)"}


def missing_credentials(settings: Settings, secrets: Secrets, service: str) -> list[str]:
    """The environment variables `service` needs for reading that are not set (empty when it can run)."""
    return [name for name in READ_CREDENTIALS[service] if _secret(secrets, name) is None]


def build_providers(
    settings: Settings,
    secrets: Secrets,
    *,
    services: Sequence[str] | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    http: httpx.Client | None = None,
    wall_clock: Clock = time.time,
    rng: Rng = random.random,
) -> dict[str, CatalogProvider]:
    """The adapters for `services` (default: `services.enabled`), keyed by service name.

    Raises `ConfigError` naming every missing read credential; callers that want to skip a service
    instead ask `missing_credentials` first.
    """
    wanted = list(services if services is not None else settings.services.enabled)
    _require_credentials(settings, secrets, wanted)
    install_log_redaction(_log_secrets(secrets))
    policy = RetryPolicy(settings.retry, clock=clock, sleep=sleep, rng=rng)
    client = http or new_http_client(settings.retry.timeout_s)
    builders: dict[str, Callable[[], CatalogProvider]] = {
        "spotify": lambda: _spotify(settings, secrets, policy, wall_clock),
        "deezer": lambda: _deezer(settings, secrets, policy, client, clock, sleep),
        "apple": lambda: _apple(settings, secrets, policy, client, wall_clock),
    }
    return {service: builders[service]() for service in wanted}


def _require_credentials(settings: Settings, secrets: Secrets, services: Sequence[str]) -> None:
    unknown = [s for s in services if s not in READ_CREDENTIALS]
    problems = [f"{s}: unknown service (known: {', '.join(READ_CREDENTIALS)})" for s in unknown]
    for service in services:
        if service in READ_CREDENTIALS:
            missing = missing_credentials(settings, secrets, service)
            problems += [f"{service}: {name} is not set{ALTERNATIVES.get(name, '')}" for name in missing]
    if problems:
        raise ConfigError(
            "Some services cannot be used:",
            problems,
            "Set the missing variables in the environment (see README, Environment variables), "
            "or remove the service from services.enabled.",
        )


def _spotify(settings: Settings, secrets: Secrets, policy: RetryPolicy, wall_clock: Clock) -> CatalogProvider:
    from worker.providers import spotify

    return spotify.connect(
        settings,
        client_id=_required(secrets, "SPOTIFY_CLIENT_ID"),
        client_secret=_required(secrets, "SPOTIFY_CLIENT_SECRET"),
        refresh_token=_spotify_refresh_token(settings, secrets, wall_clock),
        policy=policy,
    )


def _spotify_refresh_token(settings: Settings, secrets: Secrets, wall_clock: Clock) -> str | None:
    """`SPOTIFY_REFRESH_TOKEN`, else the token file (warning when it nears its 6-month end), else None."""
    from worker.providers import tokens

    from_env = _secret(secrets, "SPOTIFY_REFRESH_TOKEN")
    if from_env:
        return from_env
    stored = tokens.read_token_file(tokens.spotify_token_path(settings))
    if stored is None:
        return None
    now = datetime.fromtimestamp(wall_clock(), tz=UTC)
    warning = tokens.refresh_token_warning(stored.obtained_at, now, settings.spotify.refresh_warn_days)
    if warning:
        log.warning("%s", warning)
    return stored.refresh_token


def _deezer(
    settings: Settings,
    secrets: Secrets,
    policy: RetryPolicy,
    client: httpx.Client,
    clock: Clock,
    sleep: Sleep,
) -> CatalogProvider:
    from worker.providers import deezer
    from worker.providers.http import SlidingWindowPacer

    pacer = SlidingWindowPacer(
        settings.deezer.max_requests, settings.deezer.window_s, clock=clock, sleep=sleep
    )
    session = deezer.DeezerSession(
        client,
        api_base=settings.deezer.api_base,
        timeout_s=settings.retry.timeout_s,
        policy=policy,
        pacer=pacer,
    )
    return deezer.DeezerProvider(session, access_token=_secret(secrets, "DEEZER_ACCESS_TOKEN"))


def _apple(
    settings: Settings, secrets: Secrets, policy: RetryPolicy, client: httpx.Client, wall_clock: Clock
) -> CatalogProvider:
    from worker.providers import apple, tokens

    developer_token = tokens.AppleDeveloperToken(
        _required(secrets, "APPLE_TEAM_ID"),
        _required(secrets, "APPLE_KEY_ID"),
        _required(secrets, "APPLE_PRIVATE_KEY"),
        lifetime_days=settings.apple.token_lifetime_days,
        warn_days=settings.apple.token_warn_days,
        wall_clock=wall_clock,
    )
    developer_token.value()  # sign now: a bad key is a ConfigError at start-up, not mid-run
    session = apple.AppleSession(
        client,
        api_base=settings.apple.api_base,
        storefront=settings.apple.storefront,
        timeout_s=settings.retry.timeout_s,
        policy=policy,
        developer_token=developer_token.value,
    )
    return apple.AppleProvider(session, user_token=_secret(secrets, "APPLE_MUSIC_USER_TOKEN"))


def _secret(secrets: Secrets, env_name: str) -> str | None:
    value = getattr(secrets, env_name.lower())
    return value.get_secret_value() if value is not None else None


def _required(secrets: Secrets, env_name: str) -> str:
    value = _secret(secrets, env_name)
    if value is None:
        raise ConfigError(f"{env_name} is not set.", hint=f"Set {env_name} in the environment.")
    return value


def _log_secrets(secrets: Secrets) -> list[str]:
    """Every secret value, plus the Basic-auth form of the Spotify client credentials."""
    values = secrets.values()
    client_id, client_secret = (
        _secret(secrets, "SPOTIFY_CLIENT_ID"),
        _secret(secrets, "SPOTIFY_CLIENT_SECRET"),
    )
    if client_id and client_secret:
        values.append(base64.b64encode(f"{client_id}:{client_secret}".encode()).decode())
    return values
