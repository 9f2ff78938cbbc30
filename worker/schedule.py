"""`schedule`: the same one-shot sync again and again (APScheduler 3). Wiring only; the work is `run_sync`.

- The trigger is `schedule.cron` (crontab syntax, UTC) or a fixed interval (`--every 6h`); the first run
  starts at once. `coalesce=True` and `max_instances=1`: runs never overlap, and runs missed while one was
  going (or while the machine slept, up to `schedule.misfire_grace_s`) collapse into one.
- Every run is incremental: `run_sync` skips articles whose fingerprint is unchanged and re-resolves each
  article fully every `schedule.full_refresh_days`.
- A run that fails (a service down, an unexpected error) is logged and recorded; the next run tries again.
  Nothing but a signal (or a configuration error at start) ends the schedule.
- SIGTERM / SIGINT: the article in hand is finished, the run is recorded, the process exits 0.
- Each run leaves one summary log line (`--log-format json` for log shippers) and a row in the state's run
  history (start, end, counts, errors).
"""

from __future__ import annotations

import json
import logging
import re
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from worker.errors import ConfigError
from worker.report import RunReport
from worker.runtime import Runtime
from worker.sync import SyncEffects, SyncOptions, run_sync

log = logging.getLogger(__name__)

RUN_KIND = "schedule"
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
Calls = Mapping[str, Mapping[str, int]]
"""API call counters: service → kind → count."""


# --- triggers --------------------------------------------------------------------------------------------


def parse_every(text: str) -> timedelta:
    """`90s`, `30m`, `6h`, `1d` (a number and a unit) as a timedelta; `ConfigError` otherwise."""
    found = _EVERY.match(text)
    interval = timedelta(**{_UNITS[found.group(2)]: float(found.group(1))}) if found else timedelta(0)
    if interval <= timedelta(0):
        raise ConfigError(
            f"--every {text!r} is not an interval.",
            hint="Give a number and a unit: 90s, 30m, 6h or 1d (or leave --every out to use schedule.cron).",
        )
    return interval


def make_trigger(cron: str, every: timedelta | None) -> BaseTrigger:
    """An interval trigger for `every`, else a UTC cron trigger for `cron`; `ConfigError` for a bad cron."""
    if every is not None:
        return IntervalTrigger(seconds=every.total_seconds(), timezone=UTC)
    try:
        return CronTrigger.from_crontab(cron, timezone=UTC)
    except ValueError as exc:
        raise ConfigError(
            f"schedule.cron {cron!r} is not a crontab expression: {exc}",
            hint='Use five fields (minute hour day month weekday), e.g. "0 */6 * * *" for every six hours.',
        ) from exc


# --- one run ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """What one scheduled run did, for the log line and the run history."""

    run_id: int
    articles: int
    unchanged: int
    changed: int
    tracks: int
    unmatched: int
    failures: int
    api_calls: dict[str, int]
    """Calls this run made, by kind (search, lookup, playlist_read, …), all services together."""
    seconds: float
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The integer counts the run history keeps."""
        return {
            "articles": self.articles,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "tracks": self.tracks,
            "unmatched": self.unmatched,
            "failures": self.failures,
            "api_calls": sum(self.api_calls.values()),
            "search_calls": self.api_calls.get("search", 0),
        }

    def line(self) -> str:
        """The one summary log line."""
        calls = sum(self.api_calls.values())
        return (
            f"sync run {self.run_id}: {self.articles} articles ({self.unchanged} unchanged), "
            f"{self.changed} changed, {self.tracks} tracks, {self.unmatched} unmatched, "
            f"{self.failures} failures, {calls} api calls, {self.seconds:.1f}s"
        )


def summarize(run_id: int, report: RunReport, calls_before: Calls, seconds: float) -> RunSummary:
    """Count one run's report; `calls_before` are the providers' counters when it began. Pure."""
    articles = report.articles
    services = [outcome for article in articles for outcome in article.services.values()]
    errors = [f"{a.path}: {a.error}" for a in articles if a.error]
    errors += [
        f"{a.path} [{name}]: {outcome.error}"
        for a in articles
        for name, outcome in a.services.items()
        if outcome.error
    ]
    return RunSummary(
        run_id=run_id,
        articles=len(articles),
        unchanged=sum(1 for a in articles if a.skipped == "unchanged"),
        changed=sum(1 for a in articles if a.diff),
        tracks=sum(len(outcome.tracks) for outcome in services),
        unmatched=sum(len(outcome.unmatched) for outcome in services),
        failures=len(errors),
        api_calls=calls_delta(calls_before, report.api_calls),
        seconds=seconds,
        errors=errors,
    )


def calls_delta(
    before: Mapping[str, Mapping[str, int]], after: Mapping[str, Mapping[str, int]]
) -> dict[str, int]:
    """Calls made between two snapshots of the providers' counters, summed over services, by kind. Pure."""
    delta: dict[str, int] = {}
    for service, kinds in after.items():
        for kind, count in kinds.items():
            made = count - before.get(service, {}).get(kind, 0)
            if made:
                delta[kind] = delta.get(kind, 0) + made
    return delta


