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
from bots.slack.startup import (
    TOKEN_CHECK_INTERVAL_S,
    SlackIdentity,
    SlackTokenError,
    check_app_token,
    check_token_kinds,
    identify,
    watch_token,
)
from bots.startup.settings import Settings, require

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
RATE_LIMIT_RETRIES = 3  # 429s are retried after Slack's Retry-After, this many times
WEB_API_TIMEOUT_S = 30.0  # the SDK's own default
SHUTDOWN_GRACE_S = 5.0  # how long close() lets answers in progress finish


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
        self,
        settings: Settings,
        gateway: Gateway,
        *,
        daily: DailyAnswerHandler | None = None,
        token_check_interval: float = TOKEN_CHECK_INTERVAL_S,
    ) -> None:
        self.settings = settings
        self.token_check_interval = token_check_interval
        self.identity: SlackIdentity | None = None
        self._revoked = asyncio.Event()
        self._socket_mode = False
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
        # Slack's own word that the token is gone (Events API: tokens_revoked, app_uninstalled)
        self.app.event("tokens_revoked")(self._on_revoked)
        self.app.event("app_uninstalled")(self._on_revoked)
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

    # -- start, readiness, token health ----------------------------------------------------------------
    async def run(self, *, http: bool = False) -> None:
        """Check the tokens with Slack, then serve (Socket Mode, or HTTP through `mount`) while
        watching the bot token, until cancelled. A token Slack refuses, now or later, raises
        `SlackTokenError` (one line naming the variable) instead of retrying forever."""
        bot_token = require(self.settings.slack.bot_token, "AIFBOT_SLACK_BOT_TOKEN", "to run the Slack bot")
        app_token = None
        if not http:
            app_token = require(
                self.settings.slack.app_token,
                "AIFBOT_SLACK_APP_TOKEN",
                "for Slack Socket Mode (or use --http)",
            )
        self._socket_mode = app_token is not None
        try:
            await self._serve(bot_token, app_token)
        except SlackTokenError:
            self._revoked.set()  # /readyz: not ready from now on
            raise

    async def _serve(self, bot_token: str, app_token: str | None) -> None:
        check_token_kinds(bot_token, app_token)
        self.identity = await identify(self.client)
        if app_token is not None:
            await check_app_token(self.client, app_token)
        log.info(
            "slack: bot %s (app %s) in team %s",
            self.identity.user_id,
            self.identity.app_id or "?",
            self.identity.team_id,
        )
        work = [
            asyncio.create_task(watch_token(self.client, self.token_check_interval), name="slack-token"),
            asyncio.create_task(self._revoked.wait(), name="slack-revoked"),
        ]
        if app_token is not None:
            self._socket = AsyncSocketModeHandler(self.app, app_token)
            work.append(asyncio.create_task(self._socket.start_async(), name="slack-socket"))
        try:
            done, _ = await asyncio.wait(work, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a dead token raises here
            raise SlackTokenError(
                "Slack revoked AIFBOT_SLACK_BOT_TOKEN (the app was uninstalled or its tokens revoked)."
            )
        finally:
            for task in work:
                task.cancel()

    async def run_socket_mode(self) -> None:
        """Socket Mode: connect over a WebSocket (no public URL needed) and serve until cancelled."""
        await self.run(http=False)

    async def ready(self) -> bool:
        """/readyz: the tokens were accepted and, in Socket Mode, the WebSocket is connected now."""
        if self.identity is None or self._revoked.is_set():
            return False
        if not self._socket_mode:
            return True
        if self._socket is None:
            return False
        try:
            return bool(await self._socket.client.is_connected())
        except Exception:  # a client mid-reconnect may not say; not connected then
            return False

    async def _on_revoked(self, event: dict) -> None:
        """tokens_revoked names the kinds revoked; only the bot's own token stops the bot."""
        if event.get("type") == "tokens_revoked" and not (event.get("tokens") or {}).get("bot"):
            return
        self._revoked.set()

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
