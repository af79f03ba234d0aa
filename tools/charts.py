"""Progress charts: a PNG (accuracy per exam domain plus answers per day) for the chat platforms, and
a plain-text bar chart for the terminal. matplotlib is imported lazily, inside the functions, with
the Agg backend, so importing this module stays cheap and nothing ever needs a display."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DOMAINS: dict[int, str] = {
    1: "D1 AI/ML",
    2: "D2 GenAI",
    3: "D3 FMs",
    4: "D4 Resp. AI",
    5: "D5 Security",
}
PASS_PERCENT = 70  # 700 of 1000 scaled points
PASS_LABEL = "700 / 1000 pass"
NO_ANSWERS = "no answers"

_SIZE_INCHES = (9.0, 5.0)
_DPI = 100
_GOOD, _WEAK, _LINE, _MUTED = "#2e7d32", "#ef6c00", "#c62828", "#9e9e9e"


def percent(correct: int, answered: int) -> int:
    """Whole percent correct, rounded half up; 0 when nothing was answered."""
    if answered <= 0:
        return 0
    return int(100 * correct / answered + 0.5)


def text_chart(by_domain: dict[int, tuple[int, int]], width: int = 20) -> str:
    """One line per exam domain, e.g. `D3 FMs       ██████████░░░░│░░░░░░  52 % (13/25)`.

    `by_domain` maps domain (1-5) to (correct, answered). The `│` sits between the cells below and
    above 70 %, so a bar that reaches it passes; domains without answers say "no answers"."""
    width = max(width, 1)
    mark = int(width * PASS_PERCENT / 100 + 0.5)
    label_width = max(len(name) for name in DOMAINS.values()) + 1
    lines = []
    for domain, name in DOMAINS.items():
        correct, answered = by_domain.get(domain, (0, 0))
        filled = 0
        if answered > 0:
            share = min(max(correct / answered, 0.0), 1.0)
            filled = int(share * width + 0.5)
        cells = "█" * filled + "░" * (width - filled)
        bar = cells[:mark] + "│" + cells[mark:]
        if answered > 0:
            tail = f"{percent(correct, answered):>3} % ({correct}/{answered})"
        else:
            tail = f" {NO_ANSWERS}"
        lines.append(f"{name:<{label_width}} {bar} {tail}".rstrip())
    return "\n".join(lines)


def progress_chart(
    by_domain: dict[int, tuple[int, int]],
    activity: list[tuple[date, int]],
    title: str = "Your AIF-C01 progress",
) -> bytes:
    """A ~900×500 px PNG: accuracy per domain (with the 70 % pass line) left, answers per day right.

    `by_domain` maps domain (1-5) to (correct, answered); `activity` lists (day, answers), days may
    repeat and come in any order. Empty inputs draw "no answers yet". The figure is always closed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(
        1, 2, figsize=_SIZE_INCHES, dpi=_DPI, gridspec_kw={"width_ratios": [1.1, 1.0]}
    )
    try:
        _domain_panel(left, by_domain)
        _activity_panel(right, activity, mdates)
        fig.suptitle(title, fontsize=14, fontweight="bold")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=_DPI)
        return buffer.getvalue()
    finally:
        plt.close(fig)


def _domain_panel(ax: Axes, by_domain: dict[int, tuple[int, int]]) -> None:
    """Bars of percent correct per domain; empty outlined bars for domains without answers."""
    positions = list(range(len(DOMAINS)))
    ax.set_ylim(0, 110)
    ax.set_xlim(-0.6, len(DOMAINS) - 0.4)
    any_answers = False
    for x, domain in zip(positions, DOMAINS, strict=True):
        correct, answered = by_domain.get(domain, (0, 0))
        if answered <= 0:
            ax.bar(x, 100, width=0.7, fill=False, edgecolor=_MUTED, linestyle=":", linewidth=1)
            ax.text(x, 50, NO_ANSWERS, ha="center", va="center", rotation=90, color=_MUTED, fontsize=9)
            continue
        any_answers = True
        value = percent(correct, answered)
        colour = _GOOD if value >= PASS_PERCENT else _WEAK
        ax.bar(x, value, width=0.7, color=colour)
        ax.text(x, value + 1.5, f"{value} %\n{correct}/{answered}", ha="center", va="bottom", fontsize=8)
    ax.axhline(PASS_PERCENT, color=_LINE, linestyle="--", linewidth=1.2)
    ax.text(
        len(DOMAINS) - 0.45, PASS_PERCENT + 1, PASS_LABEL, ha="right", va="bottom", color=_LINE, fontsize=8
    )
    if not any_answers:
        ax.text(
            (len(DOMAINS) - 1) / 2,
            85,
            "no answers yet",
            ha="center",
            va="center",
            fontsize=12,
            color="#424242",
            bbox={"facecolor": "white", "edgecolor": _MUTED, "boxstyle": "round"},
        )
    ax.set_xticks(positions, list(DOMAINS.values()), rotation=20, fontsize=8)
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("correct (%)")
    ax.set_title("Accuracy per exam domain", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)


def _activity_panel(ax: Axes, activity: list[tuple[date, int]], mdates: ModuleType) -> None:
    """Answers per day: one bar per day, days summed when they repeat."""
    per_day: Counter[date] = Counter()
    for day, count in activity:
        if count > 0:
            per_day[day] += count
    ax.set_title("Answers per day", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    if not per_day:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            "no answers yet",
            ha="center",
            va="center",
            fontsize=12,
            color="#424242",
            transform=ax.transAxes,
        )
        return
    days = sorted(per_day)
    counts = [per_day[day] for day in days]
    ax.bar(days, counts, width=0.8, color="#1565c0")
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if len(days) == 1:
        ax.set_xlim(mdates.date2num(days[0]) - 3, mdates.date2num(days[0]) + 3)
    ax.set_ylim(0, max(counts) * 1.15 + 1)
    ax.set_ylabel("answers")
    ax.yaxis.get_major_locator().set_params(integer=True)
    total = sum(counts)
    ax.text(
        0.02,
        0.97,
        f"{total} answers on {len(days)} day{'s' if len(days) != 1 else ''}",
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=8,
        color="#424242",
    )
