"""`aifbot serve slack` as an operator runs it, against the fake Slack: a token Slack refuses ends
the start at once with one line naming the variable and exit status 1, no retry loop."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.bots.slack.fake_slack import FakeSlack

AIFBOT = str(Path(sys.executable).parent / "aifbot")
START_BOUND_S = 120.0  # generous: the process imports the app; the check itself is one call


@pytest.mark.parametrize(
    ("bot", "app", "named"),
    [
        ("xoxp-a-person", "xapp-1", "AIFBOT_SLACK_BOT_TOKEN"),  # a user token
        ("xoxb-revoked", "xapp-1", "AIFBOT_SLACK_BOT_TOKEN"),  # auth.test: invalid_auth
        ("xoxb-ok", "xoxb-ok", "AIFBOT_SLACK_APP_TOKEN"),  # the wrong kind for Socket Mode
    ],
)
async def test_serve_refuses_a_bad_token_in_one_line(
    fake_slack: FakeSlack, tmp_path: Path, bot: str, app: str, named: str
) -> None:
    fake_slack.revoked.add("xoxb-revoked")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIFBOT_")} | {
        "AIFBOT_DATA_DIR": str(tmp_path),
        "AIFBOT_SLACK_BOT_TOKEN": bot,
        "AIFBOT_SLACK_APP_TOKEN": app,
        "AIFBOT_SLACK_API_URL": fake_slack.api_url,
    }
    process = await asyncio.create_subprocess_exec(
        AIFBOT, "serve", "slack", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), START_BOUND_S)
    said = [line for line in err.decode().splitlines() if line.strip()]
    assert process.returncode == 1, said
    errors = [line for line in said if named in line]
    assert len(errors) == 1 and errors[0].startswith("error:"), said
    assert not any("Traceback" in line for line in said)
    assert not fake_slack.made("socket_connected")


async def test_a_token_revoked_while_serving_stops_serve_within_20_s_in_one_line(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """The whole process: ready (the Slack check in /readyz), then the bot token is revoked; serve
    stops by itself within 20 s, says why in one line naming the variable, and exits 1."""
    import time

    import aiohttp

    from tests.bots.slack.payloads import SECRET
    from tests.servers import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIFBOT_")} | {
        "AIFBOT_DATA_DIR": str(tmp_path / "data"),  # fresh: the first start builds what it needs
        "AIFBOT_SLACK_BOT_TOKEN": "xoxb-live",
        "AIFBOT_SLACK_SIGNING_SECRET": SECRET,
        "AIFBOT_SLACK_API_URL": fake_slack.api_url,
    }
    log = (tmp_path / "serve.log").open("w")
    process = await asyncio.create_subprocess_exec(
        AIFBOT, "serve", "slack", "--http", "--host", "127.0.0.1", "--port", str(port),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300  # a first start: the model graph and the index
        async with aiohttp.ClientSession() as session:
            while True:
                assert process.returncode is None, (tmp_path / "serve.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "never ready"
                try:
                    async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                        if response.status == 200:
                            assert (await response.json())["checks"]["slack"] is True
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        fake_slack.revoked.add("xoxb-live")
        revoked_at = time.monotonic()
        await asyncio.wait_for(process.wait(), 20.0)
        assert time.monotonic() - revoked_at < 20.0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        log.close()
    said = (tmp_path / "serve.log").read_text().splitlines()
    assert process.returncode == 1, said[-20:]
    errors = [line for line in said if "AIFBOT_SLACK_BOT_TOKEN" in line]
    assert len(errors) == 1 and errors[0].startswith("error:") and "invalid_auth" in errors[0], said[-20:]
    assert not any("Traceback" in line for line in said)
