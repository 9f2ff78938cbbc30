"""`playlist-worker extract`: show the works each article mentions, as a table or as JSON. Never writes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from worker.articles.discover import discover
from worker.articles.extract import extract_works
from worker.articles.frontmatter import read_article
from worker.cli import AppContext
from worker.config import Settings
from worker.errors import ArticleError
from worker.exitcodes import EXIT_FAILED, EXIT_OK
from worker.model import Work
from worker.report import work_json


@click.command("extract")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table per article, or one JSON document on stdout.",
)
@click.pass_context
def extract(ctx: click.Context, paths: tuple[Path, ...], output_format: str) -> None:
    """List the works (artist, title, year, kind) found in articles; PATH is a file or folder.

    With no PATH, every article under the configured content root (content.root) is read.
    A file that cannot be read is reported on stderr as `path: reason`; the others are still shown,
    and the exit code is 2.

    \b
    Example:
        playlist-worker extract content/knowledge-en/soundtrack.md
        playlist-worker extract --format json content/ > works.json
    """
    app: AppContext = ctx.obj
    settings = app.settings()
    results, errors = _extract_all(settings, list(paths))
    for error in errors:
        click.echo(f"{error.path}: {error.reason}", err=True)
    if output_format == "json":
        click.echo(json.dumps(to_json(results, errors), ensure_ascii=False, indent=2))
    else:
        _print_tables(results)
    ctx.exit(EXIT_FAILED if errors else EXIT_OK)


def _extract_all(
    settings: Settings, inputs: list[Path]
) -> tuple[list[tuple[str, list[Work]]], list[ArticleError]]:
    root = settings.content.root
    found = discover(root, inputs, settings.content.globs, settings.content.exclude)
    results: list[tuple[str, list[Work]]] = []
    errors = list(found.problems)
    for path in found.paths:
        try:
            article = read_article(path, root)
        except ArticleError as error:
            errors.append(error)
            continue
        works = extract_works(article.data, article.body, article.body_start_line, settings.extract)
        results.append((os.path.relpath(path), works))
    return results, errors


def to_json(results: list[tuple[str, list[Work]]], errors: list[ArticleError]) -> dict[str, Any]:
    """The documented JSON shape: `{"articles": [{"path", "works": [...]}], "errors": [...]}`."""
    return {
        "articles": [{"path": path, "works": [work_json(work) for work in works]} for path, works in results],
        "errors": [{"path": str(error.path), "reason": error.reason} for error in errors],
    }


def _print_tables(results: list[tuple[str, list[Work]]]) -> None:
    console = Console(soft_wrap=False)
    for path, works in results:
        table = Table(title=f"{path} — {len(works)} works", title_justify="left")
        for column in ("line", "artist", "title", "year", "kind", "conf."):
            table.add_column(column, justify="right" if column in ("line", "year", "conf.") else "left")
        for work in works:
            year = str(work.year) if work.year else ""
            artist = work.artist or "—"
            table.add_row(
                str(work.evidence.line), artist, work.title, year, work.kind, f"{work.confidence:.2f}"
            )
        console.print(table)
