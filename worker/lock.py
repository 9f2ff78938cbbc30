"""One worker per content tree: an exclusive, non-blocking `flock` on the content root directory itself.

The lock lives on an open file descriptor of the directory, so nothing is created inside the site's content
and the kernel releases it when the process ends, however it ends (no stale lock files after a crash).
`flock` locks are per open file description: a second `content_lock` on the same root fails even inside the
same process, which is what lets a test prove the guard.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from worker.errors import ConfigError, LockHeld


@contextmanager
def content_lock(root: Path) -> Iterator[Path]:
    """Hold the content tree at `root` exclusively for the block; yields the resolved root.

    Raises `LockHeld` when another worker holds it, `ConfigError` when `root` is not a readable directory.
    """
    resolved = root.resolve()
    descriptor = _open_directory(resolved)
    try:
        _acquire(descriptor, resolved)
        try:
            yield resolved
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _open_directory(root: Path) -> int:
    try:
        return os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise ConfigError(
            f"Cannot open the content root {root}: {exc.strerror}",
            hint="Set content.root (or pass the right path) to the folder holding the articles.",
        ) from exc


def _acquire(descriptor: int, root: Path) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise
        raise LockHeld(
            f"another playlist-worker is already running on {root}; wait for it or stop it",
            hint="`playlist-worker status` shows the runs in progress and the last ones.",
        ) from exc
