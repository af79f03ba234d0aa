"""Quality and speed: eval and bench."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bots.cli.app import (
    JsonOpt,
    app,
    console,
    emit,
    eval_app,
    runtime,
)


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Annotated[
        list[Path] | None, typer.Option("--dataset", help="JSONL: {query, relevant: [ids]}.")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Recall@k and MRR of hybrid retrieval on a labelled set."""
    from bots.cli.evaluation import evaluate_retrieval, load_retrieval_set
    from bots.cli.terminal import print_metrics

    report = evaluate_retrieval(runtime().retriever, load_retrieval_set(dataset), k=k)
    emit(report) if as_json else print_metrics(console, "retrieval", report)


@eval_app.command("routing")
def eval_routing(
    dataset: Annotated[list[Path] | None, typer.Option("--dataset", help="JSONL: {text, route}.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Routing accuracy of the router on a labelled set."""
    from bots.cli.evaluation import evaluate_routing, load_routing_set

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
    from bots.cli.evaluation import evaluate_guardrails, load_guardrail_set

    report = asyncio.run(evaluate_guardrails(runtime().guardrail, load_guardrail_set(dataset)))
    if as_json:
        emit(report)
        return
    for name, value in report.model_dump().items():
        if isinstance(value, float):
            console.print(f"{name:<28} {value:.3f}")
    for title, shares in (("family", report.by_family), ("language", report.by_language)):
        console.print(f"[bold]by {title}[/]")
        for key, value in shares.items():
            size = report.family_sizes.get(key) if title == "family" else None
            console.print(f"  {escape(key):<34} {value:.3f}" + (f"  (n={size})" if size else ""))
    for line in report.errors[:40]:
        console.print(f"[dim]{escape(line)}[/]")


@eval_app.command("answers")
def eval_answers(
    dataset: Annotated[
        list[Path] | None,
        typer.Option(
            "--dataset", help="JSONL: {id, text, intent, domain, task, key_facts, must_not, conversation?}."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Share of tutor answers carrying every key fact, cleanly formatted, by intent and by domain."""
    from bots.cli.answer_evaluation import evaluate_answers_offline, load_answer_set

    report = asyncio.run(evaluate_answers_offline(runtime().agent_context(), load_answer_set(dataset)))
    if as_json:
        emit(report)
        return
    console.print(
        f"{report.share:.3f} of {report.dataset_size} answers carry every key fact, cleanly formatted "
        f"(facts {report.facts_share:.3f}, formatting {report.clean_share:.3f}, "
        f"80-250 words {report.words_80_250_share:.3f}, repeated follow-ups {report.repeated_follow_ups})"
    )
    groups = (("set", report.by_dataset), ("intent", report.by_intent), ("domain", report.by_domain))
    for title, rows in groups:
        shares = ", ".join(f"{k} {v.share:.2f} (n={v.n})" for k, v in rows.items())
        console.print(f"  by {title}: {shares}")
    for line in report.failures[:40]:
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
    from bots.cli.benchmark import run_benchmark

    report = asyncio.run(run_benchmark(runtime(), conversations, turns, think))
    emit(report) if as_json else console.print_json(report.model_dump_json())
