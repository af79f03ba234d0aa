"""The Slack App Home tab: a person's progress at a glance and buttons to study (a pure function
of the progress store; the listener publishes it with `views.publish`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agents.quizmaster.progress_views import MIN_FOR_READINESS, readiness
from agents.quizmaster.services import QuizServices
from agents.quizmaster.weakness import weakest
from bots.slack.blocks import mrkdwn
from tools.charts import text_chart
from tools.progress import streaks

HOME = "aif:home"  # action_id prefix of the Home tab's buttons; the value is the message sent
WELCOME = (
    "Hi! I'm aifbot, your study companion for the AWS Certified AI Practitioner exam. "
    "Ask me anything about the course notes, say *quiz me*, or try `/aif help`. "
    "Your progress is on my Home tab."
)
STARTS = (
    ("📝 Review due cards", "review my due questions"),
    ("🎯 Quiz me", "quiz me"),
    ("⏱️ Mock exam", "start a mock exam"),
)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def home_view(services: QuizServices | None, user: str, now: datetime) -> dict[str, Any]:
    """The Home tab of one person: readiness on the exam's 100–1000 scale, streak, cards due,
    weakest task statements, the accuracy chart, and buttons to start a review, quiz or mock."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your AIF-C01 progress"}}
    ]
    progress = services.progress if services is not None else None
    by_domain = progress.accuracy_by_domain("slack", user) if progress is not None else {}
    if progress is None or not by_domain:
        blocks.append(_section("No answers yet. Start a quiz below; your progress shows up here."))
    else:
        total = sum(n for _, n in by_domain.values())
        correct = sum(c for c, _ in by_domain.values())
        predicted = readiness(by_domain)
        current, best = streaks([d for d, _ in progress.activity("slack", user)], now.date())
        due = len(progress.due("slack", user, now, limit=1000))
        tasks = progress.accuracy_by_task("slack", user)
        weak = weakest({q.task for q in services.questions} | set(tasks), tasks)  # type: ignore[union-attr]
        ready = (
            f"*Readiness:* ~{predicted} / 1000 (700 passes)"
            if predicted is not None
            else f"*Readiness:* answer {MIN_FOR_READINESS - total} more questions for an estimate"
        )
        weakest_line = ", ".join(
            f"{w.task} ({w.right}/{w.answered})" if w.answered else f"{w.task} (not tried)" for w in weak
        )
        blocks += [
            _section(ready),
            _section(
                f"*Answered:* {total} ({correct / total:.0%} correct)   *Streak:* {current} days "
                f"(best {best})   *Cards due:* {due}"
            ),
            _section(f"*Weakest task statements:* {mrkdwn(weakest_line) or '-'}"),
            _section("```" + mrkdwn(text_chart(by_domain)) + "```"),
        ]
    blocks.append({"type": "divider"})
    blocks.append(
        {
            "type": "actions",
            "block_id": "aif|home|1",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": label},
                    "action_id": f"{HOME}:{n}",
                    "value": value,
                    **({"style": "primary"} if n == 0 else {}),
                }
                for n, (label, value) in enumerate(STARTS)
            ],
        }
    )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"Updated {now:%Y-%m-%d %H:%M} UTC · answers come in our DM"}
            ],
        }
    )
    return {"type": "home", "blocks": blocks}
