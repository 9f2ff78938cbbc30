"""Settings: defaults < config file < environment < command-line flags, validated in one pass.

Every setting is documented in `config/worker.yaml`, which holds the defaults. Environment overrides use
`PLAYLIST_WORKER__SECTION__KEY=value` (values parsed as YAML, so `true`, `3` and `[a, b]` work).
Secrets never come from the file: only from the environment (see `Secrets`).
Any unknown key or bad value raises `ConfigError` listing every problem, and the CLI exits with code 3.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from worker.errors import ConfigError

ENV_PREFIX = "PLAYLIST_WORKER__"
DEFAULT_CONFIG = Path("config/worker.yaml")
LinkForm = Literal["url", "uri", "id"]
Service = Literal["spotify", "deezer", "apple"]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContentSettings(Section):
    root: Path = Path("content")
    globs: list[str] = ["**/*.md", "**/*.mdx"]
    exclude: list[str] = []


class LinkKey(Section):
    keys: list[str]
    create: str | None = None
    form: LinkForm = "url"


class LinkSettings(Section):
    spotify: LinkKey = LinkKey(keys=["category.spotifyPlaylist", "playlists.spotifyPlaylist"])
    deezer: LinkKey = LinkKey(keys=["category.deezerPlaylist", "playlists.deezerPlaylist"])
    apple: LinkKey = LinkKey(keys=["category.appleMusicPlaylist", "playlists.appleMusicPlaylist"])
    playable_key: str = "isPlayable"
    create_playable: bool = False

    def for_service(self, service: str) -> LinkKey:
        link: LinkKey = getattr(self, service)
        return link


class ServiceSettings(Section):
    enabled: list[Service] = ["spotify", "deezer", "apple"]
    primary: Service = "spotify"


class SpotifySettings(Section):
    market: str = Field("US", pattern=r"^[A-Z]{2}$")
    api_base: str = "https://api.spotify.com/v1/"
    accounts_base: str = "https://accounts.spotify.com/"
    redirect_port: int = Field(8888, ge=1024, le=65535)
    token_file: str = "spotify-token.json"
    refresh_warn_days: int = Field(21, ge=1)


class DeezerSettings(Section):
    api_base: str = "https://api.deezer.com/"
    links_base: str = "https://link.deezer.com/"
    max_requests: int = Field(50, ge=1)
    window_s: float = Field(5.0, gt=0)


class AppleSettings(Section):
    storefront: str = Field("us", pattern=r"^[a-z]{2}$")
    api_base: str = "https://api.music.apple.com/v1/"
    token_lifetime_days: int = Field(150, ge=1, le=180)
    token_warn_days: int = Field(14, ge=1)


class PlaylistSettings(Section):
    name: str = "{title} — MelodyMind"
    description: str = "Music from the MelodyMind article “{title}”. [playlist-worker:{article_id}]"
    public: bool = True
    min_tracks: int = Field(1, ge=1)
    tracks_per_work: int = Field(1, ge=1, le=10)
    representative: list[Literal["theme", "opening"]] = ["theme", "opening"]


class MatchingSettings(Section):
    accept: float = Field(0.72, ge=0, le=1)
    ambiguous_gap: float = Field(0.04, ge=0, le=1)
    duration_tolerance_s: float = Field(3.0, ge=0)
    min_confidence: float = Field(0.3, ge=0, le=1)
    negative_retry_days: float = Field(1.0, gt=0)
    negative_retry_max_days: float = Field(30.0, gt=0)


class ExtractSettings(Section):
    frontmatter_work_keys: dict[str, Literal["album", "song", "work"]] = {
        "keyAlbums": "album",
        "keySongs": "song",
    }
    frontmatter_artist_key: str = "name"


class RetrySettings(Section):
    max_attempts: int = Field(4, ge=1, le=10)
    retry_after_cap_s: float = Field(60.0, ge=0)
    backoff_base_s: float = Field(0.5, gt=0)
    backoff_max_s: float = Field(20.0, gt=0)
    timeout_s: float = Field(10.0, gt=0)


class StateSettings(Section):
    path: Path = Path(".playlist-worker/state.db")


class ScheduleSettings(Section):
    cron: str = "0 */6 * * *"
    full_refresh_days: float = Field(7.0, gt=0)
    misfire_grace_s: int = Field(600, ge=1)


class CheckSettings(Section):
    cache_ttl_s: int = Field(86400, ge=0)
    concurrency: int = Field(4, ge=1, le=32)


class Settings(Section):
    content: ContentSettings = ContentSettings()
    links: LinkSettings = LinkSettings()
    services: ServiceSettings = ServiceSettings()
    spotify: SpotifySettings = SpotifySettings()
    deezer: DeezerSettings = DeezerSettings()
    apple: AppleSettings = AppleSettings()
    playlists: PlaylistSettings = PlaylistSettings()
    matching: MatchingSettings = MatchingSettings()
    extract: ExtractSettings = ExtractSettings()
    retry: RetrySettings = RetrySettings()
    state: StateSettings = StateSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    check: CheckSettings = CheckSettings()

    @field_validator("services")
    @classmethod
    def _primary_enabled(cls, value: ServiceSettings) -> ServiceSettings:
        if value.primary not in value.enabled:
            raise ValueError(f"primary service {value.primary!r} is not in services.enabled")
        return value


class Secrets(BaseModel):
    """Credentials, read only from the environment. `SecretStr` keeps them out of reprs and logs."""

    model_config = ConfigDict(frozen=True)

    spotify_client_id: SecretStr | None = None
    spotify_client_secret: SecretStr | None = None
    spotify_refresh_token: SecretStr | None = None
    deezer_access_token: SecretStr | None = None
    apple_team_id: SecretStr | None = None
    apple_key_id: SecretStr | None = None
    apple_private_key: SecretStr | None = None
    apple_music_user_token: SecretStr | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Secrets:
        values: dict[str, Any] = {name: environ.get(name.upper()) or None for name in cls.model_fields}
        key_file = environ.get("APPLE_PRIVATE_KEY_FILE")
        if not values["apple_private_key"] and key_file:
            values["apple_private_key"] = _read_key_file(Path(key_file))
        return cls(**values)

    def values(self) -> list[str]:
        """Every secret value that is set, for scrubbing logs and reports."""
        return [s.get_secret_value() for s in self.__dict__.values() if isinstance(s, SecretStr)]


SECRET_ENV_VARS: tuple[str, ...] = (
    *(name.upper() for name in Secrets.model_fields),
    "APPLE_PRIVATE_KEY_FILE",
)


def _read_key_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            "Cannot read the Apple private key.",
            [f"APPLE_PRIVATE_KEY_FILE={path}: {exc.strerror}"],
            "Point APPLE_PRIVATE_KEY_FILE at the .p8 file from App Store Connect.",
        ) from exc


def load_settings(
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge defaults, file, environment and flag overrides (dotted keys) into validated `Settings`."""
    environ = os.environ if environ is None else environ
    explicit = path is not None or "PLAYLIST_WORKER_CONFIG" in environ
    config_path = path or Path(environ.get("PLAYLIST_WORKER_CONFIG", str(DEFAULT_CONFIG)))
    data = _read_file(config_path, required=explicit)
    problems: list[str] = []
    for dotted, raw in _env_overrides(environ):
        _set_dotted(data, dotted, raw, problems, source=f"{ENV_PREFIX}{dotted.upper().replace('.', '__')}")
    for dotted, value in (overrides or {}).items():
        _set_dotted(data, dotted, value, problems, source=f"flag for {dotted}")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems += [_describe(error) for error in exc.errors()]
        settings = None
    if problems or settings is None:
        raise ConfigError(
            f"The settings are not valid ({config_path}):",
            problems,
            "Fix each key above; every setting and its default is listed in config/worker.yaml.",
        )
    return settings


def _read_file(path: Path, *, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise ConfigError(f"Config file not found: {path}", hint="Pass --config with an existing file.")
        return {}
    try:
        loaded = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot parse {path}:", [str(exc)], "Fix the YAML syntax and run again.") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path} must hold a mapping of sections (content:, links:, …).")
    return loaded


def _env_overrides(environ: Mapping[str, str]) -> list[tuple[str, Any]]:
    found = []
    for name, raw in sorted(environ.items()):
        if name.startswith(ENV_PREFIX):
            dotted = name[len(ENV_PREFIX) :].lower().replace("__", ".")
            found.append((dotted, YAML(typ="safe").load(raw) if raw.strip() else raw))
    return found


def _set_dotted(data: dict[str, Any], dotted: str, value: Any, problems: list[str], source: str) -> None:
    *parents, leaf = dotted.split(".")
    node = data
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            problems.append(f"{source}: {part} is not a section")
            return
        node = child
    node[leaf] = value


def _describe(error: Any) -> str:
    location = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{location}: unknown setting (check the spelling against config/worker.yaml)"
    return f"{location}: {error['msg']} (got {error.get('input')!r})"
