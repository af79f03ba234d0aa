"""`aifbot serve`: the platform adapters, the daily scheduler and the HTTP server in one process."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Literal

from bots.startup.runtime import Runtime
from bots.startup.server import make_web_app, start_web_app
from bots.startup.settings import MissingSettingError, require

if TYPE_CHECKING:
    from bots.daily.scheduler import DailyScheduler
    from bots.platform.gateway import Gateway

log = logging.getLogger(__name__)

Platform = Literal["slack", "discord", "all"]
# the whole stop, from SIGTERM to exit: under the 10 s an orchestrator allows before SIGKILL
SHUTDOWN_DEADLINE_S = 9.0
IN_FLIGHT_GRACE_S = 5.0  # turns in progress finish within this
PREPARATION_GRACE_S = 3.0  # index build or embeddings in progress: time to notice the stop
FORCED_EXIT_CODE = 70  # the watchdog's, so a stop that overran is visible in the exit status
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


class Shutdown:
    """A stop request (SIGTERM, SIGINT) and its time bound. ECS and Kubernetes kill a container
    10-30 s after SIGTERM: stop taking events, let turns in progress finish for a while, close the
    pools, and if anything overruns, a watchdog ends the process before the orchestrator does."""

    def __init__(self, runtime: Runtime, deadline: float = SHUTDOWN_DEADLINE_S) -> None:
        self.runtime = runtime
        self.deadline = deadline
        self.event = asyncio.Event()
        self.requested_at: float | None = None

    def request(self) -> None:
        if self.requested_at is not None:
            return
        self.requested_at = time.monotonic()
        log.info("stopping: no new events, finishing the turns in progress")
        self.event.set()
        self.runtime.stop_preparing()  # index build, embeddings: given up between batches
        watchdog = threading.Timer(self.deadline, self._force_exit)
        watchdog.daemon = True
        watchdog.start()

    def left(self, at_most: float) -> float:
        """Seconds still available for one shutdown step (never past the deadline)."""
        if self.requested_at is None:
            return at_most
        spent = time.monotonic() - self.requested_at
        return max(0.0, min(at_most, self.deadline - 1.0 - spent))

    def _force_exit(self) -> None:
        log.error("shutdown took longer than %.0f s: exiting now", self.deadline)
        logging.shutdown()
        os._exit(FORCED_EXIT_CODE)

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, self.request)

    async def outlasts(self, work: asyncio.Task) -> bool:
        """Wait for `work` unless a stop comes first; then give it a moment to wind down.
        True when the work finished (its errors are raised), False when stopped."""
        waiter = asyncio.create_task(self.event.wait())
        await asyncio.wait([work, waiter], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if work.done() and not self.event.is_set():
            work.result()
            return True
        await asyncio.wait([work], timeout=self.left(PREPARATION_GRACE_S))
        if work.done() and not work.cancelled() and isinstance(work.exception(), Exception):
            log.warning("preparation ended with %s", type(work.exception()).__name__)
        return False


async def serve(runtime: Runtime, platform: Platform, http: bool, host: str, port: int) -> None:
    from bots.daily.scheduler import DailyScheduler

    check_tokens(runtime, platform, http)
    if platform in ("slack", "all"):  # a token Slack refuses: one line now, not after the models load
        from bots.slack.startup import check_slack

        await check_slack(runtime.settings, http=http)
    shutdown = Shutdown(runtime)
    shutdown.install()
    # the models and the index are built on a worker thread, so a stop is heard at any moment
    log.info("preparing the models and the notes index")
    preparing = asyncio.create_task(asyncio.to_thread(runtime.prepare), name="prepare")
    if not await shutdown.outlasts(preparing):
        return

    async with runtime.gateway() as gateway:
        scheduler = DailyScheduler.from_runtime(runtime, gateway.state, instance=instance_name())

        async def accepting() -> bool:  # a stopping replica leaves the load balancer at once
            return not shutdown.event.is_set()

        checks = {"state": gateway.state.ping, "index": runtime.index_ready, "accepting": accepting}
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
            # checks the tokens with Slack, then watches them (a revoked one stops serve)
            runners.append(asyncio.create_task(slack.run(http=http), name="slack"))
            checks["slack"] = slack.ready  # Socket Mode connected (and the tokens accepted)
        if platform in ("discord", "all"):
            from bots.discord import DiscordAdapter

            discord = DiscordAdapter(runtime.settings, gateway, daily=scheduler.answer)
            scheduler.add_poster(discord.poster)
            closers.append(discord.close)
            runners.append(asyncio.create_task(discord.run(), name="discord"))
        warming = asyncio.create_task(warm_up(runtime, gateway), name="warm-up")
        if not await shutdown.outlasts(warming):
            await _close_all(closers, runners, shutdown)
            return
        web = await start_web_app(app, host, port)
        # loaded from the data dir, or computed once in the background on a first start
        grounding = asyncio.create_task(asyncio.to_thread(runtime.prepare_grounding), name="grounding")
        # the models, index and graph live as long as the process: keep them out of the garbage
        # collector's full passes, which otherwise stall the event loop (acks included) ~0.2 s
        gc.collect()
        gc.freeze()
        scheduler.start()
        log.info("aifbot serving %s on %s:%d (%s)", platform, host, port, "HTTP" if http else "socket")
        waiter = asyncio.create_task(shutdown.event.wait(), name="stop")
        fatal: BaseException | None = None
        try:
            done, _ = await asyncio.wait([waiter, *runners], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is not waiter and task.exception():
                    if isinstance(task.exception(), MissingSettingError):  # a token refused: one line, exit 1
                        fatal = fatal or task.exception()
                    else:
                        log.error("%s stopped: %s", task.get_name(), task.exception())
        finally:
            shutdown.request()  # also when a runner failed: the same orderly way out
            for site in list(web.sites):  # no new connections
                await site.stop()
            await _stop_scheduler(scheduler, shutdown)
            await _close_all(closers, [waiter, *runners], shutdown)
            await asyncio.wait([grounding], timeout=shutdown.left(PREPARATION_GRACE_S))
            if grounding.done() and not grounding.cancelled():
                grounding.exception()  # retrieved: a cancelled preparation is expected here
            await web.cleanup()
        if fatal is not None:
            raise fatal
    # the gateway closed the async pools; the progress and audit stores' sync pools close too
    from tools.state.engine import dispose_engines

    await asyncio.to_thread(dispose_engines)
    log.info("stopped cleanly")


async def _stop_scheduler(scheduler: DailyScheduler, shutdown: Shutdown) -> None:
    """No new ticks, and a tick in progress (a daily post going out) finishes before the
    scheduler stops: APScheduler's shutdown cancels running jobs. It keeps them in its executor,
    which has no public accessor; without one, the scheduler just stops."""
    aps = getattr(scheduler, "_aps", None)
    if aps is not None and aps.running:
        aps.pause()
        executor = getattr(aps, "_executors", {}).get("default")
        running = [f for f in getattr(executor, "_pending_futures", ()) if not f.done()]
        if running:
            await asyncio.wait(running, timeout=shutdown.left(IN_FLIGHT_GRACE_S))
    scheduler.shutdown()


async def _close_all(closers: list, tasks: list[asyncio.Task], shutdown: Shutdown) -> None:
    """The adapters stop taking events and let their answers in progress finish, within the bound."""
    for close in closers:
        try:
            await asyncio.wait_for(close(), timeout=shutdown.left(IN_FLIGHT_GRACE_S))
        except TimeoutError:
            log.warning("answers still running at shutdown were cut off")
        except Exception as exc:  # closing a broken connection must not stop the rest closing
            log.warning("closing an adapter failed: %s", type(exc).__name__)
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=shutdown.left(1.0))


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
