"""`schedule`: three real scheduled runs, a stop in the middle of a run, signals, run history, log lines."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from datetime import timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from tests.ops.sandboxed import ARTICLES, Deployment, deployment, run_cli
from worker.articles.frontmatter import get_key, read_article
from worker.errors import ConfigError
from worker.lock import content_lock
from worker.runtime import RuntimeRequest, open_runtime
from worker.schedule import (
    JsonLines,
    RunSummary,
    SyncJob,
    build_scheduler,
    calls_delta,
    make_trigger,
    parse_every,
    run_schedule,
)

__all__ = ["deployment"]


def test_three_scheduled_runs_sync_once_then_search_nothing_and_sigterm_ends_cleanly(
    deployment: Deployment,
) -> None:
    summaries: list[RunSummary | None] = []
    with open_runtime(RuntimeRequest()) as runtime:
        job = SyncJob(runtime, time.time, threading.Event())

        def counted() -> None:
            summaries.append(job())
            if len(summaries) == 3:
                os.kill(os.getpid(), signal.SIGTERM)

        scheduler = build_scheduler(counted, IntervalTrigger(seconds=0.05), misfire_grace_s=60)
        run_schedule(scheduler, job)
        runs = runtime.state.recent_runs()
    assert job.stop.is_set() and len(summaries) == 3
    first, second, third = summaries
    assert first is not None and first.api_calls["search"] > 0 and first.changed == len(ARTICLES)
    for later in (second, third):
        assert later is not None and later.api_calls.get("search", 0) == 0
        assert later.unchanged == len(ARTICLES) and later.changed == 0
    assert [run.kind for run in runs] == ["schedule"] * 3
    assert all(run.finished_at is not None and run.counts["articles"] == len(ARTICLES) for run in runs)


def test_a_stop_mid_run_leaves_every_file_whole_and_the_next_start_resumes(deployment: Deployment) -> None:
    before = {article: (deployment.root / article).read_bytes() for article in ARTICLES}
    stop = threading.Event()
    with open_runtime(RuntimeRequest()) as runtime:
        interrupted = SyncJob(runtime, time.time, stop, progress=lambda _path: stop.set())()
    assert interrupted is not None and interrupted.articles == 1
    first, second = sorted(ARTICLES)
    assert _spotify_link(deployment, first) and not _spotify_link(deployment, second)
    assert (deployment.root / second).read_bytes() == before[second]
    with open_runtime(RuntimeRequest()) as runtime:
        resumed = SyncJob(runtime, time.time, threading.Event())()
    assert resumed is not None and resumed.unchanged == 1 and resumed.changed == 1
    assert all(_spotify_link(deployment, article) for article in ARTICLES)


def _spotify_link(deployment: Deployment, article: str) -> str:
    link = get_key(read_article(deployment.root / article, deployment.root).data, "category.spotifyPlaylist")
    return str(link)


def test_a_run_that_fails_unexpectedly_is_recorded_and_does_not_raise(deployment: Deployment) -> None:
    with open_runtime(RuntimeRequest()) as runtime:
        runtime.settings = runtime.settings.model_copy(update={"content": None})  # run_sync will trip on it
        summary = SyncJob(runtime, time.time, threading.Event())()
        [run] = runtime.state.recent_runs()
    assert summary is not None and summary.failures == 1 and "AttributeError" in summary.errors[0]
    assert run.finished_at is not None and run.errors == tuple(summary.errors)


def test_schedule_refuses_to_start_while_another_worker_holds_the_content(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    with content_lock(deployment.root):
        assert run_cli(["schedule", "--every", "1h"]) == 2
    assert "another playlist-worker is already running on" in capsys.readouterr().err


def test_every_and_cron_make_utc_triggers_and_bad_values_say_what_to_write() -> None:
    assert parse_every("6h") == timedelta(hours=6) and parse_every("90s") == timedelta(seconds=90)
    assert isinstance(make_trigger("0 */6 * * *", timedelta(minutes=5)), IntervalTrigger)
    assert str(make_trigger("0 */6 * * *", None).timezone) == "UTC"
    with pytest.raises(ConfigError, match="not an interval"):
        parse_every("often")
    with pytest.raises(ConfigError, match="not a crontab expression") as caught:
        make_trigger("every six hours", None)
    assert "five fields" in caught.value.hint


def test_calls_delta_counts_only_this_runs_calls_by_kind() -> None:
    before = {"spotify": {"search": 5, "auth": 1}, "deezer": {"search": 2}}
    after = {"spotify": {"search": 7, "auth": 1}, "deezer": {"search": 2, "playlist_read": 1}}
    assert calls_delta(before, after) == {"search": 2, "playlist_read": 1}


def test_json_log_lines_carry_the_run_summary() -> None:
    summary = RunSummary(3, 12, 10, 2, 34, 5, 0, {"search": 4}, 1.25)
    record = logging.LogRecord("worker.schedule", logging.INFO, __file__, 1, "%s", (summary.line(),), None)
    record.summary = {"run_id": 3, "articles": 12}
    document = json.loads(JsonLines().format(record))
    assert document["event"] == "sync_run" and document["articles"] == 12 and document["level"] == "info"
    assert document["message"] == (
        "sync run 3: 12 articles (10 unchanged), 2 changed, 34 tracks, 5 unmatched, 0 failures, "
        "4 api calls, 1.2s"
    )


def test_sync_refuses_too_while_another_worker_holds_the_content(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {article: (deployment.root / article).read_bytes() for article in ARTICLES}
    with content_lock(deployment.root):
        assert run_cli(["sync"]) == 2
    assert "wait for it or stop it" in capsys.readouterr().err
    assert all((deployment.root / article).read_bytes() == data for article, data in before.items())
