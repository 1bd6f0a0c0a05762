"""Slow clients against ``stenogram serve``: how long a half-sent request is held.

Starts ``stenogram serve --workers N`` on a free loopback port over ``--archive``, opens
``--clients`` connections that send half of a request's headers and stop, asks for
``/api/events`` as a normal visitor would while they are held, and prints how many of the
half-sent connections the server closed, and when, within ``--seconds``. Then it stops the
server. Bounded in count and time; loopback only; prints, never asserts.

    .venv/bin/python bench/slow_clients.py --archive demo-archive --clients 3000
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

HALF: bytes = b"GET /api/events HTTP/1.1\r\nHost: bench\r\n"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/events", timeout=5)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    sys.exit("the server did not come up")


def _held(port: int, clients: int, seconds: float) -> list[float]:
    """Seconds until each half-sent connection was closed (only those closed in time)."""
    socks = []
    for _ in range(clients):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(HALF)
        sock.setblocking(False)
        socks.append(sock)
    start = time.monotonic()
    visitor = time.monotonic()
    status = httpx.get(f"http://127.0.0.1:{port}/api/events", timeout=30).status_code
    print(f"a visitor meanwhile: {status} in {time.monotonic() - visitor:.2f} s")
    closed: dict[int, float] = {}
    while len(closed) < clients and time.monotonic() - start < seconds:
        for i, sock in enumerate(socks):
            if i in closed:
                continue
            try:
                if sock.recv(4096) == b"":
                    closed[i] = time.monotonic() - start
            except BlockingIOError:
                pass
            except OSError:
                closed[i] = time.monotonic() - start
        time.sleep(0.05)
    for sock in socks:
        sock.close()
    return sorted(closed.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=40.0)
    args = parser.parse_args()
    port = _port()
    command = [sys.executable, "-m", "stenogram", "serve", "--archive", str(args.archive)]
    command += ["--port", str(port), "--workers", str(args.workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _up(port)
        held = _held(port, args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    timeout = os.environ.get("STENOGRAM_HEADER_TIMEOUT", "10 (default)")
    print(f"header timeout {timeout} s, {args.clients} half-sent requests, {args.workers} workers")
    if held:
        print(f"closed: {len(held)}/{args.clients} within {args.seconds:.0f} s; ", end="")
        print(f"median {held[len(held) // 2]:.1f} s, last {held[-1]:.1f} s")
    else:
        print(f"closed: none within {args.seconds:.0f} s")


if __name__ == "__main__":
    main()
