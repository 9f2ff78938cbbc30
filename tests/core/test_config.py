from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from worker.config import Secrets, Settings, load_settings
from worker.errors import ConfigError


def test_config_file_lists_exactly_the_defaults() -> None:
    assert load_settings(REPO / "config/worker.yaml", environ={}) == Settings()


def test_every_setting_in_the_file_has_a_comment() -> None:
    lines = (REPO / "config/worker.yaml").read_text(encoding="utf-8").splitlines()
    leaves = [line for line in lines if ":" in line and not line.lstrip().startswith("#")]
    leaves = [line for line in leaves if line.split(":", 1)[1].split("#")[0].strip()]
    assert leaves and all("#" in line for line in leaves), [line for line in leaves if "#" not in line]


def test_precedence_flags_over_environment_over_file(tmp_path: Path) -> None:
    config = tmp_path / "worker.yaml"
    config.write_text("spotify:\n  market: DE\napple:\n  storefront: de\n", encoding="utf-8")
    env = {"PLAYLIST_WORKER__SPOTIFY__MARKET": "FR", "PLAYLIST_WORKER__APPLE__STOREFRONT": "fr"}
    settings = load_settings(config, environ=env, overrides={"spotify.market": "GB"})
    assert settings.spotify.market == "GB"
    assert settings.apple.storefront == "fr"
    assert load_settings(config, environ={}).spotify.market == "DE"


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    config = tmp_path / "worker.yaml"
    config.write_text("spotify:\n  markt: DE\nmatching:\n  accept: 2\nservices:\n  enabled: [tidal]\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={"PLAYLIST_WORKER__RETRY__MAX_ATTEMPTS": "zero"})
    problems = "\n".join(caught.value.problems)
    for fragment in (
        "spotify.markt: unknown setting",
        "matching.accept",
        "services.enabled",
        "retry.max_attempts",
    ):
        assert fragment in problems
    assert "config/worker.yaml" in caught.value.render()


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yaml", environ={})


def test_secrets_come_from_the_environment_and_never_show_in_repr(tmp_path: Path) -> None:
    key = tmp_path / "AuthKey.p8"
    key.write_text("-----BEGIN PRIVATE KEY-----\nsecret-key\n", encoding="utf-8")
    secrets = Secrets.from_env({"SPOTIFY_CLIENT_SECRET": "s3cr3t", "APPLE_PRIVATE_KEY_FILE": str(key)})
    assert "s3cr3t" not in repr(secrets) and "secret-key" not in repr(secrets)
    assert sorted(secrets.values()) == sorted(["s3cr3t", key.read_text(encoding="utf-8")])


def _run_cli(argv: list[str]) -> int:
    from worker.cli import main

    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0)


def test_bad_settings_exit_3_listing_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "worker.yaml"
    config.write_text("spotify:\n  markt: DE\nmatching:\n  accept: 2\n", encoding="utf-8")
    assert _run_cli(["--config", str(config), "extract", str(tmp_path)]) == 3
    error = capsys.readouterr().err
    assert "spotify.markt: unknown setting" in error and "matching.accept" in error
    assert "config/worker.yaml" in error  # says where every setting is documented


def test_an_unknown_service_flag_is_a_configuration_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run_cli(["sync", "--service", "tidal", "--dry-run", str(REPO / "content")]) == 3
    assert "tidal" in capsys.readouterr().err
