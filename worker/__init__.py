"""playlist-worker: turns music articles into playlists on Spotify, Deezer and Apple Music."""

__version__ = "0.1.0"
