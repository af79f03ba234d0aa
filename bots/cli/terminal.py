"""Rendering for the terminal (rich)."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from agents.reply import Reply
from bots.cli.output import RetrievalMetrics, SearchOutput
from knowledge.index import IngestReport


def progress_callback(console: Console) -> Callable[[int, int], None]:
    """A progress bar that appears on the first call (only when there is work to show)."""
    state: dict[str, object] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            bar = Progress(
                TextColumn("indexing the notes"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("index", total=total)
        bar = state["bar"]
        bar.update(state["task"], completed=done, total=total)  # type: ignore[attr-defined]
        if done >= total:
            bar.stop()  # type: ignore[attr-defined]
            state.clear()

    return update


def print_search(console: Console, output: SearchOutput) -> None:
    if output.notice:
        console.print(f"[yellow]{escape(output.notice)}[/]")
    if not output.results:
        console.print("No matching notes.")
        return
    for n, hit in enumerate(output.results, start=1):
        where = f"domain {hit.domain}, task {hit.task}" if hit.domain else hit.source
        console.print(f"[bold][{n}] {escape(hit.title)}[/]  [dim]{escape(hit.section)} · {where}[/]")
        body = hit.text.split("\n", 1)[-1]
        console.print(escape(body[:400] + ("…" if len(body) > 400 else "")), highlight=False)
        console.print()


def print_ingest(console: Console, report: IngestReport) -> None:
    for source, why in report.skipped.items():
        console.print(f"[yellow]skipped {escape(source)}:[/] {escape(why)}")
    if not report.changed:
        console.print(f"Index up to date ({len(report.unchanged)} files unchanged).")
        return
    console.print(
        f"Indexed {len(report.added)} files ({report.chunks} chunks); "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed."
    )


def print_metrics(console: Console, name: str, metrics: RetrievalMetrics) -> None:
    table = Table(title=f"{name} ({metrics.dataset_size} queries)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row(f"recall@{metrics.k}", f"{metrics.recall_at_k:.3f}")
    table.add_row("recall@1", f"{metrics.recall_at_1:.3f}")
    table.add_row("MRR", f"{metrics.mrr:.3f}")
    for domain, value in sorted(metrics.by_domain.items()):
        table.add_row(f"recall@{metrics.k} domain {domain}", f"{value:.3f}")
    console.print(table)
    for query in metrics.misses[:20]:
        console.print(f"[dim]miss:[/] {escape(query)}")


def print_reply(console: Console, reply: Reply) -> None:
    """A reply as the terminal shows it: text, choices as numbered values, then citations."""
    console.print(escape(reply.text), highlight=False)
    for choice in reply.choices:
        console.print(f"  [cyan]{escape(choice.value)}[/] {escape(choice.label)}", highlight=False)
    if reply.citations:
        cites = "  ".join(f"[{c.n}] {c.title} ({c.section})" for c in reply.citations)
        console.print(f"[dim]{escape(cites)}[/]", highlight=False)
    if reply.notice:
        console.print(f"[yellow]{escape(reply.notice)}[/]", highlight=False)
