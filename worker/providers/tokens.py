"""Credentials that live longer than one request: the Spotify token file and the Apple developer token.

- Spotify: `playlist-worker auth spotify` stores `{refresh_token, obtained_at, scope}` in a 0600 JSON file in
  the state folder. Spotify refresh tokens die 6 months after consent (refreshing does not extend them), so
  `refresh_token_warning` says when to run the consent again.
- Apple: the developer token is an ES256 JWT we sign ourselves from the team id, key id and .p8 key. It is
  renewed a day before it expires. A Music-User-Token is tied to the developer token it was minted with,
  so a warning is logged `apple.token_warn_days` before the current one ends.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import jwt

from worker.config import Settings
from worker.errors import ConfigError
from worker.providers.http import Clock

log = logging.getLogger(__name__)

SPOTIFY_SCOPES = "playlist-modify-public playlist-modify-private playlist-read-private"
SPOTIFY_REFRESH_LIFETIME = timedelta(days=182)
"""Spotify refresh tokens expire 6 months after the consent (2026 policy); 182 days errs on the early side."""
APPLE_MAX_TOKEN_S = 15_777_000
"""Apple rejects developer tokens that live this long or longer."""
APPLE_RENEW_BEFORE_S = 86_400.0
REAUTH_COMMAND = "playlist-worker auth spotify"


@dataclass(frozen=True)
class StoredToken:
    """What the Spotify token file holds."""

    refresh_token: str
    obtained_at: datetime
    scope: str


def spotify_token_path(settings: Settings) -> Path:
    """`<state folder>/<spotify.token_file>`, where the state folder holds `state.path`."""
    return settings.state.path.parent / settings.spotify.token_file


def write_token_file(path: Path, token: StoredToken) -> None:
    """Write the token file atomically, readable by the owner only (0600) from its first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "refresh_token": token.refresh_token,
        "obtained_at": token.obtained_at.isoformat(),
        "scope": token.scope,
    }
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(body, handle, indent=2)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def read_token_file(path: Path) -> StoredToken | None:
    """The stored token, or None when the file does not exist. A damaged file is a `ConfigError`."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return StoredToken(
            refresh_token=str(body["refresh_token"]),
            obtained_at=datetime.fromisoformat(body["obtained_at"]),
            scope=str(body.get("scope", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"The Spotify token file {path} cannot be read ({type(exc).__name__}).",
            hint=f"Delete it and run `{REAUTH_COMMAND}` again.",
        ) from exc


def refresh_token_warning(obtained_at: datetime, now: datetime, warn_days: int) -> str | None:
    """A warning when the refresh token is within `warn_days` of its 6-month end (or past it), else None."""
    expires = obtained_at + SPOTIFY_REFRESH_LIFETIME
    if now < expires - timedelta(days=warn_days):
        return None
    if now >= expires:
        return f"The Spotify refresh token expired on {expires:%Y-%m-%d}; run `{REAUTH_COMMAND}` now."
    days = (expires - now).days
    return (
        f"The Spotify refresh token expires on {expires:%Y-%m-%d} (in {days} days); "
        f"run `{REAUTH_COMMAND}` before then."
    )


def apple_token_lifetime_s(lifetime_days: int) -> int:
    """The `exp - iat` we sign: the configured days, always safely under Apple's limit."""
    return min(lifetime_days * 86_400, APPLE_MAX_TOKEN_S - 86_400)


def sign_apple_token(team_id: str, key_id: str, private_key: str, issued_at: int, lifetime_s: int) -> str:
    """An ES256 developer token: header alg/kid, claims iss/iat/exp. Bad keys raise `ConfigError`."""
    claims = {"iss": team_id, "iat": issued_at, "exp": issued_at + lifetime_s}
    try:
        return jwt.encode(claims, private_key, algorithm="ES256", headers={"kid": key_id})
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise ConfigError(
            "APPLE_PRIVATE_KEY is not a usable ES256 private key.",
            hint="Set APPLE_PRIVATE_KEY (or APPLE_PRIVATE_KEY_FILE) to the .p8 key from App Store Connect.",
        ) from exc


class AppleDeveloperToken:
    """Signs the developer token on first use and again a day before it expires.

    `wall_clock` returns Unix seconds (JWT times are wall-clock times, unlike the retry policy's clock).
    """

    def __init__(
        self,
        team_id: str,
        key_id: str,
        private_key: str,
        *,
        lifetime_days: int,
        warn_days: int,
        wall_clock: Clock,
    ) -> None:
        self._team_id = team_id
        self._key_id = key_id
        self._private_key = private_key
        self._lifetime_s = apple_token_lifetime_s(lifetime_days)
        self._warn_s = warn_days * 86_400
        self._wall_clock = wall_clock
        self._token = ""
        self._expires_at = 0.0
        self._warned_for = 0.0

    def value(self) -> str:
        """The current token, signed anew when none exists or it ends within a day."""
        now = self._wall_clock()
        if self._expires_at - now <= APPLE_RENEW_BEFORE_S:
            issued = int(now)
            self._token = sign_apple_token(
                self._team_id, self._key_id, self._private_key, issued, self._lifetime_s
            )
            self._expires_at = float(issued + self._lifetime_s)
        self._warn_if_ending(now)
        return self._token

    def _warn_if_ending(self, now: float) -> None:
        left = self._expires_at - now
        if left > self._warn_s or self._warned_for == self._expires_at:
            return
        self._warned_for = self._expires_at
        log.warning(
            "The Apple developer token ends in %.0f days; it is renewed automatically, but a "
            "Music-User-Token minted with it stops working then: mint a new APPLE_MUSIC_USER_TOKEN.",
            left / 86_400,
        )
