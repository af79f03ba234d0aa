"""`aifbot serve`: the platform adapters, the daily scheduler and the HTTP server in one process."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Literal

from bots.startup.runtime import Runtime
from bots.startup.server import make_web_app, start_web_app
from bots.startup.settings import require

if TYPE_CHECKING:
    from bots.daily.scheduler import DailyScheduler
    from bots.platform.gateway import Gateway

log = logging.getLogger(__name__)

Platform = Literal["slack", "discord", "all"]
WARM_UP_QUESTION = "What does Amazon Bedrock offer for building generative AI applications?"


def check_tokens(runtime: Runtime, platform: Platform, http: bool) -> None:
    """Fail fast, in one line, when a platform is asked for without its tokens."""
    settings = runtime.settings
    if platform in ("slack", "all"):
        require(settings.slack.bot_token, "AIFBOT_SLACK_BOT_TOKEN", "to run the Slack bot")
        if http:
            require(settings.slack.signing_secret, "AIFBOT_SLACK_SIGNING_SECRET", "for Slack HTTP mode")
        else:
            require(
                settings.slack.app_token, "AIFBOT_SLACK_APP_TOKEN", "for Slack Socket Mode (or use --http)"
            )
    if platform in ("discord", "all"):
        require(settings.discord.token, "AIFBOT_DISCORD_TOKEN", "to run the Discord bot")


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def warm_up(runtime: Runtime, gateway: Gateway) -> None:
    """One question through the model and the search, and a few database connections opened,
    before taking traffic: these are slow once, and the first people shouldn't be the ones waiting."""
    try:
        await asyncio.to_thread(runtime.retriever.search, WARM_UP_QUESTION, 3)
        await asyncio.gather(*(gateway.state.ping() for _ in range(4)))
    except Exception as exc:  # a service that is down is /readyz's to report, not a reason to stop
        log.warning("warm-up incomplete: %s", type(exc).__name__)


async def serve(runtime: Runtime, platform: Platform, http: bool, host: str, port: int) -> None:
    from bots.daily.scheduler import DailyScheduler

    check_tokens(runtime, platform, http)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)

    async with runtime.gateway() as gateway:
        scheduler = DailyScheduler.from_runtime(runtime, gateway.state, instance=instance_name())
        checks = {"state": gateway.state.ping, "index": runtime.index_ready}
        app = make_web_app(checks)
        runners: list[asyncio.Task] = []
        closers = []
        if platform in ("slack", "all"):
            from bots.slack import SlackAdapter

            slack = SlackAdapter(runtime.settings, gateway, daily=scheduler.answer)
            scheduler.add_poster(slack.poster)
            closers.append(slack.close)
            if http:
                slack.mount(app)
            else:
                runners.append(asyncio.create_task(slack.run_socket_mode(), name="slack"))
        if platform in ("discord", "all"):
            from bots.discord import DiscordAdapter

            discord = DiscordAdapter(runtime.settings, gateway, daily=scheduler.answer)
            scheduler.add_poster(discord.poster)
            closers.append(discord.close)
            runners.append(asyncio.create_task(discord.run(), name="discord"))
        await warm_up(runtime, gateway)
        web = await start_web_app(app, host, port)
        # loaded from the data dir, or computed once in the background on a first start
        grounding = asyncio.create_task(asyncio.to_thread(runtime.prepare_grounding), name="grounding")
        # the models, index and graph live as long as the process: keep them out of the garbage
        # collector's full passes, which otherwise stall the event loop (acks included) ~0.2 s
        gc.collect()
        gc.freeze()
        scheduler.start()
        log.info("aifbot serving %s on %s:%d (%s)", platform, host, port, "HTTP" if http else "socket")
        waiter = asyncio.create_task(stop.wait(), name="stop")
        try:
            done, _ = await asyncio.wait([waiter, *runners], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is not waiter and task.exception():
                    log.error("%s stopped: %s", task.get_name(), task.exception())
        finally:
            scheduler.shutdown()
            for close in closers:
                with contextlib.suppress(Exception):
                    await close()
            for task in [waiter, grounding, *runners]:
                task.cancel()
            await web.cleanup()


@contextlib.asynccontextmanager
async def daily_scheduler(runtime: Runtime, platform: str | None = None) -> AsyncIterator[DailyScheduler]:
    """A scheduler with the posters of the configured platforms, for `aifbot daily` (no bots run:
    Slack posts through the Web API, Discord through its REST API after a login)."""
    from bots.daily.scheduler import DailyScheduler

    settings = runtime.settings
    state = await runtime.state_store()
    clients = []
    try:
        scheduler = DailyScheduler.from_runtime(runtime, state, instance=instance_name())
        if platform in (None, "slack") and settings.slack.bot_token:
            from bots.slack.app import make_client
            from bots.slack.poster import SlackPoster

            scheduler.add_poster(SlackPoster(make_client(settings)))
        if platform in (None, "discord") and settings.discord.token:
            import discord

            from bots.discord.poster import DiscordPoster

            client = discord.Client(intents=discord.Intents.none())
            await client.login(settings.discord.token.get_secret_value())
            clients.append(client)
            scheduler.add_poster(DiscordPoster(client))
        yield scheduler
    finally:
        for client in clients:
            await client.close()
        await state.close()
