"""The worker's exception tree. Every module raises only these; foreign errors are translated at the edge.

    WorkerError                      base of everything the worker raises on purpose
    ├── UserError                    the user can fix it; shown without traceback, `problems` as bullets
    │   ├── ConfigError              bad settings or missing secrets (exit code 3)
    │   └── LockHeld                 another worker already runs on this content tree
    ├── ArticleError                 one article cannot be read or written; the run goes on with the others
    └── ProviderError                a streaming service call failed (carries `service`)
        ├── RateLimited              429 / quota; `retry_after` in seconds when the service said so
        ├── ProviderUnavailable      5xx, timeout, dropped connection: worth retrying later
        │   ├── NotSent              no connection was made: the request certainly had no effect
        │   └── OutcomeUnknown       a create/add failed midway, may have been applied: not repeated
        ├── AuthError                missing, expired or refused credentials; `hint` says what to do
        ├── NotFound                 the id does not exist (or is not visible to this account)
        └── PolicyError              the account's tier or the service's write model forbids the call

"Retryable" is a type, not a string check: `RateLimited` and `ProviderUnavailable` are `TransientError`s.
Messages never contain secret values: adapters build them from status codes and service error texts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class WorkerError(Exception):
    """Base class of every error the worker raises on purpose."""


class UserError(WorkerError):
    """An error the user can fix; `problems` lists every issue found, `hint` says what to do next."""

    def __init__(self, message: str, problems: Sequence[str] = (), hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)
        self.hint = hint

    def render(self) -> str:
        lines = [self.message]
        lines += [f"  - {problem}" for problem in self.problems]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


class ConfigError(UserError):
    """The settings (file, environment or flags) are invalid. Exit code 3."""


class LockHeld(UserError):
    """Another worker holds the lock on the content tree."""


class ArticleError(WorkerError):
    """One article cannot be read, parsed or written. Nothing is written to it; other articles go on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class ProviderError(WorkerError):
    """A call to a streaming service failed."""

    def __init__(self, service: str, message: str) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.message = message


class TransientError(ProviderError):
    """A failure worth retrying later: the outcome is unknown, not negative."""


class RateLimited(TransientError):
    """The service asked us to slow down. `retry_after` is in seconds, None when the service gave no hint."""

    def __init__(self, service: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(service, message)
        self.retry_after = retry_after


class ProviderUnavailable(TransientError):
    """5xx, timeout or dropped connection."""


class NotSent(ProviderUnavailable):
    """No connection to the service was made, so the request cannot have taken effect (safe to repeat)."""


class OutcomeUnknown(ProviderUnavailable):
    """A non-idempotent write failed in a way that leaves open whether the service applied it.

    It is not repeated. Whoever made the call must read the service's state (the playlist, or the account's
    own playlists for a create) before trying the change again — the next sync does exactly that.
    """


class AuthError(ProviderError):
    """Credentials are missing, expired or refused. `hint` tells the user what to do."""

    def __init__(self, service: str, message: str, hint: str = "") -> None:
        super().__init__(service, message)
        self.hint = hint


class NotFound(ProviderError):
    """The requested id does not exist for this account."""


class PolicyError(ProviderError):
    """The endpoint or capability is not allowed for this account's tier or by the service's write model."""
