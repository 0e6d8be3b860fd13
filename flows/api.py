"""Which Prefect API one ``nightshift consolidate`` talks to, in this order:

1. ``PREFECT_API_URL`` when the user set it (environment or Prefect profile);
2. the server ``make serve`` started, when ``$PREFECT_HOME/nightshift-serve.json`` names one that
   answers its health check: a quiet night then costs about a second instead of a server start
   (docs/benchmarks.md), and the run appears in the same UI as the scheduled ones;
3. otherwise Prefect's temporary server, which never outlives the command.

Without an API URL Prefect starts a server process on first use and stops it at exit. A command
killed with ``kill -9`` (or by a crash) never reaches that exit, and the server ran on with nobody
to stop it. So the command starts the server itself, in its main thread, and a small watchdog
process holds pidfds of both: when the command ends first, however it ends, the watchdog stops the
server; when the server ends, the watchdog ends too. Prefect finds the running server (it keeps one
per process) and uses it as if it had started it. Its start waits seconds for the new process to
answer; the command spends that wait loading its own modules (``meanwhile``) instead of after it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from flows import serve

if TYPE_CHECKING:
    from prefect.server.api.server import SubprocessASGIServer

_WATCHDOG = r"""
import os, select, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; this one must stay
parent, server = (int(arg) for arg in sys.argv[1:3])
try:
    server_fd = os.pidfd_open(server)
except ProcessLookupError:
    sys.exit()
try:
    parent_fd = os.pidfd_open(parent)
    ready = select.select([parent_fd, server_fd], [], [])[0]
except ProcessLookupError:
    ready = [None]
if server_fd not in ready:  # the command is gone and its server is not
    signal.pidfd_send_signal(server_fd, signal.SIGTERM)
    if not select.select([server_fd], [], [], 5)[0]:
        signal.pidfd_send_signal(server_fd, signal.SIGKILL)
"""


@contextmanager
def temporary_server(meanwhile: Callable[[], object] = lambda: None) -> Iterator[None]:
    """Start Prefect's temporary server under a watchdog (where the user has not switched it off), running
    ``meanwhile`` while it starts; stop it on the way out."""
    from prefect.logging.handlers import APILogWorker
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_ENABLED

    if not PREFECT_SERVER_EPHEMERAL_ENABLED.value() or not hasattr(os, "pidfd_open"):
        meanwhile()
        yield
        return
    server = SubprocessASGIServer()  # the instance Prefect's client looks up when it needs an API
    try:
        _start_while(server, meanwhile)
        subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(server.server_process.pid)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        yield
    finally:
        APILogWorker.drain_all(timeout=5)  # the run's last log lines reach the server before it goes
        server.stop()


def _start_while(server: "SubprocessASGIServer", meanwhile: Callable[[], object]) -> None:
    """``server.start()`` (it mostly waits on another process) in a thread while this thread runs ``meanwhile``;
    raises what the start raised. ``meanwhile`` begins once the server's process exists, so a stop signal from
    then on (raised in this thread) finds a process that the caller's clean-up can end."""
    failed: list[BaseException] = []

    def starting() -> None:
        try:
            server.start()
        except BaseException as exc:  # re-raised in the calling thread
            failed.append(exc)

    thread = threading.Thread(target=starting, name="prefect-server-start", daemon=True)
    thread.start()
    while server.server_process is None and thread.is_alive():
        time.sleep(0.002)
    meanwhile()
    thread.join()
    if failed:
        raise failed[0]


@contextmanager
def prefect_api(load: Callable[[], object] = lambda: None, warm_up: Callable[[], object] = lambda: None) -> Iterator[str]:
    """The API for this command's flow run (see the module's docstring); yields one line saying which.
    ``load`` (the flow's modules) runs before the yield, while a temporary server starts if one does;
    ``warm_up`` (work the run could do later, on first use) only then, as it would otherwise wait for nothing."""
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL

    if configured := PREFECT_API_URL.value():
        load()
        yield f"Prefect API {configured} (PREFECT_API_URL)"
        return
    served = serve.served_api()
    if served is None:
        with temporary_server(lambda: (load(), warm_up())):
            yield f"a temporary Prefect server for this run (no server from `make serve` answers; {serve.prefect_home() / serve.PIDS_NAME})"
        return
    # For the rest of the command (it ends with the run). Prefect read its settings at import, so they are
    # read again; the environment reaches the run's threads and a local Dask cluster's workers alike.
    os.environ["PREFECT_API_URL"] = served
    refresh_global_settings_context()
    load()
    yield f"the Prefect server from `make serve` at {served}"
