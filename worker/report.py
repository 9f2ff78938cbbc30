"""Run outcomes as values, and the ways they leave the program: JSON, a console rendering, an exit code.

The sync and check jobs fill these values; nothing here does I/O except writing to the `Console` it is given.
`to_json` is a stable contract for scripts and CI: keys are only ever added, never renamed or dropped.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from worker.exitcodes import EXIT_FAILED, EXIT_OK
from worker.matching import ScoreParts
from worker.model import SERVICES, Candidate, Work
from worker.plan import PlaylistStep
from worker.providers.base import CALL_KINDS

FoundBy = Literal["search", "isrc", "pin", "cache"]
UnmatchedOutcome = Literal["ambiguous", "not_found", "not_on_service", "excluded", "low_confidence"]
REVIEW_CANDIDATES = 3
"""How many of an unmatched work's best candidates the text report shows."""


@dataclass(frozen=True)
class TrackOutcome:
    """A track that goes into the playlist for `work`, and how it was found (search, isrc, pin, cache)."""

    work: Work
    track: Candidate
    score: float
    found_by: FoundBy


@dataclass(frozen=True)
class Unmatched:
    """A work with no track on a service, with the best candidates (and their scores) for review."""

    work: Work
    outcome: UnmatchedOutcome
    candidates: list[tuple[Candidate, ScoreParts]] = field(default_factory=list)


@dataclass
class ServiceOutcome:
    """What happened on one service for one article.

    `action`: created, updated, unchanged, rebuilt, skipped, failed, or would-create / would-update /
    would-rebuild in a dry run. `retired` is an old playlist replaced by a rebuild, to delete by hand.
    """

    service: str
    playlist_id: str | None = None
    url: str | None = None
    action: str = "unchanged"
    tracks: list[TrackOutcome] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    link_written: bool = False
    error: str | None = None
    steps: tuple[PlaylistStep, ...] = ()
    notes: list[str] = field(default_factory=list)
    retired: str | None = None

    @property
    def matched_works(self) -> int:
        return len({track.work.key for track in self.tracks})

    def unmatched_count(self, *outcomes: UnmatchedOutcome) -> int:
        return sum(1 for item in self.unmatched if item.outcome in outcomes)


@dataclass
class ArticleOutcome:
    """One article's result: `error` when it could not be read or written, `skipped` why it was not synced."""

    path: str
    services: dict[str, ServiceOutcome]
    works_found: int = 0
    error: str | None = None
    diff: str | None = None
    skipped: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunReport:
    """A whole run. Times are epoch seconds from the injected clock; `api_calls` is service → kind → count."""

    articles: list[ArticleOutcome]
    api_calls: dict[str, dict[str, int]]
    dry_run: bool
    started_at: float
    finished_at: float


# --- JSON ------------------------------------------------------------------------------------------------


def to_json(report: RunReport) -> dict[str, Any]:
    """The report as plain JSON-ready data (the documented shape; keys are only ever added)."""
    return {**_run_json(report), "articles": [_article_json(article) for article in report.articles]}


