"""A hostile content tree: every bad file gets its own clear error, everything else is processed."""

from __future__ import annotations

from pathlib import Path

from tests.faults.helpers import LINKABLE, UNTOUCHED, no_limits, scratch_content, snapshot, sync
from worker.sandbox import running_sandbox

HOSTILE: dict[str, bytes] = {
    "broken-yaml.md": b'---\ntitle: "unclosed\ncategory: [a, b\n---\nBody with **Miles Davis**.\n',
    "binary.md": bytes(range(256)) * 8,
    "latin1.md": "---\ntitle: Café\n---\nÉdith Piaf sang _La Vie en rose_ (1947).\n".encode("latin-1"),
    "huge.md": b"---\ntitle: Huge\n---\n" + b"All work and no play. " * 300_000,
    "no-frontmatter.md": b"Just a body with **Miles Davis** and _Kind of Blue_ (1959).\n",
}
FINE = {"frontmatter-only.md": b"---\ntitle: Only frontmatter\n---\n"}


def test_hostile_tree(tmp_path: Path) -> None:
    root = scratch_content(tmp_path / "content", LINKABLE[:1] + UNTOUCHED)
    for name, data in {**HOSTILE, **FINE}.items():
        (root / "hostile" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "hostile" / name).write_bytes(data)
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"---\ntitle: Outside\ncategory:\n  spotifyPlaylist: ''\n---\n**Miles Davis**\n")
    (root / "hostile" / "escape.md").symlink_to(outside)
    before, outside_before = snapshot(root), outside.read_bytes()

    with running_sandbox(options=no_limits()) as sandbox:
        run = sync(sandbox, root, tmp_path / "state" / "state.db")

    assert run.exit_code == 2, run.stderr
    assert "Traceback" not in run.stderr
    errors = {Path(a["path"]).name: a["error"] for a in run.report["articles"] if a["error"]}
    assert set(errors) == {*HOSTILE, "escape.md"}, errors
    for name, message in sorted(errors.items()):
        assert len(message) > 20, (name, message)
    by_name = {Path(a["path"]).name: a for a in run.report["articles"]}
    linked = by_name[Path(LINKABLE[0]).name]
    assert any(s["playlist"]["id"] for s in linked["services"].values()), "the good article was not synced"
    after = snapshot(root)
    assert {n: after[n] for n in after if n.startswith("hostile/")} == {
        n: before[n] for n in before if n.startswith("hostile/")
    }
    assert outside.read_bytes() == outside_before
