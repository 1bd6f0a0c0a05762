"""``stenogram serve --workers 2`` for real: connections dealt evenly, a dead worker replaced,
a clean stop, a clear error when the port is taken, and slow or numerous clients held to the
limits (header deadline, keep-alive timeout, connections per worker)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from processes import children, running
from serveutil import stop
from stenogram.serving import GRACE
from webutil import build, free_port

SERVE = (sys.executable, "-m", "stenogram", "serve")


@pytest.fixture(scope="module")
def archive(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> Path:
    """The archive folder; on PostgreSQL the served processes find the database in
    ``STENOGRAM_DATABASE``, which they inherit."""
    folder = tmp_path_factory.mktemp("serving")
    return build(folder, shared_dir, database=module_database)[0].archive


@contextmanager
def serving(
    archive: Path, log: Path, *options: str, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    command = [*SERVE, "--archive", str(archive), *options]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--port", str(port), "--workers", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    try:
        _wait(lambda: _answers(port), proc, log)
        _wait(lambda: len(_workers(proc.pid)) == 2, proc, log)
        yield proc, port
    finally:
        stop(proc)


def _wait(ready: object, proc: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not ready():  # type: ignore[operator]
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the server is not up: " + log.read_text()[-2000:])
        time.sleep(0.1)


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/events", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def _workers(pid: int) -> list[int]:
    """The supervisor's children that run the app (not multiprocessing's resource tracker)."""
    return [
        child
        for child in children(pid)
        if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def _connections(pid: int, port: int) -> int:
    """Established TCP connections on ``port`` that process ``pid`` holds."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
            inodes.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


def _gone(pid: int) -> bool:
    """The process has exited (a zombie its parent has not reaped yet counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _ask(port: int, clients: int) -> list[http.client.HTTPConnection]:
    """``clients`` keep-alive connections, each with one request answered and left open."""
    opened = []
    for _ in range(clients):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/events")
        response = conn.getresponse()
        assert response.status == 200
        response.read()
        opened.append(conn)
    return opened


def test_connections_are_dealt_to_the_workers_in_turn(archive: Path, tmp_path: Path) -> None:
    with serving(archive, tmp_path / "server.log") as (proc, port):
        conns = _ask(port, 8)
        try:
            counts = sorted(_connections(w, port) for w in _workers(proc.pid))
            assert counts == [4, 4]
        finally:
            for conn in conns:
                conn.close()


def test_a_dead_worker_is_replaced_and_stop_ends_them_all(archive: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with serving(archive, log) as (proc, port):
        first, second = _workers(proc.pid)
        os.kill(first, signal.SIGKILL)
        # A connection dealt in the instant the worker is dying dies with it (the kernel takes
        # the descriptor until the process is gone): wait until it is gone, as the test means.
        _wait(lambda: _gone(first), proc, log)
        # Every new connection is still answered while the worker is gone and once replaced.
        for conn in _ask(port, 6):
            conn.close()
        _wait(lambda: len(_workers(proc.pid)) == 2 and first not in _workers(proc.pid), proc, log)
        replaced = _workers(proc.pid)
        assert second in replaced
        for conn in _ask(port, 4):
            conn.close()
        assert "starting another" in log.read_text()

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=GRACE + 10) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in replaced)


def test_a_port_in_use_is_a_clear_error(archive: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*SERVE, "--archive", str(archive), "--port", str(port), "--workers", "2"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 78
    assert f"127.0.0.1:{port}: cannot listen there" in done.stderr
    assert "Traceback" not in done.stderr


def test_workers_stop_when_their_supervisor_is_killed(archive: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with serving(archive, log) as (proc, _):
        workers = _workers(proc.pid)
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + GRACE + 10
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(running(pid) for pid in workers), log.read_text()[-2000:]


def test_a_worker_that_cannot_start_is_retried_ever_more_slowly(tmp_path: Path) -> None:
    (tmp_path / "crashy.py").write_text(
        "def work(channel, options):\n    raise SystemExit(3)\n", encoding="utf-8"
    )
    script = f"""
import socket, sys, threading
sys.path.insert(0, {str(tmp_path)!r})
from stenogram import serving
from crashy import work
listener = socket.create_server(("127.0.0.1", 0))
supervisor = serving.Supervisor(listener, 1, {{}}, target=work)
threading.Timer(4.0, lambda: setattr(supervisor, "stopping", True)).start()
supervisor.run()
print(supervisor.started)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # Restarted at once, that is every 0.25 s tick, it would start ~15 times in 4 s; paused
    # 1 s, then 2 s, then 4 s, it starts 3 times.
    assert 2 <= int(done.stdout) <= 4, done.stderr[-2000:]
    assert "(exit code 3)" in done.stderr and "starting another in 1 s" in done.stderr


def _half_sent(port: int, count: int) -> list[socket.socket]:
    """Connections that send part of a request's headers (every third: nothing) and stop."""
    opened = []
    for i in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        if i % 3:
            sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: x\r\n")
        opened.append(sock)
    return opened


def _closed_within(socks: list[socket.socket], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    for sock in socks:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if sock.recv(1024) != b"":
                return False
        except TimeoutError:
            return False
        except OSError:
            pass  # reset: closed as well
    return True


def test_slow_clients_are_closed_and_visitors_still_served(archive: Path, tmp_path: Path) -> None:
    """More half-sent requests than the workers take: each is closed after the header timeout
    (or sooner, to make room), and a visitor is answered all along."""
    env = {
        "STENOGRAM_HEADER_TIMEOUT": "1",
        "STENOGRAM_KEEPALIVE_TIMEOUT": "1",
        "STENOGRAM_MAX_CONNECTIONS": "20",
    }
    with serving(archive, tmp_path / "server.log", env=env) as (_, port):
        started = time.monotonic()
        slow = _half_sent(port, 90)
        try:
            for _ in range(4):
                assert (
                    httpx.get(f"http://127.0.0.1:{port}/api/events", timeout=10).status_code == 200
                )
            assert _closed_within(slow, 5)
            assert time.monotonic() - started < 6
            (idle,) = _ask(port, 1)  # a keep-alive connection left idle
            idle.sock.settimeout(5)
            assert idle.sock.recv(1) == b""
        finally:
            for sock in slow:
                sock.close()


def test_a_worker_full_of_requests_answers_503(archive: Path, tmp_path: Path) -> None:
    """Every connection in the middle of a request (an upload that stalls): one more is told 503
    with the error body, at once, rather than held or silently dropped."""
    env = {"STENOGRAM_MAX_CONNECTIONS": "2", "STENOGRAM_ADMIN_TOKEN": "s3cret"}
    log = tmp_path / "server.log"
    with serving(archive, log, env=env) as (proc, port):
        time.sleep(0.5)  # the readiness check's connections are gone
        stalled = []
        try:
            for _ in range(4):
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                sock.sendall(
                    b"POST /api/admin/ingest HTTP/1.1\r\nHost: x\r\n"
                    b"Authorization: Bearer s3cret\r\nContent-Length: 1000\r\n\r\nabc"
                )
                stalled.append(sock)
            time.sleep(0.5)
            refused = httpx.get(f"http://127.0.0.1:{port}/api/events", timeout=10)
            assert refused.status_code == 503
            assert refused.json()["error"]["code"] == "busy" and refused.headers["retry-after"]
        finally:
            for sock in stalled:
                sock.close()
        _wait(lambda: _answers(port), proc, log, seconds=10)  # room again once they leave