class JsonWriter:
    """Writes the JSON report while the run goes on: each article as soon as it is done, the run's own
    fields (times, exit code, API calls) once it ends. It hands back a slim copy of each article (path,
    per-service action, link and error) for the run to keep, so a run over thousands of articles holds none
    of their tracks or candidates. The document is the same as `to_json`'s, with "articles" first."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._count = 0

    def article(self, outcome: ArticleOutcome) -> ArticleOutcome:
        self._write(('{\n  "articles": [' if self._count == 0 else ",") + "\n    ")
        self._write(_indented(_article_json(outcome), depth=2))
        self._count += 1
        return slim(outcome)

    def finish(self, report: RunReport, extra: Mapping[str, Any] | None = None) -> None:
        self._write('{\n  "articles": []' if self._count == 0 else "\n  ]")
        for key, value in {**_run_json(report), **(extra or {})}.items():
            self._write(f",\n  {json.dumps(key)}: {_indented(value)}")
        self._write("\n}\n")


def slim(article: ArticleOutcome) -> ArticleOutcome:
    """The article without its tracks, candidates and diff: enough for summaries and exit codes."""
    services = {
        name: ServiceOutcome(
            service=outcome.service,
            playlist_id=outcome.playlist_id,
            url=outcome.url,
            action=outcome.action,
            link_written=outcome.link_written,
            error=outcome.error,
            retired=outcome.retired,
        )
        for name, outcome in article.services.items()
    }
    return replace(article, services=services, diff=None)


def _indented(value: Any, depth: int = 1) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * depth)


def _run_json(report: RunReport) -> dict[str, Any]:
    return {
        "dry_run": report.dry_run,
        "started_at": _iso(report.started_at),
        "finished_at": _iso(report.finished_at),
        "exit_code": exit_code(report),
        "api_calls": {service: dict(kinds) for service, kinds in report.api_calls.items()},
    }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _article_json(article: ArticleOutcome) -> dict[str, Any]:
    return {
        "path": article.path,
        "works_found": article.works_found,
        "services": {name: _service_json(outcome) for name, outcome in article.services.items()},
        "error": article.error,
        "skipped": article.skipped,
        "notes": list(article.notes),
        "diff": article.diff,
    }


def _service_json(outcome: ServiceOutcome) -> dict[str, Any]:
    return {
        "playlist": {
            "id": outcome.playlist_id,
            "url": outcome.url,
            "action": outcome.action,
            "retired": outcome.retired,
        },
        "tracks": [_track_outcome_json(track) for track in outcome.tracks],
        "unmatched": [_unmatched_json(item) for item in outcome.unmatched],
        "link_written": outcome.link_written,
        "error": outcome.error,
        "notes": list(outcome.notes),
        "steps": [
            {"op": step.op, "track_ids": list(step.track_ids), "note": step.note} for step in outcome.steps
        ],
    }


def work_json(work: Work) -> dict[str, Any]:
    """A work as every JSON output shows it (extract and sync reports alike)."""
    return {
        "artist": work.artist,
        "title": work.title,
        "year": work.year,
        "kind": work.kind,
        "confidence": work.confidence,
        "evidence": {"line": work.evidence.line, "text": work.evidence.text},
    }


def _track_json(track: Candidate) -> dict[str, Any]:
    return {
        "id": track.id,
        "title": track.title,
        "artists": list(track.artists),
        "album": track.album,
        "isrc": track.isrc,
        "url": track.url,
    }


def _track_outcome_json(track: TrackOutcome) -> dict[str, Any]:
    return {
        "work": work_json(track.work),
        "track": _track_json(track.track),
        "score": round(track.score, 3),
        "found_by": track.found_by,
    }


def _unmatched_json(item: Unmatched) -> dict[str, Any]:
    return {
        "work": work_json(item.work),
        "outcome": item.outcome,
        "candidates": [
            {"track": _track_json(candidate), "score": round(parts.total, 3), "reasons": list(parts.reasons)}
            for candidate, parts in item.candidates
        ],
    }


# --- exit code and one-line summary ----------------------------------------------------------------------


def exit_code(report: RunReport) -> int:
    """0 when every article and service went through; 2 when one failed. Unmatched works are not failures."""
    failed = any(article.error or _failed_services(article) for article in report.articles)
    return EXIT_FAILED if failed else EXIT_OK


def _failed_services(article: ArticleOutcome) -> list[str]:
    return [name for name, outcome in article.services.items() if outcome.error or outcome.action == "failed"]


def summary(report: RunReport) -> str:
    """One line for logs: articles, playlist actions, works left for review and failures."""
    actions = Counter(outcome.action for article in report.articles for outcome in article.services.values())
    unmatched = sum(
        len(outcome.unmatched) for article in report.articles for outcome in article.services.values()
    )
    failures = sum(bool(article.error) + len(_failed_services(article)) for article in report.articles)
    done = ", ".join(f"{count} {action}" for action, count in sorted(actions.items())) or "no playlists"
    prefix = "dry run: " if report.dry_run else ""
    counts = f"{len(report.articles)} articles; playlists: {done}"
    return f"{prefix}{counts}; {unmatched} unmatched; {failures} failed"


# --- diff ------------------------------------------------------------------------------------------------


def frontmatter_diff(rel_path: str, old: bytes, new: bytes) -> str:
    """A unified diff of an article before and after the frontmatter edit; empty when nothing changed."""
    if old == new:
        return ""
    lines = difflib.unified_diff(
        _lines(old), _lines(new), fromfile=f"a/{rel_path}", tofile=f"b/{rel_path}", lineterm="\n"
    )
    return "".join(_terminated(line) for line in lines)


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines(keepends=True)


def _terminated(line: str) -> str:
    """A diff line that lacked a newline (the file's last line) gets one and git's marker."""
    return line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n"


# --- console rendering -----------------------------------------------------------------------------------


def render_text(report: RunReport, console: Console) -> None:
    """Summary table, works to review, notes and errors, frontmatter diffs, then API calls per service."""
    title = "Sync report (dry run: nothing was written)" if report.dry_run else "Sync report"
    console.print(_summary_table(report, title))
    articles = report.articles
    _render_section(console, "Works to review (best candidates first)", _all_lines(articles, _review_lines))
    _render_section(console, "Notes and errors", _all_lines(articles, _note_lines))
    _render_section(console, "Frontmatter changes", _diff_lines(articles))
    console.print()
    console.print(_calls_table(report.api_calls))
    console.print(Text(summary(report)))


def _summary_table(report: RunReport, title: str) -> Table:
    """One row per article, one compact cell per service: matched/works, the playlist action, the link."""
    services = sorted({name for article in report.articles for name in article.services}, key=_service_order)
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, caption=SUMMARY_LEGEND)
    table.add_column("Article", overflow="fold")
    table.add_column("Works", justify="right", no_wrap=True)
    for service in services:
        table.add_column(service, no_wrap=True)
    for article in report.articles:
        table.add_row(*(Text(cell) for cell in _summary_row(article, services)))
    return table


SUMMARY_LEGEND = (
    "matched/works, then the playlist action; ✎ = link written. Works to review are listed below."
)


def _service_order(service: str) -> int:
    return SERVICES.index(service) if service in SERVICES else len(SERVICES)


def _summary_row(article: ArticleOutcome, services: Sequence[str]) -> list[str]:
    works = str(article.works_found)
    if article.error or not article.services:
        status = (
            f"error: {article.error}" if article.error else f"skipped ({article.skipped or 'no services'})"
        )
        return [article.path, works, status, *([""] * (len(services) - 1))]
    return [article.path, works, *(_service_cell(article.services.get(name)) for name in services)]


def _service_cell(outcome: ServiceOutcome | None) -> str:
    if outcome is None:
        return "—"
    if outcome.action == "skipped" and not outcome.tracks:
        return "skipped"
    counted = outcome.matched_works + outcome.unmatched_count("ambiguous", "not_found", "not_on_service")
    cell = f"{outcome.matched_works}/{counted} {outcome.action}"
    return cell + (" ✎" if outcome.link_written else "")


def _all_lines(
    articles: Sequence[ArticleOutcome], per_article: Callable[[ArticleOutcome], Iterable[Text]]
) -> list[Text]:
    return [line for article in articles for line in per_article(article)]


def _review_lines(article: ArticleOutcome) -> list[Text]:
    items = [(name, item) for name, outcome in article.services.items() for item in outcome.unmatched]
    if not items:
        return []
    lines = [Text(article.path, style="bold")]
    for service, item in items:
        lines.append(Text(f"  {service:<8} {item.outcome.replace('_', ' '):<15} {_describe_work(item.work)}"))
        lines += [
            Text(f"      {parts.total:.2f}  {_describe_track(track)}", style="dim")
            for track, parts in item.candidates[:REVIEW_CANDIDATES]
        ]
    return lines


def _describe_work(work: Work) -> str:
    artist = f"{work.artist} — " if work.artist else ""
    year = f" ({work.year})" if work.year else ""
    return f"{artist}{work.title}{year}  [line {work.evidence.line}]"


def _describe_track(track: Candidate) -> str:
    album = f" ({track.album})" if track.album else ""
    return f"{', '.join(track.artists)} — {track.title}{album}  {track.url}"


def _note_lines(article: ArticleOutcome) -> Iterable[Text]:
    if article.error:
        yield Text(f"{article.path}: error: {article.error}", style="red")
    for note in article.notes:
        yield Text(f"{article.path}: {note}")
    for name, outcome in article.services.items():
        if outcome.error:
            yield Text(f"{article.path} [{name}]: error: {outcome.error}", style="red")
        if outcome.retired:
            yield Text(f"{article.path} [{name}]: replaced playlist {outcome.retired}; delete it by hand")
        for note in outcome.notes:
            yield Text(f"{article.path} [{name}]: {note}")


def _diff_lines(articles: Sequence[ArticleOutcome]) -> list[Text]:
    diffs = [article.diff for article in articles if article.diff]
    return [Text(line, style=_diff_style(line)) for diff in diffs for line in diff.splitlines()]


def _render_section(console: Console, heading: str, lines: Sequence[Text]) -> None:
    """A bold heading and its lines; nothing at all when there are no lines."""
    if lines:
        console.print(Text(f"\n{heading}", style="bold"))
        for line in lines:
            console.print(line)


def _diff_style(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "bold"
    if line.startswith("+"):
        return "green"
    if line.startswith("-"):
        return "red"
    return "cyan" if line.startswith("@@") else ""


def _calls_table(api_calls: dict[str, dict[str, int]]) -> Table:
    kinds = [*CALL_KINDS, *sorted({k for calls in api_calls.values() for k in calls} - set(CALL_KINDS))]
    table = Table(title="API calls", title_justify="left")
    table.add_column("Service")
    for kind in (*kinds, "total"):
        table.add_column(kind, justify="right")
    for service, calls in api_calls.items():
        counts = [calls.get(kind, 0) for kind in kinds]
        table.add_row(Text(service), *(str(count) for count in (*counts, sum(counts))))
    return table
