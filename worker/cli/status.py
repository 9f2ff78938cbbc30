"""`playlist-worker status`: recent runs, the playlists the worker made, and playlists to delete by hand."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from worker.cli import AppContext
from worker.state import NegativeRecord, PlaylistRecord, RetiredPlaylist, RunRecord, State

RECENT_RUNS = 10


@click.command()
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--state", "state_path", type=click.Path(path_type=Path), help="State database (default: settings)."
)
@click.option(
    "--runs", "limit", type=click.IntRange(1), default=RECENT_RUNS, show_default=True, help="Runs to show."
)
@click.pass_obj
def status(app: AppContext, output: str, state_path: Path | None, limit: int) -> int:
    """Show recent runs, the playlists the worker made per service, and retired playlists to delete by hand.

    A run without an end is still going (or was killed). Retired playlists are Apple Music playlists the
    worker had to replace (Apple allows no removal); delete them in the Music app.

    \b
    Example:
        playlist-worker status
        playlist-worker status --format json --runs 3
    """
    path = state_path or app.settings().state.path
    if not path.exists():
        click.echo(f"No state yet at {path}: run `playlist-worker sync` first.")
        return 0
    state = State.open(path)
    try:
        snapshot = _snapshot(state, limit, time.time())
    finally:
        state.close()
    if output == "json":
        click.echo(json.dumps(snapshot, ensure_ascii=False, indent=2))
    else:
        _render(snapshot, Console())
    return 0


def _snapshot(state: State, limit: int, now: float) -> dict[str, Any]:
    return {
        "runs": [_run_json(run) for run in state.recent_runs(limit)],
        "playlists": _playlists_json(state.all_playlists()),
        "retired": [_retired_json(item) for item in state.retired_playlists()],
        "unmatched": _negatives_json(state.negatives(), now),
    }


def _negatives_json(records: Sequence[NegativeRecord], now: float) -> dict[str, dict[str, Any]]:
    """Per service: works remembered as not found or ambiguous, how many are due for a new search."""
    summary: dict[str, dict[str, Any]] = {}
    for record in records:
        entry = summary.setdefault(record.service, {"not_found": 0, "ambiguous": 0, "due": 0, "next": None})
        entry[record.status] += 1
        entry["due"] += record.next_retry_at <= now
        if record.next_retry_at > now and entry["next"] is None:
            entry["next"] = _iso(record.next_retry_at)
    return summary


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _run_json(run: RunRecord) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "kind": run.kind,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "counts": run.counts,
        "errors": list(run.errors),
    }


def _playlists_json(records: Sequence[PlaylistRecord]) -> dict[str, list[dict[str, Any]]]:
    by_service: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_service.setdefault(record.service, []).append(
            {
                "path": record.rel_path,
                "playlist_id": record.playlist_id,
                "url": record.url,
                "tracks": len(record.track_ids),
                "status": record.status,
                "updated_at": _iso(record.updated_at),
            }
        )
    return by_service


def _retired_json(item: RetiredPlaylist) -> dict[str, Any]:
    return {**asdict(item), "retired_at": _iso(item.retired_at)}


def _render(snapshot: dict[str, Any], console: Console) -> None:
    console.print(_runs_table(snapshot["runs"]))
    for service, playlists in sorted(snapshot["playlists"].items()):
        table = Table(title=f"{service} playlists ({len(playlists)})", title_justify="left")
        for header in ("Article", "Playlist", "Tracks", "Status", "Updated"):
            table.add_column(header)
        for item in playlists:
            row = (item["path"], item["url"], str(item["tracks"]), item["status"], item["updated_at"])
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
    for service, entry in sorted(snapshot["unmatched"].items()):
        line = (
            f"{service}: {entry['not_found']} not found, {entry['ambiguous']} ambiguous; "
            f"{entry['due']} due for a new search now, next at {entry['next'] or '—'}"
        )
        console.print(Text(line))
    if snapshot["retired"]:
        console.print(Text("Retired playlists to delete by hand", style="bold"))
        for item in snapshot["retired"]:
            line = f"  {item['service']} {item['playlist_id']} ({item['rel_path']}): {item['reason']}"
            console.print(Text(line))


def _runs_table(runs: list[dict[str, Any]]) -> Table:
    table = Table(title="Recent runs", title_justify="left")
    for header in ("Run", "Kind", "Started (UTC)", "Finished", "Counts", "Errors"):
        table.add_column(header, overflow="fold")
    for run in runs:
        counts = ", ".join(f"{key} {value}" for key, value in run["counts"].items())
        finished = run["finished_at"] or "running or killed"
        errors = "; ".join(run["errors"]) or "—"
        table.add_row(
            *(Text(str(c)) for c in (run["run_id"], run["kind"], run["started_at"], finished, counts, errors))
        )
    return table
