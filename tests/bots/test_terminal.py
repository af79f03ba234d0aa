"""Terminal rendering: markdown rendered, the prompt prefix counted in the wrapping, citations
right after the text, quiz choices as one compact line."""

from __future__ import annotations

import io

from rich.console import Console

from agents.reply import Choice, Citation, Reply
from bots.cli.terminal import print_reply

WIDTH = 60


def rendered(reply: Reply, prefix: str = "aifbot> ") -> str:
    out = io.StringIO()
    print_reply(Console(file=out, width=WIDTH, color_system=None), reply, prefix=prefix)
    return out.getvalue()


def test_markdown_is_rendered_not_shown() -> None:
    text = "**Amazon S3** stores objects.\n\n```python\nprint('hi')\n```\n\n- one\n- two"
    out = rendered(Reply(text=text, route="tutor"))
    assert "**" not in out and "```" not in out
    assert "Amazon S3 stores objects." in out and "print('hi')" in out


def test_every_line_fits_beside_the_prefix() -> None:
    long = "Amazon Bedrock is a fully managed service that offers foundation models " * 4
    out = rendered(Reply(text=long, route="tutor"))
    lines = out.splitlines()
    assert lines[0].startswith("aifbot> ")
    assert all(len(line) <= WIDTH for line in lines)
    assert all(line.startswith(" " * len("aifbot> ")) for line in lines[1:] if line.strip())


def test_citations_follow_the_text_and_choices_are_one_line() -> None:
    reply = Reply(
        text="Which service converts speech to text?\nA) Polly\nB) Transcribe",
        route="quizmaster",
        pending="quiz",
        citations=[Citation(n=1, section="amazon-transcribe", title="Amazon Transcribe", source="x.md")],
        choices=[Choice(label=k, value=f"quiz:answer:d1-001:{k}") for k in "AB"],
    )
    out = rendered(reply)
    assert "quiz:answer" not in out
    assert "A · B · hint · skip" in out
    assert out.index("[1] Amazon Transcribe") < out.index("A · B")
    assert "A) Polly" in out and "B) Transcribe" in out.split("A) Polly")[1]  # lines stay lines


def test_a_long_notice_stays_indented() -> None:
    notice = "Offline mode: quoted from the course notes, not written by a language model. " * 2
    out = rendered(Reply(text="Short.", route="tutor", notice=notice))
    lines = [line for line in out.splitlines() if line.strip()]
    assert all(len(line) <= WIDTH for line in lines)
    assert all(line.startswith(" " * len("aifbot> ")) for line in lines[1:])
