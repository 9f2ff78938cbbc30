"""The main job: article → works → recordings → one playlist per service → links in the frontmatter.

`run_sync` is the one entry point; `sync`, `schedule` and the demo all call it. For each article:

1. read it (a broken file is reported and skipped; nothing is written to it);
2. skip it, before parsing, when its fingerprint (file bytes, overrides, relevant settings, worker version) is
   the one recorded at its last good sync — unless a full refresh is due; otherwise extract its works;
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
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from worker import __version__
from worker.articles.discover import discover
from worker.articles.extract import extract_works
from worker.articles.frontmatter import MISSING, Article, get_key, read_article, render_changes, write_atomic
from worker.config import Settings
from worker.errors import ArticleError, AuthError, NotFound, ProviderError
from worker.links import PlaylistLink, format_link, parse_link
from worker.model import Playlist, Work
from worker.overrides import Overrides
from worker.plan import PlaylistPlan, link_key, plan_frontmatter, plan_playlist
from worker.providers.base import CALL_KINDS, CatalogProvider, PlaylistProvider
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
    on_article: Callable[[ArticleOutcome], ArticleOutcome] = lambda outcome: outcome
    """Sees each article's outcome as soon as it is done; what it returns is kept in the run's report."""


@dataclass
class _Job:
    """What stays the same for every article of one run (plus each service's own playlists, once read)."""

    settings: Settings
    overrides: Overrides
    options: SyncOptions
    effects: SyncEffects
    root: Path
    pool: ThreadPoolExecutor
    own: dict[str, list[Playlist]] = field(default_factory=dict)

    def own_playlists(self, service: str, playlists: PlaylistProvider) -> list[Playlist]:
        """The account's playlists on `service`, read at most once per run (only when one must be created)."""
        if service not in self.own:
            self.own[service] = playlists.own_playlists()
        return self.own[service]


def run_sync(
    settings: Settings, overrides: Overrides, options: SyncOptions, effects: SyncEffects
) -> RunReport:
    """Sync every article under the inputs; one article's or one service's failure never stops the run."""
    started = effects.clock()
    workers = max(len(effects.providers), 1)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="playlist") as pool:
        job = _Job(settings, overrides, options, effects, settings.content.root.resolve(), pool)
        outcomes = _sync_articles(job)
    return RunReport(
        articles=outcomes,
        api_calls={
            name: {kind: provider.calls.get(kind, 0) for kind in CALL_KINDS}
            for name, provider in effects.providers.items()
        },
        dry_run=options.dry_run,
        started_at=started,
        finished_at=effects.clock(),
    )


def _sync_articles(job: _Job) -> list[ArticleOutcome]:
    settings, effects = job.settings, job.effects
    found = discover(job.root, list(job.options.paths), settings.content.globs, settings.content.exclude)
    problems = [ArticleOutcome(path=str(p.path), services={}, error=p.reason) for p in found.problems]
    outcomes = [effects.on_article(outcome) for outcome in problems]
    effects.on_total(len(found.paths))
    for done, path in enumerate(found.paths):
        if effects.should_stop():
            log.warning("stop requested: %d article(s) left for the next run", len(found.paths) - done)
            break
        effects.progress(str(path))
        outcomes.append(effects.on_article(_sync_article(job, path)))
    return outcomes


def _sync_article(job: _Job, path: Path) -> ArticleOutcome:
    now = job.effects.clock()
    unchanged = _unchanged_without_parsing(job, path, now)
    if unchanged is not None:
        return unchanged
    try:
        article = read_article(path, job.root)
    except ArticleError as exc:
        return ArticleOutcome(path=str(path), services={}, error=exc.reason)
    works = extract_works(article.data, article.body, article.body_start_line, job.settings.extract)
    return _ArticleSync(job, article, works, now).run()


def _unchanged_without_parsing(job: _Job, path: Path, now: float) -> ArticleOutcome | None:
    """The outcome for an article unchanged since its last good sync, decided from its bytes alone.

    Parsing and extraction are the expensive part of a warm run, and the works follow from the bytes and the
    extract settings, so neither is needed to know that nothing changed. None: the article must be synced.
    """
    options = job.options
    if options.full_refresh or options.force or options.adopt:
        return None
    try:
        rel_path = path.relative_to(job.root).as_posix()
        raw = path.read_bytes()
    except (ValueError, OSError):
        return None  # read_article reports the problem properly
    record = job.effects.state.get_fingerprint(rel_path)
    if record is None or record.fingerprint != article_fingerprint(
        raw, rel_path, job.overrides, job.settings
    ):
        return None
    if now - record.last_full_at >= job.settings.schedule.full_refresh_days * DAY:
        return None
    return ArticleOutcome(path=rel_path, services={}, skipped="unchanged")


