"""The gateway every adapter calls, and the HTTP endpoints of `aifbot serve`."""

from __future__ import annotations

import json
import logging

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import create_async_engine

from agents.state import UserRef
from bots.platform.commands import COMMANDS, CommandError, parse_command
from bots.platform.core import STORE_BUSY, Turn
from bots.platform.gateway import Gateway
from bots.platform.text import discord_defuse, slack_escape, split_text
from bots.startup.logs import JsonFormatter, conversation_key
from bots.startup.server import make_web_app
from tools.metrics import METRICS, Metrics
from tools.state import StateStore


def turn(text: str) -> Turn:
    return Turn(text=text, user=UserRef(platform="slack", id="U1"), channel="C1", thread="1.0")


async def test_an_event_is_answered_once_and_counted(gateway: Gateway) -> None:
    before = METRICS.turns.labels("slack", "tutor")._value.get()
    first = await gateway.turn(turn("what is Amazon Polly?"), event="slack:Ev1")
    assert first is not None and first.route == "tutor" and first.citations
    assert await gateway.turn(turn("what is Amazon Polly?"), event="slack:Ev1") is None  # the retry
    assert METRICS.turns.labels("slack", "tutor")._value.get() == before + 1


async def test_database_down_gets_a_clear_reply(gateway: Gateway) -> None:
    unreachable = StateStore(create_async_engine("sqlite+aiosqlite:////nonexistent/dir/state.db"))
    reply = await Gateway(gateway.conversations, unreachable).turn(turn("hello"), event="slack:Ev2")
    assert reply is not None and reply.text == STORE_BUSY


async def test_slash_command_route_is_forced(gateway: Gateway) -> None:
    spec, text = parse_command("bank")
    reply = await gateway.turn(turn(text).model_copy(update={"route": spec.route}))
    assert reply is not None and reply.route == "banking" and spec.private


def test_commands_explain_themselves() -> None:
    assert parse_command("quiz domain 2") == (COMMANDS["quiz"], "quiz me on domain 2")
    assert parse_command("quiz")[1] == "quiz me"
    for bad, hint in (("dance", "don't know the command"), ("ask", "needs a question"), ("", "(nothing)")):
        try:
            parse_command(bad)
        except CommandError as exc:
            assert hint in str(exc)
        else:
            raise AssertionError(bad)


def test_mentions_are_never_live() -> None:
    assert (
        slack_escape("hi <!channel> <@U1> & <!here>") == "hi &lt;!channel&gt; &lt;@U1&gt; &amp; &lt;!here&gt;"
    )
    defused = discord_defuse("@everyone @here <@123> <@&456>")
    assert "@everyone" not in defused and "<@123>" not in defused and "<@&456>" not in defused


def test_split_text_keeps_pieces_within_the_limit_and_loses_nothing() -> None:
    text = "\n\n".join(f"Paragraph {i}. " + "word " * 150 for i in range(12))
    pieces = split_text(text, 2000)
    assert all(len(p) <= 2000 for p in pieces) and len(pieces) > 3
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert split_text("x" * 4500, 2000) == ["x" * 2000, "x" * 2000, "x" * 500]


async def test_health_readiness_and_metrics_endpoints() -> None:
    metrics = Metrics()
    metrics.turns.labels("slack", "tutor").inc()
    healthy = {"state": True}

    async def state() -> bool:
        return healthy["state"]

    async with TestClient(TestServer(make_web_app({"state": state}, metrics))) as client:
        assert (await client.get("/healthz")).status == 200
        assert (await client.get("/readyz")).status == 200
        healthy["state"] = False
        response = await client.get("/readyz")
        assert response.status == 503 and (await response.json())["checks"] == {"state": False}
        page = await (await client.get("/metrics")).text()
        assert 'aifbot_turns_total{platform="slack",route="tutor"} 1.0' in page
        assert "aifbot_model_InvocationLatency_seconds" in page


def test_json_logs_carry_the_conversation_key() -> None:
    conversation_key.set("slack:C1:1.0")
    record = logging.LogRecord("aifbot", logging.INFO, __file__, 1, "answered %s", ("ok",), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["conversation"] == "slack:C1:1.0" and entry["message"] == "answered ok"


async def test_warm_up_asks_the_search_once_and_survives_a_search_that_is_down(
    gateway: Gateway, caplog
) -> None:
    from types import SimpleNamespace

    from bots.startup.serve import WARM_UP_QUESTION, warm_up

    retriever = gateway.conversations.context.retriever
    asked: list[str] = []

    def search(query: str, k: int = 5):  # the real search, noted
        asked.append(query)
        return retriever.search(query, k)

    await warm_up(SimpleNamespace(retriever=SimpleNamespace(search=search)), gateway)  # type: ignore[arg-type]
    assert asked == [WARM_UP_QUESTION]
    assert retriever.search(WARM_UP_QUESTION, 3).passages  # a question the notes answer

    def down(query: str, k: int = 5):
        raise ConnectionError("Chroma server unreachable")

    with caplog.at_level(logging.WARNING, logger="bots.startup.serve"):
        await warm_up(SimpleNamespace(retriever=SimpleNamespace(search=down)), gateway)  # type: ignore[arg-type]
    assert "warm-up incomplete: ConnectionError" in caplog.text