class SyncJob:
    """One scheduled run per call: an incremental sync, a summary log line, a row in the run history.

    Never raises: a failed run is logged and recorded, and the schedule goes on. `stop` is the stop
    request: once set, the run in hand finishes its current article and no new run starts.
    """

    def __init__(
        self,
        runtime: Runtime,
        clock: Callable[[], float],
        stop: threading.Event,
        progress: Callable[[str], None] = lambda _path: None,
    ) -> None:
        self.runtime = runtime
        self.clock = clock
        self.stop = stop
        self.progress = progress
        self.idle = threading.Event()
        self.idle.set()

    def __call__(self) -> RunSummary | None:
        if self.stop.is_set():
            return None
        self.idle.clear()
        try:
            return self._run()
        finally:
            self.idle.set()

    def _run(self) -> RunSummary:
        state = self.runtime.state
        started = self.clock()
        run_id = state.start_run(started, RUN_KIND)
        before = {name: dict(provider.calls) for name, provider in self.runtime.providers.items()}
        try:
            report = run_sync(self.runtime.settings, self.runtime.overrides, SyncOptions(), self._effects())
            summary = summarize(run_id, report, before, self.clock() - started)
        except Exception as exc:  # one failed run must not end the schedule: record it, try again next time
            log.exception("sync run %d failed", run_id)
            summary = _failed(run_id, f"{type(exc).__name__}: {exc}", self.clock() - started)
        state.finish_run(run_id, self.clock(), summary.counts(), summary.errors)
        log.info("%s", summary.line(), extra={"summary": asdict(summary)})
        return summary

    def _effects(self) -> SyncEffects:
        return SyncEffects(
            self.runtime.providers,
            self.runtime.state,
            self.clock,
            progress=self.progress,
            should_stop=self.stop.is_set,
        )


def _failed(run_id: int, error: str, seconds: float) -> RunSummary:
    return RunSummary(run_id, 0, 0, 0, 0, 0, 1, {}, seconds, [error])


# --- the scheduler ---------------------------------------------------------------------------------------


def build_scheduler(
    job: Callable[[], object], trigger: BaseTrigger, misfire_grace_s: int
) -> BlockingScheduler:
    """A blocking scheduler with the one job: first run now, no overlap, missed runs coalesced."""
    scheduler = BlockingScheduler(timezone=UTC)
    scheduler.add_job(
        job,
        trigger,
        id="sync",
        name="playlist-worker sync",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=misfire_grace_s,
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def run_schedule(scheduler: BaseScheduler, job: SyncJob) -> None:
    """Run until a stop request; then let the run in hand finish its article. Returns after that."""
    with _stop_on_signals(scheduler, job.stop):
        scheduler.start()
    job.idle.wait()


@contextmanager
def _stop_on_signals(scheduler: BaseScheduler, stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set `stop` and shut the scheduler down without waiting (the job checks `stop`)."""

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.warning("%s received: finishing the article in hand, then stopping", signal.Signals(signum).name)
        stop.set()
        scheduler.shutdown(wait=False)

    previous = {signum: signal.signal(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


# --- log lines -------------------------------------------------------------------------------------------


class JsonLines(logging.Formatter):
    """One JSON object per log record: time, level, logger, message, and a run's summary fields."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        summary = getattr(record, "summary", None)
        if isinstance(summary, dict):
            document["event"] = "sync_run"
            document.update(summary)
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False)
