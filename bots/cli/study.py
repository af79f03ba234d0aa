"""Study commands: chat, ask, search, route, guard."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.markup import escape

from bots.cli.app import (
    BatchOpt,
    JsonOpt,
    UserError,
    app,
    console,
    emit,
    read_batch,
    run_batch,
    runtime,
)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for in the notes.")] = "",
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many sections.")] = 5,
    domain: Annotated[int | None, typer.Option(min=1, max=5, help="Only this exam domain.")] = None,
    as_json: JsonOpt = False,
    batch: BatchOpt = None,
) -> None:
    """Hybrid retrieval (meaning + keywords) over the study notes."""
    from bots.cli.output import SearchOutput
    from bots.cli.terminal import print_search

    retriever = runtime().retriever
    if batch:
        run_batch(
            batch,
            lambda r: SearchOutput.of(retriever.search(r["text"], k=int(r.get("k", k)), domain=domain)),
        )
        return
    output = SearchOutput.of(retriever.search(query, k=k, domain=domain))
    if as_json:
        emit(output)
    else:
        print_search(console, output)


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Your user id (progress is kept per user).")] = "local",
) -> None:
    """Chat in the terminal through the full graph (the main job)."""
    from bots.cli.chat import run_chat

    asyncio.run(run_chat(runtime(), console, user))


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="The message.")] = "",
    user: Annotated[str, typer.Option(help="User id.")] = "cli",
    conversation: Annotated[str, typer.Option(help="Conversation id; reuse it to continue.")] = "default",
    as_json: JsonOpt = False,
    batch: BatchOpt = None,
) -> None:
    """One turn through the full graph."""
    from agents.state import UserRef
    from bots.cli.output import AskOutput
    from bots.cli.terminal import print_reply
    from bots.platform.core import Turn

    def turn_of(record: dict[str, Any]) -> Turn:
        return Turn(
            text=record["text"],
            user=UserRef(platform="cli", id=str(record.get("user", user))),
            channel=str(record.get("conversation", conversation)),
        )

    async def run() -> None:
        async with runtime().conversations() as service:
            if batch:
                for record in read_batch(batch):
                    if "error" in record:
                        emit(record)
                        continue
                    turn = turn_of(record)
                    emit(AskOutput.of(await service.handle(turn), turn.conversation))
                return
            turn = turn_of({"text": text})
            reply = await service.handle(turn)
            emit(AskOutput.of(reply, turn.conversation)) if as_json else print_reply(console, reply)

    asyncio.run(run())


@app.command()
def route(
    text: Annotated[str, typer.Argument(help="The message.")] = "",
    as_json: JsonOpt = False,
    batch: BatchOpt = None,
) -> None:
    """The router's decision for a fresh conversation."""
    from bots.cli.output import RouteOutput

    classifier = runtime().classifier

    def decide(record: dict[str, Any]) -> RouteOutput:
        decision = asyncio.run(classifier.classify(record["text"]))
        return RouteOutput(route=decision.route, confidence=decision.confidence)

    if batch:
        run_batch(batch, decide)
        return
    output = decide({"text": text})
    emit(output) if as_json else console.print(f"{output.route} ({output.confidence:.2f})")


@app.command()
def guard(
    text: Annotated[str, typer.Argument(help="The text to check.")] = "",
    stage: Annotated[str, typer.Option(help="input (a user message) or output (a reply).")] = "input",
    as_json: JsonOpt = False,
    batch: BatchOpt = None,
) -> None:
    """The guardrail's decision on a text: allow, anonymize or block."""
    if stage not in ("input", "output"):
        raise UserError("--stage is input or output")
    guardrail = runtime().guardrail

    def check(record: dict[str, Any]) -> BaseModel:
        return asyncio.run(guardrail.check(record["text"], record.get("stage", stage)))

    if batch:
        run_batch(batch, check)
        return
    verdict = check({"text": text})
    if as_json:
        emit(verdict)
        return
    findings = ", ".join(f"{f.policy}/{f.type}" for f in verdict.findings) or "none"
    console.print(f"{verdict.action} (findings: {escape(findings)})")
    console.print(escape(verdict.text), highlight=False)
