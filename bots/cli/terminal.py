"""Rendering for the terminal (rich)."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

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


def choice_line(reply: Reply) -> str:
    """The buttons a platform would show, as one compact line of their labels
    ("A · B · C · D · hint · skip"); button values such as quiz:answer:d2-016:A are for machines."""
    labels = [c.label for c in reply.choices]
    if reply.pending == "quiz":
        labels += QUIZ_WORDS
    return " · ".join(dict.fromkeys(labels))


QUIZ_WORDS = ("hint", "skip")  # typed answers the quizmaster also takes


def hard_breaks(text: str) -> str:
    """Keep the reply's own line breaks: agents write one option or bullet per line, which
    markdown would otherwise run together into one paragraph. Code and tables are left alone."""
    lines = text.split("\n")
    fenced = False
    for i, line in enumerate(lines[:-1]):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        following = lines[i + 1]
        if fenced or not line.strip() or not following.strip() or line.lstrip().startswith("|"):
            continue
        lines[i] = line.rstrip() + "  "
    return "\n".join(lines)


def print_reply(console: Console, reply: Reply, prefix: str = "") -> None:
    """A reply as the terminal shows it: the markdown rendered (no literal ** or fences), wrapped
    beside the prompt prefix so the first line fits too; its citations right after the text; the
    choices as one line; the notice last."""
    body = Markdown(hard_breaks(reply.text), hyperlinks=False)
    if prefix:
        grid = Table.grid()
        grid.add_column(width=len(prefix), no_wrap=True)
        grid.add_column()
        grid.add_row(Text(prefix, style="bold blue"), body)
        console.print(grid)
    else:
        console.print(body)

    def beside(text: str, style: str) -> None:  # under the reply, wrapped lines indented too
        console.print(Padding(Text(text, style=style), (0, 0, 0, len(prefix))))

    # quiz feedback already lists its citations inline, right after the explanation they belong to
    cited = [c for c in reply.citations if f"[{c.n}] {c.title}" not in reply.text]
    if cited:
        beside("  ".join(f"[{c.n}] {c.title}" for c in cited), "dim")
    if reply.choices:
        beside(choice_line(reply), "cyan")
    if reply.notice:
        beside(reply.notice, "yellow")
