"""Extraction concurrency (issue 3): N rollouts through the flow's real extract step.

A fake model server in its own process answers every request after a fixed latency L; with C
concurrent extractions the ideal wall time is ceil(N/C) * L, and the target is 1.25x that for N=64,
C=8, L=200 ms. Two rows split where any excess comes from: the same extractions on a plain thread
pool (nightshift's own per-rollout work), then through Prefect (``PREFECT_STEPS.extract`` inside a
flow with the ``ThreadPoolTaskRunner`` a night uses). With prefect-dask installed, the full run adds
the step on a local Dask cluster of two worker processes, the cluster's start included.
"""

from __future__ import annotations

import importlib.util
import math
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.fake_model import fake_model
from bench.generate import write_tree
from bench.run import Row, row, verdict
from nightshift.night import steps as pipeline
from nightshift.ingest.discover import FileStat, walk_transcript_files
from nightshift.settings import Settings


def _threads(files: list[FileStat], s: Settings) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(s.extract_concurrency) as pool:
        results = list(pool.map(lambda f: pipeline.extract_rollout(f, s), files))
    took = time.perf_counter() - start
    _check(results)
    return took


def _check(results: list[pipeline.Extraction]) -> None:
    bad = [r for r in results if r.outcome != "no_op" or r.model_calls != 1]
    if bad:
        raise RuntimeError(f"{len(bad)} extractions went wrong, e.g. {bad[0].outcome}: {bad[0].error}")


def _through_flow(files: list[FileStat], s: Settings, repeats: int) -> list[float]:
    from prefect import flow
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.consolidate import PREFECT_STEPS

    @flow(name="bench-extract")
    def extract_step(files: list[FileStat], settings: Settings) -> list[float]:
        walls = []
        for _ in range(repeats):
            start = time.perf_counter()
            results = list(PREFECT_STEPS.extract(files, settings))
            walls.append(time.perf_counter() - start)
            _check(results)
        return walls

    runner = ThreadPoolTaskRunner(max_workers=s.extract_concurrency)  # what run_with_settings gives the night
    return extract_step.with_options(task_runner=runner)(files, s)


def run(smoke: bool = False) -> list[Row]:
    n, c, latency = (16, 4, 0.1) if smoke else (64, 8, 0.2)
    repeats = 2 if smoke else 3
    ideal = math.ceil(n / c) * latency
    rows = []
    with tempfile.TemporaryDirectory(prefix="nightshift-bench-") as tmp, fake_model(latency) as served:
        root = Path(tmp)
        write_tree(root / "sources", n)
        files = sorted(walk_transcript_files([root / "sources"]), key=lambda f: f.path)
        s = Settings(home=root / "home", sources=[root / "sources"], provider="openai", base_url=served.base_url,
                     api_key="sk-bench", extract_concurrency=c)
        label = f"N={n}, C={c}, L={latency * 1000:.0f} ms"
        plain = min(_threads(files, s) for _ in range(repeats))
        rows.append(row(f"extract {label}, plain thread pool", plain, ideal,
                        "seconds; baseline: ideal ceil(N/C)*L; nightshift's own work without Prefect"))
        flow = min(_through_flow(files, s, repeats))
        rows.append(row(f"extract {label}, the flow's extract step (Prefect threads)", flow, ideal,
                        f"seconds; baseline: ideal ceil(N/C)*L; target <= 1.25x: {verdict(flow <= 1.25 * ideal, smoke)}"))
        if not smoke and importlib.util.find_spec("prefect_dask"):
            dask = s.model_copy(update={"task_runner": "dask", "extract_concurrency": c})
            took = _through_flow(files, dask, 1)[0]
            rows.append(row(f"extract {label}, local Dask cluster", took, ideal,
                            "seconds; baseline: ideal ceil(N/C)*L; includes starting the cluster's worker processes"))
    return rows
