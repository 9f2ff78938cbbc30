"""The edges every command needs: settings (with sandbox URLs), secrets, providers, state, overrides.

`open_runtime` is the only place that decides between the real services and the in-process sandbox, so
`sync`, `check`, `schedule` and `demo` all talk to the same things in the same way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worker.config import Secrets, Settings, load_settings
from worker.errors import ConfigError
from worker.overrides import Overrides, load_overrides
from worker.providers import build_providers, missing_credentials
from worker.providers.base import CatalogProvider
from worker.providers.http import new_http_client
from worker.state import State

OVERRIDES_FILE = Path("config/overrides.yaml")


@dataclass
class Runtime:
    settings: Settings
    secrets: Secrets
    providers: dict[str, CatalogProvider]
    state: State
    overrides: Overrides
    skipped_services: dict[str, list[str]]
    """Enabled services left out of this run, with the credentials they lack."""


@dataclass(frozen=True)
class RuntimeRequest:
    """What a command asks for: which services, the sandbox or not, and path overrides."""

    config_path: Path | None = None
    services: Sequence[str] = ()
    sandbox: bool = False
    catalog: Path | None = None
    state_path: Path | None = None
    content_root: Path | None = None
    overrides_path: Path = OVERRIDES_FILE
    flag_overrides: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Timing:
    """Time as the runtime sees it; tests pass one fake clock whose `sleep` moves it for every party."""

    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


@contextmanager
def open_runtime(
    request: RuntimeRequest, environ: Mapping[str, str] | None = None, timing: Timing = Timing()
) -> Iterator[Runtime]:
    """Everything a run needs, closed again on exit (the sandbox stops, the state DB closes)."""
    environ = os.environ if environ is None else environ
    flags: dict[str, Any] = dict(request.flag_overrides or {})
    if request.state_path:
        flags["state.path"] = str(request.state_path)
    if request.content_root:
        flags["content.root"] = str(request.content_root)
    with ExitStack() as stack:
        settings = load_settings(request.config_path, environ, flags)
        if request.sandbox:
            settings, environ = _with_sandbox(stack, settings, request, environ, timing)
        secrets = Secrets.from_env(environ)
        services = _services(settings, request.services)
        skipped = {s: missing for s in services if (missing := missing_credentials(settings, secrets, s))}
        usable = [s for s in services if s not in skipped]
        http = stack.enter_context(new_http_client(settings.retry.timeout_s))
        providers = build_providers(
            settings,
            secrets,
            services=usable,
            http=http,
            clock=timing.clock,
            sleep=timing.sleep,
            wall_clock=timing.wall_clock,
        )
        state = stack.enter_context(_open_state(settings.state.path))
        overrides = load_overrides(request.overrides_path)
        yield Runtime(settings, secrets, providers, state, overrides, skipped)


def _services(settings: Settings, requested: Sequence[str]) -> list[str]:
    enabled = list(settings.services.enabled)
    unknown = [s for s in requested if s not in enabled]
    if unknown:
        raise ConfigError(
            "Unknown or disabled service requested:",
            [f"--service {s}: enabled services are {', '.join(enabled)}" for s in unknown],
            "Enable it under services.enabled in config/worker.yaml, or drop the flag.",
        )
    return [s for s in enabled if not requested or s in requested]


def _with_sandbox(
    stack: ExitStack, settings: Settings, request: RuntimeRequest, environ: Mapping[str, str], timing: Timing
) -> tuple[Settings, Mapping[str, str]]:
    """Start the in-process sandbox; point the settings at it and use its credentials."""
    from worker.sandbox import running_sandbox

    data_path = settings.state.path.parent / "sandbox-data.json"
    sandbox = stack.enter_context(
        running_sandbox(
            catalog_path=request.catalog, data_path=data_path, clock=timing.wall_clock, sleep=timing.sleep
        )
    )
    sandboxed = settings.model_copy(
        update={
            section: getattr(settings, section).model_copy(update=values)
            for section, values in _by_section(sandbox.settings_overrides()).items()
        }
    )
    return sandboxed, {**environ, **sandbox.credentials}


def _by_section(dotted: Mapping[str, str]) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    for key, value in dotted.items():
        section, leaf = key.split(".", 1)
        sections.setdefault(section, {})[leaf] = value
    return sections


@contextmanager
def _open_state(path: Path) -> Iterator[State]:
    path.parent.mkdir(parents=True, exist_ok=True)
    state = State.open(path)
    try:
        yield state
    finally:
        state.close()
