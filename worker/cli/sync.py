"""`playlist-worker sync`: the main job for editors and operators."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from worker.cli import AppContext
from worker.lock import content_lock
from worker.report import ArticleOutcome, JsonWriter, RunReport, exit_code, render_text
from worker.runtime import Runtime, RuntimeRequest, open_runtime
from worker.sync import SyncEffects, SyncOptions, run_sync


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--service", "services", multiple=True, help="Only this service (repeatable): spotify, deezer, apple."
)
@click.option(
    "--dry-run", is_flag=True, help="Show the exact playlist and frontmatter changes; write nothing."
)
@click.option(
    "--sandbox", is_flag=True, help="Run against the in-process sandbox instead of the real services."
)
@click.option(
    "--catalog", type=click.Path(path_type=Path, exists=True), help="Sandbox catalog (with --sandbox)."
)
@click.option(
    "--state", "state_path", type=click.Path(path_type=Path), help="State database (default: settings)."
)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--force", is_flag=True, help="Replace links the worker did not create, and re-resolve everything."
)
@click.option("--adopt", is_flag=True, help="Take over playlists already linked in the frontmatter.")
@click.option("--full", is_flag=True, help="Re-search every work, ignoring cached matches.")
@click.pass_obj
def sync(
    app: AppContext,
    paths: tuple[Path, ...],
    services: tuple[str, ...],
    dry_run: bool,
    sandbox: bool,
    catalog: Path | None,
    state_path: Path | None,
    output: str,
    force: bool,
    adopt: bool,
    full: bool,
) -> int:
    """Find each article's works on the services, build the playlists and write the links back.

    PATHS are article files or folders (default: the whole content root). Exit code 0 when all went well,
    2 when an article or a service failed, 3 for configuration problems.

    \b
    Example:
        playlist-worker sync --sandbox --dry-run content/knowledge-en/soundtrack.md
        playlist-worker sync --service spotify --format json content/
    """
    if catalog and not sandbox:
        raise click.UsageError("--catalog only applies with --sandbox.")
    request = RuntimeRequest(
        config_path=app.config_path,
        services=services,
        sandbox=sandbox,
        catalog=catalog,
        state_path=state_path,
    )
    options = SyncOptions(paths=paths, dry_run=dry_run, force=force, adopt=adopt, full_refresh=full)
    with content_lock(app.settings().content.root), open_runtime(request) as runtime:
        if output == "json":
            writer = JsonWriter(lambda text: click.echo(text, nl=False))
            report = sync_with_progress(runtime, options, show_progress=False, on_article=writer.article)
            writer.finish(report, {"skipped_services": runtime.skipped_services})
        else:
            report = sync_with_progress(runtime, options, show_progress=True)
            show_text(report, runtime)
    return exit_code(report)


def sync_with_progress(
    runtime: Runtime,
    options: SyncOptions,
    *,
    show_progress: bool,
    on_article: Callable[[ArticleOutcome], ArticleOutcome] | None = None,
) -> RunReport:
    """Run the sync with a progress bar on an interactive terminal (stderr), silently otherwise.

    `on_article` sees each article's outcome as soon as it is done (the JSON output streams it)."""
    with _progress(show_progress) as effects_for:
        effects = effects_for(runtime)
        if on_article is not None:
            effects = replace(effects, on_article=on_article)
        return run_sync(runtime.settings, runtime.overrides, options, effects)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[Runtime], SyncEffects]]:
    console = Console(stderr=True)
    if not (enabled and console.is_terminal):
        yield lambda runtime: SyncEffects(runtime.providers, runtime.state, time.time)
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[path]}"),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("syncing", total=None, path="")

        def effects_for(runtime: Runtime) -> SyncEffects:
            return SyncEffects(
                runtime.providers,
                runtime.state,
                time.time,
                progress=lambda path: bar.update(task, advance=1, path=Path(path).name),
                on_total=lambda total: bar.update(task, total=total),
            )

        yield effects_for


def show_text(report: RunReport, runtime: Runtime) -> None:
    """The readable report, after saying which services were left out and why."""
    for service, missing in runtime.skipped_services.items():
        click.echo(
            f"{service}: skipped, missing {', '.join(missing)} (see README, Environment variables)", err=True
        )
    render_text(report, Console())
