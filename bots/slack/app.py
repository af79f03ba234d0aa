"""The Slack adapter: a slack-bolt `AsyncApp` in Socket Mode (default) or HTTP mode (POST
/slack/events on the `aifbot serve` web server, for several replicas behind a load balancer)."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bots.daily import DailyAnswerHandler
from bots.platform.gateway import Gateway
from bots.slack.listeners import SlackListeners
from bots.slack.poster import SlackPoster
from bots.startup.settings import Settings, require

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
RATE_LIMIT_RETRIES = 3  # 429s are retried after Slack's Retry-After, this many times
WEB_API_TIMEOUT_S = 30.0  # the SDK's own default
SHUTDOWN_GRACE_S = 10.0  # how long close() lets answers in progress finish


def make_client(settings: Settings, session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """The Web API client: Slack's URL or AIFBOT_SLACK_API_URL (a proxy, or a test server), and
    429 `Retry-After` honoured by the SDK's retry handler. Without a `session` the SDK opens a new
    one, and a new connection, for every call: fine for a one-off post, not for a running bot."""
    token = require(settings.slack.bot_token, "AIFBOT_SLACK_BOT_TOKEN", "to run the Slack bot")
    return AsyncWebClient(
        token=token,
        base_url=settings.slack.api_url,
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


class SlackAdapter:
    """Translates Slack events, commands and clicks into gateway turns and shows the replies.

    Bolt's default `process_before_response=False` is kept: bolt acknowledges as soon as a listener
    calls `ack()` (events: before the listener runs) and the answer is worked out after the
    acknowledgement, so Slack gets it well within its 3 seconds however long the answer takes."""

    def __init__(
        self, settings: Settings, gateway: Gateway, *, daily: DailyAnswerHandler | None = None
    ) -> None:
        self.settings = settings
        # one connection pool for every Web API call the bot makes (kept alive between answers)
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WEB_API_TIMEOUT_S))
        self.client = make_client(settings, self._http)
        self.poster = SlackPoster(self.client)
        secret = settings.slack.signing_secret
        # the bot token comes with the client; bolt runs auth.test once, at the first request
        self.app = AsyncApp(
            client=self.client,
            signing_secret=secret.get_secret_value() if secret else None,
            logger=logging.getLogger("slack_bolt"),
            name="aifbot",
        )
        self.listeners = SlackListeners(gateway, self.poster, daily)
        self.listeners.register(self.app)
        self._socket: AsyncSocketModeHandler | None = None

    # -- HTTP mode -------------------------------------------------------------------------------------
    def mount(self, web_app: web.Application) -> None:
        """Serve Slack's Events API, slash commands and interactivity at POST /slack/events."""
        require(self.settings.slack.signing_secret, "AIFBOT_SLACK_SIGNING_SECRET", "for Slack HTTP mode")
        web_app.router.add_post(EVENTS_PATH, self.handle_http)

    async def handle_http(self, request: web.Request) -> web.Response:
        """Bolt checks the signature (401 when wrong), acknowledges, and runs the listener after."""
        response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    # -- Socket Mode -----------------------------------------------------------------------------------
    async def run_socket_mode(self) -> None:
        """Connect to Slack over a WebSocket (no public URL needed) and serve until cancelled."""
        token = require(
            self.settings.slack.app_token, "AIFBOT_SLACK_APP_TOKEN", "for Slack Socket Mode (or use --http)"
        )
        self._socket = AsyncSocketModeHandler(self.app, token)
        await self._socket.start_async()

    async def close(self) -> None:
        """Stop taking events, then let answers in progress finish (for a while)."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        pending = {task for task in self.listeners.inflight if not task.done()}
        pending.discard(asyncio.current_task())  # type: ignore[arg-type]
        if pending:
            _, late = await asyncio.wait(pending, timeout=SHUTDOWN_GRACE_S)
            if late:
                log.warning("%d Slack answers still running at shutdown", len(late))
        await self._http.close()
