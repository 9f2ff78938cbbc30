"""`check`: prove that every playlist link in the articles still works (the CI mode), after lychee.

The pipeline is collect → judge the form → ask the services → judge the answers → report:

1. `collect_links` reads every article's frontmatter and finds the link under every configured key
   (`links.<service>.keys`), with the file line of the key, and the article's `isPlayable` value;
2. `judge_form` (pure) parses what was typed: URLs with tracking parameters and language segments,
   `spotify:playlist:` URIs, Deezer short links, Apple URLs with storefront and slug, bare ids. A link for
   another service, or text that is no playlist link, is broken before any network call;
3. `run_check` asks each service about each distinct playlist once (`CatalogProvider.read_playlist`; Deezer
   short links are first followed to their playlist), `check.concurrency` threads per service, the providers'
   own pacing and retries keeping to the rate limits. Good results are cached in the state for
   `check.cache_ttl_s`; errors and inconclusive results never are;
4. `judge_playlist` / `judge_error` (pure) turn an answer into an outcome, and `judge_playable` checks each
   article's `isPlayable` against its links.

Outcomes (`Status`), one case each:

    ok            the playlist exists, the account can read it, it has at least playlists.min_tracks tracks
                  and that many still play in the configured market (or, offline: the link is well formed)
    broken        it does not: the reason says which rule failed and what to do
    inconclusive  the service could not answer (rate limited, 5xx, timeout, refused credentials): the link
                  may be fine, so it is never reported as broken
    skipped       no credentials for that service, so it was not asked

`CheckReport.exit_code`: 0 when nothing is broken or inconclusive, 2 when something is broken, 4 when
something is inconclusive and nothing is broken. `worker.check_report` renders the report.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from ruamel.yaml.comments import CommentedMap

from worker.articles.discover import discover
from worker.articles.frontmatter import MISSING, Article, get_key, read_article
from worker.config import Settings
from worker.errors import ArticleError, AuthError, NotFound, PolicyError, ProviderError, TransientError
from worker.exitcodes import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK
from worker.links import PlaylistLink, parse_link
from worker.model import SERVICES, Playlist
from worker.providers.base import CatalogProvider
from worker.state import State

log = logging.getLogger(__name__)

Status = Literal["ok", "broken", "inconclusive", "skipped"]
STATUSES: tuple[Status, ...] = ("ok", "broken", "inconclusive", "skipped")

FRONTMATTER_FIRST_LINE = 2
"""File line of the frontmatter's first line: the opening `---` is line 1."""

OFFLINE_OK = "well formed (not checked online)"

EXAMPLE_LINKS: dict[str, str] = {
    "spotify": "https://open.spotify.com/playlist/ID or spotify:playlist:ID",
    "deezer": "https://www.deezer.com/playlist/ID or https://link.deezer.com/s/CODE",
    "apple": "https://music.apple.com/us/playlist/NAME/pl.u-ID",
}


@dataclass(frozen=True)
class FoundLink:
    """A value under a link key: the article, the file line of the key, the key's service and the raw text."""

    path: str
    line: int | None
    service: str
    key: str
    text: str


@dataclass(frozen=True)
class ArticleLinks:
    """One article's links and its `isPlayable` value (`MISSING` when it has no such key)."""

    path: str
    links: tuple[FoundLink, ...]
    playable: object = MISSING
    playable_line: int | None = None


@dataclass(frozen=True)
class CheckResult:
    """One row of the report: a link (or an article's `isPlayable`, with `service` None) and its outcome."""

    path: str
    line: int | None
    service: str | None
    link: str
    status: Status
    reason: str = ""
    cached: bool = False


@dataclass(frozen=True)
class Verdict:
    """What a service's answer means for a playlist; `track_count` is known when it answered."""

    status: Status
    reason: str = ""
    track_count: int | None = None


@dataclass(frozen=True)
class CheckReport:
    """Every result, in article and line order, and the API calls each service took."""

    results: tuple[CheckResult, ...]
    api_calls: dict[str, dict[str, int]] = field(default_factory=dict)
    offline: bool = False

    def counts(self) -> dict[str, int]:
        """How many results have each status (every status present, zero included), and the total."""
        counts: dict[str, int] = {s: sum(1 for r in self.results if r.status == s) for s in STATUSES}
        return {**counts, "total": len(self.results)}

    @property
    def exit_code(self) -> int:
        counts = self.counts()
        if counts["broken"]:
            return EXIT_FAILED
        return EXIT_INCONCLUSIVE if counts["inconclusive"] else EXIT_OK


