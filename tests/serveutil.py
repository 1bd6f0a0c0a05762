"""A real ``stenogram serve`` process for the tests, stopped at the end whatever happened."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from stenogram.serving import GRACE
from webutil import free_port

SERVE = (sys.executable, "-m", "stenogram", "serve")


@contextmanager
def served(*options: str, log: Path, workers: int = 1) -> Iterator[str]:
    """The base URL of ``stenogram serve OPTIONS``, once it answers ``/healthz``."""
    port = free_port()
    command = [*SERVE, *options, "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers(f"{base}/healthz"), proc, log)
        yield base
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL if the server has not stopped within its grace period."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=GRACE + 5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def wait_for(
    ready: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path, seconds: float = 60
) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("the server is not up: " + log.read_text()[-2000:])
        time.sleep(0.1)


def eventually(check: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.1)
