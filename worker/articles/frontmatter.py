"""The only reader and writer of article files. Writes are surgical: only the changed values' characters move.

An article is a UTF-8 markdown file that starts with a `---` line, then YAML frontmatter, then a closing
`---` line, then the body. `read_article` validates all of that and keeps the original bytes. `render_changes`
sets a few dotted keys (e.g. `category.spotifyPlaylist`) by splicing new values into the original text at the
positions ruamel.yaml's composer reports, so key order, quoting, comments, dates, folded scalars, blank lines,
line endings, a BOM and the body stay byte for byte. Every result is re-parsed and compared with the expected
data before it is returned; a mismatch raises `ArticleError` and nothing is written. `write_atomic` replaces
the file through a temporary file in the same folder, and only when the bytes differ.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from frontmatter.default_handlers import YAMLHandler
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from worker.errors import ArticleError


class _Missing:
    """Type of `MISSING`: a key, or one of its parents, is absent."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

BOM: Final = "\ufeff"
FENCE: Final[re.Pattern[str]] = (
    YAMLHandler.FM_BOUNDARY
)  # `---` (three or more dashes), trailing blanks allowed
NEW_KEY_INDENT: Final = 2  # indentation step of a parent mapping the worker creates

Value = str | bool | None
"""What `render_changes` can write: a string, a boolean, or None (no value)."""


@dataclass(frozen=True)
class Article:
    """One article file as read: its original bytes, its frontmatter and its body."""

    path: Path
    rel_path: str
    raw: bytes
    data: CommentedMap
    body: str
    body_start_line: int


@dataclass(frozen=True)
class _Layout:
    """Where the parts of a decoded article sit (character offsets into the text without its BOM)."""

    text: str
    has_bom: bool
    yaml_start: int  # first character after the opening fence line
    yaml_end: int  # first character of the closing fence line
    body_start: int  # first character after the closing fence line
    newline: str  # the opening fence's line ending, used for inserted lines


# ---------------------------------------------------------------------------------------------- reading


def read_article(path: Path, root: Path, *, max_bytes: int = 5_000_000) -> Article:
    """Read and validate one article under `root`; `ArticleError` says what is wrong and what to do."""
    absolute = Path(os.path.abspath(path))
    rel_path = _relative_to_root(absolute, root)
    raw = _read_bytes(absolute, max_bytes)
    layout = _layout(absolute, raw)
    data = _load_frontmatter(absolute, layout)
    return Article(
        path=absolute,
        rel_path=rel_path,
        raw=raw,
        data=data,
        body=layout.text[layout.body_start :],
        body_start_line=_line_of(layout.text, layout.yaml_end) + 1,
    )


def _relative_to_root(absolute: Path, root: Path) -> str:
    real_root = root.resolve()
    real_path = absolute.resolve()
    if not real_path.is_relative_to(real_root):
        raise ArticleError(
            absolute,
            f"is outside the content root {real_root} (it resolves to {real_path}); "
            "the worker only reads and writes files under the root: move the file or change content.root",
        )
    lexical_root = Path(os.path.abspath(root))
    if absolute.is_relative_to(lexical_root):
        return absolute.relative_to(lexical_root).as_posix()
    return real_path.relative_to(real_root).as_posix()


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ArticleError(path, "is not a regular file (a folder, device or pipe); pass a markdown file")
        if info.st_size > max_bytes:
            raise ArticleError(path, _too_big(info.st_size, max_bytes))
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        raise ArticleError(
            path, f"cannot be read ({error.strerror}); check that it exists and is readable"
        ) from error
    if len(raw) > max_bytes:
        raise ArticleError(path, _too_big(len(raw), max_bytes))
    if b"\x00" in raw:
        raise ArticleError(
            path,
            "contains NUL bytes, so it is a binary file, not a markdown article; remove it or exclude it",
        )
    return raw


def _too_big(size: int, max_bytes: int) -> str:
    return (
        f"is {size} bytes, more than the limit of {max_bytes} bytes; "
        "this is probably not an article: exclude it with content.exclude"
    )


