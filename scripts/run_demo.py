#!/usr/bin/env python3
"""Run the whole product on the embedded defaults: web app, Celery worker and celery beat.

    python scripts/run_demo.py [--host 127.0.0.1] [--port 8000]

SQLite for data and for the Celery broker (kombu's SQLAlchemy transport): no other
servers. `make demo` migrates and seeds first, then starts this. Ctrl-C stops all three;
if one of them dies, the others are stopped too and the exit status is non-zero.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_GRACE_SECONDS = 15
COLOURS = {"web": "\033[36m", "worker": "\033[33m", "beat": "\033[35m", "demo": "\033[32m"}
RESET = "\033[0m"
_print_lock = threading.Lock()
_use_colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def say(name: str, line: str) -> None:
    prefix = f"{name:>6} | "
    if _use_colour:
        prefix = f"{COLOURS.get(name, '')}{prefix}{RESET}"
    with _print_lock:
        sys.stdout.write(prefix + line.rstrip("\n") + "\n")
        sys.stdout.flush()


def _die_with_parent() -> None:
    """Runs in the child before exec: on Linux, get SIGTERM if this supervisor is killed
    outright (kill -9), so no orphaned worker keeps the SQLite files busy."""
    with contextlib.suppress(Exception):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def commands(host: str, port: int, web_workers: int) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [
            python, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{host}:{port}", "--workers", str(web_workers),
            "--access-logfile", "-", "--error-logfile", "-", "--graceful-timeout", "5", "--timeout", "120",
        ],
        "worker": [python, "-m", "celery", "-A", "config", "worker", "-l", "info", "--pool", "threads", "--concurrency", "2",
                   "--hostname", "renshi-demo@%h"],
        "beat": [python, "-m", "celery", "-A", "config", "beat", "-l", "info",
                 "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"],
    }


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def start(name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own fixed command lines
        command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
        start_new_session=True,  # Ctrl-C reaches only us; we stop the children in order
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - children start before any thread of ours
    )
    return process


def relay_output(name: str, process: subprocess.Popen) -> None:
    def pump() -> None:
        for line in process.stdout:
            say(name, line)

    threading.Thread(target=pump, name=f"output-{name}", daemon=True).start()


def wait_until_serving(url: str, processes: dict[str, subprocess.Popen], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processes["web"].poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local URL
                return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer (404, 302 …) means the server is up
        except OSError:
            time.sleep(0.3)
    return False


def stop(processes: dict[str, subprocess.Popen]) -> None:
    for name, process in processes.items():
        if process.poll() is None:
            say("demo", f"stopping {name} (pid {process.pid}) …")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say("demo", f"{name} did not stop in {STOP_GRACE_SECONDS} s; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--web-workers", type=int, default=2)
    options = parser.parse_args(argv)

    if not port_is_free(options.host, options.port):
        print(f"Port {options.port} on {options.host} is already in use. Stop the other server or run "
              f"`make demo PORT={options.port + 1}`.", file=sys.stderr)
        return 2

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env["PYTHONUNBUFFERED"] = "1"

    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    processes = {name: start(name, command, env) for name, command in commands(options.host, options.port, options.web_workers).items()}
    for name, process in processes.items():
        relay_output(name, process)
    browse_host = "127.0.0.1" if options.host in {"0.0.0.0", "::", ""} else options.host  # noqa: S104
    url = f"http://{browse_host}:{options.port}/"
    if wait_until_serving(url, processes):
        say("demo", f"Renshi is running at {url}  (API docs {url}api/docs/, admin {url}admin/) — Ctrl-C stops everything")
        say("demo", "Demo logins: python manage.py demo_logins (password renshi-demo-2026)")

    exit_code = 0
    while not stop_requested.is_set():
        died = [(name, process.returncode) for name, process in processes.items() if process.poll() is not None]
        if died:
            for name, code in died:
                say("demo", f"{name} exited with status {code}; stopping the others")
            exit_code = 1
            break
        stop_requested.wait(0.5)
    stop(processes)
    say("demo", "stopped")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
