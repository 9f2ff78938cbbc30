"""The main job: article → works → recordings → one playlist per service → links in the frontmatter.

`run_sync` is the one entry point; `sync`, `schedule` and the demo all call it. For each article:

1. read it (a broken file is reported and skipped; nothing is written to it);
2. extract its works; skip it when its fingerprint (works, overrides, relevant settings, file bytes) is the
   one recorded at its last good sync — unless a full refresh is due;
3. resolve every work on every service (`worker.resolve`: pins, cache, search, ISRC);
4. plan each playlist (`worker.plan.plan_playlist`) and, unless dry-running, apply the steps. A newly created
   playlist's id goes into the state and the frontmatter *before* tracks are added, so a crash in between
   leaves a playlist the next run adopts instead of creating a second one;
5. plan the frontmatter (`worker.plan.plan_frontmatter`), render it surgically and write it atomically.

Effects come in through `SyncEffects`; everything returns values that `worker.report` renders.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from worker.articles.discover import discover
from worker.articles.extract import extract_works
from worker.articles.frontmatter import MISSING, Article, get_key, read_article, render_changes, write_atomic
from worker.config import Settings
from worker.errors import ArticleError, AuthError, NotFound, ProviderError
from worker.links import PlaylistLink, format_link, parse_link
from worker.model import Playlist, Work
from worker.overrides import Overrides
from worker.plan import PlaylistPlan, link_key, plan_frontmatter, plan_playlist
from worker.providers.base import CatalogProvider, PlaylistProvider
from worker.report import ArticleOutcome, RunReport, ServiceOutcome, TrackOutcome, Unmatched, frontmatter_diff
from worker.resolve import Resolution, Resolver, wanted_track_ids
from worker.state import State

log = logging.getLogger(__name__)

DAY = 86400.0


@dataclass(frozen=True)
class SyncOptions:
    """What the user asked for on the command line."""

    paths: Sequence[Path] = ()
    dry_run: bool = False
    force: bool = False
    adopt: bool = False
    full_refresh: bool = False


@dataclass
class SyncEffects:
    """The edges of the job: services, state, clock, file writes, progress and a stop request."""

    providers: Mapping[str, CatalogProvider]
    state: State
    clock: Callable[[], float]
    write: Callable[[Path, bytes], bool] = write_atomic
    progress: Callable[[str], None] = lambda _path: None
    should_stop: Callable[[], bool] = lambda: False
    on_total: Callable[[int], None] = lambda _total: None


@dataclass
class _ArticleRun:
    """Working set for one article while it is synced: what is on disk now and what was decided."""

    article: Article
    root: Path
    works: list[Work]
    outcomes: dict[str, ServiceOutcome] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    on_disk: Article | None = None

    @property
    def latest(self) -> Article:
        return self.on_disk or self.article


def run_sync(
    settings: Settings, overrides: Overrides, options: SyncOptions, effects: SyncEffects
) -> RunReport:
    """Sync every article under the inputs; one article's or one service's failure never stops the run."""
    started = effects.clock()
    root = settings.content.root.resolve()
    found = discover(root, list(options.paths), settings.content.globs, settings.content.exclude)
    outcomes = [
        ArticleOutcome(path=str(p.path), services={}, works_found=0, error=p.reason) for p in found.problems
    ]
    effects.on_total(len(found.paths))
    for done, path in enumerate(found.paths):
        if effects.should_stop():
            log.warning("stop requested: %d article(s) left for the next run", len(found.paths) - done)
            break
        effects.progress(str(path))
        outcomes.append(_sync_article(path, root, settings, overrides, options, effects))
    return RunReport(
        articles=outcomes,
        api_calls=_api_calls(effects.providers),
        dry_run=options.dry_run,
        started_at=started,
        finished_at=effects.clock(),
    )


def _sync_article(
    path: Path,
    root: Path,
    settings: Settings,
    overrides: Overrides,
    options: SyncOptions,
    effects: SyncEffects,
) -> ArticleOutcome:
    try:
        article = read_article(path, root)
    except ArticleError as exc:
        return ArticleOutcome(path=str(path), services={}, works_found=0, error=exc.reason)
    works = extract_works(article.data, article.body, article.body_start_line, settings.extract)
    now = effects.clock()
    fingerprint = article_fingerprint(article, works, overrides, settings)
    if _unchanged(article.rel_path, fingerprint, options, effects.state, settings, now):
        return ArticleOutcome(path=article.rel_path, services={}, works_found=len(works), skipped="unchanged")
    run = _ArticleRun(article=article, root=root, works=works)
    try:
        _sync_services(run, settings, overrides, options, effects, now)
        diff = _write_frontmatter(run, settings, options, effects)
    except ArticleError as exc:
        return ArticleOutcome(
            path=article.rel_path, services=run.outcomes, works_found=len(works), error=exc.reason
        )
    failed = any(outcome.error for outcome in run.outcomes.values())
    if not options.dry_run and not failed:
        final = article_fingerprint(run.latest, works, overrides, settings)
        effects.state.set_fingerprint(article.rel_path, final, now, full=options.full_refresh)
    return ArticleOutcome(path=article.rel_path, services=run.outcomes, works_found=len(works), diff=diff)


def _unchanged(
    rel_path: str, fingerprint: str, options: SyncOptions, state: State, settings: Settings, now: float
) -> bool:
    if options.full_refresh or options.force or options.adopt:
        return False
    record = state.get_fingerprint(rel_path)
    if record is None or record.fingerprint != fingerprint:
        return False
    return now - record.last_full_at < settings.schedule.full_refresh_days * DAY


def article_fingerprint(
    article: Article, works: Sequence[Work], overrides: Overrides, settings: Settings
) -> str:
    """Changes when anything deciding this article's playlists changes: bytes, works, overrides, settings."""
    relevant = {
        "bytes": hashlib.sha256(article.raw).hexdigest(),
        "works": [[w.artist, w.title, w.year, w.kind] for w in works],
        "overrides": overrides.fingerprint(article.rel_path),
        "settings": [
            settings.services.model_dump(mode="json"),
            settings.matching.model_dump(mode="json"),
            settings.playlists.model_dump(mode="json"),
            settings.links.model_dump(mode="json"),
        ],
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def _sync_services(
    run: _ArticleRun,
    settings: Settings,
    overrides: Overrides,
    options: SyncOptions,
    effects: SyncEffects,
    now: float,
) -> None:
    linkable = {s: p for s, p in effects.providers.items() if link_key(run.article.data, settings.links, s)}
    for service in effects.providers.keys() - linkable.keys():
        run.outcomes[service] = ServiceOutcome(service=service, action="skipped")
        run.outcomes[service].notes.append(
            f"no link key for {service}: set links.{service}.create to add one"
        )
    if not linkable:
        return
    eligible, skipped = _eligible_works(run, settings, overrides)
    resolved, failures = _resolve_all(
        run, eligible, overrides, linkable, effects.state, settings, options, now
    )
    for service in linkable:
        if service in failures:
            run.outcomes[service] = ServiceOutcome(service=service, action="failed", error=failures[service])
        else:
            outcome = _service_outcome(service, resolved[service], skipped)
            run.outcomes[service] = outcome
            _sync_playlist(run, service, resolved[service], outcome, settings, options, effects, now)


def _eligible_works(
    run: _ArticleRun, settings: Settings, overrides: Overrides
) -> tuple[list[Work], list[Unmatched]]:
    eligible: list[Work] = []
    skipped: list[Unmatched] = []
    for work in run.works:
        if overrides.for_work(run.article.rel_path, work).exclude:
            skipped.append(Unmatched(work=work, outcome="excluded"))
        elif work.confidence < settings.matching.min_confidence:
            skipped.append(Unmatched(work=work, outcome="low_confidence"))
        else:
            eligible.append(work)
    return eligible, skipped


def _resolve_all(
    run: _ArticleRun,
    works: list[Work],
    overrides: Overrides,
    providers: Mapping[str, CatalogProvider],
    state: State,
    settings: Settings,
    options: SyncOptions,
    now: float,
) -> tuple[dict[str, list[Resolution]], dict[str, str]]:
    """Resolve every work; a service that fails is dropped for the rest of this article and reported."""
    resolved: dict[str, list[Resolution]] = {service: [] for service in providers}
    failures: dict[str, str] = {}
    for work in works:
        override = overrides.for_work(run.article.rel_path, work)
        while True:
            healthy = {s: p for s, p in providers.items() if s not in failures}
            resolver = Resolver(healthy, state, settings, now, refresh=options.full_refresh)
            try:
                results = resolver.resolve(work, override)
            except ProviderError as exc:
                log.warning("%s", exc)
                failures[exc.service] = describe_error(exc)
                continue
            break
        for service, resolution in results.items():
            resolved[service].append(resolution)
    return resolved, failures


def describe_error(exc: ProviderError) -> str:
    """One line for reports: the error kind, the service's message and, for auth problems, what to do."""
    hint = f" — {exc.hint}" if isinstance(exc, AuthError) and exc.hint else ""
    return f"{type(exc).__name__}: {exc.message}{hint}"


def _service_outcome(service: str, resolutions: list[Resolution], skipped: list[Unmatched]) -> ServiceOutcome:
    tracks = [
        TrackOutcome(work=r.work, track=t, score=r.score, found_by=r.found_by)
        for r in resolutions
        for t in r.tracks
    ]
    unmatched = skipped + [
        Unmatched(work=r.work, outcome=r.outcome, candidates=list(r.ranked))
        for r in resolutions
        if r.outcome != "matched"
    ]
    return ServiceOutcome(service=service, action="unchanged", tracks=tracks, unmatched=unmatched)


def _sync_playlist(
    run: _ArticleRun,
    service: str,
    resolutions: list[Resolution],
    outcome: ServiceOutcome,
    settings: Settings,
    options: SyncOptions,
    effects: SyncEffects,
    now: float,
) -> None:
    playlists = effects.providers[service].playlists
    if playlists is None:
        outcome.action = "skipped"
        outcome.notes.append(f"no write credentials for {service}: searched only, no playlist written")
        return
    try:
        _reconcile(
            run, service, playlists, wanted_track_ids(resolutions), outcome, settings, options, effects, now
        )
    except ProviderError as exc:
        log.warning("%s", exc)
        outcome.action = "failed"
        outcome.error = describe_error(exc)


def _reconcile(
    run: _ArticleRun,
    service: str,
    playlists: PlaylistProvider,
    wanted: list[str],
    outcome: ServiceOutcome,
    settings: Settings,
    options: SyncOptions,
    effects: SyncEffects,
    now: float,
) -> None:
    target = _target_playlist(run, service, settings, options, effects.state, outcome)
    if target is None:
        return
    playlist_id, worker_ids = target
    current = _current_playlist(playlists, playlist_id, outcome)
    plan = plan_playlist(
        effects.providers[service].capabilities.write_model, wanted, current, worker_ids if current else []
    )
    outcome.steps = plan.steps
    outcome.notes.extend(plan.notes)
    if current is not None:
        _remember_link(run, service, current, outcome, settings)
    if not wanted and current is None:
        outcome.notes.append("no matched tracks: no playlist created")
        return
    outcome.action = plan.action
    if options.dry_run:
        outcome.action = "unchanged" if plan.action == "unchanged" else f"would-{plan.action}"
        return
    _apply(run, service, playlists, plan, current, outcome, settings, effects, now)


def _target_playlist(
    run: _ArticleRun,
    service: str,
    settings: Settings,
    options: SyncOptions,
    state: State,
    outcome: ServiceOutcome,
) -> tuple[str | None, list[str]] | None:
    """(playlist id or None for a new one, entries the worker owns); None leaves someone else's link alone."""
    record = state.get_playlist(run.article.rel_path, service)
    if record is not None and not options.force:
        return record.playlist_id, list(record.track_ids)
    existing = _linked_playlist(run.article, settings, service)
    if existing is None or options.force:
        return None, []
    if options.adopt and existing.playlist_id:
        outcome.notes.append(f"adopted the playlist already linked ({existing.playlist_id})")
        return existing.playlist_id, []
    outcome.action = "skipped"
    outcome.notes.append(
        f"{service} link was not made by the worker: left alone (--adopt takes it over, --force replaces it)"
    )
    return None


def _linked_playlist(article: Article, settings: Settings, service: str) -> PlaylistLink | None:
    key = link_key(article.data, settings.links, service)
    value = get_key(article.data, key) if key else MISSING
    return parse_link(value, service) if isinstance(value, str) else None


def _current_playlist(
    playlists: PlaylistProvider, playlist_id: str | None, outcome: ServiceOutcome
) -> Playlist | None:
    if playlist_id is None:
        return None
    try:
        return playlists.get_playlist(playlist_id)
    except NotFound:
        outcome.notes.append(f"playlist {playlist_id} no longer exists: a new one is created")
        return None


def _apply(
    run: _ArticleRun,
    service: str,
    playlists: PlaylistProvider,
    plan: PlaylistPlan,
    current: Playlist | None,
    outcome: ServiceOutcome,
    settings: Settings,
    effects: SyncEffects,
    now: float,
) -> None:
    playlist = current
    for step in plan.steps:
        if step.op in ("create", "rebuild"):
            playlist = _create(run, service, playlists, outcome, settings, effects, now)
            continue
        assert playlist is not None, "the plan creates a playlist before it changes one"
        if step.op == "add":
            playlists.add_tracks(playlist.id, list(step.track_ids))
        elif step.op == "remove":
            playlists.remove_tracks(playlist.id, list(step.track_ids))
        elif step.op == "replace":
            playlists.replace_tracks(playlist.id, list(step.track_ids))
    if playlist is None:
        return
    if plan.retire:
        effects.state.retire_playlist(run.article.rel_path, service, plan.retire, "append-only: rebuilt", now)
        outcome.retired = plan.retire
    link = run.links[service]
    effects.state.put_playlist(
        run.article.rel_path, service, playlist.id, link, list(plan.worker_ids), now, "ok"
    )


def _create(
    run: _ArticleRun,
    service: str,
    playlists: PlaylistProvider,
    outcome: ServiceOutcome,
    settings: Settings,
    effects: SyncEffects,
    now: float,
) -> Playlist:
    """Create the playlist, then record its id in the state and the frontmatter before any track is added."""
    name, description = playlist_texts(run.article, settings)
    playlist = playlists.create_playlist(name, description, public=settings.playlists.public)
    _remember_link(run, service, playlist, outcome, settings)
    effects.state.put_playlist(
        run.article.rel_path, service, playlist.id, run.links[service], [], now, "creating"
    )
    _write(run, _frontmatter_changes(run, settings, effects.state, playable=None), effects)
    return playlist


def playlist_texts(article: Article, settings: Settings) -> tuple[str, str]:
    """Name and description from the templates; the description's tag lets people and the worker find it."""
    title = " ".join(str(article.data.get("title") or Path(article.rel_path).stem).split())
    fields = {"title": title, "article_id": article.rel_path, "path": article.rel_path}
    return settings.playlists.name.format(**fields), settings.playlists.description.format(**fields)


def _remember_link(
    run: _ArticleRun, service: str, playlist: Playlist, outcome: ServiceOutcome, settings: Settings
) -> None:
    form = settings.links.for_service(service).form
    if form == "url" and playlist.url:
        link = playlist.url
    else:
        public = parse_link(playlist.url, service) if playlist.url else None
        public_id = public.playlist_id if public and public.playlist_id else playlist.id
        link = format_link(service, form, public_id, name=playlist.name, storefront=settings.apple.storefront)
    run.links[service] = link
    outcome.playlist_id, outcome.url = playlist.id, link


def _frontmatter_changes(
    run: _ArticleRun, settings: Settings, state: State, playable: bool | None
) -> dict[str, str | bool]:
    owned = {
        service: record.url
        for service in run.links
        if (record := state.get_playlist(run.article.rel_path, service)) is not None
    }
    plan = plan_frontmatter(run.latest.data, settings.links, run.links, bool(playable), owned_links=owned)
    changes = dict(plan.changes)
    if playable is None:
        changes.pop(settings.links.playable_key, None)
    return changes


def _write(run: _ArticleRun, changes: Mapping[str, str | bool], effects: SyncEffects) -> bytes:
    new = render_changes(run.latest, changes)
    if effects.write(run.article.path, new):
        run.on_disk = read_article(run.article.path, run.root)
    return new


def _playable(run: _ArticleRun, settings: Settings, state: State) -> bool | None:
    """True when some service has (or, dry-running, would have) a playlist of at least min_tracks tracks.

    Services outside this run count through the registry. None — leave the key as it is — when nothing
    qualifies but a service failed, because then the answer is unknown.
    """
    minimum = settings.playlists.min_tracks
    outcomes = run.outcomes.values()
    if any(len(o.tracks) >= minimum and (o.url or o.action.startswith("would-")) for o in outcomes):
        return True
    others = [s for s in settings.services.enabled if s not in run.outcomes]
    records = [state.get_playlist(run.article.rel_path, s) for s in others]
    if any(r is not None and len(r.track_ids) >= minimum for r in records):
        return True
    return None if any(o.error for o in outcomes) else False


def _write_frontmatter(
    run: _ArticleRun, settings: Settings, options: SyncOptions, effects: SyncEffects
) -> str:
    changes = _frontmatter_changes(run, settings, effects.state, _playable(run, settings, effects.state))
    new = render_changes(run.latest, changes) if options.dry_run else _write(run, changes, effects)
    for service, outcome in run.outcomes.items():
        outcome.link_written = service in run.links and new != run.article.raw
    return frontmatter_diff(run.article.rel_path, run.article.raw, new)


def _api_calls(providers: Mapping[str, CatalogProvider]) -> dict[str, dict[str, int]]:
    return {name: dict(provider.calls) for name, provider in providers.items()}