def _layout(path: Path, raw: bytes) -> _Layout:
    """Decode `raw` and find the frontmatter fences and the body."""
    text = _decode(path, raw)
    has_bom = text.startswith(BOM)
    if has_bom:
        text = text[len(BOM) :]
    lines = _lines(text)
    first_start, first_content_end, yaml_start = next(lines, (0, 0, 0))
    if not FENCE.fullmatch(text[first_start:first_content_end]):
        raise ArticleError(
            path,
            "has no frontmatter: the first line must be `---`; "
            "add a `---` block with the article's keys on top",
        )
    for line_start, content_end, next_start in lines:
        if FENCE.fullmatch(text[line_start:content_end]):
            newline = "\r\n" if text[first_start:first_content_end].endswith("\r") else "\n"
            return _Layout(text, has_bom, yaml_start, line_start, next_start, newline)
    raise ArticleError(
        path,
        "has an unterminated frontmatter: line 1 opens it with `---` but no closing `---` line follows; "
        "add one after the last key",
    )


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ArticleError(
            path,
            f"is not valid UTF-8: byte 0x{raw[error.start]:02x} at byte offset {error.start} (line {line}); "
            "re-save the file with UTF-8 encoding",
        ) from error


def _lines(text: str) -> Iterator[tuple[int, int, int]]:
    """Yield (start, content_end, next_start) per line; content_end is before the `\\n` (a `\\r` stays in)."""
    start = 0
    while start < len(text):
        newline = text.find("\n", start)
        end = len(text) if newline < 0 else newline
        yield start, end, end + 1 if newline >= 0 else end
        start = end + 1


def _line_of(text: str, index: int) -> int:
    """1-based line number of character `index` in `text`."""
    return text.count("\n", 0, index) + 1


def _yaml_loader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml


def _load_frontmatter(path: Path, layout: _Layout) -> CommentedMap:
    segment = layout.text[layout.yaml_start : layout.yaml_end]
    try:
        data = _yaml_loader().load(segment)
    except YAMLError as error:
        raise ArticleError(path, _describe_yaml_error(error, layout)) from error
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        raise ArticleError(
            path, f"has frontmatter that is {kind}, not a mapping of keys; write it as `key: value` lines"
        )
    return data


def _describe_yaml_error(error: YAMLError, layout: _Layout) -> str:
    def file_line(index: int) -> int:
        return _line_of(layout.text, layout.yaml_start + index)

    if isinstance(error, ReaderError):
        return (
            f"has a control character {error.character!r} in the frontmatter "
            f"at line {file_line(error.position)}; delete it"
        )
    if not isinstance(error, MarkedYAMLError) or error.problem_mark is None:
        return f"has broken YAML in the frontmatter ({error}); fix it by hand"
    line = file_line(error.problem_mark.index)
    problem = error.problem or "invalid YAML"
    if isinstance(error, DuplicateKeyError):
        return f"has a duplicate key in the frontmatter at line {line}: {problem}; keep only one of them"
    if "\\t" in problem:
        return f"has broken YAML in the frontmatter at line {line}: a tab character; indent with spaces"
    if "quoted scalar" in (error.context or "") and error.context_mark is not None:
        opened = file_line(error.context_mark.index)
        return (
            f"has broken YAML in the frontmatter at line {line}: the quoted value opened at line {opened} "
            "is never closed; add the missing closing quote"
        )
    return (
        f"has broken YAML in the frontmatter at line {line}: {problem}; fix that line "
        "(a value containing ': ' or ' #' needs quotes)"
    )


def get_key(data: Mapping[str, Any], dotted: str) -> Any:
    """The value at a dotted key such as `category.spotifyPlaylist`.

    `MISSING` when the key or a parent is absent, or a parent is not a mapping.
    """
    current: Any = data
    for part in dotted.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return MISSING
        current = current[part]
    return current


# ---------------------------------------------------------------------------------------------- editing


def render_changes(article: Article, changes: Mapping[str, Value]) -> bytes:
    """The article's new bytes with only these dotted keys set; `article.raw` when nothing changes. Pure.

    A quoted value stays quoted in the same style; a plain one stays plain when the new value can be
    written plain, otherwise it is double-quoted. True/False are written `true`/`false`. None clears a
    value: `""` when the old value was a quoted string (the site's convention for "no playlist"), `null`
    otherwise; an absent key stays absent. A missing key is added as a line at the end of its parent
    mapping; missing parents are created at the end of the frontmatter.
    """
    pending = {key: value for key, value in changes.items() if not _holds(get_key(article.data, key), value)}
    if not pending:
        return article.raw
    layout = _layout(article.path, article.raw)
    segment = layout.text[layout.yaml_start : layout.yaml_end]
    written: dict[str, Value] = {}
    for dotted, value in pending.items():
        segment, written[dotted] = _apply_change(article.path, segment, dotted, value, layout.newline)
    text = layout.text[: layout.yaml_start] + segment + layout.text[layout.yaml_end :]
    new_raw = ((BOM if layout.has_bom else "") + text).encode("utf-8")
    _verify(article, new_raw, written)
    return new_raw


