"""`playlist-worker check`: prove every playlist link in the articles works (for CI)."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console

from worker.check import CheckEffects, CheckOptions, CheckReport, check_offline, run_check
from worker.check_report import STRING_FORMATS, render_text
from worker.cli import AppContext
from worker.model import SERVICES
from worker.runtime import RuntimeRequest, open_runtime

FORMATS = ("text", *STRING_FORMATS)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--service",
    "services",
    multiple=True,
    type=click.Choice(SERVICES),
    help="Only this service (repeatable).",
)
@click.option("--format", "output", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--offline", is_flag=True, help="Check form and consistency only; no network, no credentials.")
@click.option("--sandbox", is_flag=True, help="Ask the in-process sandbox instead of the real services.")
@click.option(
    "--state", "state_path", type=click.Path(path_type=Path), help="State database (default: settings)."
)
@click.option("--all", "show_ok", is_flag=True, help="Text format: list good links too, not only problems.")
@click.pass_obj
def check(
    app: AppContext,
    paths: tuple[Path, ...],
    services: tuple[str, ...],
    output: str,
    offline: bool,
    sandbox: bool,
    state_path: Path | None,
    show_ok: bool,
) -> int:
    """Check that every playlist link in the frontmatter still works, and that isPlayable agrees.

    Each link must parse, sit under its service's key, exist, be readable by the configured account and
    hold at least playlists.min_tracks tracks that still play in the configured market. PATHS are article
    files or folders (default: the content root). Exit code 0 when every link works, 2 when one is broken,
    4 when some could not be checked (rate limit, 5xx, timeout) but none is broken, 3 for configuration
    problems. Good results are reused for check.cache_ttl_s seconds.

    \b
    Example:
        playlist-worker check --offline
        playlist-worker check --format github content/
        playlist-worker check --sandbox --service spotify --format json content/knowledge-en/soundtrack.md
    """
    if offline and sandbox:
        raise click.UsageError("--offline makes no calls at all; drop --sandbox or --offline.")
    if offline:
        settings = app.settings()
        report = check_offline(
            settings, CheckOptions(paths, services or settings.services.enabled, Path.cwd())
        )
    else:
        report = _check_online(app, paths, services, sandbox, state_path)
    _emit(report, output, show_ok)
    return report.exit_code


def _check_online(
    app: AppContext,
    paths: tuple[Path, ...],
    services: tuple[str, ...],
    sandbox: bool,
    state_path: Path | None,
) -> CheckReport:
    request = RuntimeRequest(
        config_path=app.config_path, services=services, sandbox=sandbox, state_path=state_path
    )
    with open_runtime(request) as runtime:
        checked = [s for s in SERVICES if s in runtime.providers or s in runtime.skipped_services]
        effects = CheckEffects(runtime.providers, runtime.state, time.time, runtime.skipped_services)
        return run_check(runtime.settings, CheckOptions(paths, checked, Path.cwd()), effects)


def _emit(report: CheckReport, output: str, show_ok: bool) -> None:
    if output == "text":
        render_text(report, Console(), show_ok=show_ok)
    else:
        click.echo(STRING_FORMATS[output](report))
