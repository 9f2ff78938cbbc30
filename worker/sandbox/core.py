"""The sandbox's HTTP machinery: request and response values, routing, and the fault layer.

One `App` serves every emulated service on one port. Each service is a `Mount` (a path prefix, its routes and
how it renders errors). Before a request reaches its route, the fault layer applies the `SandboxOptions`:
latency, slow answers, dropped connections, random 5xx, forced statuses and each service's rate limit.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger(__name__)

FAULT_STATUSES = (500, 502, 503)


@dataclass
class SandboxOptions:
    """Fault and limit knobs; change fields on `sandbox.options` while it runs."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    slow_rate: float = 0.0
    slow_ms: float = 2000.0
    spotify_window_limit: int | None = 180
    spotify_retry_after_s: int = 5
    deezer_quota: int | None = 50
    deezer_window_s: float = 5.0
    apple_limit: int | None = 300
    apple_window_s: float = 60.0
    forced_status: dict[str, int] = field(default_factory=dict)
    token_ttl_s: int = 3600
    seed: int = 0


@dataclass(frozen=True)
class RequestRecord:
    """One request the sandbox saw. `service` is the mount name; `status` is 0 for a dropped connection."""

    service: str
    method: str
    path: str
    status: int


@dataclass(frozen=True)
class Request:
    """An incoming request. `path` is relative to its mount; `base` is the mount's absolute URL."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    base: str
    origin: str

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def json(self) -> Any:
        """The JSON body, or None when the body is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace")))


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> Response:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return cls(status, body, (("Content-Type", "application/json; charset=utf-8"), *headers))

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(302, b"", (("Location", location),))


class Abort(Exception):
    """Raised by a handler to answer at once with `response` (an error, usually)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


Handler = Callable[[Request, dict[str, str]], Response]
ErrorRenderer = Callable[[int, str], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, pattern: str, handler: Handler) -> Route:
    """A route whose `pattern` (a regex over the path below the mount) must match the whole path."""
    return Route(method, re.compile(pattern), handler)


@dataclass(frozen=True)
class Limit:
    """A rolling-window rate limit: `limit` requests per `window_s`; `penalty_s` blocks after a breach."""

    limit: int | None
    window_s: float
    penalty_s: float | None = None


@dataclass(frozen=True)
class Mount:
    """One emulated endpoint set. `service` names it in `forced_status`; None means no faults and no limit."""

    prefix: str
    name: str
    routes: Sequence[Route]
    error: ErrorRenderer
    not_found: Callable[[Request], Response]
    service: str | None = None
    limit: Callable[[SandboxOptions], Limit] | None = None
    throttled: Callable[[SandboxOptions], Response] | None = None


class RollingWindow:
    """Counts admitted requests over a rolling window; thread-safe."""

    def __init__(self) -> None:
        self._hits: deque[float] = deque()
        self._blocked_until = float("-inf")
        self._lock = threading.Lock()

    def admit(self, now: float, limit: Limit) -> bool:
        if limit.limit is None:
            return True
        with self._lock:
            if now < self._blocked_until:
                return False
            while self._hits and self._hits[0] <= now - limit.window_s:
                self._hits.popleft()
            if len(self._hits) < limit.limit:
                self._hits.append(now)
                return True
            if limit.penalty_s is not None:
                self._blocked_until = now + limit.penalty_s
                self._hits.clear()
            return False


class App:
    """Dispatches raw requests to mounts, through the fault layer; records every request."""

    def __init__(
        self,
        mounts: Sequence[Mount],
        options: SandboxOptions,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.mounts = sorted(mounts, key=lambda m: len(m.prefix), reverse=True)
        self.options = options
        self.clock = clock
        self.sleep = sleep
        self.origin = ""
        self.records: list[RequestRecord] = []
        self._rng = random.Random(options.seed)
        self._rng_lock = threading.Lock()
        self._windows: dict[str, RollingWindow] = {}

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Response | None:
        """Answer one request; None means: close the connection without an answer."""
        url = urlsplit(target)
        path = url.path.lstrip("/")
        mount = next((m for m in self.mounts if path.startswith(m.prefix)), None)
        if mount is None:
            self.records.append(RequestRecord("", method, url.path, 404))
            return Response(404, b"Not Found", (("Content-Type", "text/plain"),))
        request = Request(
            method=method,
            path=path[len(mount.prefix) :],
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
            base=f"{self.origin}/{mount.prefix}",
            origin=self.origin,
        )
        response = self._through_faults(mount, request)
        status = 0 if response is None else response.status
        self.records.append(RequestRecord(mount.name, method, url.path, status))
        log.debug("%s %s -> %s", method, url.path, status)
        return response

    def _through_faults(self, mount: Mount, request: Request) -> Response | None:
        options = self.options
        if options.latency_ms > 0:
            self.sleep(options.latency_ms / 1000)
        if mount.service is None:
            return self._dispatch(mount, request)
        if self._draw(options.slow_rate):
            self.sleep(options.slow_ms / 1000)
        forced = options.forced_status.get(mount.service)
        if forced is not None:
            return mount.error(forced, "Forced by the sandbox")
        if self._draw(options.drop_rate):
            return None
        if self._draw(options.error_rate):
            return mount.error(self._choice(FAULT_STATUSES), "Injected by the sandbox")
        if not self._admitted(mount):
            assert mount.throttled is not None
            return mount.throttled(options)
        return self._dispatch(mount, request)

    def _admitted(self, mount: Mount) -> bool:
        if mount.limit is None:
            return True
        window = self._windows.setdefault(mount.name, RollingWindow())
        return window.admit(self.clock(), mount.limit(self.options))

    def _draw(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < rate

    def _choice(self, values: Sequence[int]) -> int:
        with self._rng_lock:
            return self._rng.choice(values)

    @staticmethod
    def _dispatch(mount: Mount, request: Request) -> Response:
        allowed = False
        for candidate in mount.routes:
            match = candidate.pattern.fullmatch(request.path)
            if match is None:
                continue
            if candidate.method != request.method:
                allowed = True
                continue
            try:
                return candidate.handler(request, match.groupdict())
            except Abort as abort:
                return abort.response
            except Exception:
                log.exception("sandbox handler failed: %s %s", request.method, request.path)
                return mount.error(500, "Sandbox handler failed")
        return mount.error(405, "Method not allowed") if allowed else mount.not_found(request)


def make_server(
    app: App, port: int, host: str = "127.0.0.1", public_host: str | None = None
) -> ThreadingHTTPServer:
    """A threading HTTP server on `host` that feeds `app`; `app.origin` (used in every URL the sandbox hands
    out) names `public_host`, else `host` (127.0.0.1 when `host` is a wildcard address)."""
    server = ThreadingHTTPServer((host, port), _handler_class(app))
    server.daemon_threads = True
    named = public_host or ("127.0.0.1" if host in ("0.0.0.0", "") else host)
    app.origin = f"http://{named}:{server.server_address[1]}"
    return server


def _handler_class(app: App) -> type[BaseHTTPRequestHandler]:
    class SandboxHandler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True  # keep-alive answers would otherwise wait ~40 ms for a delayed ACK
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def do_PATCH(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            response = app.handle(self.command, self.path, dict(self.headers.items()), body)
            if response is None:
                self.close_connection = True
                return
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        def log_message(self, format: str, *args: Any) -> None:
            """Silenced: the default logs query strings, which can hold tokens. `App` logs paths only."""

    return SandboxHandler
