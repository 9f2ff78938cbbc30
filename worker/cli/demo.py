"""`playlist-worker demo`: the whole job, offline, on a scratch copy of the content."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click
from rich.console import Console

from worker.cli import AppContext
from worker.cli.sync import sync_with_progress
from worker.report import exit_code, render_text
from worker.runtime import RuntimeRequest, open_runtime
from worker.sync import SyncOptions


@click.command()
@click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Scratch folder to use (default: a new temporary folder). Must not exist yet.",
)
@click.pass_obj
def demo(app: AppContext, workdir: Path | None) -> int:
    """Sync a scratch copy of the content against the in-process sandbox and show what changed.

    Copies the configured content root into a scratch folder, runs the full pipeline there (extract, search,
    match, build playlists, write links) against the sandbox, then prints the summary and the frontmatter
    diffs. The real content folder is never written.

    \b
    Example:
        playlist-worker demo
        playlist-worker demo --workdir /tmp/pw-demo
    """
    settings = app.settings()
    scratch = _scratch(workdir)
    content = scratch / "content"
    shutil.copytree(settings.content.root, content)
    request = RuntimeRequest(
        config_path=app.config_path,
        sandbox=True,
        state_path=scratch / "state" / "state.db",
        content_root=content,
    )
    with open_runtime(request) as runtime:
        report = sync_with_progress(runtime, SyncOptions(), show_progress=True)
    console = Console()
    render_text(report, console)
    for article in report.articles:
        if article.diff:
            console.print(article.diff, markup=False, highlight=False)
    console.print(f"Scratch copy with the new links: {content} ({settings.content.root} was not touched)")
    return exit_code(report)


def _scratch(workdir: Path | None) -> Path:
    if workdir is None:
        return Path(tempfile.mkdtemp(prefix="playlist-worker-demo-"))
    if workdir.exists():
        raise click.UsageError(f"--workdir {workdir} already exists; name a new folder.")
    workdir.mkdir(parents=True)
    return workdir
