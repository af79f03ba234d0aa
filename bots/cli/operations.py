"""Running and looking after the bot: serve, ingest, daily posts, question bank, demo bank, audit."""

from __future__ import annotations

import asyncio
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bots.cli.app import (
    JsonOpt,
    UserError,
    app,
    audit_app,
    bank_app,
    console,
    daily_app,
    discord_app,
    emit,
    err,
    questions_app,
    runtime,
)
from bots.startup.settings import MissingSettingError, Settings


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (md, txt, pdf).")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-index everything from scratch.")] = False,
    warm: Annotated[
        bool, typer.Option("--warm", help="Also prepare the grounding check's vectors (for servers, images).")
    ] = False,
) -> None:
    """(Re)build the index from the notes, plus any files you name."""
    from bots.cli.terminal import print_ingest

    rt = runtime()
    missing = [str(p) for p in paths or [] if not p.exists()]
    if missing:
        raise UserError(f"no such file or folder: {', '.join(missing)}")
    index = rt.rebuild_index() if rebuild else rt.open_index()
    print_ingest(err, index.ingest(progress=rt.progress))
    if paths:
        print_ingest(err, index.ingest(paths, progress=rt.progress))
    if warm:
        rt.__dict__["index"] = index
        rt.prepare_grounding()


@app.command("export-guardrail")
def export_guardrail(
    path: Annotated[Path, typer.Argument(help="Where to write the template.")] = Path(
        "deploy/aws/guardrail.yaml"
    ),
) -> None:
    """Write the AWS::Bedrock::Guardrail CloudFormation template generated from the policy file, and
    the same guardrail into every stack beside it that has a generated-guardrail block."""
    from agents.guards.cloudformation import write_template
    from agents.guards.policy import load_policy
    from agents.guards.stack_templates import refresh_stacks

    policy = load_policy()
    write_template(policy, path)
    err.print(f"wrote {path}")
    for stack in refresh_stacks(policy, path.parent):
        err.print(f"updated the guardrail in {stack}")


@questions_app.command("stats")
def questions_stats(as_json: JsonOpt = False) -> None:
    """Question-bank counts by domain, task statement, type and answer position."""
    from knowledge.question_bank import bank_stats, load_questions

    try:
        stats = bank_stats(load_questions())
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        emit(stats)
        return
    console.print(f"{stats.total} questions, {stats.scenario_share:.0%} business scenarios")
    for name in ("by_domain", "by_task", "by_type", "single_answer_positions"):
        values = "  ".join(f"{k}: {v}" for k, v in getattr(stats, name).items())
        console.print(f"  {name.replace('_', ' ')}: {values}")


@questions_app.command("generate")
def questions_generate(
    domain: Annotated[int, typer.Option(min=1, max=5, help="Exam domain.")],
    count: Annotated[int, typer.Option(min=1, max=50, help="How many drafts.")] = 5,
) -> None:
    """Draft new questions from the notes with the chat model into a review file (never served
    until a person moves them into the bank)."""
    import random

    from agents.quizmaster.generation import generate_questions, review_path, write_review_file
    from knowledge.documents import load_notes
    from knowledge.question_bank import load_questions

    model = runtime(show_progress=False).chat_model
    if model is None:
        raise MissingSettingError(
            "AIFBOT_LLM is not set; drafting questions needs a chat model (e.g. bedrock)."
        )
    drafts = review_path(domain)
    existing = {q.id for q in load_questions()} | (
        {q.id for q in load_questions([drafts])} if drafts.exists() else set()
    )
    report = asyncio.run(generate_questions(model, load_notes(), domain, count, existing, random.Random()))
    if report.accepted:
        err.print(f"wrote {len(report.accepted)} drafts to {write_review_file(report.accepted, drafts)}")
    for what, why in report.rejected:
        err.print(f"[yellow]rejected[/] {escape(what)}: {escape(why)}", highlight=False)


@bank_app.command("seed")
def bank_seed() -> None:
    """Create the customerAccountStatus table (SQLite or DynamoDB) and fill it with the demo rows."""
    from tools.bank.data import load_demo_accounts
    from tools.bank.store import AccountStoreError

    rt = runtime(show_progress=False)
    try:
        count = rt.account_store(seed_demo=False).seed(load_demo_accounts())
    except AccountStoreError as exc:
        raise UserError(str(exc)) from exc
    err.print(f"seeded {count} accounts ({rt.settings.bank_backend})")