def _holds(current: Any, value: Value) -> bool:
    """Whether `current` (parsed frontmatter) already says `value`. None, "" and absent mean "no value"."""
    if value is None:
        return current is None or current is MISSING or (isinstance(current, str) and current == "")
    if isinstance(value, bool):
        return isinstance(current, bool) and current == value
    return isinstance(current, str) and str(current) == value


def _apply_change(path: Path, segment: str, dotted: str, value: Value, newline: str) -> tuple[str, Value]:
    """Set one dotted key in the frontmatter text; returns the new text and the value a re-parse must find."""
    node: MappingNode | None = _yaml_loader().compose(segment)
    parts = dotted.split(".")
    for depth, part in enumerate(parts[:-1]):
        pair = _find(node, part)
        if pair is None:
            return _insert_keys(path, segment, node, dotted, parts[depth:], value, newline), value
        if not isinstance(pair[1], MappingNode):
            parent = ".".join(parts[: depth + 1])
            raise ArticleError(
                path,
                f"cannot set {dotted}: {parent} holds {_describe_node(pair[1])}, not a mapping of keys; "
                f"rename that key or choose another link key in the settings (links.*.keys)",
            )
        node = pair[1]
    pair = _find(node, parts[-1])
    if pair is None:
        return _insert_keys(path, segment, node, dotted, parts[-1:], value, newline), value
    return _replace_value(path, segment, dotted, pair[0], pair[1], value, _is_flow(node))


def _find(mapping: MappingNode | None, key: str) -> tuple[Node, Node] | None:
    if mapping is None:
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _is_flow(node: MappingNode | None) -> bool:
    return node is not None and bool(node.flow_style)


