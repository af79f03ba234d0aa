"""Offline banking turns through the whole graph (guards, router, banking agent, tool guard, SQLite
store, audit log, checkpoints): `uv run python benchmarks/bench_banking.py`. Prints JSON."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from agents.state import UserRef
from bots.cli.benchmark import percentiles
from bots.platform.core import Turn

ACCOUNTS = [("5555", "John"), ("6666", "Thomas"), ("7777", "Manju")]


async def run(data: Path) -> dict[str, object]:
    os.environ["AIFBOT_DATA_DIR"] = str(data)
    from bots.startup.runtime import Runtime
    from bots.startup.settings import Settings

    latencies: list[float] = []
    async with Runtime(Settings()).conversations() as service:
        for n in range(60):
            account, name = ACCOUNTS[n % 3]
            user = UserRef(platform="slack", id=f"U{n}")
            for text in (f"why is account {account} not active?", name, "what's the status now?"):
                start = time.perf_counter()
                await service.handle(Turn(text=text, user=user, channel=f"C{n}"))
                latencies.append(time.perf_counter() - start)
    return {"banking_turn": percentiles(latencies[3:])}  # the first conversation warms up


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(asyncio.run(run(Path(tmp))), indent=2))
