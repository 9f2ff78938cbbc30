"""The state every service handler shares: catalog, playlists, tokens, options and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from worker.sandbox.catalog import Catalog
from worker.sandbox.core import SandboxOptions
from worker.sandbox.store import PlaylistStore
from worker.sandbox.tokens import SpotifyTokens

SANDBOX_USER_ID = "sandbox-editor"
SANDBOX_USER_NAME = "Sandbox Editor"
DEEZER_USER_ID = 5_550_001
DEEZER_COUNTRY = "US"


@dataclass
class World:
    catalog: Catalog
    store: PlaylistStore
    tokens: SpotifyTokens
    options: SandboxOptions
    clock: Callable[[], float]
