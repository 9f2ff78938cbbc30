"""Token file (0600, round trip, damage), refresh-token age warnings, Apple developer-token signing."""

from __future__ import annotations

import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from tests.providers.keys import es256_key_pair
from worker.config import Settings
from worker.errors import ConfigError
from worker.providers.tokens import (
    APPLE_MAX_TOKEN_S,
    AppleDeveloperToken,
    StoredToken,
    apple_token_lifetime_s,
    read_token_file,
    refresh_token_warning,
    sign_apple_token,
    spotify_token_path,
    write_token_file,
)

CONSENT = datetime(2026, 1, 1, tzinfo=UTC)


def test_token_file_lives_in_the_state_folder() -> None:
    settings = Settings.model_validate(
        {"state": {"path": "/srv/pw/state.db"}, "spotify": {"token_file": "t.json"}}
    )
    assert spotify_token_path(settings) == Path("/srv/pw/t.json")


def test_token_file_is_owner_only_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "state" / "spotify-token.json"
    token = StoredToken(refresh_token="rt-1", obtained_at=CONSENT, scope="playlist-modify-public")
    write_token_file(path, token)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_token_file(path) == token
    path.chmod(0o644)
    write_token_file(path, token)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_missing_token_file_is_none_and_a_damaged_one_says_what_to_do(tmp_path: Path) -> None:
    assert read_token_file(tmp_path / "absent.json") is None
    damaged = tmp_path / "t.json"
    damaged.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read") as raised:
        read_token_file(damaged)
    assert "playlist-worker auth spotify" in raised.value.hint


@pytest.mark.parametrize(
    ("age_days", "expected"),
    [(10, None), (160, None), (161, "expires on 2026-07-02"), (181, "(in 1 days)"), (182, "expired on")],
)
def test_refresh_token_warning_starts_warn_days_before_six_months(
    age_days: int, expected: str | None
) -> None:
    warning = refresh_token_warning(CONSENT, CONSENT + timedelta(days=age_days), warn_days=21)
    if expected is None:
        assert warning is None
    else:
        assert warning is not None and expected in warning and "playlist-worker auth spotify" in warning


def test_apple_token_has_the_documented_header_and_claims() -> None:
    private, public = es256_key_pair()
    token = sign_apple_token("TEAM123456", "KEY1234567", private, issued_at=1_800_000_000, lifetime_s=3600)
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "KEY1234567", "typ": "JWT"}
    claims = jwt.decode(
        token, public, algorithms=["ES256"], options={"verify_exp": False, "verify_iat": False}
    )
    assert claims == {"iss": "TEAM123456", "iat": 1_800_000_000, "exp": 1_800_003_600}


def test_apple_token_lifetime_stays_under_apples_limit() -> None:
    assert apple_token_lifetime_s(150) == 150 * 86_400
    assert apple_token_lifetime_s(180) < APPLE_MAX_TOKEN_S


def test_a_bad_apple_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="APPLE_PRIVATE_KEY"):
        sign_apple_token("T", "K", "not a key", issued_at=0, lifetime_s=60)


def test_apple_token_is_reused_renewed_before_expiry_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    private, _ = es256_key_pair()
    now = [1_800_000_000.0]
    token = AppleDeveloperToken("T", "K", private, lifetime_days=30, warn_days=7, wall_clock=lambda: now[0])
    first = token.value()
    now[0] += 20 * 86_400
    assert token.value() == first and not caplog.records
    now[0] += 4 * 86_400  # 6 days left: inside the 7-day warning
    with caplog.at_level(logging.WARNING):
        assert token.value() == first
        assert token.value() == first
    assert len(caplog.records) == 1 and "APPLE_MUSIC_USER_TOKEN" in caplog.text
    now[0] += 5.5 * 86_400  # under a day left: renewed
    renewed = token.value()
    assert renewed != first
    assert jwt.decode(renewed, options={"verify_signature": False})["iat"] == int(now[0])
