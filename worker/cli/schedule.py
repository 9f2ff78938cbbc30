"""`playlist-worker schedule`: the long-running operator mode; one incremental sync per tick."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

import click

from worker.cli import AppContext
from worker.lock import content_lock
from worker.runtime import RuntimeRequest, open_runtime
from worker.schedule import JsonLines, SyncJob, build_scheduler, make_trigger, parse_every, run_schedule


@click.command()
@click.option("--every", help="Run at this interval (90s, 30m, 6h, 1d) instead of schedule.cron.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--sandbox", is_flag=True, help="Run against the in-process sandbox instead of the real services."
)
@click.option(
    "--state", "state_path", type=click.Path(path_type=Path), help="State database (default: settings)."
)
@click.pass_obj
def schedule(
    app: AppContext, every: str | None, log_format: str, sandbox: bool, state_path: Path | None
) -> int:
    """Sync now and then on schedule.cron (UTC) or --every, until SIGTERM or Ctrl-C.

    Each run is incremental: unchanged articles are skipped, and each article is re-resolved fully every
    schedule.full_refresh_days. A failing service is reported and tried again at the next run. On SIGTERM or
    SIGINT the article in hand is finished and the process exits 0. One summary line is logged per run
    (--log-format json for log shippers), and every run is recorded in the state (see `status`). Holds the
    content lock for its lifetime, so a second worker on the same content refuses to start.

    \b
    Example:
        playlist-worker schedule
        playlist-worker schedule --every 6h --log-format json
        playlist-worker schedule --sandbox --every 30s
    """
    interval: timedelta | None = parse_every(every) if every else None
    configure_logging(log_format)
    settings = app.settings()
    trigger = make_trigger(settings.schedule.cron, interval)
    request = RuntimeRequest(config_path=app.config_path, sandbox=sandbox, state_path=state_path)
    with content_lock(settings.content.root), open_runtime(request) as runtime:
        job = SyncJob(runtime, time.time, threading.Event())
        run_schedule(build_scheduler(job, trigger, runtime.settings.schedule.misfire_grace_s), job)
    return 0


def configure_logging(log_format: str) -> None:
    """Run summaries at INFO on stderr; JSON lines with `--log-format json` (every record, one per line)."""
    logging.getLogger("worker.schedule").setLevel(logging.INFO)
    if log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonLines())
