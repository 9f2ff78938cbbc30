"""`playlist-worker sandbox`: serve the local Spotify/Deezer/Apple Music emulation, print its credentials."""

from __future__ import annotations

import json
import shlex
import signal
import threading
from pathlib import Path
from types import FrameType

import click

from worker.model import SERVICES
from worker.sandbox import SandboxOptions, running_sandbox
from worker.sandbox.tokens import credentials


@click.group()
def sandbox() -> None:
    """The local sandbox that speaks Spotify's, Deezer's and Apple Music's APIs (no internet needed).

    \b
    Example:
        playlist-worker sandbox serve --port 8765
    """


def _forced(values: tuple[str, ...]) -> dict[str, int]:
    forced: dict[str, int] = {}
    for value in values:
        service, _, code = value.partition("=")
        if service not in SERVICES or not code.isdigit() or not 100 <= int(code) <= 599:
            raise click.BadParameter(
                f"{value!r}: expected SERVICE=CODE, SERVICE one of {', '.join(SERVICES)}, e.g. deezer=503",
                param_hint="--force-status",
            )
        forced[service] = int(code)
    return forced


@sandbox.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (0.0.0.0 in a container)."
)
@click.option("--public-host", help="Host name clients use; every URL the sandbox hands out names it.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0 = any free port."
)
@click.option(
    "--catalog", type=click.Path(path_type=Path, dir_okay=False), help="Catalog file (default: bundled)."
)
@click.option(
    "--data", type=click.Path(path_type=Path, dir_okay=False), help="Keep playlists in this JSON file."
)
@click.option("--latency-ms", type=click.FloatRange(0), default=0.0, help="Delay every answer by this much.")
@click.option(
    "--error-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of API calls answered 5xx."
)
@click.option(
    "--drop-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of API calls dropped unanswered."
)
@click.option("--slow-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of API calls delayed 2 s.")
@click.option(
    "--spotify-limit", type=click.IntRange(1), help="Spotify calls per rolling 30 s before 429 (180)."
)
@click.option("--deezer-quota", type=click.IntRange(1), help="Deezer calls per 5 s before error code 4 (50).")
@click.option("--apple-limit", type=click.IntRange(1), help="Apple calls per 60 s before 429 (300).")
@click.option("--force-status", multiple=True, metavar="SERVICE=CODE", help="Answer every call with CODE.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the fault dice (repeatable runs)."
)
def serve(
    host: str,
    public_host: str | None,
    port: int,
    catalog: Path | None,
    data: Path | None,
    latency_ms: float,
    error_rate: float,
    drop_rate: float,
    slow_rate: float,
    spotify_limit: int | None,
    deezer_quota: int | None,
    apple_limit: int | None,
    force_status: tuple[str, ...],
    seed: int,
) -> None:
    """Serve the sandbox on 127.0.0.1 until Ctrl-C; prints one JSON line with its base URLs.

    Point the worker at it with `--sandbox` on sync/check, or with the printed URLs as settings.
    Credentials it accepts: `playlist-worker sandbox credentials`.

    \b
    Example:
        playlist-worker sandbox serve --port 8765 --data /tmp/sandbox.json --error-rate 0.1
    """
    defaults = SandboxOptions()
    options = SandboxOptions(
        latency_ms=latency_ms,
        error_rate=error_rate,
        drop_rate=drop_rate,
        slow_rate=slow_rate,
        spotify_window_limit=spotify_limit or defaults.spotify_window_limit,
        deezer_quota=deezer_quota or defaults.deezer_quota,
        apple_limit=apple_limit or defaults.apple_limit,
        forced_status=_forced(force_status),
        seed=seed,
    )
    stop = threading.Event()
    with running_sandbox(catalog, data, options, port, host=host, public_host=public_host) as running:
        click.echo(json.dumps(running.urls))
        _stop_on_signals(stop)
        stop.wait()


def _stop_on_signals(stop: threading.Event) -> None:
    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)


@sandbox.command("credentials")
def show_credentials() -> None:
    """Print `export NAME=value` lines with the demo credentials the sandbox accepts.

    They open only the sandbox; never use them against the real services.

    \b
    Example:
        eval "$(playlist-worker sandbox credentials)"
    """
    for name, value in credentials().items():
        click.echo(f"export {name}={shlex.quote(value)}")
