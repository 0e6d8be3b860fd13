"""The fake Chat Completions server (tests/fake_openai.py) in a process of its own.

In the benchmark's own process the server's request handling would share the GIL with the code
being measured, and a real model server never does. Every request is answered with a valid no-op
raw memory after ``latency`` seconds; closing reports how many requests arrived.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench.run import REPO

_SERVER = """
import sys
sys.path.insert(0, sys.argv[2])
from fake_openai import FakeOpenAI, Reply
no_op = {"decision": "no_op", "rollout_summary": "", "slug": "", "tasks": []}
with FakeOpenAI(default=Reply.json(no_op, usage=(1000, 20)), latency=float(sys.argv[1]), max_requests=10**7) as fake:
    print(fake.base_url, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
    print(len(fake.requests), flush=True)
"""


@dataclass
class Served:
    base_url: str
    requests: int = 0  # set when the server has stopped


@contextmanager
def fake_model(latency: float) -> Iterator[Served]:
    proc = subprocess.Popen([sys.executable, "-c", _SERVER, str(latency), str(REPO / "tests")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    served = Served(proc.stdout.readline().strip())
    try:
        yield served
    finally:
        out, _ = proc.communicate(timeout=60)
        served.requests = int(out.strip() or -1)
