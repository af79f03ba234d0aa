"""The `aifbot` command line. Its commands and JSON shapes are a contract (DESIGN.md)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console

from bots.startup.settings import Settings

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


def indexing_progress(console: Console) -> Callable[[int, int], None]:
    """A progress bar with the rate and the time left, shown from the first call (only when there is
    something to index) until the last: a long PDF takes minutes on two cores."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            bar = Progress(
                TextColumn("indexing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("sections"),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("index", total=total, rate="")
        bar, task = state["bar"], state["task"]
        bar.update(task, completed=done, total=total)
        speed = bar.tasks[0].speed  # sections a second over the last 30 s
        bar.update(task, rate=f"{speed:.0f}/s" if speed else "")
        if done >= total:
            bar.stop()
            state.clear()

    return update


def runtime(show_progress: bool = True, serving: bool = False):
    """The composition root, with a progress bar for a first index build."""
    from bots.startup.runtime import Runtime

    rt = Runtime(
        Settings(),
        progress=indexing_progress(err) if show_progress else None,
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
