"""Slack HTTP-mode acknowledgement latency under load: bursts of 50 concurrent, correctly signed
`app_mention` events against the real aiohttp app of `aifbot serve` (POST /slack/events), with the
real graph answering each one after the acknowledgement. The HTTP response time of /slack/events is
the acknowledgement Slack waits for (it retries after 3 s); the target is p99 <= 100 ms.

Slack's side (the load generator and a fake Slack Web API that takes the answers) runs in a second
process, as Slack is outside the bot's process in production; the bot process only serves.

The bot process calls `gc.freeze()` once everything is loaded, as proposed for `aifbot serve`:
without it, a full collection over the loaded models, index and graph every few bursts stalls the
event loop ~0.2 s, acknowledgements included (`--no-gc-freeze` to see it). The first bursts
(`--warmup`, not counted) meet a cold process and fresh connections. `server_ms` is the bot's own
share of each acknowledgement (the handler's time); the rest is the event loop and the network.

Run: `uv run python benchmarks/bench_slack_ack.py [--rounds N] [--warmup N] [--concurrency N]
[--no-gc-freeze]`. Prints JSON."""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import hmac
import itertools
import json
import multiprocessing
import os
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from aiohttp import ClientSession, web

from bots.cli.benchmark import percentiles

TARGET_P99_MS = 100.0
SECRET = "bench-signing-secret"
BOT_USER = "UBOT"
QUESTIONS = [
    "what is Amazon Polly?",
    "how does RAG work?",
    "what is the difference between precision and recall?",
    "what does Amazon Bedrock Guardrails do?",
    "explain temperature and top-p",
]


# -- Slack's side (second process) -------------------------------------------------------------------
class FakeSlackAPI:
    """Just enough of the Slack Web API for the bot to answer: auth.test and the chat methods."""

    def __init__(self) -> None:
        self.posted = 0
        self._ts = itertools.count(1)

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1"})
        self.posted += method.startswith("chat.")
        n = next(self._ts)
        return web.json_response({"ok": True, "ts": f"{1_700_000_000 + n}.{n:06d}", "message_ts": str(n)})

    async def until_posted(self, count: int, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while self.posted < count:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot did not answer every event")
            await asyncio.sleep(0.02)


def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def mention_body(n: int) -> str:
    event = {
        "type": "app_mention",
        "channel": f"C{n % 7}",
        "user": f"U{n}",
        "text": f"<@{BOT_USER}> {QUESTIONS[n % len(QUESTIONS)]}",
        "ts": f"{1_600_000_000 + n}.{n:06d}",
    }
    return json.dumps({"type": "event_callback", "team_id": "T1", "event_id": f"Ev{n}", "event": event})


async def slack_side(pipe: Connection, warmup: int, rounds: int, concurrency: int) -> None:
    fake = FakeSlackAPI()
    app = web.Application()
    app.router.add_post("/api/{method}", fake.api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    pipe.send(f"http://127.0.0.1:{runner.addresses[0][1]}/api/")
    url = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # the bot is up
    events = itertools.count(1)
    acks: list[float] = []
    answered: list[float] = []
    async with ClientSession() as http:

        async def send() -> float:
            body = mention_body(next(events))
            started = time.perf_counter()
            async with http.post(url, data=body.encode(), headers=signed(body)) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"/slack/events answered {response.status}")
            return time.perf_counter() - started

        await send()  # auth.test, the graph, the index
        await fake.until_posted(1)
        for burst in range(warmup + rounds):
            before, started = fake.posted, time.perf_counter()
            times = await asyncio.gather(*(send() for _ in range(concurrency)))
            await fake.until_posted(before + concurrency)
            if burst >= warmup:
                acks += times
                answered.append(time.perf_counter() - started)
    await runner.cleanup()
    pipe.send((acks, answered))


def run_slack_side(pipe: Connection, warmup: int, rounds: int, concurrency: int) -> None:
    asyncio.run(slack_side(pipe, warmup, rounds, concurrency))


# -- the bot (this process) --------------------------------------------------------------------------
async def serve_bot(
    data: Path, pipe: Connection, gc_freeze: bool
) -> tuple[list[float], list[float], list[float]]:
    loop = asyncio.get_running_loop()
    os.environ |= {
        "AIFBOT_DATA_DIR": str(data),
        "AIFBOT_SLACK_BOT_TOKEN": "xoxb-bench",
        "AIFBOT_SLACK_SIGNING_SECRET": SECRET,
        "AIFBOT_SLACK_API_URL": await loop.run_in_executor(None, pipe.recv),
    }
    from bots.slack import SlackAdapter
    from bots.startup.runtime import Runtime
    from bots.startup.server import make_web_app, start_web_app
    from bots.startup.settings import Settings

    runtime = Runtime(Settings())
    runtime.index  # noqa: B018 - build the notes index before Slack starts sending
    async with runtime.gateway() as gateway:
        adapter = SlackAdapter(runtime.settings, gateway)
        handled: list[float] = []
        dispatch = adapter.handle_http

        async def timed(request: web.Request) -> web.Response:
            started = time.perf_counter()
            response = await dispatch(request)
            handled.append(time.perf_counter() - started)
            return response

        adapter.handle_http = timed  # type: ignore[method-assign]
        app = make_web_app({})
        adapter.mount(app)
        web_runner = await start_web_app(app, "127.0.0.1", 0)
        if gc_freeze:  # what was loaded at startup stays; the collector needn't walk it again
            gc.collect()
            gc.freeze()
        pipe.send(f"http://127.0.0.1:{web_runner.addresses[0][1]}/slack/events")
        acks, answered = await loop.run_in_executor(None, pipe.recv)
        await adapter.close()
        await web_runner.cleanup()
    return acks, answered, handled[-len(acks) :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="bursts measured")
    parser.add_argument("--warmup", type=int, default=2, help="bursts first, not measured")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--no-gc-freeze",
        dest="gc_freeze",
        action="store_false",
        help="don't gc.freeze() after startup (proposed for `aifbot serve`)",
    )
    args = parser.parse_args()
    bot_end, slack_end = multiprocessing.get_context("spawn").Pipe()
    slack = multiprocessing.get_context("spawn").Process(
        target=run_slack_side, args=(slack_end, args.warmup, args.rounds, args.concurrency), daemon=True
    )
    slack.start()
    with tempfile.TemporaryDirectory() as tmp:
        acks, answered, handled = asyncio.run(serve_bot(Path(tmp), bot_end, args.gc_freeze))
    slack.join(timeout=30)
    ack = percentiles(acks)
    report = {
        "ack": ack,
        "server_ms": percentiles(handled),
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": ack["p99_ms"] <= TARGET_P99_MS,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "warmup_rounds": args.warmup,
        "gc_freeze": args.gc_freeze,
        "burst_answered_s": {"mean": round(sum(answered) / len(answered), 2), "max": round(max(answered), 2)},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
