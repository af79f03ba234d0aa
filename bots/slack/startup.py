"""Slack start-up and token health: the tokens are checked with Slack before the bot says it
serves, and a token revoked while it runs stops `serve` (one line naming the variable, a non-zero
exit) instead of leaving a bot that looks healthy and answers nobody."""

from __future__ import annotations

import asyncio
import logging

from pydantic import BaseModel
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.startup.settings import MissingSettingError, Settings, require

log = logging.getLogger(__name__)

BOT_TOKEN = "AIFBOT_SLACK_BOT_TOKEN"
APP_TOKEN = "AIFBOT_SLACK_APP_TOKEN"
TOKEN_CHECK_INTERVAL_S = 5.0  # auth.test is Tier 4 (100+ a minute): 12 a minute is cheap
# auth.test errors that no retry mends (https://api.slack.com/methods/auth.test)
DEAD_TOKEN = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
    "no_permission",
    "missing_scope",
    "ekm_access_denied",
}


class SlackTokenError(MissingSettingError):
    """Slack refused a token (wrong, revoked, or the wrong kind); the message names the variable.
    A MissingSettingError, so the command line prints it as one line and exits 1."""


class SlackIdentity(BaseModel):
    """Who the bot is in its workspace (from auth.test and bots.info)."""

    team_id: str
    user_id: str
    bot_id: str
    app_id: str = ""


def _kind(token: str) -> str:
    for prefix, kind in (("xoxb-", "bot"), ("xoxp-", "user"), ("xapp-", "app-level"), ("xoxe", "refresh")):
        if token.startswith(prefix):
            return kind
    return "unknown"


def check_token_kinds(bot_token: str, app_token: str | None) -> None:
    """The right kind of token in each variable, before anything is sent."""
    if _kind(bot_token) != "bot":
        raise SlackTokenError(
            f"{BOT_TOKEN} is a {_kind(bot_token)} token; use the app's Bot User OAuth Token (xoxb-…)."
        )
    if app_token is not None and _kind(app_token) != "app-level":
        raise SlackTokenError(
            f"{APP_TOKEN} is a {_kind(app_token)} token; use an app-level token (xapp-…) "
            "with the connections:write scope."
        )


async def identify(client: AsyncWebClient) -> SlackIdentity:
    """auth.test with the bot token: a bot of this app, or a one-line reason it isn't."""
    try:
        auth = await client.auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error", "refused"))
        raise SlackTokenError(
            f"Slack rejected {BOT_TOKEN} ({error}); reinstall the app and copy its bot token."
        ) from None
    if not auth.get("bot_id"):
        raise SlackTokenError(
            f"{BOT_TOKEN} belongs to a person, not a bot; use the Bot User OAuth Token (xoxb-…)."
        )
    app_id = str(auth.get("app_id") or "")
    if not app_id:
        try:
            bot = (await client.bots_info(bot=auth["bot_id"])).get("bot") or {}
            app_id = str(bot.get("app_id") or "")
        except SlackApiError as exc:  # the id is for the logs; not worth refusing to start over
            log.warning("bots.info failed: %s", exc.response.get("error"))
    return SlackIdentity(
        team_id=auth["team_id"], user_id=auth["user_id"], bot_id=auth["bot_id"], app_id=app_id
    )


async def check_app_token(client: AsyncWebClient, app_token: str) -> None:
    """apps.connections.open with the app-level token: a bad one fails here once, not in Socket
    Mode's reconnect loop every ten seconds."""
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = str(exc.response.get("error", "refused"))
        raise SlackTokenError(
            f"Slack rejected {APP_TOKEN} ({error}); create an app-level token with connections:write."
        ) from None


async def watch_token(client: AsyncWebClient, interval: float = TOKEN_CHECK_INTERVAL_S) -> None:
    """Returns never; raises SlackTokenError once Slack says the bot token is dead (revoked,
    app uninstalled). Network trouble is only logged: that is for the retry handlers."""
    while True:
        await asyncio.sleep(interval)
        try:
            await client.auth_test()
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in DEAD_TOKEN:
                raise SlackTokenError(
                    f"Slack no longer accepts {BOT_TOKEN} ({error}); "
                    "was the app uninstalled or the token revoked?"
                ) from None
            log.warning("token check failed: %s", error or type(exc).__name__)
        except (OSError, TimeoutError) as exc:
            log.warning("token check could not reach Slack: %s", type(exc).__name__)


async def check_slack(settings: Settings, *, http: bool) -> SlackIdentity:
    """Before anything slow starts: the tokens are of the right kind and Slack accepts them."""
    from bots.slack.app import make_client  # the client as the bot makes it (API URL, retries)

    bot_token = require(settings.slack.bot_token, BOT_TOKEN, "to run the Slack bot")
    app_token = (
        None
        if http
        else require(settings.slack.app_token, APP_TOKEN, "for Slack Socket Mode (or use --http)")
    )
    check_token_kinds(bot_token, app_token)
    client = make_client(settings)
    identity = await identify(client)
    if app_token is not None:
        await check_app_token(client, app_token)
    return identity
