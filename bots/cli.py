"""The `aifbot` command line. Its commands and JSON shapes are a contract (DESIGN.md)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.markup import escape

from bots.settings import MissingSettingError, Settings

app = typer.Typer(
    help="aifbot — a study companion for the AWS Certified AI Practitioner (AIF-C01) exam.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Quality metrics on labelled JSONL sets.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
questions_app = typer.Typer(help="The practice question bank.", no_args_is_help=True)
app.add_typer(questions_app, name="questions")
bank_app = typer.Typer(help="The Bank of Chicago demo agent's data.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")
daily_app = typer.Typer(help="The daily question posts.", no_args_is_help=True)
app.add_typer(daily_app, name="daily")
discord_app = typer.Typer(help="The Discord bot's setup.", no_args_is_help=True)
app.add_typer(discord_app, name="discord")
audit_app = typer.Typer(help="The banking tools' audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

console = Console()
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
BatchOpt = Annotated[
    Path | None,
    typer.Option("--batch", help='JSONL file, one {"text": ...} per line; one JSON line out each.'),
]


class UserError(Exception):
    """A problem the user can fix; printed as one line, never as a traceback."""


def emit(model: BaseModel | dict[str, Any]) -> None:
    data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def read_batch(path: Path) -> Iterator[dict[str, Any]]:
    """Lines of a --batch file; a malformed line yields an error record instead of stopping."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ValueError('expected an object with a "text" string')
        except ValueError as exc:
            yield {"error": f"line {number}: {exc}"}
            continue
        yield record


def run_batch(path: Path, handle: Callable[[dict[str, Any]], BaseModel | dict[str, Any]]) -> None:
    for record in read_batch(path):
        emit(record if "error" in record else handle(record))


def runtime(show_progress: bool = True, serving: bool = False):
    """The composition root, with a progress bar for a first index build."""
    from bots.runtime import Runtime
    from bots.terminal import progress_callback

    rt = Runtime(
        Settings(),
        progress=progress_callback(err) if show_progress else None,
        # a served bot embeds one short question at a time for many people at once: one model
        # thread per process leaves the other cores to the other requests and replicas
        embedding_threads=1 if serving else None,
    )
    rt.start_loading()
    return rt


