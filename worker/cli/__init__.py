"""The command-line shell: one click group, one error handler, the exit codes of `worker.exitcodes`.

Commands live in sibling modules and are imported only when they run.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any

import click

from worker import __version__
from worker.config import Settings, load_settings
from worker.errors import ConfigError, UserError
from worker.exitcodes import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, EXIT_UNEXPECTED

COMMANDS: dict[str, str] = {
    "extract": "worker.cli.extract:extract",
    "sync": "worker.cli.sync:sync",
    "check": "worker.cli.check:check",
    "sandbox": "worker.cli.sandbox:sandbox",
    "demo": "worker.cli.demo:demo",
    "auth": "worker.cli.auth:auth",
    "schedule": "worker.cli.schedule:schedule",
    "status": "worker.cli.status:status",
}


class LazyGroup(click.Group):
    """Imports a command's module only when it runs, so `--help` and small commands start fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._module_exists(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not self._module_exists(cmd_name):
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command

    @staticmethod
    def _module_exists(name: str) -> bool:
        module = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module) is not None


class AppContext:
    """What every command receives: the config path, flag overrides and lazily loaded settings."""

    def __init__(self, config_path: Path | None, verbose: int) -> None:
        self.config_path = config_path
        self.verbose = verbose

    def settings(self, **overrides: Any) -> Settings:
        return load_settings(
            self.config_path, overrides={k: v for k, v in overrides.items() if v is not None}
        )


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="playlist-worker")
@click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Settings file (default: config/worker.yaml, or $PLAYLIST_WORKER_CONFIG).",
)
@click.option("-v", "--verbose", count=True, help="More log output; -vv for debug and tracebacks.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int) -> None:
    """Turn music articles into playlists on Spotify, Deezer and Apple Music.

    \b
    Example:
        playlist-worker sync --sandbox --dry-run content/
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = AppContext(config_path, verbose)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: runs the CLI and turns errors into messages and exit codes."""
    try:
        code = cli.main(args=argv, prog_name="playlist-worker", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        code = EXIT_FAILED
    except click.ClickException as exc:
        exc.show()
        code = EXIT_CONFIG if isinstance(exc, click.UsageError) else exc.exit_code
    except ConfigError as exc:
        click.echo(f"Error: {exc.render()}", err=True)
        code = EXIT_CONFIG
    except UserError as exc:
        click.echo(f"Error: {exc.render()}", err=True)
        code = EXIT_FAILED
    except Exception as exc:  # the one place that catches everything: report, never hide
        click.echo(f"Unexpected error: {type(exc).__name__}: {exc}", err=True)
        click.echo("This is a bug; run again with -vv for the traceback and report it.", err=True)
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            raise
        code = EXIT_UNEXPECTED
    sys.exit(code if isinstance(code, int) else EXIT_OK)
