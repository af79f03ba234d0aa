"""Fixtures of the Slack adapter tests: a fake Slack Web API on 127.0.0.1 reached by the real
slack_sdk client through AIFBOT_SLACK_API_URL, and the real aiohttp app of `aifbot serve` with
/slack/events mounted, driven by correctly signed requests."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bots.slack import SlackAdapter
from bots.startup.server import make_web_app
from bots.startup.settings import Settings
from tests.bots.slack.fake_slack import FakeSlack
from tests.bots.slack.payloads import SECRET, event_callback, form_body, sign, slash


@pytest.fixture
def agent_context(retriever, classifier, tmp_path: Path):
    """The shared `agent_context` (tests/conftest.py), with the question bank parsed once per run
    instead of once per test (~0.9 s each)."""
    from agents.context import AgentContext
    from agents.quizmaster.services import QuizServices
    from tests.bots.slack.driver import bank
    from tools.progress import ProgressStore

    questions = list(bank().values())
    quiz = QuizServices(questions, ProgressStore(tmp_path / "progress.sqlite3"), random.Random(7))
    return AgentContext(retriever=retriever, classifier=classifier, quiz=quiz)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


@pytest.fixture
def slack_settings(fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AIFBOT_SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("AIFBOT_SLACK_APP_TOKEN", "xapp-test-token")
    monkeypatch.setenv("AIFBOT_SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("AIFBOT_SLACK_API_URL", fake_slack.api_url)
    return Settings()


class SlackHTTP:
    """Slack's side of HTTP mode: signed POSTs to /slack/events of the served app."""

    def __init__(self, client: TestClient, fake: FakeSlack) -> None:
        self.client = client
        self.fake = fake

    async def post(
        self, body: str, content_type: str, *, retry: int | None = None, secret: str = SECRET
    ) -> ClientResponse:
        headers = {"Content-Type": content_type, **sign(body, secret)}
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.client.post("/slack/events", data=body.encode(), headers=headers)

    async def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None):
        self.fake.saw(event)
        body = json.dumps(event_callback(event, event_id))
        response = await self.post(body, "application/json", retry=retry)
        assert response.status == 200, await response.text()
        return response

    async def command(self, text: str, **options: Any) -> ClientResponse:
        body = urlencode(slash(text, self.fake.response_url(), **options))
        response = await self.post(body, "application/x-www-form-urlencoded")
        assert response.status == 200, await response.text()
        return response

    async def action(self, payload: dict[str, Any]) -> ClientResponse:
        response = await self.post(form_body(payload), "application/x-www-form-urlencoded")
        assert response.status == 200, await response.text()
        return response


@pytest.fixture
async def slack(slack_settings: Settings, gateway) -> AsyncIterator[SlackAdapter]:
    """The adapter in production mode (acknowledge first, answer after) over the real graph."""
    adapter = SlackAdapter(slack_settings, gateway)
    yield adapter
    await adapter.close()


@pytest.fixture
async def slack_http(slack: SlackAdapter, fake_slack: FakeSlack) -> AsyncIterator[SlackHTTP]:
    app = make_web_app({})
    slack.mount(app)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield SlackHTTP(client, fake_slack)
    await slack.close()  # let answers in progress finish before the fake goes away
    await client.close()
