"""Discovery over a large source tree, as a night runs it: ``pipeline.find_work``.

That is: open the state database, load every watermark, walk and stat the tree, record the changed
files and claim their jobs. The baseline is a bare ``os.scandir`` + ``stat`` walk of the same tree
that collects each file's path, size and mtime, and nothing else. With no file changed the target is
2x the bare walk; with 1% changed the extra cost must follow the changed files only, so it is
reported per changed file at 1% and at 2%.
"""

from __future__ import annotations

import os
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import TREE_SOURCES, write_tree
from bench.run import Row, best_of, row, verdict
from nightshift.night import steps as pipeline
from nightshift.settings import Settings
from nightshift.store.state import open_state


def bare_walk(sources: list[Path]) -> list[tuple[str, int, float]]:
    found, stack = [], [str(s) for s in sources]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    st = entry.stat()
                    found.append((entry.path, st.st_size, st.st_mtime))
    return found


def _mark_all_extracted(s: Settings, now: datetime) -> None:
    """The state after a night that extracted everything: every file has its watermark and a done job."""
    files = [(p, size, mtime) for p, size, mtime in bare_walk(s.sources)]
    with open_state(s.state_dir) as db:
        db.upsert_seen(files, now)
        db.con.execute("UPDATE rollouts SET extracted_size = size, extracted_mtime = mtime, outcome = 'no_op'")


def _touch(paths: list[Path], now: datetime) -> None:
    """A session resumed and idle again: one more line, an mtime still older than idle_hours."""
    stamp = now.timestamp() - 7 * 3600
    for path in paths:
        with path.open("ab") as fh:
            fh.write(b'{"timestamp":"2026-01-01T00:00:00.000Z","type":"event_msg","payload":{"type":"token_count"}}\n')
        os.utime(path, (stamp, stamp))


def run(smoke: bool = False) -> list[Row]:
    count = 2_000 if smoke else 50_000
    repeats = 3 if smoke else 5
    with tempfile.TemporaryDirectory(prefix="nightshift-bench-") as tmp:
        root = Path(tmp)
        paths = write_tree(root / "sources", count)
        now = datetime.now(UTC)
        s = Settings(home=root / "home", sources=[root / "sources" / name for name in TREE_SOURCES], provider="builtin")
        _mark_all_extracted(s, now)
        run_ = pipeline.Run(run_id="bench", owner="bench", settings=s)

        def find() -> None:
            pipeline.find_work(run_, now)

        walk = best_of(repeats, lambda: bare_walk(s.sources))
        none = best_of(repeats, find)
        rows = [row(f"discovery, {count:,} files, none changed", none, walk,
                    f"seconds; baseline: bare scandir+stat walk; target <= 2x: {verdict(none <= 2 * walk, smoke)}")]
        picked = random.Random(1).sample(paths, count // 50)
        for share, changed in (("1%", picked[: count // 100]), ("2%", picked)):
            _touch(changed, now)
            took = best_of(repeats, find)
            _mark_all_extracted(s, now)
            extra = (took - none) / len(changed)
            rows.append(row(f"discovery, {count:,} files, {share} changed ({len(changed):,})", took, walk,
                            f"seconds; baseline: bare walk; extra over none changed: {extra * 1000:.2f} ms per changed file "
                            f"(recorded set-wise; {min(len(changed), s.max_rollouts_per_run)} jobs claimed, the rest deferred)"))
    return rows
