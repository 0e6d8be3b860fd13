"""``make serve`` / ``make stop``: the nightly deployment on a local Prefect server.

``start``:

1. the API: ``$PREFECT_API_URL`` when set; otherwise ``prefect server start`` on 127.0.0.1, waited
   for until ``/api/health`` answers;
2. the process work pool ``nightshift`` (created once);
3. ``prefect --no-prompt deploy --all`` in the checkout, which reads ``prefect.yaml``; its cron time
   zone comes from ``$NIGHTSHIFT_TIMEZONE``, by default this machine's zone;
4. ``prefect worker start --pool nightshift``, which runs the scheduled flow runs.

The server and the worker start in sessions of their own and their pids go to
``$PREFECT_HOME/nightshift-serve.json``, so ``stop`` ends exactly those process groups, after
checking that each pid still runs the command it started (a pid can be reused after a reboot).
``served_api`` tells ``nightshift consolidate`` whether that server answers, so a run talks to it
instead of starting a temporary one. This module only starts processes and asks for ``/health``: it
does not import Prefect, like the rest of ``nightshift``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import zoneinfo
from pathlib import Path

POOL = "nightshift"
PIDS_NAME = "nightshift-serve.json"
DEFAULT_PORT = 4200
PREFECT = [sys.executable, "-m", "prefect"]


class ServeError(RuntimeError):
    pass


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def local_timezone() -> str:
    """This machine's IANA time zone name (``TZ``, ``/etc/timezone``, the ``/etc/localtime`` link), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    if Path("/etc/timezone").is_file():
        candidates.append(Path("/etc/timezone").read_text().strip())
    localtime = Path("/etc/localtime")
    if localtime.is_symlink() and "zoneinfo/" in str(localtime.resolve()):
        candidates.append(str(localtime.resolve()).split("zoneinfo/", 1)[1])
    for name in candidates:
        try:
            if name and "/" in name and zoneinfo.ZoneInfo(name):
                return name
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return "UTC"


def _alive(pid: int, marker: str) -> bool:
    """The pid runs and its command line still contains ``marker`` (a zombie counts as ended)."""
    out = subprocess.run(["ps", "-o", "stat=,command=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    return bool(out) and not out.startswith("Z") and marker in out


def _spawn(args: list[str], log: Path, env: dict) -> subprocess.Popen:
    with log.open("ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)


def _healthy(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):  # refused, timed out, or not a URL at all
        return False


def _wait_healthy(url: str, server: subprocess.Popen | None, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise ServeError(f"prefect server exited with {server.returncode}; see {log}")
        if _healthy(url, timeout=2):
            return
        time.sleep(0.5)
    raise ServeError(f"no answer from {url}/health after {timeout:.0f}s; see {log}")


def _run(args: list[str], env: dict, cwd: Path, *, unless: str | None = None) -> None:
    """Run a prefect command; a failure whose output contains ``unless`` is fine."""
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0 and not (unless and unless in done.stdout + done.stderr):
        raise ServeError(f"`prefect {' '.join(args[3:])}` failed:\n{done.stdout}{done.stderr}")


def served_api(timeout: float = 1.0) -> str | None:
    """The API that ``start`` recorded, when it answers now; None when nothing is recorded or it is down
    (a record left by a reboot or a crash names a server that is gone)."""
    try:
        url = json.loads((prefect_home() / PIDS_NAME).read_text())["api_url"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if isinstance(url, str) and _healthy(url, timeout) else None


def start(project: Path, port: int = DEFAULT_PORT) -> dict:
    """Start what is missing, deploy, start a worker; returns what was recorded."""
    home = prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    pids_file = home / PIDS_NAME
    if pids_file.exists():
        raise ServeError(f"already serving (see {pids_file}); run `make stop` first")
    if not (project / "prefect.yaml").is_file():
        raise ServeError(f"no prefect.yaml in {project}; run this from the nightshift checkout")
    env = {**os.environ, "NIGHTSHIFT_TIMEZONE": os.environ.get("NIGHTSHIFT_TIMEZONE") or local_timezone()}
    record: dict = {"api_url": os.environ.get("PREFECT_API_URL"), "server": None, "worker": None}
    server = None
    if not record["api_url"]:
        record["api_url"] = f"http://127.0.0.1:{port}/api"
        server = _spawn([*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)], home / "nightshift-server.log", env)
        record["server"] = {"pid": server.pid, "marker": "server start"}
        pids_file.write_text(json.dumps(record))  # recorded at once, so `stop` works even if a later step fails
    env["PREFECT_API_URL"] = record["api_url"]
    try:
        _wait_healthy(record["api_url"], server, home / "nightshift-server.log")
        # An existing pool is kept as it is (the user may have tuned it); each prefect command costs seconds.
        _run([*PREFECT, "work-pool", "create", POOL, "--type", "process"], env, project, unless="already exists")
        # The worker starts up (seconds of imports) while the deployment is registered.
        worker = _spawn([*PREFECT, "worker", "start", "--pool", POOL], home / "nightshift-worker.log", env)
        record["worker"] = {"pid": worker.pid, "marker": "worker start"}
        pids_file.write_text(json.dumps(record))
        _run([*PREFECT, "--no-prompt", "deploy", "--all"], env, project)
    except BaseException:
        stop()  # leave nothing running behind a failed start
        raise
    return record


def stop(grace_seconds: float = 20) -> list[int]:
    """End the recorded worker and server (their whole process groups); returns the pids ended."""
    pids_file = prefect_home() / PIDS_NAME
    if not pids_file.exists():
        return []
    record = json.loads(pids_file.read_text())
    ended = []
    for proc in (record.get("worker"), record.get("server")):
        if not proc or not _alive(proc["pid"], proc["marker"]):
            continue
        os.killpg(proc["pid"], signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        while _alive(proc["pid"], proc["marker"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(proc["pid"], proc["marker"]):
            os.killpg(proc["pid"], signal.SIGKILL)
        ended.append(proc["pid"])
    pids_file.unlink()
    return ended


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port of the local server (when PREFECT_API_URL is unset)")
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            record = start(Path.cwd(), args.port)
            ui = record["api_url"].removesuffix("/api")
            print(f"nightshift: serving the consolidate deployment; worker pid {record['worker']['pid']}"
                  + (f", server pid {record['server']['pid']}" if record["server"] else "") + f"; UI {ui}")
        else:
            ended = stop()
            print(f"nightshift: stopped pids {', '.join(map(str, ended))}" if ended else "nightshift: nothing to stop")
    except ServeError as exc:
        print(f"nightshift: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
