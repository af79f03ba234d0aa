"""The platform-neutral answer of a graph turn; renderers turn it into Slack, Discord or terminal
output."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Route = Literal["tutor", "quizmaster", "banking", "help"]
Pending = Literal["quiz", "banking", "approval"]


class Citation(BaseModel):
    n: int = Field(ge=1, description="The number used in the text, as in [1].")
    section: str = Field(description="Section id in the notes.")
    title: str
    source: str


class Choice(BaseModel):
    """A button a platform would show; sending its value as the next message answers it."""

    label: str = Field(max_length=80)
    value: str = Field(max_length=100)


# button values the quizmaster reads as answers: quiz:answer:<question>:<answer>
ANSWER_PREFIX = "quiz:answer:"


class AnswerForm(BaseModel):
    """An open question's answer widget, for platforms that can show more than buttons
    (checkboxes for multiple response, selects for ordering and matching)."""

    question: str = Field(description="Question id.")
    type: Literal["single", "multiple", "ordering", "matching"]
    options: dict[str, str] = Field(description="Letter → option text (items, for matching).")
    targets: dict[str, str] = Field(default_factory=dict, description="Matching: key → target text.")
    pick: int = Field(1, description="How many options to select (multiple response).")
    prefix: str = Field(ANSWER_PREFIX, description="Whose answer it is: the quiz's or a daily post's.")
    answer_key: str | None = Field(
        None, description="What the prefix is followed by; the question id if unset."
    )

    def value(self, answer: list[str] | dict[str, str]) -> str:
        """The message that answers this question: letters, letters in order, or letter-target pairs."""
        if isinstance(answer, dict):
            body = " ".join(f"{k}-{v}" for k, v in sorted(answer.items()))
        else:
            body = (" " if self.type == "ordering" else ",").join(answer)
        return f"{self.prefix}{self.answer_key or self.question}:{body}"


class Finding(BaseModel):
    policy: str = Field(description="Which policy spoke: 'input', 'content', 'pii', 'topic', ...")
    type: str = Field(description="What was found, e.g. 'EMPTY', 'EMAIL', 'PROMPT_ATTACK'.")
    match: str | None = Field(None, description="The matched text, when safe to show.")


class GuardVerdict(BaseModel):
    action: Literal["allow", "anonymize", "block"] = "allow"
    text: str = Field("", description="The text after masking.")
    findings: list[Finding] = Field(default_factory=list)


class Reply(BaseModel):
    text: str
    route: Route
    citations: list[Citation] = Field(default_factory=list)
    choices: list[Choice] = Field(default_factory=list)
    pending: Pending | None = None
    private: bool = Field(False, description="Send as ephemeral/DM in shared channels.")
    notice: str | None = Field(None, description="A short note shown apart, e.g. 'offline excerpts'.")
    form: AnswerForm | None = Field(None, description="The open question's answer widget, if any.")
    image_png: bytes | None = Field(None, exclude=True, description="A chart the adapters attach.")
    guardrail: GuardVerdict = Field(default_factory=GuardVerdict)