@dataclass(frozen=True)
class CheckOptions:
    """What to check: article files or folders (none: the content root) and which services' links."""

    paths: Sequence[Path] = ()
    services: Sequence[str] = SERVICES
    base: Path = Path()
    """Result paths are shown relative to this folder (the current one) when the article is inside it."""


@runtime_checkable
class FollowsShortLinks(Protocol):
    """A provider that can turn a short share link (Deezer's link.deezer.com/s/…) into a playlist id."""

    def resolve_short_link(self, url: str) -> str: ...


@dataclass
class CheckEffects:
    """The edges of an online check: the services, the state (result cache) and the clock."""

    providers: Mapping[str, CatalogProvider]
    state: State
    clock: Callable[[], float]
    skipped: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Services left out for lack of credentials, with the variables they lack."""


# --- collect ---------------------------------------------------------------------------------------------


def collect_links(settings: Settings, options: CheckOptions) -> tuple[list[ArticleLinks], list[CheckResult]]:
    """Every article's links under the services' keys, and a broken result for each unreadable article."""
    root = settings.content.root.resolve()
    found = discover(root, list(options.paths), settings.content.globs, settings.content.exclude)
    base = options.base.resolve()
    problems = [_unreadable(shown_path(problem.path, base), problem.reason) for problem in found.problems]
    articles: list[ArticleLinks] = []
    for path in found.paths:
        try:
            article = read_article(path, root)
        except ArticleError as exc:
            problems.append(_unreadable(shown_path(path, base), exc.reason))
            continue
        articles.append(article_links(article, settings, options.services, shown_path(article.path, base)))
    return articles, problems


def shown_path(path: Path, base: Path) -> str:
    """`path` relative to `base` when inside it (what CI annotations need), else absolute."""
    absolute = Path(os.path.abspath(path))
    return absolute.relative_to(base).as_posix() if absolute.is_relative_to(base) else str(absolute)


def _unreadable(path: str, reason: str) -> CheckResult:
    return CheckResult(path, None, None, "", "broken", f"article cannot be read: {reason}")


def article_links(article: Article, settings: Settings, services: Sequence[str], shown: str) -> ArticleLinks:
    """The non-empty values under every configured link key of `services`, with their file lines. Pure."""
    links = [
        FoundLink(shown, key_line(article.data, key), service, key, _text(value))
        for service in services
        for key in settings.links.for_service(service).keys
        if not _empty(value := get_key(article.data, key))
    ]
    playable_key = settings.links.playable_key
    return ArticleLinks(
        shown,
        tuple(links),
        get_key(article.data, playable_key),
        key_line(article.data, playable_key),
    )


def _empty(value: object) -> bool:
    return value is MISSING or value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    """The link as typed; a number (a bare Deezer id written without quotes) becomes its digits."""
    if isinstance(value, int | str) and not isinstance(value, bool):
        return str(value).strip()
    return repr(value)


def key_line(data: CommentedMap, dotted: str) -> int | None:
    """The file line of a dotted frontmatter key, from ruamel.yaml's positions; None when it is absent."""
    *parents, leaf = dotted.split(".")
    node: Any = data
    for part in parents:
        node = node.get(part) if isinstance(node, CommentedMap) else None
    if not isinstance(node, CommentedMap) or leaf not in node:
        return None
    line, _column = node.lc.key(leaf)
    return int(line) + FRONTMATTER_FIRST_LINE


# --- judge -----------------------------------------------------------------------------------------------


def judge_form(found: FoundLink, settings: Settings) -> PlaylistLink | CheckResult:
    """The playlist the text points to, or a broken result saying what is wrong with it. Pure."""
    link = parse_link(found.text, found.service)
    if link is not None:
        return link
    elsewhere = parse_link(found.text)
    if elsewhere is not None:
        right_key = settings.links.for_service(elsewhere.service).keys[0]
        reason = f"a {elsewhere.service} link under {found.key}; move it to {right_key}"
    else:
        reason = f"not a {found.service} playlist link; expected {EXAMPLE_LINKS[found.service]}"
    return _result(found, "broken", reason)


def judge_playlist(playlist: Playlist, min_tracks: int, market: str) -> Verdict:
    """ok when the playlist has at least `min_tracks` tracks and that many still play in `market`. Pure.

    A playlist whose items the service hides from this app (Spotify shows them only to the owner) and that
    reports no count is judged by its existence alone.
    """
    count = playlist.track_count
    if not playlist.owned and not count and playlist.playable_count is None:
        return Verdict(
            "ok", "exists; the service shows its tracks only to the owner, so they were not counted"
        )
    if count < min_tracks:
        return Verdict("broken", f"has {count} tracks, fewer than playlists.min_tracks ({min_tracks})", count)
    playable = playlist.playable_count
    if playable is not None and playable < min_tracks:
        return Verdict("broken", f"only {playable} of {count} tracks still play in {market}", count)
    if playable is not None and playable < count:
        return Verdict("ok", f"{count - playable} of {count} tracks no longer play in {market}", count)
    return Verdict("ok", f"{count} tracks", count)


