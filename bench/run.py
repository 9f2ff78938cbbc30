"""Benchmarks the worker against the sandbox (see `bench/benchmark.py` for what is measured and how).

python bench/run.py --quick                 # content/ only, 20 ms latency, under a minute
python bench/run.py --json bench.json       # plus a generated 1,000-article corpus, 80 ms latency
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so `bench` imports when run as a script

from bench.benchmark import main  # noqa: E402

if __name__ == "__main__":
    main()
