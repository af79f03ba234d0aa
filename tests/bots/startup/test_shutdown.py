"""SIGTERM at several moments of a first start, on a fresh data dir, to real `aifbot serve slack --http`
processes: each exits cleanly within 10 s, a turn in progress is still answered, and a start cut off
while indexing leaves an index the next start completes. Slack is the fake Web API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import chromadb
import pytest

from knowledge.chunking import chunk_section
from knowledge.documents import NOTES_DIR, discover, file_digest, read_file
from knowledge.index import NOTES_COLLECTION, _source_name
from tests.bots.slack.fake_slack import FakeSlack
from tests.bots.slack.payloads import SECRET, event_callback, mention, sign
from tests.servers import free_port

EXIT_BOUND_S = 10.0


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


class Replica:
    """One `aifbot serve` process whose JSON log is read as it is written."""

    def __init__(self, data_dir: Path, slack: FakeSlack, log: Path) -> None:
        self.port = free_port()
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIFBOT_")} | {
            "AIFBOT_DATA_DIR": str(data_dir),
            "AIFBOT_SLACK_BOT_TOKEN": "xoxb-shutdown-test",
            "AIFBOT_SLACK_SIGNING_SECRET": SECRET,
            "AIFBOT_SLACK_API_URL": slack.api_url,
        }
        command = [str(Path(sys.executable).parent / "aifbot"), "serve", "slack", "--http"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), "--host", "127.0.0.1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )

    def said(self) -> str:
        return self.log.read_text()

    async def wait_for_log(self, text: str, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.said():
                return
            if self.process.poll() is not None:
                raise AssertionError(
                    f"exited ({self.process.returncode}) before {text!r}: {self.said()[-3000:]}"
                )
            await asyncio.sleep(0.02)
        raise AssertionError(f"never logged {text!r}: {self.said()[-3000:]}")

    async def wait_ready(self, session: aiohttp.ClientSession, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.said()[-3000:]
            try:
                async with session.get(f"http://127.0.0.1:{self.port}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError("never ready: " + self.said()[-3000:])

    async def terminate(self) -> float:
        """SIGTERM; the seconds until the process had exited."""
        sent = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        while self.process.poll() is None and time.monotonic() - sent < 30:
            await asyncio.sleep(0.02)
        took = time.monotonic() - sent
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        return took

    async def assert_clean_stop(self) -> float:
        took = await self.terminate()
        said = self.said()
        assert took <= EXIT_BOUND_S, f"took {took:.1f} s to exit: {said[-3000:]}"
        assert self.process.returncode == 0, f"exit status {self.process.returncode}: {said[-3000:]}"
        assert "Traceback" not in said, said[-3000:]
        assert "stopping: no new events" in said or "aifbot serving" not in said
        return took


def expected_section_ids() -> set[str]:
    """The chunk ids a complete index of the notes holds (chunking only, no embeddings)."""
    ids = set()
    for path in discover([NOTES_DIR]):
        digest = file_digest(path)
        for section in read_file(path, _source_name(path)):
            ids.update(c.id for c in chunk_section(section, digest))
    return ids


async def test_sigterm_at_each_moment_of_a_first_start_exits_cleanly_within_10_s(
    tmp_path: Path, slack: FakeSlack
) -> None:
    data_dir = tmp_path / "data"  # fresh: no model graph, no index, no vectors yet
    logs = iter(tmp_path / f"serve-{n}.log" for n in range(10))
    took: dict[str, float] = {}

    # 1. building the embedding model and opening the stores
    first = Replica(data_dir, slack, next(logs))
    await first.wait_for_log("preparing the models and the notes index")
    took["first"] = await first.assert_clean_stop()

    # 2. in the middle of the first index build
    indexing = Replica(data_dir, slack, next(logs))
    await indexing.wait_for_log("indexing the notes: 256 of")  # one batch written
    took["indexing"] = await indexing.assert_clean_stop()

    # 3. serving, with the grounding check's vectors still being computed in the background
    serving = Replica(data_dir, slack, next(logs))
    await serving.wait_for_log("aifbot serving")
    took["serving"] = await serving.assert_clean_stop()
    assert "stopped cleanly" in serving.said()

    # 4. a turn in progress when the stop comes is answered before the process exits
    answering = Replica(data_dir, slack, next(logs))
    async with aiohttp.ClientSession() as session:
        await answering.wait_ready(session)
        event = event_callback(mention("<@UBOT> what is Amazon Polly?", channel="CSTOP"))
        body = json.dumps(event)
        async with session.post(
            f"http://127.0.0.1:{answering.port}/slack/events",
            data=body,
            headers=sign(body) | {"Content-Type": "application/json"},
        ) as response:
            assert response.status == 200
    took["answering"] = await answering.assert_clean_stop()
    assert slack.made("chat.postMessage", thread_ts=event["event"]["ts"]), slack.dumped()
    assert "stopped cleanly" in answering.said()

    # the index cut off in step 2 was completed by the later starts: every section is there
    client = chromadb.PersistentClient(path=str(data_dir / "index"))
    stored = set(client.get_collection(NOTES_COLLECTION).get(include=[])["ids"])
    assert stored == expected_section_ids()
    print("SIGTERM to exit, s:", {moment: round(s, 2) for moment, s in took.items()})