@app.callback()
def _configure(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details to stderr.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # bm25s logs index building at DEBUG through its own handler
    logging.getLogger("bm25s").setLevel(logging.INFO if verbose else logging.WARNING)


# -- knowledge ---------------------------------------------------------------------------------
@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for in the notes.")] = "",
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many sections.")] = 5,
    domain: Annotated[int | None, typer.Option(min=1, max=5, help="Only this exam domain.")] = None,
    as_json: JsonOpt = False,
    batch: BatchOpt = None,
) -> None:
    """Hybrid retrieval (meaning + keywords) over the study notes."""
    from bots.output import SearchOutput
    from bots.terminal import print_search

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
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (md, txt, pdf).")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-index everything from scratch.")] = False,
    warm: Annotated[
        bool, typer.Option("--warm", help="Also prepare the grounding check's vectors (for servers, images).")
    ] = False,
) -> None:
    """(Re)build the index from the notes, plus any files you name."""
    from bots.terminal import print_ingest

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


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Annotated[
        list[Path] | None, typer.Option("--dataset", help="JSONL: {query, relevant: [ids]}.")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Recall@k and MRR of hybrid retrieval on a labelled set."""
    from bots.evaluation import evaluate_retrieval, load_retrieval_set
    from bots.terminal import print_metrics

    report = evaluate_retrieval(runtime().retriever, load_retrieval_set(dataset), k=k)
    emit(report) if as_json else print_metrics(console, "retrieval", report)


# -- conversation ------------------------------------------------------------------------------
@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Your user id (progress is kept per user).")] = "local",
) -> None:
    """Chat in the terminal through the full graph (the main job)."""
    from bots.chat import chat_loop

    rt = runtime()

    async def run() -> None:
        async with rt.conversations() as service:
            await chat_loop(service, console, rt.settings.data_dir, user)

    asyncio.run(run())


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
    from bots.core import Turn
    from bots.output import AskOutput
    from bots.terminal import print_reply

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
    from bots.output import RouteOutput

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


@app.command("export-guardrail")
def export_guardrail(
    path: Annotated[Path, typer.Argument(help="Where to write the template.")] = Path(
        "deploy/aws/guardrail.yaml"
    ),
) -> None:
    """Write the AWS::Bedrock::Guardrail CloudFormation template generated from the policy file."""
    from agents.guards.cloudformation import write_template
    from agents.guards.policy import load_policy

    write_template(load_policy(), path)
    err.print(f"wrote {path}")


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


@eval_app.command("routing")
def eval_routing(
    dataset: Annotated[list[Path] | None, typer.Option("--dataset", help="JSONL: {text, route}.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Routing accuracy of the router on a labelled set."""
    from bots.evaluation import evaluate_routing, load_routing_set

    report = asyncio.run(evaluate_routing(runtime().classifier, load_routing_set(dataset)))
    if as_json:
        emit(report)
        return
    console.print(f"accuracy {report.accuracy:.3f} on {report.dataset_size} messages")
    for name, row in report.by_route.items():
        console.print(
            f"  {name:<11} precision {row['precision']:.3f}  recall {row['recall']:.3f}"
            f"  n={row['support']:.0f}"
        )
    for line in report.errors[:30]:
        console.print(f"[dim]{escape(line)}[/]")


@eval_app.command("guardrails")
def eval_guardrails(
    dataset: Annotated[
        list[Path] | None, typer.Option("--dataset", help="JSONL: {text, expected, category, pii}.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Guardrail recall, masking and false positives on a labelled set."""
    from bots.evaluation import evaluate_guardrails, load_guardrail_set

    report = asyncio.run(evaluate_guardrails(runtime().guardrail, load_guardrail_set(dataset)))
    if as_json:
        emit(report)
        return
    for name, value in report.model_dump().items():
        if isinstance(value, float):
            console.print(f"{name:<28} {value:.3f}")
    for line in report.errors[:40]:
        console.print(f"[dim]{escape(line)}[/]")


@app.command()
def bench(
    conversations: Annotated[int, typer.Option(min=1, max=500, help="Concurrent conversations.")] = 50,
    turns: Annotated[int, typer.Option(min=1, max=100, help="Turns per conversation.")] = 4,
    think: Annotated[
        float, typer.Option(min=0, max=60, help="Seconds a user pauses between messages.")
    ] = 1.0,
    as_json: JsonOpt = False,
) -> None:
    """Latency and throughput of graph turns with a zero-latency fake chat model."""
    from bots.benchmark import run_benchmark

    report = asyncio.run(run_benchmark(runtime(), conversations, turns, think))
    emit(report) if as_json else console.print_json(report.model_dump_json())


PlatformOpt = Annotated[str | None, typer.Option("--platform", help="slack or discord.")]
ChannelOpt = Annotated[str | None, typer.Option("--channel", help="Channel id.")]


@daily_app.command("post")
def daily_post(platform: PlatformOpt = None, channel: ChannelOpt = None, as_json: JsonOpt = False) -> None:
    """Post today's question now in the scheduled channels (or one), at most once per channel a day."""
    from bots.serve import daily_scheduler

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
        detail = f" ({escape(r.error)})" if r.error else ""
        console.print(
            f"{r.platform} {r.channel} {r.day}: {r.status} {r.question or ''}{detail}", highlight=False
        )
    if any(r.status in ("failed", "no_poster", "unknown_channel") for r in results):
        raise SystemExit(1)


@daily_app.command("preview")
def daily_preview(platform: PlatformOpt = None, channel: ChannelOpt = None) -> None:
    """Show the question a channel gets today, without posting anything."""
    from bots.serve import daily_scheduler
    from bots.terminal import print_reply

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
    from bots.logs import configure_json_logging, export_tracing_settings
    from bots.serve import serve as run_serve

    configure_json_logging()
    export_tracing_settings()
    asyncio.run(run_serve(runtime(show_progress=False, serving=True), platform.value, http, host, port))


def main() -> None:
    """Console entry point: known problems become one friendly line and exit code 1."""
    from agents.guards.policy import PolicyError
    from bots.daily.config import DailyConfigError
    from knowledge.index import IndexError_
    from tools.state.store import StateStoreError

    try:
        app()
    except (
        UserError,
        MissingSettingError,
        IndexError_,
        PolicyError,
        StateStoreError,
        DailyConfigError,
    ) as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = "AIFBOT_" + "_".join(str(p) for p in first["loc"]).upper()
        err.print(f"[red]error:[/] {variable}: {first['msg']}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
