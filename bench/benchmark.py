"""Benchmarks: cold and warm sync against a rate-limited, slow sandbox; extraction speed; peak memory.

Started by `python bench/run.py`. Every sync runs the real CLI in a child process on a scratch copy
(the repo's content is never written).
Definitions of the minimum calls and the lower bound are in `bench/bounds.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from bench import bounds
from bench.corpus import generate_corpus
from bench.harness import (
    REPO,
    SyncRun,
    production_limits,
    rate_limits,
    run_sync_child,
    sync_command,
    worker_environ,
)
from worker.sandbox import SandboxOptions, running_sandbox

CONTENT = REPO / "content"
GENERATED_ARTICLES = 1000
TARGETS = {"ratio": 1.2, "calls_ratio": 1.3, "warm_s": 3.0, "rss_mb": 200.0}


@dataclass(frozen=True)
class Corpus:
    name: str
    build: Callable[[Path], None]


def copy_content(dest: Path) -> None:
    shutil.copytree(CONTENT, dest)


def generated(dest: Path) -> None:
    generate_corpus(CONTENT, dest, GENERATED_ARTICLES)


def bench_corpus(
    corpus: Corpus, options: SandboxOptions, workdir: Path, catalog: Path | None
) -> dict[str, Any]:
    """Cold then warm sync of one corpus on a fresh sandbox and state."""
    root = workdir / corpus.name / "content"
    corpus.build(root)
    state = workdir / corpus.name / "state" / "state.db"
    with running_sandbox(catalog_path=catalog, options=options) as sandbox:
        environ = worker_environ(sandbox, root, os.environ)
        cold = run_sync_child(sync_command(state), environ)
        warm = run_sync_child(sync_command(state), environ)
    return {
        "articles": sum(1 for p in root.rglob("*") if p.suffix in (".md", ".mdx")),
        "mb": round(sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6, 3),
        "cold": cold_figures(cold, options),
        "warm": warm_figures(warm),
        "peak_rss_mb": round(max(cold.peak_rss_mb, warm.peak_rss_mb), 1),
    }


def cold_figures(run: SyncRun, options: SandboxOptions) -> dict[str, Any]:
    require_report(run, "cold")
    calls = run.report["api_calls"]
    minimum = bounds.min_calls(run.report)
    bound = bounds.lower_bound(minimum, rate_limits(options), options.latency_ms / 1000)
    return {
        "wall_s": round(run.wall_s, 2),
        "lower_bound_s": round(bound.seconds, 2),
        "ratio": round(run.wall_s / bound.seconds, 2) if bound.seconds else None,
        "lower_bound_parts": {"latency_s": round(bound.latency_s, 2), "rate_s": bound.rate_s},
        "calls": calls,
        "min_calls": minimum,
        "calls_total": bounds.total(calls),
        "min_calls_total": bounds.total(minimum),
        "calls_ratio": round(bounds.total(calls) / max(bounds.total(minimum), 1), 2),
        "exit_code": run.exit_code,
    }


def warm_figures(run: SyncRun) -> dict[str, Any]:
    require_report(run, "warm")
    calls = run.report["api_calls"]
    return {
        "wall_s": round(run.wall_s, 2),
        "search_calls": sum(kinds.get("search", 0) for kinds in calls.values()),
        "calls": calls,
        "exit_code": run.exit_code,
    }


def require_report(run: SyncRun, label: str) -> None:
    if not run.report:
        raise click.ClickException(
            f"the {label} sync printed no report (exit {run.exit_code}):\n{run.stderr}"
        )


def extraction_figures(root: Path) -> dict[str, Any]:
    from bench.extract_bench import measure

    figures = measure(root)
    return {"articles_per_s": figures["articles_per_s"], "mb_per_s": figures["mb_per_s"], "root": str(root)}


def summary_table(results: dict[str, Any]) -> Table:
    table = Table(title="playlist-worker benchmark")
    for column in ("corpus", "figure", "value", "target"):
        table.add_column(column)
    for name, run in results["corpora"].items():
        cold, warm = run["cold"], run["warm"]
        label = f"{name} ({run['articles']} articles)"
        table.add_row(label, "cold wall / lower bound", f"{cold['wall_s']} s / {cold['lower_bound_s']} s", "")
        table.add_row("", "cold ratio", str(cold["ratio"]), f"≤ {TARGETS['ratio']}")
        table.add_row("", "calls / minimum", f"{cold['calls_total']} / {cold['min_calls_total']}", "")
        table.add_row("", "calls ratio", str(cold["calls_ratio"]), f"≤ {TARGETS['calls_ratio']}")
        table.add_row("", "warm wall", f"{warm['wall_s']} s", f"< {TARGETS['warm_s']} s")
        table.add_row("", "warm searches", str(warm["search_calls"]), "0")
        table.add_row("", "peak RSS", f"{run['peak_rss_mb']} MB", f"< {TARGETS['rss_mb']} MB")
    extract = results["extract"]
    table.add_row(
        "extraction", "articles/s, MB/s", f"{extract['articles_per_s']:.0f}, {extract['mb_per_s']:.2f}", ""
    )
    return table


def calls_table(name: str, cold: dict[str, Any]) -> Table:
    table = Table(title=f"{name}: cold API calls by kind (minimum in brackets)")
    kinds = sorted({k for calls in (cold["calls"], cold["min_calls"]) for v in calls.values() for k in v})
    table.add_column("service")
    for kind in kinds:
        table.add_column(kind, justify="right")
    for service, calls in cold["calls"].items():
        minimum = cold["min_calls"].get(service, {})
        table.add_row(
            service,
            *(f"{calls.get(k, 0)} ({minimum[k]})" if k in minimum else str(calls.get(k, 0)) for k in kinds),
        )
    return table


@click.command()
@click.option("--quick", is_flag=True, help="content/ only, with 20 ms latency instead of 80 ms.")
@click.option(
    "--json", "json_path", type=click.Path(path_type=Path, dir_okay=False), help="Write the figures here."
)
@click.option(
    "--catalog", type=click.Path(path_type=Path, exists=True), help="Sandbox catalog (default: bundled)."
)
def main(quick: bool, json_path: Path | None, catalog: Path | None) -> None:
    """Benchmark cold and warm syncs, extraction and memory against the sandbox.

    \b
    Example:
        python bench/run.py --quick --json bench.json
    """
    options = production_limits(latency_ms=20 if quick else 80)
    corpora = [Corpus("content", copy_content)]
    if not quick:
        corpora.append(Corpus(f"generated-{GENERATED_ARTICLES}", generated))
    console = Console()
    with tempfile.TemporaryDirectory(prefix="playlist-worker-bench-") as scratch:
        workdir = Path(scratch)
        runs = {}
        for corpus in corpora:
            console.print(f"syncing {corpus.name} …", style="dim")
            runs[corpus.name] = bench_corpus(corpus, options, workdir, catalog)
        largest = corpora[-1].name
        extract = extraction_figures(workdir / largest / "content")
    results = {
        "cold": runs[largest]["cold"],
        "warm": runs[largest]["warm"],
        "extract": extract,
        "peak_rss_mb": runs[largest]["peak_rss_mb"],
        "corpus": largest,
        "latency_ms": options.latency_ms,
        "limits": {s: vars(limit) for s, limit in rate_limits(options).items()},
        "corpora": runs,
    }
    console.print(summary_table(results))
    for name, run in runs.items():
        console.print(calls_table(name, run["cold"]))
    if json_path:
        json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        console.print(f"figures written to {json_path}")