def article_fingerprint(raw: bytes, rel_path: str, overrides: Overrides, settings: Settings) -> str:
    """Changes when anything deciding this article's playlists changes: its bytes (and so its works), the
    overrides that touch it, the settings that shape extraction, matching, playlists and links, the worker."""
    relevant = {
        "bytes": hashlib.sha256(raw).hexdigest(),
        "overrides": overrides.fingerprint(rel_path),
        "worker": __version__,
        "settings": [
            getattr(settings, section).model_dump(mode="json")
            for section in ("extract", "services", "matching", "playlists", "links")
        ],
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def describe_error(exc: ProviderError) -> str:
    """One line for reports: the error kind, the service's message and, for auth problems, what to do."""
    hint = f" — {exc.hint}" if isinstance(exc, AuthError) and exc.hint else ""
    return f"{type(exc).__name__}: {exc.message}{hint}"


def playlist_texts(article: Article, settings: Settings) -> tuple[str, str]:
    """Name and description from the templates; the description's tag lets people and the worker find it."""
    title = " ".join(str(article.data.get("title") or Path(article.rel_path).stem).split())
    fields = {"title": title, "article_id": article.rel_path, "path": article.rel_path}
    return settings.playlists.name.format(**fields), settings.playlists.description.format(**fields)


@dataclass
class _ArticleSync:
    """One article's sync: resolve its works, reconcile each service's playlist, write the links."""

    job: _Job
    article: Article
    works: list[Work]
    now: float
    outcomes: dict[str, ServiceOutcome] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    on_disk: Article | None = None
    _file_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def latest(self) -> Article:
        """The article as it is on disk now, earlier link writes of this run included."""
        return self.on_disk or self.article

    @property
    def state(self) -> State:
        return self.job.effects.state

    @property
    def rel_path(self) -> str:
        return self.article.rel_path

    def run(self) -> ArticleOutcome:
        outcome = ArticleOutcome(path=self.rel_path, services=self.outcomes, works_found=len(self.works))
        try:
            self._sync_services()
            outcome.diff = self._write_frontmatter()
        except ArticleError as exc:
            outcome.error = exc.reason
            return outcome
        if not self.job.options.dry_run and not any(o.error for o in self.outcomes.values()):
            fingerprint = article_fingerprint(
                self.latest.raw, self.rel_path, self.job.overrides, self.job.settings
            )
            self.state.set_fingerprint(
                self.rel_path, fingerprint, self.now, full=self.job.options.full_refresh
            )
        return outcome

    # -- resolving -------------------------------------------------------------------------------------

    def _sync_services(self) -> None:
        providers = self.job.effects.providers
        linkable = [s for s in providers if link_key(self.article.data, self.job.settings.links, s)]
        for service in providers.keys() - set(linkable):
            self.outcomes[service] = ServiceOutcome(service=service, action="skipped")
            self.outcomes[service].notes.append(
                f"no link key for {service}: set links.{service}.create to add one"
            )
        if not linkable:
            return
        eligible, skipped = self._eligible_works()
        resolved, failures = self._resolve_all(eligible, linkable)
        wanted: dict[str, list[str]] = {}
        for service in linkable:
            if service in failures:
                self.outcomes[service] = ServiceOutcome(
                    service=service, action="failed", error=failures[service]
                )
            else:
                self.outcomes[service] = _service_outcome(service, resolved[service], skipped)
                wanted[service] = wanted_track_ids(resolved[service])
        self._reconcile_side_by_side(wanted)

    def _reconcile_side_by_side(self, wanted: dict[str, list[str]]) -> None:
        """Each service's playlist in a thread of its own, so one service's rate limit or latency never holds
        up another's writes. Each provider is used by one thread only; the article file and the links map are
        touched under `_file_lock`. An error in one thread surfaces here once all have finished."""
        futures = [self.job.pool.submit(self._sync_playlist, service, ids) for service, ids in wanted.items()]
        wait(futures)
        for future in futures:
            future.result()

    def _eligible_works(self) -> tuple[list[Work], list[Unmatched]]:
        eligible: list[Work] = []
        skipped: list[Unmatched] = []
        for work in self.works:
            if self.job.overrides.for_work(self.rel_path, work).exclude:
                skipped.append(Unmatched(work=work, outcome="excluded"))
            elif work.confidence < self.job.settings.matching.min_confidence:
                skipped.append(Unmatched(work=work, outcome="low_confidence"))
            else:
                eligible.append(work)
        return eligible, skipped

    def _resolve_all(
        self, works: list[Work], services: list[str]
    ) -> tuple[dict[str, list[Resolution]], dict[str, str]]:
        """Resolve every work; a service that fails is dropped for the rest of this article and reported."""
        resolved: dict[str, list[Resolution]] = {service: [] for service in services}
        failures: dict[str, str] = {}
        for work in works:
            override = self.job.overrides.for_work(self.rel_path, work)
            results: dict[str, Resolution] = {}
            while len(failures) < len(services):
                healthy = {s: self.job.effects.providers[s] for s in services if s not in failures}
                resolver = Resolver(
                    healthy, self.state, self.job.settings, self.now, refresh=self.job.options.full_refresh
                )
                try:
                    results = resolver.resolve(work, override)
                    break
                except ProviderError as exc:
                    log.warning("%s", exc)
                    failures[exc.service] = describe_error(exc)
            for service, resolution in results.items():
                resolved[service].append(resolution)
        return resolved, failures

    # -- playlists -------------------------------------------------------------------------------------

    def _sync_playlist(self, service: str, wanted: list[str]) -> None:
        outcome = self.outcomes[service]
        playlists = self.job.effects.providers[service].playlists
        if playlists is None:
            outcome.action = "skipped"
            outcome.notes.append(f"no write credentials for {service}: searched only, no playlist written")
            return
        try:
            self._reconcile(service, playlists, wanted)
        except ProviderError as exc:
            log.warning("%s", exc)
            outcome.action = "failed"
            outcome.error = describe_error(exc)

    def _reconcile(self, service: str, playlists: PlaylistProvider, wanted: list[str]) -> None:
        outcome = self.outcomes[service]
        target = self._target_playlist(service, playlists)
        if target is None:
            return
        playlist_id, worker_ids = target
        current = self._current_playlist(playlists, playlist_id, outcome)
        owned = [] if current is None else list(current.track_ids) if worker_ids is None else worker_ids
        write_model = self.job.effects.providers[service].capabilities.write_model
        plan = plan_playlist(write_model, wanted, current, owned)
        outcome.steps = plan.steps
        outcome.notes.extend(plan.notes)
        if current is not None:
            self._remember_link(service, current)
        if not wanted and current is None:
            outcome.notes.append("no matched tracks: no playlist created")
            return
        outcome.action = plan.action
        if self.job.options.dry_run:
            outcome.action = "unchanged" if plan.action == "unchanged" else f"would-{plan.action}"
            return
        self._apply(service, playlists, plan, current)

    def _target_playlist(
        self, service: str, playlists: PlaylistProvider
    ) -> tuple[str | None, list[str] | None] | None:
        """The playlist to reconcile and the entries the worker owns in it (None: all of them).

        (None, []) means a new playlist; None means someone else's link, left alone.
        """
        options = self.job.options
        record = self.state.get_playlist(self.rel_path, service)
        if record is not None and not options.force:
            return record.playlist_id, list(record.track_ids)
        if options.force:
            return None, []
        existing = self._linked_playlist(service)
        if existing is None:
            return self._interrupted_playlist(service, playlists)
        outcome = self.outcomes[service]
        if options.adopt and existing.playlist_id:
            outcome.notes.append(f"adopted the playlist already linked ({existing.playlist_id})")
            return existing.playlist_id, []
        outcome.action = "skipped"
        outcome.notes.append(
            f"{service} link was not made by the worker: left alone (--adopt or --force to change)"
        )
        return None

    def _interrupted_playlist(
        self, service: str, playlists: PlaylistProvider
    ) -> tuple[str | None, list[str] | None]:
        """A playlist this worker created for the article in a run killed before it could record the id.

        Found by its description (which carries the `[playlist-worker:…]` tag) or, on services that keep no
        description, by its name. Everything in it was put there by the worker.
        """
        name, description = playlist_texts(self.article, self.job.settings)
        for playlist in self.job.own_playlists(service, playlists):
            if playlist.description == description or (not playlist.description and playlist.name == name):
                self.outcomes[service].notes.append(f"reusing {playlist.id}, created by an interrupted run")
                return playlist.id, None
        return None, []

    def _linked_playlist(self, service: str) -> PlaylistLink | None:
        key = link_key(self.article.data, self.job.settings.links, service)
        value = get_key(self.article.data, key) if key else MISSING
        return parse_link(value, service) if isinstance(value, str) else None

    @staticmethod
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
        self, service: str, playlists: PlaylistProvider, plan: PlaylistPlan, current: Playlist | None
    ) -> None:
        playlist = current
        for step in plan.steps:
            if step.op in ("create", "rebuild"):
                playlist = self._create(service, playlists)
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
            self.state.retire_playlist(self.rel_path, service, plan.retire, "append-only: rebuilt", self.now)
            self.outcomes[service].retired = plan.retire
        link = self.links[service]
        self.state.put_playlist(
            self.rel_path, service, playlist.id, link, list(plan.worker_ids), self.now, "ok"
        )

    def _create(self, service: str, playlists: PlaylistProvider) -> Playlist:
        """Create the playlist; record its id in the state and the frontmatter before any track is added."""
        name, description = playlist_texts(self.article, self.job.settings)
        playlist = playlists.create_playlist(name, description, public=self.job.settings.playlists.public)
        self._remember_link(service, playlist)
        with self._file_lock:
            link = self.links[service]
            self.state.put_playlist(self.rel_path, service, playlist.id, link, [], self.now, "creating")
            self._write(self._frontmatter_changes(playable=None))
        return playlist

    def _remember_link(self, service: str, playlist: Playlist) -> None:
        settings = self.job.settings
        form = settings.links.for_service(service).form
        if form == "url" and playlist.url:
            link = playlist.url
        else:
            public = parse_link(playlist.url, service) if playlist.url else None
            public_id = public.playlist_id if public and public.playlist_id else playlist.id
            link = format_link(
                service, form, public_id, name=playlist.name, storefront=settings.apple.storefront
            )
        with self._file_lock:
            self.links[service] = link
        self.outcomes[service].playlist_id, self.outcomes[service].url = playlist.id, link

    # -- frontmatter -----------------------------------------------------------------------------------

    def _frontmatter_changes(self, playable: bool | None) -> dict[str, str | bool]:
        """Planned key changes; with `playable` None the playable key is left as it is."""
        owned = {
            service: record.url
            for service in self.links
            if (record := self.state.get_playlist(self.rel_path, service)) is not None
        }
        links = self.job.settings.links
        plan = plan_frontmatter(self.latest.data, links, self.links, bool(playable), owned_links=owned)
        changes = dict(plan.changes)
        if playable is None:
            changes.pop(links.playable_key, None)
        return changes

    def _write(self, changes: Mapping[str, str | bool]) -> bytes:
        new = render_changes(self.latest, changes)
        if self.job.effects.write(self.article.path, new):
            self.on_disk = read_article(self.article.path, self.job.root)
        return new

    def _playable(self) -> bool | None:
        """True when some service has (or, dry-running, would have) a playlist of at least min_tracks tracks.

        Services outside this run count through the registry. None — leave the key as it is — when nothing
        qualifies but a service failed, because then the answer is unknown.
        """
        minimum = self.job.settings.playlists.min_tracks
        outcomes = self.outcomes.values()
        if any(len(o.tracks) >= minimum and (o.url or o.action.startswith("would-")) for o in outcomes):
            return True
        others = [s for s in self.job.settings.services.enabled if s not in self.outcomes]
        records = [self.state.get_playlist(self.rel_path, s) for s in others]
        if any(r is not None and len(r.track_ids) >= minimum for r in records):
            return True
        return None if any(o.error for o in outcomes) else False

    def _write_frontmatter(self) -> str:
        changes = self._frontmatter_changes(self._playable())
        new = render_changes(self.latest, changes) if self.job.options.dry_run else self._write(changes)
        for service, outcome in self.outcomes.items():
            outcome.link_written = service in self.links and new != self.article.raw
        return frontmatter_diff(self.rel_path, self.article.raw, new)


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