def judge_error(error: ProviderError) -> Verdict:
    """A failed read: gone or private means broken; anything the service could not answer is inconclusive."""
    if isinstance(error, NotFound):
        return Verdict("broken", "playlist not found: deleted, made private, or a wrong id; link a live one")
    if isinstance(error, PolicyError):
        return Verdict("broken", f"not readable by the configured account: {error.message}")
    if isinstance(error, AuthError):
        hint = f"; {error.hint}" if error.hint else ""
        return Verdict("inconclusive", f"credentials refused ({error.message}){hint}")
    if isinstance(error, TransientError):
        return Verdict("inconclusive", f"{type(error).__name__}: {error.message}; run the check again later")
    return Verdict("inconclusive", f"{type(error).__name__}: {error.message}")


def judge_playable(
    article: ArticleLinks, verdicts: Sequence[Verdict], playable_key: str
) -> CheckResult | None:
    """Whether `isPlayable` agrees with the links: true exactly when some link is ok. None without the key.

    An ok link is a playlist with at least playlists.min_tracks tracks that still play. Pure.
    """
    value = article.playable
    if value is MISSING:
        return None
    row = CheckResult(article.path, article.playable_line, None, f"{playable_key}: {_yaml(value)}", "ok")
    if not isinstance(value, bool):
        return _with(row, "broken", f"{playable_key} must be true or false")
    expected = _expected_playable(verdicts)
    if expected is None:
        return _unknown_playable(row, verdicts, playable_key)
    if expected != value:
        return _with(row, "broken", _playable_mismatch(playable_key, expected))
    return row


def _expected_playable(verdicts: Sequence[Verdict]) -> bool | None:
    """True when a link is ok, False when every link is broken (or there is none), None when unknown."""
    if any(verdict.status == "ok" for verdict in verdicts):
        return True
    if all(verdict.status == "broken" for verdict in verdicts):
        return False
    return None


def _unknown_playable(row: CheckResult, verdicts: Sequence[Verdict], playable_key: str) -> CheckResult:
    status: Status = "inconclusive" if any(v.status == "inconclusive" for v in verdicts) else "skipped"
    return _with(row, status, f"cannot confirm {playable_key}: no link could be checked")


def judge_playable_offline(article: ArticleLinks, well_formed: int, playable_key: str) -> CheckResult | None:
    """Offline, `isPlayable: true` needs at least one well-formed link; false is always possible. Pure."""
    value = article.playable
    if value is MISSING:
        return None
    row = CheckResult(article.path, article.playable_line, None, f"{playable_key}: {_yaml(value)}", "ok")
    if not isinstance(value, bool):
        return _with(row, "broken", f"{playable_key} must be true or false")
    if value and not well_formed:
        return _with(row, "broken", _playable_mismatch(playable_key, expected=False))
    return row


def _playable_mismatch(playable_key: str, expected: bool) -> str:
    if expected:
        return f"{playable_key} is false but a linked playlist plays; set it to true (or run sync)"
    return f"{playable_key} is true but no linked playlist plays; set it to false (or run sync)"


def _yaml(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value)


def _result(found: FoundLink, status: Status, reason: str, *, cached: bool = False) -> CheckResult:
    return CheckResult(found.path, found.line, found.service, found.text, status, reason, cached)


def _with(row: CheckResult, status: Status, reason: str) -> CheckResult:
    return CheckResult(row.path, row.line, row.service, row.link, status, reason, row.cached)


# --- offline ---------------------------------------------------------------------------------------------


def check_offline(settings: Settings, options: CheckOptions) -> CheckReport:
    """Form and consistency only: links parse, sit under the right key, `isPlayable` matches. No network."""
    articles, problems = collect_links(settings, options)
    results = list(problems)
    for article in articles:
        judged = [judge_form(found, settings) for found in article.links]
        results += [
            form
            if isinstance(form, CheckResult)
            else _result(found, "ok", "well formed (not checked online)")
            for found, form in zip(article.links, judged, strict=True)
        ]
        well_formed = sum(isinstance(form, PlaylistLink) for form in judged)
        playable = judge_playable_offline(article, well_formed, settings.links.playable_key)
        results += [playable] if playable else []
    return CheckReport(tuple(_ordered(results)), offline=True)


# --- online ----------------------------------------------------------------------------------------------


