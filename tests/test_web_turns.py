"""Requests of one worker take turns: one computes at a time, in the order they came."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from stenogram.web.turns import Turns

Log = list[tuple[str, str]]


def _scope(path: str, method: str = "GET") -> Scope:
    return {"type": "http", "method": method, "path": path, "headers": []}


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _recording(log: Log, *, pause: float = 0.01) -> Any:
    """An app whose handler yields to the loop mid-way, as an awaiting handler would: without
    turns, every request would start before the first one ends."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        log.append(("start", scope["path"]))
        await asyncio.sleep(pause)
        if scope["path"] == "/crash":
            raise RuntimeError("boom")
        log.append(("end", scope["path"]))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


async def _sent(message: Message) -> None:
    return None


def test_requests_compute_one_at_a_time_in_order_of_arrival() -> None:
    log: Log = []
    turns = Turns(_recording(log))

    async def main() -> None:
        await asyncio.gather(*(turns(_scope(f"/{n}"), _receive, _sent) for n in range(5)))

    asyncio.run(main())
    expected = [(step, f"/{n}") for n in range(5) for step in ("start", "end")]
    assert log == expected


def test_writes_do_not_queue() -> None:
    log: Log = []
    turns = Turns(_recording(log))

    async def main() -> None:
        await asyncio.gather(
            turns(_scope("/read"), _receive, _sent),
            turns(_scope("/write", "POST"), _receive, _sent),
        )

    asyncio.run(main())
    assert log[:2] == [("start", "/read"), ("start", "/write")]


def test_a_turn_ends_when_the_response_starts() -> None:
    # The first response's body waits until the second request has computed: were the turn
    # held until the body went out, neither could finish.
    log: Log = []
    second_done = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        log.append(("start", scope["path"]))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        if scope["path"] == "/slow-reader":
            await second_done.wait()
        else:
            second_done.set()
        await send({"type": "http.response.body", "body": b"ok"})
        log.append(("sent", scope["path"]))

    turns = Turns(app)

    async def main() -> None:
        await asyncio.wait_for(
            asyncio.gather(
                turns(_scope("/slow-reader"), _receive, _sent),
                turns(_scope("/next"), _receive, _sent),
            ),
            timeout=5,
        )

    asyncio.run(main())
    assert log == [
        ("start", "/slow-reader"),
        ("start", "/next"),
        ("sent", "/next"),
        ("sent", "/slow-reader"),
    ]


def test_a_crash_gives_the_turn_back() -> None:
    log: Log = []
    turns = Turns(_recording(log))

    async def main() -> None:
        with pytest.raises(RuntimeError, match="boom"):
            await turns(_scope("/crash"), _receive, _sent)
        await asyncio.wait_for(turns(_scope("/after"), _receive, _sent), timeout=5)

    asyncio.run(main())
    assert log[-1] == ("end", "/after")
