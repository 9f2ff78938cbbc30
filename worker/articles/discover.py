"""Find the article files to work on: folders walked with the content globs, explicit files taken as given.

Nothing outside the content root is ever returned. Problems (a missing input, a path or symlink leading
outside the root, an unreadable folder) are collected as `ArticleError`s instead of stopping the run.
Globs and excludes are matched against the path relative to the root, with `/` separators: `*` and `?` stay
within one folder, `**/` spans any number of folders (also none), `[abc]` and `[!abc]` are classes.
Symlinked folders are not followed; a symlinked file counts as the file it points to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from worker.errors import ArticleError


@dataclass(frozen=True)
class Discovery:
    """The articles found (resolved absolute paths, sorted, each once) and the problems met on the way."""

    paths: list[Path]
    problems: list[ArticleError]


def discover(root: Path, inputs: Sequence[Path], globs: Sequence[str], exclude: Sequence[str]) -> Discovery:
    """Article files under `root` among `inputs` (files or folders; none means the whole root)."""
    real_root = root.resolve()
    include, skip = _glob_matcher(globs), _glob_matcher(exclude)
    found: set[Path] = set()
    problems: list[ArticleError] = []
    for item in inputs or [root]:
        given = Path(os.path.abspath(item))
        if not os.path.lexists(given):
            problems.append(
                ArticleError(given, "does not exist; check the path (relative to the current folder)")
            )
        elif given.is_dir():
            found.update(_walk(given, real_root, include, skip, problems))
        elif (taken := _take_file(given, real_root, skip, problems)) is not None:
            found.add(taken)
    return Discovery(sorted(found), problems)


def _walk(
    folder: Path,
    real_root: Path,
    include: re.Pattern[str],
    skip: re.Pattern[str],
    problems: list[ArticleError],
) -> Iterable[Path]:
    real_folder = folder.resolve()
    if not real_folder.is_relative_to(real_root):
        problems.append(_outside(folder, real_folder, real_root))
        return

    def unreadable(error: OSError) -> None:
        reason = f"is a folder that cannot be read ({error.strerror}); fix its permissions or exclude it"
        problems.append(ArticleError(error.filename or folder, reason))

    for dirpath, dirnames, filenames in os.walk(real_folder, onerror=unreadable):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath, name)
            relative = path.relative_to(real_root).as_posix()
            if not include.fullmatch(relative) or skip.fullmatch(relative):
                continue
            if (taken := _take_file(path, real_root, skip, problems)) is not None:
                yield taken


def _take_file(
    path: Path, real_root: Path, skip: re.Pattern[str], problems: list[ArticleError]
) -> Path | None:
    """The file's resolved path when it is inside the root and not excluded; a problem when it is outside."""
    real = path.resolve()
    if not real.is_relative_to(real_root):
        problems.append(_outside(path, real, real_root))
        return None
    if not real.exists():
        problems.append(ArticleError(path, f"is a broken symlink (to {real}); fix or delete it"))
        return None
    return None if skip.fullmatch(real.relative_to(real_root).as_posix()) else real


def _outside(path: Path, real: Path, real_root: Path) -> ArticleError:
    via = f" (it leads to {real})" if real != path else ""
    return ArticleError(
        path,
        f"is outside the content root {real_root}{via}; the worker only touches files under the root: "
        "move it there or change content.root",
    )


def _glob_matcher(patterns: Sequence[str]) -> re.Pattern[str]:
    """One regex matching any of the globs (a regex matching nothing when there are none)."""
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{_glob_regex(pattern)})" for pattern in patterns))


_GLOB_TOKEN = re.compile(r"\*\*/|/\*\*$|\*\*|\*|\?|\[!?[^\]/]+\]")


def _glob_regex(pattern: str) -> str:
    """Translate one glob (see the module docstring) into a regex over root-relative POSIX paths."""
    parts: list[str] = []
    position = 0
    for token in _GLOB_TOKEN.finditer(pattern):
        parts.append(re.escape(pattern[position : token.start()]))
        parts.append(_token_regex(token.group()))
        position = token.end()
    parts.append(re.escape(pattern[position:]))
    return "".join(parts)


def _token_regex(token: str) -> str:
    fixed = {"**/": "(?:[^/]+/)*", "/**": "(?:/.*)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    if token in fixed:
        return fixed[token]
    negated = token.startswith("[!")
    members = token[2:-1] if negated else token[1:-1]
    return ("[^/" if negated else "[") + members.replace("\\", "\\\\") + "]"
