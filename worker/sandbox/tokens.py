"""Sandbox credentials and tokens.

The demo credentials are fixed, so a `sandbox serve` in one shell and the worker in another (or two sandbox
runs on one data file) agree without sharing anything. They only open this loopback sandbox; they are not
secrets. Spotify tokens are signed, self-describing strings, so no token table is needed across runs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIGNING_KEY = hashlib.sha256(b"playlist-worker sandbox token signing").digest()
SPOTIFY_CLIENT_ID = "5a4db0c5e1f04d6f9a3c2b1e0d9f8a7b"
SPOTIFY_CLIENT_SECRET = "sandbox0secret0c8e7d6f5a4b3c2d1e"
SPOTIFY_USER_SCOPE = "playlist-modify-public playlist-modify-private playlist-read-private"
DEEZER_ACCESS_TOKEN = "frSandboxDeezerAccessToken0123456789abcdefghijklmnopq"
APPLE_TEAM_ID = "SANDBOXTM1"
APPLE_KEY_ID = "SANDBOXK01"
APPLE_MUSIC_USER_TOKEN = "AsandboxMusicUserToken+0123456789abcdefghijklmnopqrstuvwxyz/ABCDEFG="
APPLE_MAX_TOKEN_AGE_S = 15_777_000


def sign(payload: dict[str, Any]) -> str:
    """An opaque-looking token carrying `payload`, signed with the sandbox key."""
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=")
    mac = base64.urlsafe_b64encode(hmac.new(SIGNING_KEY, body, hashlib.sha256).digest()).rstrip(b"=")
    return f"BQ{body.decode()}.{mac.decode()}"


def unsign(token: str) -> dict[str, Any] | None:
    """The payload of a token made by `sign`, or None when it was not."""
    body, _, mac = token.removeprefix("BQ").partition(".")
    expected = base64.urlsafe_b64encode(hmac.new(SIGNING_KEY, body.encode(), hashlib.sha256).digest())
    if not token.startswith("BQ") or not hmac.compare_digest(mac.encode(), expected.rstrip(b"=")):
        return None
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return payload


SPOTIFY_REFRESH_TOKEN = sign({"kind": "refresh", "scope": SPOTIFY_USER_SCOPE})


@cache
def apple_private_key() -> ec.EllipticCurvePrivateKey:
    """The EC P-256 key the sandbox trusts, derived from a fixed seed (so it is the same in every process)."""
    seed = int.from_bytes(hashlib.sha256(b"playlist-worker sandbox apple key").digest(), "big")
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(seed % (order - 1) + 1, ec.SECP256R1())


def apple_private_key_pem() -> str:
    return (
        apple_private_key()
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )


def credentials() -> dict[str, str]:
    """Environment-style values the sandbox accepts (what the worker reads from its environment)."""
    return {
        "SPOTIFY_CLIENT_ID": SPOTIFY_CLIENT_ID,
        "SPOTIFY_CLIENT_SECRET": SPOTIFY_CLIENT_SECRET,
        "SPOTIFY_REFRESH_TOKEN": SPOTIFY_REFRESH_TOKEN,
        "DEEZER_ACCESS_TOKEN": DEEZER_ACCESS_TOKEN,
        "APPLE_TEAM_ID": APPLE_TEAM_ID,
        "APPLE_KEY_ID": APPLE_KEY_ID,
        "APPLE_PRIVATE_KEY": apple_private_key_pem(),
        "APPLE_MUSIC_USER_TOKEN": APPLE_MUSIC_USER_TOKEN,
    }


@dataclass(frozen=True)
class Grant:
    """What a valid Spotify access token allows: `user` tokens act for the sandbox user."""

    user: bool
    scope: str


class SpotifyTokens:
    """Issues and checks Spotify access tokens; `expire_all` makes every token issued so far answer 401."""

    def __init__(self) -> None:
        self._generation = 0
        self._serial = 0
        self._lock = threading.Lock()

    def issue(self, user: bool, scope: str, now: float, ttl_s: int) -> str:
        with self._lock:
            self._serial += 1
            payload = {"user": user, "scope": scope, "gen": self._generation, "exp": now + ttl_s}
            return sign({**payload, "n": self._serial})

    def check(self, token: str, now: float) -> Grant | None:
        payload = unsign(token)
        if payload is None or "gen" not in payload:
            return None
        if payload["gen"] < self._generation or payload["exp"] <= now:
            return None
        return Grant(bool(payload["user"]), str(payload["scope"]))

    def expire_all(self) -> None:
        with self._lock:
            self._generation += 1


def apple_token_problem(token: str, now: float) -> str | None:
    """Why an Apple developer token is refused, or None when it is good (ES256, kid, iss, exp, age)."""
    public_key = apple_private_key().public_key()
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(
            token,
            public_key,
            algorithms=["ES256"],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},  # sandbox clock below
        )
    except jwt.PyJWTError as exc:
        return f"invalid developer token: {exc}"
    if header.get("kid") != APPLE_KEY_ID or claims.get("iss") != APPLE_TEAM_ID:
        return "unknown key id or team id"
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        return "exp and iat are required"
    if exp <= now:
        return "developer token expired"
    if iat > now + 300:
        return "developer token issued in the future"
    if exp - iat > APPLE_MAX_TOKEN_AGE_S:
        return "developer token lifetime exceeds 15777000 seconds"
    return None