def run_check(settings: Settings, options: CheckOptions, effects: CheckEffects) -> CheckReport:
    """Ask the services about every link, each distinct playlist once, and judge every article."""
    articles, problems = collect_links(settings, options)
    forms = {found: judge_form(found, settings) for article in articles for found in article.links}
    targets = {link for link in forms.values() if isinstance(link, PlaylistLink)}
    verdicts = _verdicts(targets, settings, effects)
    results = list(problems)
    for article in articles:
        article_verdicts: list[Verdict] = []
        for found in article.links:
            judged = forms[found]
            if isinstance(judged, CheckResult):
                results.append(judged)
                article_verdicts.append(Verdict("broken"))
                continue
            verdict, cached = verdicts[judged]
            results.append(_result(found, verdict.status, verdict.reason, cached=cached))
            article_verdicts.append(verdict)
        playable = judge_playable(article, article_verdicts, settings.links.playable_key)
        results += [playable] if playable else []
    calls = {name: dict(provider.calls) for name, provider in effects.providers.items()}
    return CheckReport(tuple(_ordered(results)), calls)


def _verdicts(
    targets: Iterable[PlaylistLink], settings: Settings, effects: CheckEffects
) -> dict[PlaylistLink, tuple[Verdict, bool]]:
    """A verdict per distinct playlist (and whether it came from the cache); good ones are cached."""
    now = effects.clock()
    ttl = settings.check.cache_ttl_s
    known: dict[PlaylistLink, tuple[Verdict, bool]] = {}
    to_ask: dict[str, list[PlaylistLink]] = {}
    for link in targets:
        if link.service not in effects.providers:
            missing = ", ".join(effects.skipped.get(link.service, ())) or "credentials"
            known[link] = (
                Verdict("skipped", f"no credentials for {link.service} (missing {missing})"),
                False,
            )
        elif (record := effects.state.get_check(cache_key(link), now, ttl)) is not None:
            known[link] = (Verdict(**record.outcome), True)
        else:
            to_ask.setdefault(link.service, []).append(link)
    for link, verdict in _ask_services(to_ask, settings, effects.providers).items():
        known[link] = (verdict, False)
        if verdict.status == "ok":
            effects.state.put_check(cache_key(link), asdict(verdict), effects.clock())
    return known


def cache_key(link: PlaylistLink) -> str:
    """The check cache's key for a playlist: service and id (or the short link still to follow)."""
    return f"{link.service}:{link.playlist_id or link.short_url}"


def _ask_services(
    to_ask: Mapping[str, Sequence[PlaylistLink]], settings: Settings, providers: Mapping[str, CatalogProvider]
) -> dict[PlaylistLink, Verdict]:
    """Read every playlist, `check.concurrency` at a time per service, all services at once."""
    pools = {service: ThreadPoolExecutor(settings.check.concurrency) for service in to_ask}
    try:
        futures: dict[PlaylistLink, Future[Verdict]] = {
            link: pools[service].submit(probe, providers[service], link, settings)
            for service, links in to_ask.items()
            for link in links
        }
        return {link: future.result() for link, future in futures.items()}
    finally:
        for pool in pools.values():
            pool.shutdown(wait=True, cancel_futures=True)


def probe(provider: CatalogProvider, link: PlaylistLink, settings: Settings) -> Verdict:
    """Read one playlist (following a short link first) and judge the answer."""
    try:
        playlist = provider.read_playlist(_playlist_id(provider, link, settings.deezer.links_base))
    except ProviderError as exc:
        log.info("%s", exc)
        return judge_error(exc)
    return judge_playlist(playlist, settings.playlists.min_tracks, market_of(link.service, settings))


def _playlist_id(provider: CatalogProvider, link: PlaylistLink, links_base: str) -> str:
    if link.playlist_id is not None:
        return link.playlist_id
    if link.short_url is None or not isinstance(provider, FollowsShortLinks):
        raise NotFound(link.service, f"cannot follow the short link {link.short_url}")
    return provider.resolve_short_link(short_link_url(link.short_url, links_base))


def short_link_url(short_url: str, links_base: str) -> str:
    """The short link on the configured host (`deezer.links_base`: link.deezer.com or the sandbox). Pure."""
    code = short_url.rstrip("/").rsplit("/", 1)[-1]
    return f"{links_base.rstrip('/')}/s/{code}"


def market_of(service: str, settings: Settings) -> str:
    """Where playability is judged: Spotify's market, Apple's storefront, the Deezer account's country."""
    if service == "spotify":
        return f"market {settings.spotify.market}"
    if service == "apple":
        return f"storefront {settings.apple.storefront}"
    return "the account's country"


def _ordered(results: Iterable[CheckResult]) -> list[CheckResult]:
    return sorted(results, key=lambda r: (r.path, r.line or 0, r.service or ""))
