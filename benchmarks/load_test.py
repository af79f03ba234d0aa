"""Load test: N concurrent Slack conversations for a fixed time against two `aifbot serve slack
--http` replicas (zero-latency fake chat model) on one PostgreSQL and one Chroma server, all on
this machine. Each conversation is a thread: a mention, then follow-ups in the thread, with a pause
between a reply and the next message like a person reading; every message is one the replicas
haven't seen. The conversations start over a ramp-up (default 10 s), then the measured seconds
follow with all of them going. Turn latency = event POSTed → the answer arriving at the fake Slack
Web API.

    uv run python benchmarks/load_test.py [--conversations 200] [--seconds 60] [--think 10] [--ramp 10]

Prints JSON: turns, errors, throughput and latency percentiles (ms) of the measured seconds, the
ramp-up's latency, p99 per 10 s, turns per replica."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bots.cli.benchmark import percentiles  # noqa: E402
from tests.bots.slack.fake_slack import FakeSlack  # noqa: E402
from tests.bots.slack.payloads import SECRET, event_callback, mention, next_ts, sign  # noqa: E402
from tests.servers import free_port, init_postgres, running_chroma, running_postgres  # noqa: E402

QUESTIONS = [
    json.loads(line)["query"]
    for path in sorted((ROOT / "knowledge/eval/retrieval").glob("*.jsonl"))
    for line in path.read_text().splitlines()
    if line.strip()
]


async def wait_ready(session: aiohttp.ClientSession, port: int) -> None:
    for _ in range(360):
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"replica on {port} never became ready")


async def load(args: argparse.Namespace, env: dict[str, str], slack: FakeSlack, ports: list[int]) -> dict:
    turns: list[tuple[float, float]] = []  # (when it was sent, since the start; latency)
    errors: list[str] = []
    per_replica = dict.fromkeys(ports, 0)
    answered: dict[str, asyncio.Future] = {}
    seen = 0

    async def watch() -> None:  # resolves each turn when its answer reaches the fake Slack
        nonlocal seen
        while True:
            await asyncio.sleep(0.005)
            for call in slack.calls[seen:]:
                future = answered.get(call.params.get("thread_ts") or "")
                answers = ("chat.postMessage", "chat.postEphemeral", "chat.update")
                if call.method in answers and future and not future.done():
                    future.set_result(time.perf_counter())
            seen = len(slack.calls)

    async def conversation(n: int, session: aiohttp.ClientSession, until: float) -> None:
        rng = random.Random(n)
        await asyncio.sleep(rng.uniform(0, args.ramp))  # people don't all start at once
        thread = next_ts()
        first = True
        sent = 0
        while time.perf_counter() < until:
            port = ports[rng.randrange(len(ports))]  # the load balancer's choice
            ts = thread if first else next_ts()
            # every message new to the replicas (real people rarely repeat a question word for word),
            # so the figures include the embedding model and the search, not a remembered answer
            text = f"<@UBOT> {rng.choice(QUESTIONS)} ({n}.{sent})"
            sent += 1
            event = event_callback(
                mention(
                    text, channel=f"CLOAD{n % 20}", user=f"U{n}", ts=ts, thread_ts=None if first else thread
                )
            )
            body = json.dumps(event)
            # the answer goes into the conversation's thread
            answered[thread] = asyncio.get_running_loop().create_future()
            start = time.perf_counter()
            try:
                async with session.post(
                    f"http://127.0.0.1:{port}/slack/events",
                    data=body,
                    headers=sign(body) | {"Content-Type": "application/json"},
                ) as r:
                    if r.status != 200:
                        errors.append(f"HTTP {r.status}")
                        continue
                done = await asyncio.wait_for(answered[thread], timeout=30)
                turns.append((start - started, done - start))
                per_replica[port] += 1
            except (TimeoutError, aiohttp.ClientError) as exc:
                errors.append(type(exc).__name__)
            first = False
            # a person reads the answer; nobody waits past the end of the test
            await asyncio.sleep(min(rng.expovariate(1 / args.think), max(0.0, until - time.perf_counter())))

    watcher = asyncio.create_task(watch())
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        until = started + args.ramp + args.seconds
        await asyncio.gather(*(conversation(n, session, until) for n in range(args.conversations)))
    watcher.cancel()
    # the measured minute: every conversation has started; the ramp-up is reported on its own
    measured = [latency for at, latency in turns if at >= args.ramp]
    ramp_up = [latency for at, latency in turns if at < args.ramp]
    by_10_s = {
        f"{start}-{start + 10}s": percentiles(part)["p99_ms"]
        for start in range(0, int(args.ramp + args.seconds), 10)
        if len(part := [lat for at, lat in turns if start <= at < start + 10]) > 1
    }
    apologies = sum("went wrong" in c.text_of_blocks() + str(c.params.get("text", "")) for c in slack.calls)
    return {
        "conversations": args.conversations,
        "seconds": args.seconds,
        "ramp_up_s": args.ramp,
        "think_time_s": args.think,
        "turns": len(measured),
        "errors": len(errors) + apologies,
        "error_kinds": sorted(set(errors)),
        "throughput_turns_per_s": round(len(measured) / args.seconds, 1),
        "turn_latency": percentiles(measured),
        "ramp_up_turn_latency": percentiles(ramp_up) if len(ramp_up) > 1 else None,
        "p99_ms_by_10_s": by_10_s,
        "turns_per_replica": list(per_replica.values()),
    }


async def main(args: argparse.Namespace) -> dict:
    work = Path(tempfile.mkdtemp(prefix="aifbot-load-"))
    pg_folder, as_user = init_postgres()
    replicas: list[subprocess.Popen] = []
    try:
        with (
            running_postgres(pg_folder, as_user, free_port()) as pg,
            running_chroma(str(work / "chroma"), free_port()) as chroma,
        ):
            slack = await FakeSlack().start()
            env = {k: v for k, v in os.environ.items() if not k.startswith("AIFBOT_")} | {
                "AIFBOT_DATA_DIR": str(work / "data"),
                "AIFBOT_DATABASE_URL": pg,
                "AIFBOT_CHROMA_URL": chroma,
                "AIFBOT_SLACK_BOT_TOKEN": "xoxb-load-test",
                "AIFBOT_SLACK_SIGNING_SECRET": SECRET,
                "AIFBOT_SLACK_API_URL": slack.api_url,
            }
            # index the notes and the bank FAQ once before the replicas start (a deployment's first step)
            warm = (
                "from bots.startup.runtime import Runtime; from bots.startup.settings import Settings;"
                " r = Runtime(Settings()); r.index; r.bank; r.prepare_grounding()"
            )
            subprocess.run([sys.executable, "-c", warm], env=env, check=True, capture_output=True)
            ports = [free_port() for _ in range(args.replicas)]
            for port in ports:
                replicas.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            str(ROOT / "benchmarks/fake_model_replica.py"),
                            "serve",
                            "slack",
                            "--http",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            str(port),
                        ],
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=open(work / f"replica-{port}.log", "w"),  # noqa: SIM115
                    )
                )
            async with aiohttp.ClientSession() as session:
                await asyncio.gather(*(wait_ready(session, port) for port in ports))
            report = await load(args, env, slack, ports)
            await slack.close()
            return report
    finally:
        for replica in replicas:
            replica.terminate()
        for replica in replicas:
            replica.wait(timeout=60)
        for log_file in work.glob("replica-*.log"):  # what a replica said, when something failed
            lines = log_file.read_text().splitlines()
            if any('"level": "error"' in line or "Traceback" in line for line in lines):
                print(f"{log_file.name}:", *lines[-15:], sep="\n", file=sys.stderr)
        shutil.rmtree(pg_folder, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think", type=float, default=10.0, help="Mean pause between a reply and the next message."
    )
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument(
        "--ramp",
        type=float,
        default=10.0,
        help="Seconds over which the conversations start, before the measured ones.",
    )
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
