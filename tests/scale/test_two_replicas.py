"""Scale-out proof: two `aifbot serve slack --http` processes on one PostgreSQL and one Chroma
server, the same events and retries sent to both, each event answered exactly once and one daily
post per channel. Everything is real but Slack, which is the fake Web API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bots.startup.runtime import Runtime
from bots.startup.settings import Settings
from tests.bots.slack.fake_slack import FakeSlack
from tests.bots.slack.payloads import SECRET, event_callback, mention, sign
from tests.servers import free_port

EVENTS = 8


def replica_env(data_dir: Path, postgres_url: str, chroma_url: str, slack: FakeSlack, config: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIFBOT_")}
    return env | {
        "AIFBOT_DATA_DIR": str(data_dir),
        "AIFBOT_DATABASE_URL": postgres_url,
        "AIFBOT_CHROMA_URL": chroma_url,
        "AIFBOT_SLACK_BOT_TOKEN": "xoxb-scale-test",
        "AIFBOT_SLACK_SIGNING_SECRET": SECRET,
        "AIFBOT_SLACK_API_URL": slack.api_url,
        "AIFBOT_CONFIG": str(config),
    }


async def wait_ready(
    session: aiohttp.ClientSession, port: int, process: subprocess.Popen, log_dir: Path
) -> None:
    for _ in range(600):
        if process.poll() is not None:
            said = "".join(p.read_text()[-3000:] for p in log_dir.glob(f"replica-{port}.log"))
            raise AssertionError(f"replica on {port} exited with {process.returncode}: {said}")
        try:
            async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.5)
    raise AssertionError(f"replica on {port} never became ready")


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


async def test_two_replicas_answer_each_event_once_and_post_once(
    tmp_path: Path, postgres_url: str, chroma_url: str, slack: FakeSlack
) -> None:
    data_dir = tmp_path / "data"
    config = tmp_path / "aifbot.yaml"
    due = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%H:%M")  # due now: caught up at start
    config.write_text(json.dumps({"daily": [{"platform": "slack", "channel": "CDAILY", "time": due}]}))
    env = replica_env(data_dir, postgres_url, chroma_url, slack, config)

    # the first deployment step: index the notes and the bank FAQ into the Chroma server once
    warm = Runtime(Settings(data_dir=data_dir, chroma={"url": chroma_url}, database_url=postgres_url))
    await asyncio.to_thread(lambda: (warm.index, warm.bank, warm.prepare_grounding()))

    ports = [free_port(), free_port()]
    replicas = [
        subprocess.Popen(
            [
                str(Path(sys.executable).parent / "aifbot"),
                "serve",
                "slack",
                "--http",
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / f"replica-{port}.log", "w"),  # noqa: SIM115 - closed with the process
        )
        for port in ports
    ]
    try:
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(
                *(wait_ready(session, port, r, tmp_path) for port, r in zip(ports, replicas, strict=True))
            )

            events = [
                event_callback(mention(f"<@UBOT> what is Amazon Polly? ({n})", channel="CSCALE"))
                for n in range(EVENTS)
            ]

            async def deliver(port: int, event: dict, retry: int | None) -> int:
                body = json.dumps(event)
                headers = sign(body) | {"Content-Type": "application/json"}
                if retry is not None:
                    headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
                async with session.post(
                    f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
                ) as r:
                    return r.status

            statuses = await asyncio.gather(
                *(deliver(port, event, retry) for event in events for port in ports for retry in (None, 1))
            )
            assert set(statuses) == {200}

            for event in events:
                await slack.wait_for("chat.postMessage", thread_ts=event["event"]["ts"], timeout=120)
            await slack.wait_for("chat.postMessage", channel="CDAILY", timeout=120)
            await slack.settle(quiet=3.0)
            for event in events:
                answers = slack.made("chat.postMessage", thread_ts=event["event"]["ts"])
                assert len(answers) == 1, answers
            assert len(slack.made("chat.postMessage", channel="CDAILY")) == 1
    finally:
        for replica in replicas:
            replica.terminate()
        for replica in replicas:
            replica.wait(timeout=60)
    logs = "".join(p.read_text() for p in tmp_path.glob("replica-*.log"))
    assert "xoxb-scale-test" not in logs and SECRET not in logs
    assert "Traceback" not in logs, logs[-3000:]
