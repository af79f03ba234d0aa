"""`aifbot explain` and `aifbot eval explain`: a pasted multiple-choice question, explained."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from bots.cli.app import BatchOpt, JsonOpt, UserError, app, console, emit, eval_app, run_batch, runtime

DEFAULT_SET = Path(__file__).resolve().parents[2] / "knowledge" / "eval" / "explain" / "dev.jsonl"


@app.command()
def explain(
    text: Annotated[str, typer.Argument(help="The pasted question with its lettered options.")] = "",
    as_json: JsonOpt = False,
    batch: BatchOpt = None,
) -> None:
    """Explain a pasted multiple-choice question: pick(s), confidence, evidence per option."""
    from agents.tutor.explainer import Explanation
    from agents.tutor.explainer import explain as explain_text

    rt = runtime()
    context = rt.agent_context()
    guardrail = rt.guardrail

    async def one(message: str) -> Explanation:
        verdict = await guardrail.check(message, "input")  # a paste can be a prompt attack too
        if verdict.action == "block":
            return Explanation(question=None, reply=verdict.text)
        explained, _notice = await explain_text(verdict.text or message, context)
        return explained

    def handle(record: dict[str, Any]) -> Explanation:
        return asyncio.run(one(record["text"]))

    if batch:
        run_batch(batch, handle)
        return
    if not text.strip():
        raise UserError("give the question text, or --batch FILE")
    explained = handle({"text": text})
    emit(explained) if as_json else console.print(escape(explained.reply))


@eval_app.command("explain")
def eval_explain(
    dataset: Annotated[
        Path | None, typer.Option("--dataset", help='JSONL: {"id", "text", "answer": ["B"], ...}.')
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Accuracy of the offline explainer, per confidence level, and the share answered "confident"."""
    from agents.tutor.explain_eval import evaluate, load_cases

    path = dataset or DEFAULT_SET
    try:
        cases = load_cases(path)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from exc
    report = evaluate(cases, runtime().index, dataset=str(path))
    if as_json:
        emit(report)
        return
    console.print(
        f"accuracy {report.accuracy:.3f} on {report.total} questions ({report.parsed} recognised); "
        f"confident on {report.confident_share:.0%}"
    )
    for level, row in report.by_confidence.items():
        shown = "-" if row.accuracy is None else f"{row.accuracy:.3f}"
        console.print(f"  {level:<10} n={row.count:<4} accuracy {shown}")
    for split, accuracy in report.by_split.items():
        console.print(f"  split {split:<6} accuracy {accuracy:.3f}")