@audit_app.command("tail")
def audit_tail(
    lines: Annotated[int, typer.Option("-n", min=1, max=1000, help="How many entries.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """The latest banking tool calls, allowed or refused: who, account, tool, decision, reason."""
    from tools.audit import AuditLog

    settings = Settings()
    entries = AuditLog(settings.database_url or settings.state_db_path).tail(lines)
    if as_json:
        emit({"entries": [e.model_dump(mode="json") for e in entries]})
        return
    for e in entries:
        console.print(
            f"{e.time:%Y-%m-%d %H:%M:%S} {e.platform}:{e.user} {e.tool} {e.account or '-'} "
            f"{e.decision} {escape(e.reason)}",
            highlight=False,
        )


@app.command()
def graph() -> None:
    """The graph as a Mermaid diagram."""
    from agents.graph import build_graph

    sys.stdout.write(build_graph().get_graph().draw_mermaid())


PlatformOpt = Annotated[str | None, typer.Option("--platform", help="slack or discord.")]


ChannelOpt = Annotated[str | None, typer.Option("--channel", help="Channel id.")]


@daily_app.command("post")
def daily_post(platform: PlatformOpt = None, channel: ChannelOpt = None, as_json: JsonOpt = False) -> None:
    """Post today's question now in the scheduled channels (or one), at most once per channel a day."""
    from bots.startup.serve import daily_scheduler

    if platform not in (None, "slack", "discord"):
        raise UserError(f"--platform must be slack or discord, not {platform!r}.")

    async def post() -> list:
        async with daily_scheduler(runtime(show_progress=False), platform) as scheduler:
            return await scheduler.post_now(platform, channel)

    results = asyncio.run(post())
    if as_json:
        emit({"posts": [r.model_dump(mode="json") for r in results]})
        return
    if not results:
        console.print("No daily question is scheduled; set one with AIFBOT_CONFIG or `admin daily`.")
    for r in results:
        if r.status in ("no_poster", "unknown_channel") and r.error:  # say what is missing, in words
            console.print(f"{r.platform} {r.channel}: not posted: {escape(r.error)}", highlight=False)
            continue
        detail = f" ({escape(r.error)})" if r.error else ""
        console.print(
            f"{r.platform} {r.channel} {r.day}: {r.status} {r.question or ''}{detail}", highlight=False
        )
    if any(r.status in ("failed", "no_poster", "unknown_channel") for r in results):
        raise SystemExit(1)


@daily_app.command("preview")
def daily_preview(platform: PlatformOpt = None, channel: ChannelOpt = None) -> None:
    """Show the question a channel gets today, without posting anything."""
    from bots.cli.terminal import print_reply
    from bots.startup.serve import daily_scheduler

    async def preview():
        async with daily_scheduler(runtime(show_progress=False), platform="none") as scheduler:
            return await scheduler.preview(channel, platform)

    print_reply(console, asyncio.run(preview()))


@discord_app.command("invite")
def discord_invite(
    client_id: Annotated[
        str | None,
        typer.Option("--client-id", help="Application id (default: AIFBOT_DISCORD_APPLICATION_ID)."),
    ] = None,
) -> None:
    """Print the link that adds the bot to a server, with exactly the permissions it needs."""
    from bots.discord.invite import client_id_from_token, invite_url

    settings = Settings().discord
    token = settings.token.get_secret_value() if settings.token else None
    chosen = client_id or settings.application_id or (client_id_from_token(token) if token else None)
    if not chosen:
        raise UserError("set AIFBOT_DISCORD_APPLICATION_ID (or pass --client-id) to build the invite link.")
    try:
        console.print(invite_url(chosen), soft_wrap=True, highlight=False)
    except ValueError as exc:
        raise UserError(str(exc)) from exc


class ServePlatform(StrEnum):
    slack = "slack"
    discord = "discord"
    all = "all"


@app.command()
def serve(
    platform: Annotated[ServePlatform, typer.Argument(help="Which bots to run.")],
    http: Annotated[
        bool, typer.Option("--http", help="Slack over HTTP (/slack/events) instead of Socket Mode.")
    ] = False,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of /healthz, /readyz, /metrics.")] = 8080,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "0.0.0.0",
) -> None:
    """Run the Slack and/or Discord bots with the daily question scheduler and the HTTP endpoints."""
    import signal

    # until the event loop takes the signals over, a stop ends the start-up at once (nothing is
    # open yet); the default action would kill the process without closing anything
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stop_during_start)
    from bots.startup.logs import configure_json_logging, export_tracing_settings
    from bots.startup.serve import serve as run_serve

    configure_json_logging()
    export_tracing_settings()
    asyncio.run(run_serve(runtime(show_progress=False, serving=True), platform.value, http, host, port))


def _stop_during_start(_signum: int, _frame: object) -> None:
    raise SystemExit(0)