def _describe_node(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping of keys"
    if isinstance(node, ScalarNode) and (node.tag or "").endswith(":null"):
        return "no value (null)"
    return f"the value {node.value!r}"


def _replace_value(
    path: Path, segment: str, dotted: str, key_node: Node, value_node: Node, value: Value, in_flow: bool
) -> tuple[str, Value]:
    start, end = value_node.start_mark.index, value_node.end_mark.index
    if start < key_node.end_mark.index:
        raise ArticleError(
            path, f"cannot set {dotted}: its value is an alias (*name) of another value; edit it by hand"
        )
    if not isinstance(value_node, ScalarNode):
        raise ArticleError(
            path,
            f"cannot set {dotted}: it holds {_describe_node(value_node)}, not a single value; "
            "edit it by hand",
        )
    rendered, written = _render_value(value, value_node.style, in_flow)
    if start == end:  # an empty value (`key:`): ruamel marks it at the next token, so write after the colon
        colon = segment.index(":", key_node.end_mark.index) + 1
        return segment[:colon] + " " + rendered + segment[colon:], written
    if value_node.style in ("|", ">"):
        end = _trim_trailing_space(segment, start, end)
    return segment[:start] + rendered + segment[end:], written


def _trim_trailing_space(segment: str, start: int, end: int) -> int:
    """Block scalars' spans include their final line breaks; those belong to the layout, not the value."""
    while end > start and segment[end - 1] in " \t\r\n":
        end -= 1
    return end


def _insert_keys(
    path: Path,
    segment: str,
    parent: MappingNode | None,
    dotted: str,
    parts: list[str],
    value: Value,
    newline: str,
) -> str:
    """Add `parts` (missing parents, then the key) as new lines at the end of the `parent` mapping."""
    if _is_flow(parent):
        raise ArticleError(
            path,
            f"cannot add {dotted}: its parent mapping is written in flow style ({{...}}); "
            "add the key by hand",
        )
    indent = 0 if parent is None else parent.value[0][0].start_mark.column
    at = len(segment) if parent is None else _line_after(segment, _mapping_end(segment, parent))
    lines = []
    for depth, part in enumerate(parts):
        prefix = " " * (indent + depth * NEW_KEY_INDENT) + _render_value(part, None, in_flow=False)[0] + ":"
        rendered = " " + _render_value(value, None, in_flow=False)[0] if depth == len(parts) - 1 else ""
        lines.append(prefix + rendered + newline)
    return segment[:at] + "".join(lines) + segment[at:]


def _mapping_end(segment: str, mapping: MappingNode) -> int:
    """Index just past the last character of a block mapping's last entry (comments after it excluded)."""
    key_node, value_node = mapping.value[-1]
    return max(int(key_node.end_mark.index), _content_end(segment, value_node))


def _content_end(segment: str, node: Node) -> int:
    """Index just past a value's last character; -1 for an empty value (ruamel marks it at the next token)."""
    start, end = int(node.start_mark.index), int(node.end_mark.index)
    if isinstance(node, ScalarNode):
        if start == end:
            return -1
        return _trim_trailing_space(segment, start, end) if node.style in ("|", ">") else end
    if not isinstance(node, CollectionNode) or node.flow_style or not node.value:
        return end
    if isinstance(node, MappingNode):
        return _mapping_end(segment, node)
    return _content_end(segment, node.value[-1])


def _line_after(segment: str, index: int) -> int:
    """Index of the start of the line after the one holding `index` (or the end of the text)."""
    newline = segment.find("\n", index)
    return len(segment) if newline < 0 else newline + 1


def _render_value(value: Value, old_style: str | None, in_flow: bool) -> tuple[str, Value]:
    """YAML text for `value` in the style of the value it replaces, and the value a re-parse will give."""
    if isinstance(value, bool):
        return ("true" if value else "false"), value
    if value is None:
        return (old_style * 2, "") if old_style in ('"', "'") else ("null", None)
    if old_style == "'":
        single = _emit(SingleQuotedScalarString(value))
        if single is not None and single.startswith("'"):
            return single, value
    elif old_style != '"':
        plain = _emit(value)
        if (
            plain is not None
            and plain[:1] not in ("'", '"')
            and not (in_flow and any(c in ",[]{}" for c in value))
        ):
            return plain, value
    return _double_quoted(value), value


def _double_quoted(value: str) -> str:
    emitted = _emit(DoubleQuotedScalarString(value))
    if emitted is None:
        raise AssertionError(f"ruamel.yaml emitted a multi-line double-quoted scalar for {value!r}")
    return emitted


def _emit(scalar: str) -> str | None:
    """ruamel.yaml's single-line rendering of a mapping value (it escapes and picks safe styles), or None when
    it needs more than one line."""
    yaml = YAML(typ="rt")
    yaml.width = 2**30
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump({"k": scalar}, buffer)
    text = buffer.getvalue()
    body = text.removeprefix("k: ").removesuffix("\n")
    return None if "\n" in body or not text.startswith("k: ") else body


# ---------------------------------------------------------------------------------------------- verifying


def _verify(article: Article, new_raw: bytes, written: Mapping[str, Value]) -> None:
    """Re-parse the edited bytes: the written keys hold their values, everything else is unchanged."""
    failure = (
        f"was not changed: the edit of {', '.join(written)} did not re-read as expected "
        "(a bug in the worker, please report it with this file); edit the keys by hand"
    )
    try:
        layout = _layout(article.path, new_raw)
        data = _load_frontmatter(article.path, layout)
    except ArticleError as error:
        raise ArticleError(article.path, f"{failure} ({error.reason})") from error
    expected = _tree(article.data)
    for dotted, value in written.items():
        expected = _with_value(expected, dotted.split("."), _tree(value))
    if _tree(data) != expected or layout.text[layout.body_start :] != article.body:
        raise ArticleError(article.path, failure)


Tree = tuple[Any, ...]


def _tree(value: Any) -> Tree:
    """A comparable, order-sensitive, type-tagged image of parsed YAML."""
    if isinstance(value, Mapping):
        return ("map", tuple((_tree(key), _tree(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("seq", tuple(_tree(item) for item in value))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, str):
        return ("str", str(value))
    return (type(value).__name__, repr(value))


def _with_value(tree: Tree, parts: list[str], value: Tree) -> Tree:
    """`tree` with the dotted path `parts` set to `value`; missing mappings are appended."""
    if not parts:
        return value
    pairs = list(tree[1]) if tree[0] == "map" else []
    key = _tree(parts[0])
    for index, (existing, item) in enumerate(pairs):
        if existing == key:
            pairs[index] = (key, _with_value(item, parts[1:], value))
            return ("map", tuple(pairs))
    pairs.append((key, _with_value(("map", ()), parts[1:], value)))
    return ("map", tuple(pairs))


# ---------------------------------------------------------------------------------------------- writing


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace the file's content with `data` unless it is already equal; True when it wrote.

    Writes a temporary file in the same folder, fsyncs it, gives it the old file's permission bits (0644 for a
    new file) and renames it over the file (through symlinks, to their target). On any failure the temporary
    file is removed, the original is untouched, and `ArticleError` says what happened.
    """
    target = Path(os.path.realpath(path))
    try:
        current = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        current, mode = None, 0o644
    except OSError as error:
        raise ArticleError(
            path, f"cannot be read before writing ({error.strerror}); check its permissions"
        ) from error
    if current == data:
        return False
    try:
        _replace_file(target, data, mode)
    except OSError as error:
        raise ArticleError(
            path,
            f"could not be written ({error.strerror}); the file is unchanged: check the folder's permissions "
            "and free disk space, then run again",
        ) from error
    return True


def _replace_file(target: Path, data: bytes, mode: int) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
